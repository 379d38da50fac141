# vi:filetype=perl

# make install lays the files out as Debian's nginx module packages do,
# and what it installs runs under a configuration like Debian's stock
# nginx.conf: user www-data, worker_processes auto, the module loaded
# from modules-enabled, the example sites in sites-enabled, the render
# pool's share of the workers and its socket's directory created by the
# master for the workers' user.
#
# Drives make and nginx itself: TEST_NGINX_BINARY, TEST_NGINX_LOAD_MODULES
# (the .so installed), TEST_NGINX_SERVER_PORT (+2 is used).

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Compare qw(compare);
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file http_get start_nginx stop_nginx);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 2;
my ($module) = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');
my $root = abs_path('t') . '/servroot-install';
my $dest = "$root/dest";
my $doc = "$dest/usr/share/doc/libnginx-mod-faas";

plan skip_all => 'TEST_NGINX_LOAD_MODULES names no module' unless $module;

remove_tree($root);
make_path($root);


# make install DESTDIR=...

is(system("make -s --no-print-directory install DESTDIR=$dest "
          . "INSTALL_MODULE=$module >$root/install.log 2>&1"), 0,
   'make install DESTDIR= succeeds')
    or diag(read_file("$root/install.log"));

my $so = "$dest/usr/lib/nginx/modules/ngx_faas_module.so";
ok(-f $so && compare($so, $module) == 0,
   'the module is in /usr/lib/nginx/modules');
is(sprintf('%o', (stat $so)[2] & 07777), '644', 'the module is mode 644');

my $snippet = "$dest/usr/share/nginx/modules-available/mod-http-faas.conf";
is(read_file($snippet), "load_module modules/ngx_faas_module.so;\n",
   'modules-available has the load snippet');

my $link = "$dest/etc/nginx/modules-enabled/50-mod-http-faas.conf";
is(readlink($link), '/usr/share/nginx/modules-available/mod-http-faas.conf',
   'modules-enabled links the snippet at priority 50, as dh_nginx does');

for my $f (qw(README LICENSE examples/faas-site.conf
              examples/faas-render.conf examples/faas-render-site.conf
              examples/canary.conf examples/functions/health.js
              examples/functions/hello.js))
{
    ok(-f "$doc/$f", "$f installed in the documentation");
}

is(join(' ', sort map { s{.*/}{}r } glob("$dest/*")), 'etc usr',
   'nothing outside /etc and /usr');


# a tree like Debian's /etc/nginx with what was installed in it; the
# link of modules-enabled goes to the installed snippet, and the prefix
# has nginx-common's link modules -> ../../lib/nginx/modules

my $etc = "$root/etc";
my $prefix = "$dest/usr/share/nginx";
make_path("$etc/modules-enabled", "$etc/sites-enabled", "$root/logs",
          "$root/tmp", "$root/run", "$root/srv/faas/releases/1");
symlink('../../lib/nginx/modules', "$prefix/modules") or die $!;
symlink($snippet, "$etc/modules-enabled/50-mod-http-faas.conf") or die $!;

for my $f (glob "$doc/examples/functions/*.js") {
    copy($f, "$root/srv/faas/releases/1/") or die $!;
}
symlink('releases/1', "$root/srv/faas/current") or die $!;

# the example files as installed, with their paths moved into the test's
# tree and the port of the test
sub example {
    my ($name, $to) = @_;
    my $text = read_file("$doc/examples/$name");
    $text =~ s{/srv/faas}{$root/srv/faas}g;
    $text =~ s{/run/nginx-faas}{$root/run/nginx-faas}g;
    $text =~ s{listen 8080;}{listen 127.0.0.1:$port;}g;
    $text =~ s{\n\s*listen \[::\]:8080;}{}g;
    write_file($to, $text);
}

my $www = getpwnam('www-data');
my $user = '';

SKIP: {
    skip 'not root: the user directive needs a master run by root', 1
        if $> != 0;
    skip 'no www-data user on this machine', 1 unless defined $www;
    $user = "user www-data;\n";
    pass('runs with user www-data');
}

