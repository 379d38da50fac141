# shared by t/030-compat.t and t/031-faas-build.t: where make compat put
# the bundles, and what a bundle's handler answers in Node

use strict;
use warnings;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

our $t_dir = abs_path(dirname(__FILE__) . '/..');
our $compat = $ENV{TEST_NGINX_COMPAT_DIR} ||= "$t_dir/../build/compat";

# the answer of $compat/NAME.js to a POST of the JSON in FILE
sub node_render {
    my ($name, $file) = @_;
    my $out = `node $t_dir/compat/node-render.js $compat/$name.js $file`;

    die "node failed on $compat/$name.js (build it with: make compat)\n"
        if $? != 0;
    return $out;
}

1;
