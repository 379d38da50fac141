# vi:filetype=perl

# The render pool of t/021-render-pool.t, every check of it, with the
# render listener on a unix socket (listen unix:...; proxy_pass to
# unix:...), the placement conf/render.conf and the benchmark use.

use strict;
use warnings;

use Cwd qw(abs_path);

$ENV{FAAS_TEST_RENDER_UNIX} = 1;

my $file = abs_path('t/021-render-pool.t');

do $file;
die "$file: $@" if $@;
