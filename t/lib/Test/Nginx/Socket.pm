package Test::Nginx::Socket;

# ngx_faas's own runner for test files written in the data-driven format of
# CPAN's Test::Nginx::Socket (see /work/shared/TEST-NGINX.md).  The CPAN
# module is not available on our machines, so this is an independent
# implementation of the same format: a .t file must give the same TAP test
# count and verdicts under either runner.  Only core Perl modules are used.
#
# Flow: blocks() parses the caller's __DATA__ into block objects (Test::Base
# rules: sections, filters, ONLY/SKIP/LAST); run_tests() then, per block,
# writes a server root (conf, html, logs), starts nginx, sends the request(s)
# repeat_each() times and runs one TAP test per expectation.

use strict;
use warnings;

use Test::More ();
use Test::Builder;
use IO::Socket::INET;
use IO::Select;
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Basename qw(dirname);
use POSIX ();
use Time::HiRes ();
use List::Util qw(shuffle);
use Scalar::Util qw(looks_like_number);
use MIME::Base64 ();

our $VERSION = '0.01';

# Settings.  Package variables, as in the real module, so a .t preamble may
# also read or set them directly (e.g. $Test::Nginx::Socket::RepeatEach).
our $RepeatEach        = 1;
our $NoShuffle         = $ENV{TEST_NGINX_NO_SHUFFLE} ? 1 : 0;
our $NoLongString      = 0;
our $LogLevel          = 'debug';
our $MasterOn          = 0;
our $Workers           = 1;
our $WorkerConnections = 64;
our $NoRootLocation    = 0;
our $CheckAccumErrLog  = 0;
our $UseHup            = $ENV{TEST_NGINX_USE_HUP} ? 1 : 0;
our $NoClean           = $ENV{TEST_NGINX_NO_CLEAN} ? 1 : 0;
our $Verbose           = $ENV{TEST_NGINX_VERBOSE} ? 1 : 0;
our $NginxBinary       = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $Timeout           = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $ServerAddr        = '127.0.0.1';
our @EnvToNginx;
our ($ServerPort, $ServRoot, $HtmlDir, $ConfDir, $LogDir, $ConfFile,
     $ErrLogFile, $PidFile);

my @BlockPreprocessors;
my @CleanupHandlers;
my @ResponseBodyChecks;

my $CallerPackage = 'main';
my $Blocks;             # parsed blocks, cached by blocks()
my $PrevConfig;         # a block without --- config reuses the previous one
my $ErrLogPos = 0;      # error.log offset already seen by the checks
my $ErrLogBlockStart = 0;
my $ConfVersion = 0;    # HUP mode: tells the reloaded config apart
my $MainPid = $$;
my $RemoveRootAtExit;   # TEST_NGINX_RANDOMIZE's private root
my $StartedNginx;       # only clean up after ourselves ("perl -M..." probes)

my @OurExports = qw(
    repeat_each plan blocks run_tests no_shuffle no_long_string log_level
    master_on master_off workers worker_connections no_root_location
    html_dir server_root server_port server_addr env_to_nginx timeout
    check_accum_error_log add_block_preprocessor add_cleanup_handler
    add_response_body_check is_str bail_out
);

_init_paths();
_become_subreaper();


# ---------------------------------------------------------------------------
# Import and preamble functions

sub import {
    my ($class, @args) = @_;
    my $caller = caller;

    $CallerPackage = $caller;

    no strict 'refs';

    # The real module re-exports Test::More, so a .t file can use ok/is/
    # like/diag right after "use Test::Nginx::Socket".
    for my $name (@Test::More::EXPORT) {
        next if $name =~ /^\W/ || $name eq 'plan';    # $TODO; ours below
        *{"${caller}::$name"} = \&{"Test::More::$name"};
    }

    for my $name (@OurExports) {
        *{"${caller}::$name"} = \&{"Test::Nginx::Socket::$name"};
    }

    my $tb = Test::More->builder;
    $tb->exported_to($caller);

    # "use Test::Nginx::Socket 'no_plan'" or "... tests => 12"
    $tb->plan(@args) if @args;
}

sub plan { Test::More::plan(@_) }

