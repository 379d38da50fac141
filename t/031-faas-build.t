# vi:filetype=perl

# tools/faas-build on t/compat/src (make compat): which files become
# functions, source maps, and the code it lowers to ES5 (classes,
# generators, async/await, TypeScript, JSX) with the polyfills it adds
# running in nginx as in Node

use Test::Nginx::Socket 'no_plan';
use Test::More;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Cwd qw(abs_path);

require(abs_path(dirname(__FILE__)) . '/compat/node.pl');

our $here = $::t_dir;
our $compat = $::compat;
our (%node, $skus);

sub map_line {
    my ($name, $text) = @_;
    my $out = `node $here/compat/map-line.js $compat/$name.js '$text'`;
    chomp $out;
    return $out;
}

sub line_of {
    my ($file, $text) = @_;
    open my $fh, '<', "$here/compat/$file" or die "$file: $!";
    while (<$fh>) {
        return "$file:$." if index($_, $text) >= 0;
    }
    return "$file: no $text";
}

my $dir = tempdir(CLEANUP => 1);

open my $fh, '>', "$dir/skus.json" or die;
print $fh $skus = '{"skus":["cup","jug","cup"],"id":2}';
close $fh;

$node{builtins} = node_render('builtins', "$here/compat/props.json");
$node{'api/user'} = node_render('api/user', "$dir/skus.json");
$node{'shop/index'} = node_render('shop/index', "$dir/skus.json");

# entries: top files, a directory's index, the files of a directory
# without one; lib/ and a directory's other modules are only bundled
ok(-f "$compat/$_.js", "entry $_") for qw(react api/user shop/index);
ok(!-e "$compat/shop/cart.js", 'a module of shop/ is not emitted');
ok(!-e "$compat/lib", 'lib/ is not emitted');

# a source map per bundle, through esbuild, Babel and the polyfills
ok(-f "$compat/$_.js.map", "map of $_") for qw(react api/user shop/index);
is(map_line('builtins', 'out.iterate = seen'),
   line_of('src/builtins.js', 'out.iterate = seen'), 'map: entry line');
is(map_line('react', 'most used: '),
   line_of('src/lib/page-react.jsx', 'most used: '), 'map: lib line');

# errors name the file and line, and nothing is written
{
    my $src = tempdir(CLEANUP => 1);
    open my $f, '>', "$src/bad.js" or die;
    print $f "export default function (ctx) {\n    return ctx.;\n}\n";
    close $f;
    my $err = `$here/../tools/faas-build $src $src/../out-$$ 2>&1`;
    isnt($?, 0, 'a syntax error fails the build');
    like($err, qr/bad\.js:2:/, 'the error names file:line');
    ok(!-e "$src/../out-$$/bad.js", 'no bundle for it');
    $err = `$here/../tools/faas-build $src $src/out 2>&1`;
    like($err, qr/OUT must not be SRC or inside it/, 'OUT inside SRC');

    # what Babel cannot lower fails the build, not the first request
    open $f, '>', "$src/bad.js" or die;
    print $f "export default (s) =>\n    s.replace(/(?<=a)b/, 'c');\n";
    close $f;
    $err = `$here/../tools/faas-build $src $src/../out-$$ 2>&1`;
    isnt($?, 0, 'a lookbehind fails the build');
    like($err, qr/not ES5 after lowering .*Invalid regular expression.*, from \S*bad\.js:2$/m,
         'the error names the source line');
}

# a bundle that throws: its frames in the log name the TypeScript lines
our $thrower = tempdir(CLEANUP => 1);
{
    mkdir "$thrower/src";
    mkdir "$thrower/src/lib";
    open my $f, '>', "$thrower/src/boom.ts" or die;
    print $f "import { fail } from './lib/fail';\n"
             . "export default function (ctx: any): string {\n"
             . "    return fail(ctx.query.n);\n"
             . "}\n";
    close $f;
    open $f, '>', "$thrower/src/lib/fail.ts" or die;
    print $f "// fails on purpose\n"
             . "export function fail(n: string): string {\n"
             . "    throw new Error('boom ' + n);\n"
             . "}\n";
    close $f;
    my $err = `$here/../tools/faas-build $thrower/src $thrower/out 2>&1`;
    is($?, 0, 'the thrower builds') or diag($err);
}

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: the module's built-ins (Map, Set, WeakMap, iterators, Array.from, Object.entries ...) answer as Node's own in a built bundle; classes, generators, spread lowered
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location /builtins { faas_pass builtins; }
--- more_headers
Content-Type: application/json
--- request
POST /builtins
{}
--- response_body eval
$::node{builtins}
--- no_error_log
[error]



=== TEST 2: TypeScript export default async function (ctx): a Promise, settled before the answer
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location /user { faas_pass api/user; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /user\n" . $::skus
--- response_headers
Content-Type: application/json
--- response_body eval
$::node{'api/user'}
--- no_error_log
[error]



=== TEST 3: a directory with an index file is one function (TSX, private fields, a generator)
--- http_config
    faas_functions $TEST_NGINX_COMPAT_DIR;
--- config
    location /shop { faas_pass shop; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /shop\n" . $::skus
--- response_body eval
$::node{'shop/index'}
--- no_error_log
[error]



=== TEST 4: a built bundle's stack names the TypeScript files and lines, through its source map
--- http_config eval
"faas_functions $::thrower/out;"
--- config
    location /boom { faas_pass boom; faas_debug on; }
--- request
GET /boom?n=7
--- error_code: 500
--- response_body_like: "stack":"Error: boom 7 \| at \S+ \(src/lib/fail\.ts:3\) \| at \S+ \(src/boom\.ts:3\)"
--- error_log eval
qr{faas: function "boom" failed: Error: boom 7 \| at \S+ \(src/lib/fail\.ts:3\) \| at \S+ \(src/boom\.ts:3\), client}
--- no_error_log
[alert]
