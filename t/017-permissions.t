# vi:filetype=perl

# nginx -t as root checks that the worker user can read the functions

use Test::Nginx::Socket 'no_plan';
use File::Temp qw(tempdir);

repeat_each(1);
no_long_string();

# a functions directory only root can read
our $Private = tempdir('faas-private-XXXXXX', TMPDIR => 1, CLEANUP => 1);
mkdir "$Private/lib";
open my $fh, '>', "$Private/lib/secret.js" or die $!;
print $fh "module.exports = function () { return 'secret'; };\n";
close $fh;
chmod 0755, $Private;
chmod 0700, "$Private/lib";
$ENV{TEST_NGINX_PRIVATE} = $Private;

plan skip_all => 'needs root' if $> != 0;

run_tests();

__DATA__

=== TEST 1: a directory the worker user cannot read fails at start
--- main_config
user nobody nogroup;
--- http_config
    faas_functions $TEST_NGINX_PRIVATE;
--- config
    location /t { faas_pass hello; }
--- must_die
--- error_log eval
qr{\[emerg\] .*faas_functions: "/\S+/lib" cannot be read by the worker user "nobody" \(13: Permission denied\)}



=== TEST 2: readable by the worker user: starts
--- main_config
user root;
--- http_config
    faas_functions $TEST_NGINX_PRIVATE;
--- config
    location /t { faas_pass lib/secret; }
--- request
GET /t
--- response_body chomp
secret
--- no_error_log
[emerg]
[error]