sub repeat_each {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub no_shuffle          { $NoShuffle = 1 }
sub no_long_string      { $NoLongString = 1 }
sub log_level           { $LogLevel = shift if @_; return $LogLevel }
sub master_on           { $MasterOn = 1 }
sub master_off          { $MasterOn = 0 }
sub workers             { $Workers = shift if @_; return $Workers }
sub no_root_location    { $NoRootLocation = 1 }
sub check_accum_error_log { $CheckAccumErrLog = 1 }
sub html_dir            { $HtmlDir }
sub server_root         { $ServRoot }
sub server_port         { $ServerPort }
sub server_addr         { $ServerAddr }
sub timeout             { $Timeout = shift if @_; return $Timeout }

sub worker_connections {
    $WorkerConnections = shift if @_;
    return $WorkerConnections;
}

sub env_to_nginx                { push @EnvToNginx, @_ }
sub add_block_preprocessor      { push @BlockPreprocessors, @_ }
sub add_cleanup_handler         { push @CleanupHandlers, @_ }
sub add_response_body_check     { push @ResponseBodyChecks, @_ }

sub is_str {
    my ($got, $expected, $name) = @_;

    local $Test::Builder::Level = $Test::Builder::Level + 1;

    return ref $expected eq 'Regexp'
           ? Test::More::like($got, $expected, $name)
           : Test::More::is($got, $expected, $name);
}

sub bail_out {
    my $msg = shift;

    _cleanup();
    Test::More::BAIL_OUT($msg);
}


# ---------------------------------------------------------------------------
# Paths and environment

sub _init_paths {
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $root = $ENV{TEST_NGINX_SERVROOT} || 't/servroot';

    if ($ENV{TEST_NGINX_RANDOMIZE}) {
        # let the kernel pick a free port, and give it its own root so that
        # parallel runs (prove -j) do not share a server root
        my $probe = IO::Socket::INET->new(LocalAddr => $ServerAddr,
                                          LocalPort => 0, Listen => 1,
                                          ReuseAddr => 1);
        if ($probe) {
            $port = $probe->sockport;
            close $probe;
            if (!$ENV{TEST_NGINX_SERVROOT}) {
                $root = "t/servroot_$port";
                $RemoveRootAtExit = 1;
            }
        }
    }

    $root = File::Spec->rel2abs($root);
    $root =~ s{/+\z}{};

    $ServerPort = $port;
    $ServRoot   = $root;
    $HtmlDir    = "$root/html";
    $ConfDir    = "$root/conf";
    $LogDir     = "$root/logs";
    $ConfFile   = "$ConfDir/nginx.conf";
    $ErrLogFile = "$LogDir/error.log";
    $PidFile    = "$LogDir/nginx.pid";

    # sections may refer to these as $TEST_NGINX_...
    $ENV{TEST_NGINX_SERVER_PORT} = $port;
    $ENV{TEST_NGINX_PORT}        = $port;
    $ENV{TEST_NGINX_SERVER_ROOT} = $root;
    $ENV{TEST_NGINX_SERVROOT}    = $root;
    $ENV{TEST_NGINX_HTML_DIR}    = $HtmlDir;
    $ENV{TEST_NGINX_CONF_DIR}    = $ConfDir;
    $ENV{TEST_NGINX_LOG_DIR}     = $LogDir;
    $ENV{TEST_NGINX_SERVER_ADDR} = $ServerAddr;
}

# nginx daemonizes, so its process is re-parented to PID 1, which on some
# machines never reaps it: a stopped nginx would linger as a zombie.  As a
# child subreaper (Linux) we inherit it instead and can reap it ourselves.
sub _become_subreaper {
    return unless $^O eq 'linux';

    eval {
        local $SIG{__WARN__} = sub {};
        require 'syscall.ph';
        my $pr_set_child_subreaper = 36;
        syscall(SYS_prctl(), $pr_set_child_subreaper, 1, 0, 0, 0);
    };
}

# Replace $TEST_NGINX_FOO by the environment's value; an unset name is an
# error rather than a silently broken nginx.conf.
sub _expand_env {
    my ($value, $missing) = @_;

    return $value unless defined $value;

    if (ref $value eq 'ARRAY') {
        return [ map { _expand_env($_, $missing) } @$value ];
    }

    return $value if ref $value;

    $value =~ s{\$(TEST_NGINX_[A-Za-z0-9_]+)}{
        defined $ENV{$1} ? $ENV{$1} : do { push @$missing, $1; "\$$1" }
    }ge;

    return $value;
}


# ---------------------------------------------------------------------------
# Parsing __DATA__ (Test::Base format)

sub blocks {
    my $only_with = shift;

    if (!$Blocks) {
        $Blocks = eval { _parse_blocks(_read_data()) };

        if (!$Blocks) {
            # a visible failure: dying alone can look like a skip to prove
            my $err = $@;
            Test::More::fail("parsing the test blocks");
            Test::More::diag($err);
            die $err;
        }
    }

    my @list = @$Blocks;

    if (defined $only_with) {
        @list = grep { defined $_->{$only_with} } @list;
    }

    return @list;
}

sub _read_data {
    no strict 'refs';

    for my $pkg (_uniq($CallerPackage, 'main')) {
        my $fh = \*{"${pkg}::DATA"};
        next unless defined fileno $fh;

        local $/;
        my $text = <$fh>;
        return $text if defined $text && length $text;
    }

    # DATA already consumed (or not a plain script): read the file again
    open my $in, '<', $0 or die "cannot read $0: $!\n";
    local $/;
    my $src = <$in>;
    close $in;

    return $src =~ /^__(?:DATA|END)__\r?\n(.*)\z/ms ? $1 : '';
}

sub _uniq {
    my %seen;
    return grep { !$seen{$_}++ } @_;
}

sub _parse_blocks {
    my ($text) = @_;

    $text =~ s/\r\n/\n/g;

    my @hunks = split /^(?====)/m, $text;
    my @blocks;
    my $seq = 0;

    for my $hunk (@hunks) {
        next unless $hunk =~ /^===/;

        my $block = _parse_hunk($hunk, ++$seq);

        # Test::Base semantics: ONLY runs that block alone, SKIP drops the
        # block (so blocks() and plan counts exclude it), LAST stops here
        if (exists $block->{ONLY}) {
            Test::More::diag("I found ONLY: maybe you're debugging?");
            return [$block];
        }

        next if exists $block->{SKIP};

        push @blocks, $block;

        last if exists $block->{LAST};
    }

    return \@blocks;
}

sub _parse_hunk {
    my ($hunk, $seq) = @_;

    my @lines = split /^/m, $hunk;
    my $head = shift @lines;

    $head =~ s/^===[ \t]*//;
    $head =~ s/\s+\z//;

    my $block = Test::Nginx::Socket::Block->new(name => $head,
                                                seq_num => $seq);
    my $desc = '';
    my ($cur, @sections);

    for my $line (@lines) {
        if ($line =~ /^--- +\(?(\w+)\)?(.*)$/) {
            $cur = { name => $1, rest => $2, text => '' };
            push @sections, $cur;
            next;
        }

        if ($cur) {
            $cur->{text} .= $line;

        } else {
            $desc .= $line;
        }
    }

    $desc =~ s/\s+\z//;
    $block->{description} = $desc =~ /\S/ ? $desc : $head;

    for my $s (@sections) {
        my ($filters, $value) = ($s->{rest}, $s->{text});

        # "--- name filters: value" is the one-line form
        if ($filters =~ /:(?:\s|\z)/) {
            ($filters, $value) = split /\s*:(?:\s+|\z)/, $filters, 2;
            $value = '' unless defined $value;
            $value =~ s/^\s+|\s+\z//g;

            if ($s->{text} =~ /\S/) {
                die "$head: extra lines not allowed after one-line "
                    . "section '$s->{name}'\n";
            }

        } else {
            $value = _trim($value);
        }

        my @filters = split ' ', $filters;

        for my $f (@filters) {
            $value = _apply_filter($f, $value, $head, $s->{name});
        }

        $block->{ $s->{name} } = $value;
    }

    return $block;
}

# Test::Base's default "trim": drop leading blank lines and anything blank
# after the last newline, so a multi-line value ends with exactly one "\n".
sub _trim {
    my $v = shift;

    $v =~ s/\A(?:[ \t]*\n)+//;
    $v =~ s/(?<=\n)\s*\z//;

    return $v;
}

my %Filters = (
    chomp => sub { my $v = shift; chomp $v; $v },
    chop  => sub { my $v = shift; chop $v; $v },
    trim  => \&_trim,
    norm  => sub { my $v = shift; $v =~ s/\r\n/\n/g; $v },
    base64_decode => sub { MIME::Base64::decode_base64(shift) },
    escape => sub {
        my $v = shift;
        $v =~ s/(\\.)/qq{"$1"}/gee;
        $v;
    },
    regexp => sub { my $v = shift; qr/$v/xms },
);

sub _apply_filter {
    my ($filter, $value, $block_name, $section) = @_;

    if ($filter eq 'eval') {
        return _eval_in_main($value, "$block_name: --- $section eval");
    }

    # as in Test::Base, a sub of that name in the test file is a filter;
    # it may return the new value or modify $_
    no strict 'refs';
    if (defined &{"main::$filter"}) {
        local $_ = $value;
        my @r = &{"main::$filter"}($value);
        return @r && !(@r == 1 && $r[0] =~ /\A(?:\d+|)\z/) ? $r[0] : $_;
    }

    my $code = $Filters{$filter}
        or die "$block_name: --- $section: unknown filter '$filter'\n";

    # chomp and friends only make sense on strings (not on eval results)
    return ref $value ? $value : $code->($value);
}

sub _eval_in_main {
    my ($code, $what) = @_;

    # Test::Base keeps a list result and reads its first element
    my @result = eval "package main; no strict; no warnings;\n#line 1\n"
                      . $code;
    die "$what failed: $@" if $@;

    return $result[0];
}


# ---------------------------------------------------------------------------
# Running the blocks

sub run_tests {
    my @blocks = blocks();

    @blocks = shuffle(@blocks) unless $NoShuffle;

    for my $block (@blocks) {
        _run_block($block);
    }

    _stop_nginx() unless $NoClean;

    my $tb = Test::More->builder;
    $tb->done_testing unless $tb->has_plan;
}

sub _run_block {
    my ($block) = @_;

    $_->($block) for @BlockPreprocessors;

    return if _skipped($block);

    my $todo = $block->todo;
    my $tb = Test::More->builder;

    if (defined $todo) {
        $todo =~ s/^\s*\d+\s*:\s*//;
        $tb->todo_start($todo eq '' ? 'todo' : $todo);
    }

    _run_block_body($block);

    $tb->todo_end if defined $todo;
}

sub _run_block_body {
    my ($block) = @_;
    my $name = $block->name;

    my $config = $block->config;
    $config = $PrevConfig unless defined $config;
    $config = '' unless defined $config;
    $PrevConfig = $config;

    my (@missing, %conf);

    for my $s (qw(main_config post_main_config http_config)) {
        $conf{$s} = _expand_env($block->$s, \@missing);
    }

    $conf{config}     = _expand_env($config, \@missing);
    $conf{user_files} = _expand_env($block->user_files, \@missing);

    my $reqs = _build_requests($block, \@missing);

    if (@missing) {
        Test::More::fail("$name - environment not set: @missing");
        return;
    }

    if (defined $block->must_die) {
        _run_must_die($block, \%conf);
        return;
    }

    _start_nginx($block, \%conf) or return;

    if (defined $block->init) {
        eval { _eval_in_main($block->init, "$name: --- init") };
        if ($@) {
            Test::More::fail("$name - --- init failed: $@");
            return;
        }
    }

    if (!$reqs) {
        Test::More::fail("$name - no --- request, --- raw_request or "
                         . "--- pipelined_requests section");
    } else {
        for my $rep (0 .. $RepeatEach - 1) {
            _run_requests($block, $reqs, $rep);
        }
    }

    # HUP mode reloads this nginx for the next block; TEST_NGINX_NO_CLEAN
    # leaves the last one running for inspection
    _stop_nginx() unless $UseHup || $NoClean;
}

# --- skip_eval: N: perl-expr skips the block's N tests when expr is true.
sub _skipped {
    my ($block) = @_;
    my $name = $block->name;

    my $v = $block->skip_eval;
    return 0 unless defined $v;

    $v =~ /^\s*(\d+)\s*:\s*(.*?)\s*\z/s
        or die "$name: bad --- skip_eval value: $v\n";

    my ($count, $code) = ($1, $2);

    return 0 unless _eval_in_main($code, "$name: --- skip_eval");

    my $tb = Test::More->builder;
    $tb->skip("$name - tests skipped due to skip_eval: $code") for 1 .. $count;

    return 1;
}


# ---------------------------------------------------------------------------
# Server root, nginx.conf, starting and stopping nginx

sub _setup_server_root {
    # refuse to wipe anything that does not look like a dedicated root
    if ($ServRoot eq '/' || $ServRoot eq ($ENV{HOME} || '')) {
        bail_out("refusing to use $ServRoot as the server root");
    }

    remove_tree($ServRoot) if -e $ServRoot;
    make_path($ConfDir, $HtmlDir, $LogDir);
}

sub _write_user_files {
    my ($block, $files) = @_;

    return unless defined $files;

    my @list;

    if (ref $files eq 'ARRAY') {
        # --- user_files eval: [ [ "path" => "content", mtime ], ... ]
        @list = map { [ @$_ ] } @$files;

    } else {
        my $cur;

        for my $line (split /^/m, $files) {
            if ($line =~ /^>>> +(\S+)(?:[ \t]+(\S+))?[ \t]*$/) {
                $cur = [ $1, '', $2 ];
                push @list, $cur;
                next;
            }

            if (!$cur) {
                next unless $line =~ /\S/;
                die $block->name . ": --- user_files must start with "
                    . "a '>>> path' line\n";
            }

            $cur->[1] .= $line;
        }
    }

    for my $f (@list) {
        my ($path, $content, $mtime) = @$f;

        $path = "$HtmlDir/$path"
            unless File::Spec->file_name_is_absolute($path);
        make_path(dirname($path));

        open my $out, '>', $path or die "cannot write $path: $!\n";
        binmode $out;
        print $out (defined $content ? $content : '');
        close $out;

        if (defined $mtime) {
            my $t = _parse_mtime($mtime);
            utime $t, $t, $path if defined $t;
        }
    }
}

# ">>> file 199801171935.33" uses touch -t's [CC]YYMMDDhhmm[.ss]; a short
# plain number is taken as seconds since the epoch.
sub _parse_mtime {
    my $v = shift;

    if ($v =~ /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d\d))?$/) {
        return POSIX::mktime($6 || 0, $5, $4, $3, $2 - 1, $1 - 1900);
    }

    return $v if $v =~ /^\d+$/;

    return undef;
}