# Debian 12's /etc/nginx/nginx.conf, its paths in the test's tree
sub stock_conf {
    my ($main) = @_;

    my $temp = join '', map { "    ${_}_temp_path $root/tmp/$_;\n" }
                        qw(client_body proxy fastcgi uwsgi scgi);
    write_file("$etc/nginx.conf", <<"CONF");
${user}worker_processes auto;
pid $root/logs/nginx.pid;
error_log $root/logs/error.log notice;
include $etc/modules-enabled/*.conf;
$main
events {
    worker_connections 768;
}

http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $root/logs/access.log;
    gzip on;
$temp
    include $etc/conf.d/*.conf;
    include $etc/sites-enabled/*;
}
CONF
}

sub nginx_t {
    my $out = `$nginx -p $prefix/ -c $etc/nginx.conf -t 2>&1`;
    return ($? == 0, $out);
}


# the inline example site

example('faas-site.conf', "$etc/sites-enabled/faas");
stock_conf('');
my ($ok, $out) = nginx_t();
ok($ok, 'nginx -t: stock nginx.conf, the snippet, the inline site')
    or diag($out);


# the render pool example: faas_render_workers 50% at the main level
# (faas-render.conf), its socket in a directory nobody made

unlink "$etc/sites-enabled/faas";
example('faas-render-site.conf', "$etc/sites-enabled/faas-render");
example('faas-render.conf', "$etc/modules-enabled/60-faas-render.conf");
stock_conf('');
($ok, $out) = nginx_t();
ok($ok, 'nginx -t: stock nginx.conf, the render pool site') or diag($out);

# nginx -t made the socket's directory: gone again, for the master to
# make it when it starts
ok(-d "$root/run/nginx-faas", 'nginx -t made the socket\'s directory');
remove_tree("$root/run/nginx-faas");
my ($master, $why) = start_nginx(nginx => $nginx, prefix => "$prefix/",
                                 conf => "$etc/nginx.conf",
                                 pid => "$root/logs/nginx.pid");
ok($master, 'nginx starts with the render pool site') or diag($why);

END { stop_nginx($master) if $master; }

my ($code, $body);
for (1 .. 50) {
    ($code, $body) = http_get($port, '/fn/hello?name=deb');
    last if $code;
    select undef, undef, undef, 0.1;
}
is($code, 200, 'a function answers through the render pool');
is($body, '{"message":"hello deb"}', 'with its answer');

my @st = stat "$root/run/nginx-faas";
ok(@st, 'the master made the render socket\'s directory');
is($st[4], $user ? $www : $>,
   'owned by the workers\' user' . ($user ? ' (www-data)' : ''));
ok(-S "$root/run/nginx-faas/render.sock", 'the render socket is in it');

# worker_processes auto is the number of CPUs; half of them render, at
# least one is a front worker
my $cpus = () = read_file('/proc/cpuinfo') =~ /^processor\s*:/mg;
my $render = int($cpus / 2 + 0.5);
$render = $cpus - 1 if $render > $cpus - 1;
($code, $body) = http_get($port, '/faas/status');
like($body, qr/"render_pool":\s*\{[^}]*"workers":\s*$render\b/,
     "$render of $cpus workers render (faas_render_workers 50%)");

my $log = read_file("$root/logs/error.log");
unlike($log, qr/\[(alert|crit|emerg|error)\]/, 'no error in the error log');

stop_nginx($master);
$master = undef;


# the same on one CPU: 50% of one worker process is no render worker,
# said with a warning; the render site still passes, faas_admit included
stock_conf('');
my $conf = read_file("$etc/nginx.conf");
$conf =~ s/worker_processes auto;/worker_processes 1;/ or die;
write_file("$etc/nginx.conf", $conf);
($ok, $out) = nginx_t();
ok($ok, 'nginx -t: the render pool site with one worker process')
    or diag($out);
like($out, qr/\[warn\].*"faas_render_workers" leaves no render worker with 1 worker process:/,
     'warns that there is no render worker');

# a count that leaves no front worker is lowered, with a warning
$conf =~ s/worker_processes 1;/worker_processes 2;/ or die;
write_file("$etc/nginx.conf", $conf);
write_file("$etc/modules-enabled/60-faas-render.conf",
           "faas_render_workers 3;\n");
($ok, $out) = nginx_t();
ok($ok, 'nginx -t: faas_render_workers 3 of 2 worker processes')
    or diag($out);
like($out, qr/\[warn\].*"faas_render_workers 3" leaves no front worker with 2 worker processes: lowered to 1/,
     'warns that it is lowered');


# the canary example: split_clients between two directories

unlink "$etc/sites-enabled/faas-render",
       "$etc/modules-enabled/60-faas-render.conf";
symlink('releases/1', "$root/srv/faas/canary") or die $!;
example('canary.conf', "$etc/sites-enabled/faas-canary");
stock_conf('');
($ok, $out) = nginx_t();
ok($ok, 'nginx -t: stock nginx.conf, the canary site') or diag($out);

done_testing();
