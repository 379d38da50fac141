# vi:filetype=perl

# real libraries: t/compat/src built by tools/faas-build (make compat, with
# the pinned packages of t/compat/package-lock.json) renders a page from the
# same JSON props inside nginx, and the page must be byte for byte what Node
# answers running the same bundle, computed here at test time

use Test::Nginx::Socket 'no_plan';
use File::Basename qw(dirname);
use Cwd qw(abs_path);

require(abs_path(dirname(__FILE__)) . '/compat/node.pl');

our $props_file = "$::t_dir/compat/props.json";
our (%node, $props);

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return <$fh>;
}

$props = slurp($props_file);

for my $name (qw(react react-static preact mustache handlebars lodash ejs
                 marked))
{
    $node{$name} = node_render($name, $props_file);
    die "$name: Node rendered no page\n"
        unless $node{$name} =~ /Spring catalogue|Notes for/;
}

repeat_each(2);
no_long_string();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: React 18 renderToString
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /react\n" . $::props
--- response_body eval
$::node{'react'}
--- no_error_log
[error]



=== TEST 2: React 18 renderToStaticMarkup
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /react-static\n" . $::props
--- response_body eval
$::node{'react-static'}
--- no_error_log
[error]



=== TEST 3: Preact with preact-render-to-string
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /preact\n" . $::props
--- response_body eval
$::node{'preact'}
--- no_error_log
[error]



=== TEST 4: mustache
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /mustache\n" . $::props
--- response_body eval
$::node{'mustache'}
--- no_error_log
[error]



=== TEST 5: handlebars, compiled at module load
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /handlebars\n" . $::props
--- response_body eval
$::node{'handlebars'}
--- no_error_log
[error]



=== TEST 6: lodash template (the template in ES5)
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /lodash\n" . $::props
--- response_body eval
$::node{'lodash'}
--- no_error_log
[error]



=== TEST 7: EJS (the template in ES5)
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /ejs\n" . $::props
--- response_body eval
$::node{'ejs'}
--- no_error_log
[error]



=== TEST 8: marked 4.3.0, tables included (its /^(?: *(?:\n|$))+/ needs patches/0001; 5.0 and later build regular expressions with the u flag, which Duktape has not)
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location ~ ^/(?<fn>[a-z-]+)$ { faas_pass $fn; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /marked\n" . $::props
--- response_body eval
$::node{'marked'}
--- no_error_log
[error]