sub _write_config {
    my ($block, $conf) = @_;

    my $level = $block->log_level;
    $level = $LogLevel unless defined $level && $level =~ /\S/;
    $level =~ s/^\s+|\s+\z//g;

    my $master = ($MasterOn || $UseHup) ? 'on' : 'off';
    my $server_name = $block->server_name;
    $server_name = 'localhost' unless defined $server_name;
    chomp $server_name;

    my $main = defined $conf->{main_config} ? $conf->{main_config} : '';
    my $post = defined $conf->{post_main_config}
               ? $conf->{post_main_config} : '';
    my $http = defined $conf->{http_config} ? $conf->{http_config} : '';

    my $out = '';

    # a block may name its own worker user (t/017-permissions.t)
    $out .= "user root;\n" if $> == 0 && $main !~ /^\s*user\s/m;

    for my $mod (split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || '') {
        $out .= "load_module $mod;\n";
    }

    $out .= <<"_EOC_";
worker_processes  $Workers;
daemon on;
master_process $master;
error_log $ErrLogFile $level;
pid       $PidFile;
_EOC_

    for my $e (@EnvToNginx) {
        if ($e =~ /=/) {
            (my $q = $e) =~ s/(["\\])/\\$1/g;
            $out .= "env \"$q\";\n";
        } else {
            $out .= "env $e;\n";
        }
    }

    # HUP mode: a location reporting which config generation is live, so
    # we know when the reload has finished
    my $version_loc = '';
    if ($UseHup) {
        $ConfVersion++;
        $version_loc = "        location = /__test_nginx_conf_version__ "
                       . "{ return 200 \"$$-$ConfVersion\"; }\n";
    }

    my $root_loc = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    $out .= <<"_EOC_";

# --- main_config
$main
http {
    access_log $LogDir/access.log;

    client_body_temp_path $ServRoot/client_body_temp;
    proxy_temp_path       $ServRoot/proxy_temp;
    fastcgi_temp_path     $ServRoot/fastcgi_temp;
    uwsgi_temp_path       $ServRoot/uwsgi_temp;
    scgi_temp_path        $ServRoot/scgi_temp;

    default_type text/plain;
    keepalive_timeout  68;

    # --- http_config
$http
    server {
        listen          $ServerPort;
        server_name     $server_name;

        client_max_body_size 30M;

        # --- config
$conf->{config}
$version_loc$root_loc    }
}

# --- post_main_config
$post
events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
}
_EOC_

    open my $fh, '>', $ConfFile or die "cannot write $ConfFile: $!\n";
    print $fh $out;
    close $fh;

    Test::More::diag("nginx.conf:\n$out") if $Verbose;
}

# Run the nginx command line; nginx daemonizes, so this returns once the
# configuration is loaded and the listening sockets are open (or failed).
# Returns the wait status (-1 if nginx could not be run at all) and what
# nginx printed on stderr.
sub _run_nginx {
    my $errfile = "$LogDir/nginx-stderr.log";
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);

    Test::More::diag("running @cmd") if $Verbose;

    $StartedNginx = 1;

    my $pid = fork;
    die "fork failed: $!\n" unless defined $pid;

    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $errfile;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "test-nginx: cannot run $cmd[0]: $!\n";
        POSIX::_exit(127);
    }

    waitpid $pid, 0;
    my $status = $?;

    my $err = '';
    if (open my $in, '<', $errfile) {
        local $/;
        $err = <$in>;
        $err = '' unless defined $err;
        close $in;
    }

    unlink $errfile;

    # a missing binary must not pass for "nginx refused the config"
    $status = -1 if $status == 127 << 8 && $err =~ /^test-nginx: cannot run/;

    return ($status, $err);
}

sub _status_text {
    my $status = shift;

    return 'could not run it' if $status == -1;
    return 'killed by signal ' . ($status & 127) if $status & 127;
    return 'exit code ' . ($status >> 8);
}

sub _start_nginx {
    my ($block, $conf) = @_;
    my $name = $block->name;

    if ($UseHup && _nginx_pid()) {
        return 1 if _reload_nginx($block, $conf);
        Test::More::diag("$name - HUP reload failed, restarting nginx");
    }

    _stop_nginx();
    _setup_server_root();
    _write_user_files($block, $conf->{user_files});
    _write_config($block, $conf);

    my ($status, $err);

    # The port may still be held by an nginx that is going away.  nginx
    # itself retries bind() for 2.5 s, so a few attempts are plenty; the
    # failed attempts' messages must not reach the block's log checks.
    for my $try (1 .. 3) {
        ($status, $err) = _run_nginx();
        last if $status == 0;
        last unless $err =~ /Address already in use/;
        unlink $ErrLogFile;
        Time::HiRes::sleep(0.3);
    }

    if ($status != 0) {
        Test::More::fail("$name - nginx failed to start ("
                         . _status_text($status) . ")");
        Test::More::diag($err) if $err ne '';
        Test::More::diag("nginx.conf is $ConfFile");
        return 0;
    }

    # the pid file appears once the daemon is up; we need it to stop nginx
    my $deadline = Time::HiRes::time() + 5;
    until (_nginx_pid()) {
        if (Time::HiRes::time() > $deadline) {
            Test::More::fail("$name - nginx exited right after starting");
            Test::More::diag(_tail($ErrLogFile, 20));
            return 0;
        }
        Time::HiRes::sleep(0.01);
    }

    $ErrLogPos = $ErrLogBlockStart = 0;

    return 1;
}

sub _reload_nginx {
    my ($block, $conf) = @_;

    my $pid = _nginx_pid() or return 0;

    remove_tree($HtmlDir);
    make_path($HtmlDir);
    _write_user_files($block, $conf->{user_files});
    _write_config($block, $conf);

    # the old workers keep accepting for a moment after the reload, so
    # wait for them to go as well as for the new config to answer
    my @old_workers = _children_of($pid);

    kill 'HUP', $pid or return 0;

    my $want = "$$-$ConfVersion";
    my $deadline = Time::HiRes::time() + 10;
    my $answered;

    while (Time::HiRes::time() < $deadline) {
        if (!$answered) {
            my ($raw) = _http_exchange(
                [ { data => "GET /__test_nginx_conf_version__ HTTP/1.0\r\n"
                            . "Host: localhost\r\n\r\n" } ], 1);

            $answered = defined $raw && $raw =~ /\r\n\r\n\Q$want\E\z/;
        }

        if ($answered && !grep { _alive($_) } @old_workers) {
            $ErrLogPos = $ErrLogBlockStart = -s $ErrLogFile || 0;
            return 1;
        }

        Time::HiRes::sleep(0.02);
    }

    return 0;
}

# pids whose parent is $ppid (Linux /proc)
sub _children_of {
    my ($ppid) = @_;
    my @kids;

    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $in, '<', $stat or next;
        my $line = <$in>;
        close $in;

        push @kids, $1 if defined $line
                          && $line =~ /^(\d+) \(.*\) \S+ (\d+) /s
                          && $2 == $ppid;
    }

    return @kids;
}

# pid of the running nginx from our pid file, or undef
sub _nginx_pid {
    open my $in, '<', $PidFile or return undef;
    my $pid = <$in>;
    close $in;

    return undef unless defined $pid && $pid =~ /^\s*(\d+)/;
    $pid = $1;

    return undef unless _alive($pid);

    # a stale pid file from a crashed run may name a reused pid: only
    # signal a process started on our server root
    if (open my $cmd, '<', "/proc/$pid/cmdline") {
        local $/;
        my $line = <$cmd>;
        close $cmd;
        return undef if defined $line && index($line, $ServRoot) < 0;
    }

    return $pid;
}

# A zombie is not alive (see _become_subreaper); reap it if it is ours.
sub _alive {
    my $pid = shift;

    waitpid $pid, POSIX::WNOHANG();

    return 0 unless kill 0, $pid;

    if (open my $st, '<', "/proc/$pid/stat") {
        my $stat = <$st>;
        close $st;
        return 0 if defined $stat && $stat =~ /^\d+ \(.*\) Z/s;
    }

    return 1;
}

sub _wait_gone {
    my ($pid, $secs) = @_;
    my $deadline = Time::HiRes::time() + $secs;

    while (_alive($pid)) {
        return 0 if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.01);
    }

    return 1;
}

sub _stop_nginx {
    my $pid = _nginx_pid();

    if ($pid) {
        # QUIT first: a graceful exit runs the modules' exit hooks
        for my $sig (qw(QUIT TERM KILL)) {
            kill $sig, $pid;
            last if _wait_gone($pid, $sig eq 'QUIT' ? 5 : 2);
            Test::More::diag("nginx $pid ignored SIG$sig");
        }
    }

    unlink $PidFile if -f $PidFile;
}

sub _cleanup {
    return if $$ != $MainPid;

    if (!$NoClean && $StartedNginx) {
        _stop_nginx();
        remove_tree($ServRoot) if $RemoveRootAtExit;
    }

    for my $handler (@CleanupHandlers) {
        eval { $handler->() };
    }

    @CleanupHandlers = ();
}

END {
    my $exit = $?;
    _cleanup();
    $? = $exit;
}

for my $sig (qw(INT TERM HUP)) {
    $SIG{$sig} = sub { _cleanup(); exit 1 } unless $SIG{$sig};
}

sub _tail {
    my ($file, $n) = @_;

    open my $in, '<', $file or return "(no $file)";
    my @lines = <$in>;
    close $in;

    splice @lines, 0, @lines - $n if @lines > $n;

    return join '', @lines;
}


# ---------------------------------------------------------------------------
# --- must_die: nginx has to refuse the configuration

sub _run_must_die {
    my ($block, $conf) = @_;
    my $name = $block->name;
    my $want = $block->must_die;

    $want =~ s/^\s+|\s+\z//g;

    _stop_nginx();
    _setup_server_root();
    _write_user_files($block, $conf->{user_files});
    _write_config($block, $conf);

    $ErrLogPos = $ErrLogBlockStart = 0;

    for my $rep (0 .. $RepeatEach - 1) {
        my ($status, $err) = _run_nginx();
        my $died = $status != 0;

        # nginx also "dies" when the daemon exits while initialising
        if (!$died) {
            my $deadline = Time::HiRes::time() + 1;
            my $pid;

            until ($pid = _nginx_pid()) {
                last if Time::HiRes::time() > $deadline;
                Time::HiRes::sleep(0.02);
            }

            $died = $pid ? _wait_gone($pid, 0.5) : 1;
            _stop_nginx() unless $died;
        }

        if ($status == -1 || $status & 127) {
            # a crash while reading the config is a bug, not a refusal
            Test::More::fail("$name - nginx did not die cleanly ("
                             . _status_text($status) . ")");
            Test::More::diag($err) if $err ne '';

        } elsif (looks_like_number($want)) {
            Test::More::is($status >> 8, $want,
                           "$name - die with the expected exit code "
                           . "(req $rep)");

        } else {
            Test::More::ok($died, "$name - die as expected (req $rep)");
        }

        _check_error_log($block, $rep, _stderr_lines($err));
    }
}

# Lines nginx printed on stderr while failing.  With a default error log
# in logs/ the same messages are in error.log too; drop those copies so
# grep_error_log does not count them twice.
sub _stderr_lines {
    my ($err) = @_;

    my %in_file;
    my ($lines) = _read_log_from(0);

    for my $line (@$lines) {
        $in_file{"$1 $2"} = 1 if $line =~ /\[(\w+)\] \d+#\d+: (.*)$/;
    }

    my @out;
    for my $line (split /(?<=\n)/, $err) {
        if ($line =~ /\[(\w+)\] (?:\d+#\d+: )?(.*)$/ && $in_file{"$1 $2"}) {
            next;
        }
        push @out, $line;
    }

    return \@out;
}


# ---------------------------------------------------------------------------
# Building requests

# Returns a list of "exchanges", one per connection, each
#   { chunks => [ { data, delay } ... ], heads => [ is-HEAD per response ],
#     count => responses expected }
# or undef when the block has nothing to send.
sub _build_requests {
    my ($block, $missing) = @_;

    my $more = _expand_env($block->more_headers, $missing);
    my $middle_delay = $block->raw_request_middle_delay;

    if (defined(my $pipe = $block->pipelined_requests)) {
        $pipe = _expand_env($pipe, $missing);
        $pipe = [$pipe] unless ref $pipe eq 'ARRAY';

        my ($data, @heads) = ('');

        for my $i (0 .. $#$pipe) {
            my $conn = $i == $#$pipe ? 'close' : 'keep-alive';
            my ($req, $head) = _build_http_request($pipe->[$i],
                                                   _pick($more, $i), $conn);
            $data .= $req;
            push @heads, $head;
        }

        return [ { chunks => [ { data => $data } ], heads => \@heads,
                   count => scalar @$pipe } ];
    }

    if (defined(my $raw = $block->raw_request)) {
        $raw = _expand_env($raw, $missing);

        my @chunks;
        for my $c (ref $raw eq 'ARRAY' ? @$raw : ($raw)) {
            my $chunk = ref $c eq 'HASH'
                        ? { data => $c->{value}, delay => $c->{delay_before} }
                        : { data => $c };

            # a small pause by default so the pieces arrive separately
            $chunk->{delay} = defined $middle_delay ? $middle_delay : 0.01
                if @chunks && !defined $chunk->{delay};

            push @chunks, $chunk;
        }

        my $all = join '', map { $_->{data} } @chunks;

        return [ { chunks => \@chunks, heads => [ $all =~ /^\s*HEAD\s/ ],
                   count => 1 } ];
    }

    my $request = $block->request;

    return undef unless defined $request;

    $request = _expand_env($request, $missing);

    my @exchanges;
    my @list = ref $request eq 'ARRAY' ? @$request : ($request);

    for my $i (0 .. $#list) {
        my $one = $list[$i];

        if (ref $one eq 'ARRAY') {
            push @exchanges, _build_packet_request($one, _pick($more, $i),
                                                   $middle_delay);
            next;
        }

        my ($req, $head) = _build_http_request($one, _pick($more, $i),
                                               'close');

        push @exchanges, { chunks => [ { data => $req } ], heads => [$head],
                           count => 1 };
    }

    return \@exchanges;
}

# Turn "METHOD [URI [HTTP/x.y]]\nbody" into an HTTP request.  Returns the
# request, whether it is a HEAD, and the offsets needed to map packet
# boundaries from the source text into the result.
sub _build_http_request {
    my ($text, $more, $conn) = @_;

    $text = '' unless defined $text;

    # leading "# comment" lines and blanks are not part of the request
    my $skipped = 0;
    if ($text =~ /\A(\s*(?:#[^\n]*\n\s*)*)/) {
        $skipped = length $1;
    }

    my $rest = substr $text, $skipped;
    my ($line, $body) = split /\r?\n/, $rest, 2;

    $line = '' unless defined $line;
    $body = '' unless defined $body;

    my $body_start = $skipped + length($rest) - length($body);

    my ($method, @words) = split ' ', $line;
    $method = 'GET' unless defined $method;

    my $version = 'HTTP/1.1';
    $version = pop @words if @words && $words[-1] =~ m{^HTTP/}i;

    my $uri = @words ? join(' ', @words) : '/';

    my $headers = defined $more ? $more : '';
    $headers =~ s/^\s*\n//mg;           # blank lines would end the header
    $headers =~ s/\r?\n/\r\n/g;
    $headers .= "\r\n" if $headers ne '' && $headers !~ /\r\n\z/;

    my $req = "$method $uri $version\r\n";

    $req .= "Host: localhost\r\n" unless $headers =~ /^Host\s*:/mi;
    $req .= "Connection: $conn\r\n" unless $headers =~ /^Connection\s*:/mi;
    $req .= $headers;

    # The body is trimmed and measured unless the test takes care of the
    # framing itself (its own Content-Length, or a chunked body).
    my $body_skip = 0;
    if ($headers !~ /^Transfer-Encoding\s*:\s*chunked/mi
        && $headers !~ /^Content-Length\s*:/mi)
    {
        $body =~ /\A(\s*)/;
        $body_skip = length $1;
        $body =~ s/^\s+|\s+\z//g;

        if ($body ne '' || $method =~ /^(?:POST|PUT|PATCH)$/) {
            $req .= "Content-Length: " . length($body) . "\r\n";
        }
    }

    $req .= "\r\n";

    my $head_len = length $req;

    return ($req . $body, $method eq 'HEAD',
            { head_len => $head_len, body_start => $body_start + $body_skip,
              body_len => length $body });
}

# --- request eval [[ "POST /x\nhel", "lo" ]]: one request written in
# several pieces (strings or { value => ..., delay_before => secs }).
sub _build_packet_request {
    my ($packets, $more, $middle_delay) = @_;

    my @parts = map { ref $_ eq 'HASH' ? $_ : { value => $_ } } @$packets;
    my $text = join '', map { $_->{value} } @parts;

    my ($req, $head, $map) = _build_http_request($text, $more, 'close');

    # cut the built request where the source text was cut: a cut before
    # the body keeps its offset (within the generated head), a cut inside
    # the body moves along with the body
    my (@chunks, $src_pos, $dst_prev);
    ($src_pos, $dst_prev) = (0, 0);

    for my $i (0 .. $#parts) {
        $src_pos += length $parts[$i]{value};

        my $dst;
        if ($i == $#parts) {
            $dst = length $req;
        } elsif ($src_pos <= $map->{body_start}) {
            $dst = $src_pos < $map->{head_len} ? $src_pos : $map->{head_len};
        } else {
            my $off = $src_pos - $map->{body_start};
            $off = $map->{body_len} if $off > $map->{body_len};
            $dst = $map->{head_len} + $off;
        }

        $dst = $dst_prev if $dst < $dst_prev;

        my $delay = $parts[$i]{delay_before};
        $delay = $middle_delay if !defined $delay && $i > 0;

        push @chunks, { data => substr($req, $dst_prev, $dst - $dst_prev),
                        delay => $i > 0 ? $delay : undef };
        $dst_prev = $dst;
    }

    return { chunks => \@chunks, heads => [$head], count => 1 };
}

# more_headers (and the grep_error_log pair, per repetition) may be one
# value for all or an array with one element each.
sub _pick {
    my ($value, $idx) = @_;

    return $value unless ref $value eq 'ARRAY';
    return $value->[$idx];
}

# Response expectations of a multi-request block (request eval [...],
# pipelined_requests) must be arrays, element i for response i: the real
# module bails out otherwise, so a scalar here is reported, not guessed at.
sub _expect {
    my ($block, $section, $idx, $multi) = @_;

    my $v = $block->$section;

    return undef unless defined $v;
    return $v->[$idx] if ref $v eq 'ARRAY';

    if ($multi) {
        Test::More::fail($block->name . " - --- $section must be an array "
                         . "(one element per request)");
        return undef;
    }

    return $v;
}


# ---------------------------------------------------------------------------
# Talking to nginx

# Write the chunks and read until the server closes the connection.  The
# timeout applies to each wait for I/O, as in the real module.  Returns
# (raw response, timed out?, connect error).
sub _http_exchange {
    my ($chunks, $timeout, $shutdown) = @_;

    my $sock;
    for my $try (1 .. 20) {
        $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr,
                                      PeerPort => $ServerPort,
                                      Proto    => 'tcp',
                                      Timeout  => $timeout);
        last if $sock;
        Time::HiRes::sleep(0.05 * $try);
    }

    return (undef, 0, "cannot connect to $ServerAddr:$ServerPort: $!")
        unless $sock;

    local $SIG{PIPE} = 'IGNORE';

    $sock->blocking(0);

    my $sel = IO::Select->new($sock);
    my @queue = @$chunks;
    my $buf = (shift @queue)->{data};
    my ($resp, $timed_out, $writing) = ('', 0, 1);

    while (1) {
        if ($writing && $buf eq '') {
            if (@queue) {
                my $next = shift @queue;
                Time::HiRes::sleep($next->{delay}) if $next->{delay};
                $buf = $next->{data};
                next;
            }

            $writing = 0;
            shutdown($sock, $shutdown) if defined $shutdown;
        }

        $! = 0;
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef,
                                         undef, $timeout);

        if (!$r && !$w) {
            next if $!{EINTR};
            $timed_out = 1;
            last;
        }

        if ($w && @$w) {
            my $n = syswrite $sock, $buf;

            if (defined $n) {
                substr $buf, 0, $n, '';

            } elsif (!$!{EAGAIN} && !$!{EWOULDBLOCK}) {
                # the server gave up on the request; read what it said
                $buf = '';
                @queue = ();
                $writing = 0;
            }
        }

        if ($r && @$r) {
            my $n = sysread $sock, my $data, 65536;

            if ($n) {
                $resp .= $data;
            } elsif (defined $n || (!$!{EAGAIN} && !$!{EWOULDBLOCK})) {
                last;
            }
        }
    }

    close $sock;

    return ($resp, $timed_out, undef);
}

# Parse one response from the front of $raw.  Returns the response and the
# bytes after it (the next pipelined response).
sub _parse_response {
    my ($raw, $is_head, $name) = @_;

    my $res = Test::Nginx::Socket::Response->new;

    return ($res, '') if !defined $raw || $raw eq '';

    my $end = index $raw, "\r\n\r\n";
    my ($head, $rest) = $end < 0 ? ($raw, '')
                        : (substr($raw, 0, $end + 2), substr($raw, $end + 4));

    my @lines = split /\r\n/, $head;
    my $status = shift @lines;

    if ($status !~ m{^HTTP/\d+(?:\.\d+)?\s+(\d{3})\b}) {
        $res->{body} = $raw;        # not HTTP at all: keep it for the checks
        return ($res, '');
    }

    $res->{code} = $1;
    $res->{raw_headers} = $head;

    for my $line (@lines) {
        push @{ $res->{headers} }, [ $1, $2 ]
            if $line =~ /^([^:\s]+)\s*:\s*(.*?)\s*$/;
    }

    my $code = $res->{code};
    my $te = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');

    if ($is_head || $code =~ /^1/ || $code == 204 || $code == 304) {
        $res->{body} = '';
        return ($res, $rest);
    }

    if (defined $te && $te =~ /\bchunked\b/i) {
        my ($body, $left, $err) = _decode_chunked($rest);

        $res->{body} = $body;

        if (defined $err) {
            Test::More::fail("$name - invalid chunked response body: $err");
            return ($res, '');
        }

        return ($res, $left);
    }

    if (defined $len && $len =~ /^\d+$/) {
        if (length $rest < $len) {
            Test::More::diag("$name - response body truncated: $len bytes "
                             . "expected, got " . length $rest);
        }

        $res->{body} = substr $rest, 0, $len;
        return ($res, length $rest > $len ? substr($rest, $len) : '');
    }

    $res->{body} = $rest;

    return ($res, '');
}

sub _decode_chunked {
    my ($raw) = @_;
    my ($out, $p) = ('', 0);

    while (1) {
        my $eol = index $raw, "\r\n", $p;
        return ($out, '', 'no chunk size line') if $eol < 0;

        my $line = substr $raw, $p, $eol - $p;
        return ($out, '', "bad chunk size line \"$line\"")
            unless $line =~ /^[ \t]*([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/;

        my $size = hex $1;
        $p = $eol + 2;

        if ($size == 0) {
            # optional trailer fields, then the empty line
            while (1) {
                my $e = index $raw, "\r\n", $p;
                return ($out, '', 'no last CRLF') if $e < 0;
                my $l = $e - $p;
                $p = $e + 2;
                last if $l == 0;
            }

            return ($out, substr($raw, $p), undef);
        }

        return ($out, '', 'truncated chunk')
            if length($raw) < $p + $size + 2;

        $out .= substr $raw, $p, $size;
        $p += $size;

        return ($out, '', 'no CRLF after chunk data')
            if substr($raw, $p, 2) ne "\r\n";

        $p += 2;
    }
}

sub _parse_time {
    my $v = shift;

    return undef unless defined $v && $v =~ /\S/;
    return $1 / 1000 if $v =~ /^\s*([\d.]+)\s*ms\s*$/;
    return $1 if $v =~ /^\s*([\d.]+)\s*s?\s*$/;

    die "bad time value \"$v\"\n";
}


# ---------------------------------------------------------------------------
# One repetition of a block: send, check the responses, check the log

sub _run_requests {
    my ($block, $exchanges, $rep) = @_;
    my $name = $block->name;

    my $timeout = _parse_time($block->timeout);
    $timeout = $Timeout unless defined $timeout;

    my $wait = _parse_time($block->wait);
    my $total = 0;
    $total += $_->{count} for @$exchanges;

    my $multi = $total > 1 || defined $block->pipelined_requests;
    my $idx = 0;

    for my $ex (@$exchanges) {
        my ($raw, $timed_out, $err) = _http_exchange($ex->{chunks}, $timeout,
                                                     _shutdown_arg($block));

        Test::More::fail("$name - $err (req $rep)") if defined $err;

        if ($timed_out && !defined $block->abort) {
            Test::More::fail("ERROR: client socket timed out - $name "
                             . "(req $rep)");
        }

        for my $i (0 .. $ex->{count} - 1) {
            my $res;

            if (defined $block->http09) {
                $res = Test::Nginx::Socket::Response->new;
                @$res{qw(code body)} = (200, defined $raw ? $raw : '');
                $raw = '';

            } elsif (!defined $block->ignore_response) {
                ($res, $raw) = _parse_response($raw, $ex->{heads}[$i], $name);
            }

            my $label = $total > 1 ? "req $rep, sub $idx" : "req $rep";

            _check_response($block, $res, $idx, $label, $rep, $multi)
                unless defined $block->ignore_response;

            # like the real module, the log is also checked between the
            # requests of a multi-request block
            if (++$idx < $total) {
                Time::HiRes::sleep($wait) if $wait;
                _check_error_log($block, $rep);
            }
        }
    }

    Time::HiRes::sleep($wait) if $wait;
    _check_error_log($block, $rep);
}

sub _shutdown_arg {
    my $block = shift;
    my $v = $block->shutdown;

    return undef unless defined $v;
    return $v =~ /^\s*(\d)\s*$/ ? $1 : 1;
}

sub _check_response {
    my ($block, $res, $idx, $label, $rep, $multi) = @_;
    my $name = $block->name;
    my $code = defined $res->{code} ? $res->{code} : '';
    my $expect = sub { _expect($block, $_[0], $idx, $multi) };

    # status
    if (defined $block->error_code_like) {
        my $pat = $expect->('error_code_like');
        Test::More::like($code, qr/$pat/sm, "$name - status code ok ($label)")
            if defined $pat;

    } else {
        my $want = defined $block->error_code ? $expect->('error_code') : 200;
        $want = 200 unless defined $want;
        $want =~ s/^\s+|\s+\z//g;
        Test::More::is($code, $want, "$name - status code ok ($label)");
    }

    # raw headers
    if (defined(my $pat = $expect->('raw_response_headers_like'))) {
        Test::More::like($res->{raw_headers}, qr/$pat/s,
                         "$name - raw resp headers like ($label)");
    }

    if (defined(my $pat = $expect->('raw_response_headers_unlike'))) {
        Test::More::unlike($res->{raw_headers}, qr/$pat/s,
                           "$name - raw resp headers unlike ($label)");
    }

    # headers: response_headers wins over response_headers_like
    if (defined $block->response_headers) {
        _check_headers($name, $res, $expect->('response_headers'), $label, 0);

    } elsif (defined $block->response_headers_like) {
        _check_headers($name, $res, $expect->('response_headers_like'),
                       $label, 1);
    }

    # body: response_body wins over response_body_like/unlike
    my $body = $res->{body};

    if (defined $block->response_body) {
        my $want = $expect->('response_body');

        if (ref $want eq 'Regexp') {
            Test::More::like($body, $want,
                             "$name - response_body - like ($label)");
        } else {
            $want =~ s/\$ServerPort\b/$ServerPort/g if defined $want;
            Test::More::is($body, $want,
                           "$name - response_body - response is expected "
                           . "($label)");
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my $like = defined $block->response_body_like;
        my $pat = $expect->($like ? 'response_body_like'
                                  : 'response_body_unlike');
        $pat = '' unless defined $pat;
        $pat =~ s/\$ServerPort\b/$ServerPort/g unless ref $pat;

        my $what = $like ? 'like' : 'unlike';
        my $test = "$name - response_body_$what - response is expected "
                   . "($label)";

        if ($like) {
            Test::More::like($body, qr/$pat/s, $test);
        } else {
            Test::More::unlike($body, qr/$pat/s, $test);
        }
    }

    $_->($block, $body, $idx, $rep, 0) for @ResponseBodyChecks;
}

sub _check_headers {
    my ($name, $res, $spec, $label, $like) = @_;

    return unless defined $spec;

    # one test per header name; a repeated name keeps its last value
    my (@order, %want);
    for my $line (split /\n/, $spec) {
        next unless $line =~ /\S/;

        my ($neg, $key, $val);
        if ($line =~ /^\s*(!?)\s*([^:\s]+)\s*(?::\s*(.*?))?\s*$/) {
            ($neg, $key, $val) = ($1, $2, $3);
        } else {
            next;
        }

        push @order, $key unless exists $want{$key};
        $want{$key} = $neg ? undef : defined $val ? $val : '';
    }

    for my $key (@order) {
        my $val = $want{$key};

        if (!defined $val) {
            Test::More::ok(!defined $res->header($key),
                           "$name - header $key not present ($label)");
            next;
        }

        my $got = $res->header($key);
        $got = '' unless defined $got;

        if ($like) {
            Test::More::like($got, qr/^$val$/,
                             "$name - header $key like ok ($label)");
        } else {
            $val =~ s/\$ServerPort\b/$ServerPort/g;
            Test::More::is($got, $val, "$name - header $key ok ($label)");
        }
    }
}


# ---------------------------------------------------------------------------
# error.log checks

# Complete lines of error.log from byte $pos on, each with its "\n", and
# the offset after the last of them (a line being written is left for the
# next reader).
sub _read_log_from {
    my ($pos) = @_;

    open my $in, '<', $ErrLogFile or return ([], 0);
    binmode $in;

    $pos = 0 if $pos > -s $in;     # truncated or replaced

    seek $in, $pos, 0;
    local $/;
    my $data = <$in>;
    close $in;

    $data = '' unless defined $data;
    $data =~ s/[^\n]+\z//;

    return ([ split /(?<=\n)/, $data ], $pos + length $data);
}

# Lines written since the previous check (or since the block started with
# check_accum_error_log()).
sub _new_log_lines {
    my $from = $CheckAccumErrLog ? $ErrLogBlockStart : $ErrLogPos;
    my ($lines, $end) = _read_log_from($from);

    $ErrLogPos = $end;

    return $lines;
}

sub _patterns {
    my $v = shift;

    return [] unless defined $v;
    return [$v] if ref $v eq 'Regexp';
    return [ grep { defined } @$v ] if ref $v eq 'ARRAY';

    chomp $v;
    return [ split /\n+/, $v ];
}

sub _line_matches {
    my ($line, $pat) = @_;

    return $line =~ $pat if ref $pat eq 'Regexp';
    return index($line, $pat) >= 0;
}

sub _fmt {
    my $s = shift;

    $s = "$s";
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;

    return $s;
}

sub _check_error_log {
    my ($block, $rep, $extra) = @_;
    my $name = $block->name;

    my @lines = @{ _new_log_lines() };
    push @lines, @$extra if $extra;

    # --- grep_error_log / grep_error_log_out
    my $grep = _pick($block->grep_error_log, $rep);

    if (defined $grep) {
        my $want = _pick($block->grep_error_log_out, $rep);
        my $got = '';

        for my $line (@lines) {
            my $m;
            if (ref $grep eq 'Regexp') {
                $m = $& if $line =~ $grep;
            } elsif ((my $at = index $line, $grep) >= 0) {
                $m = substr $line, $at, length $grep;
            }

            # like the real module, a match spanning the line end is ignored
            $got .= "$m\n" if defined $m && $m !~ /\n/;
        }

        my $test = "$name - grep_error_log_out (req $rep)";

        if (!defined $want) {
            Test::More::fail("$test: no --- grep_error_log_out section");
        } elsif (ref $want eq 'Regexp') {
            Test::More::like($got, $want, $test);
        } else {
            Test::More::is($got, $want, $test);
        }
    }

    my %mentioned;

    # --- error_log: every pattern must match some line
    for my $pat (@{ _patterns($block->error_log) }) {
        $mentioned{$1} = 1 if !ref $pat && $pat =~ /\[(alert|crit|emerg)/;

        my $found = grep { _line_matches($_, $pat) } @lines;
        my $p = _fmt($pat);

        Test::More::ok($found, "$name - pattern \"$p\" matches a line in "
                               . "error.log (req $rep)");
    }

    # --- no_error_log: no pattern may match any line
    for my $pat (@{ _patterns($block->no_error_log) }) {
        $mentioned{$1} = 1 if !ref $pat && $pat =~ /\[(alert|crit|emerg)/;

        my ($hit) = grep { _line_matches($_, $pat) } @lines;
        my $p = _fmt($pat);

        if (defined $hit) {
            Test::More::fail("$name - pattern \"$p\" should not match any "
                             . "line in error.log but matches line \""
                             . _fmt($hit) . "\" (req $rep)");
        } else {
            Test::More::pass("$name - pattern \"$p\" does not match a line "
                             . "in error.log (req $rep)");
        }
    }

    # serious messages nobody asked about are worth a warning
    for my $line (@lines) {
        next unless $line =~ /\[(alert|crit|emerg)\]/ && !$mentioned{$1};
        next if defined $block->must_die;
        Test::More::diag("WARNING: $name - " . _fmt($line));
    }
}


# ---------------------------------------------------------------------------

package Test::Nginx::Socket::Block;

# A test block: its sections are hash entries, read through methods named
# after them ($block->config); an absent section reads as undef.

our $AUTOLOAD;

sub new {
    my ($class, %args) = @_;
    return bless { %args }, $class;
}

sub name        { $_[0]{name} }
sub description { $_[0]{description} }
sub seq_num     { $_[0]{seq_num} }

sub set_value {
    my ($self, $section, $value) = @_;
    $self->{$section} = $value;
}

sub AUTOLOAD {
    my $self = shift;
    (my $section = $AUTOLOAD) =~ s/.*:://;
    return ref $self ? $self->{$section} : undef;
}

sub DESTROY {}


package Test::Nginx::Socket::Response;

sub new {
    return bless { code => undef, headers => [], raw_headers => '',
                   body => undef }, shift;
}

sub code { $_[0]{code} }
sub content { $_[0]{body} }

# all values of a header (case-insensitive name), joined like
# HTTP::Headers does; undef if absent
sub header {
    my ($self, $name) = @_;

    my @v = map { $_->[1] } grep { lc $_->[0] eq lc $name }
            @{ $self->{headers} };

    return @v ? join(', ', @v) : undef;
}

1;

__END__

=head1 NAME

Test::Nginx::Socket - ngx_faas's runner for Test::Nginx::Socket-format tests

=head1 SYNOPSIS

    use Test::Nginx::Socket 'no_plan';   # or plan tests => ... later

    repeat_each(2);
    run_tests();

    __DATA__

    === TEST 1: hello
    --- config
        location = /t { return 200 "hi\n"; }
    --- request
    GET /t
    --- response_body
    hi
    --- no_error_log
    [error]

Run with C<PERL5LIB=t/lib prove -r t>.

=head1 ENVIRONMENT

C<TEST_NGINX_BINARY> (default C<nginx> on PATH), C<TEST_NGINX_LOAD_MODULES>
(space-separated .so paths, emitted as C<load_module>),
C<TEST_NGINX_SERVER_PORT> (or C<TEST_NGINX_PORT>; default 1984),
C<TEST_NGINX_SERVROOT> (default F<t/servroot>), C<TEST_NGINX_USE_HUP>,
C<TEST_NGINX_NO_CLEAN>, C<TEST_NGINX_NO_SHUFFLE>, C<TEST_NGINX_RANDOMIZE>
(free port and a private root per test file, for C<prove -j>),
C<TEST_NGINX_TIMEOUT> (default 3 s), C<TEST_NGINX_VERBOSE>.

Sections may use C<$TEST_NGINX_SERVER_PORT>, C<$TEST_NGINX_SERVER_ROOT>,
C<$TEST_NGINX_HTML_DIR> and any other C<TEST_NGINX_*> variable; an unset
one fails the block.

=head1 SUPPORTED

Preamble: C<repeat_each plan blocks run_tests no_shuffle no_long_string
log_level master_on master_off workers worker_connections no_root_location
html_dir server_root server_port server_addr env_to_nginx timeout
check_accum_error_log add_block_preprocessor add_cleanup_handler
add_response_body_check is_str bail_out>, plus all of Test::More.

Sections: C<config http_config main_config post_main_config server_name
user_files request more_headers raw_request raw_request_middle_delay
pipelined_requests response_body response_body_like response_body_unlike
response_headers response_headers_like raw_response_headers_like
raw_response_headers_unlike error_code error_code_like error_log
no_error_log grep_error_log grep_error_log_out log_level timeout abort
wait shutdown ignore_response http09 must_die init skip_eval todo ONLY
SKIP LAST>.  Filters: C<eval chomp chop trim norm
escape base64_decode regexp>, and any sub of that name in the test file.

=head1 DIFFERENCES FROM CPAN Test::Nginx

Checks are per-section as in the real module, so test counts match; the
differences are in diagnostics and in a few lenient corners:

=over

=item * Test names carry C<(req R)> (repetition) or C<(req R, sub I)>
(I-th request of a multi-request block).

=item * C<--- eval> code runs in package C<main> (the real one runs it
elsewhere), and a failing eval stops the file instead of becoming the
section's value.

=item * C<--- must_die> also checks nginx's stderr, and also passes when
the daemon exits within about a second of a successful start; a crash
(signal) fails.

=item * An empty C<POST>/C<PUT>/C<PATCH> body is sent with
C<Content-Length: 0>.

=item * A block without any request section fails instead of bailing out;
nginx failing to start fails the block instead of bailing out.

=item * nginx is stopped after every block (unless in HUP mode) and at
exit.  Generated nginx.conf line numbers differ from the real module's:
do not match them in C<error_log> patterns.

=item * Not supported: valgrind, stap, check-leak and benchmark modes,
C<tcp_listen>/C<udp_listen> mock servers, C<skip_nginx>, C<curl>,
C<error_log_file>, C<access_log> checks.

=back

=cut
