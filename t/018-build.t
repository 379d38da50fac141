# vi:filetype=perl

# How the module is built: its compiler flags stay with the module, and
# Duktape's API is bound inside the .so (no call through the PLT), which
# is what -fno-semantic-interposition once did for the whole nginx build

use strict;
use warnings;

use Test::More;
use File::Basename qw(dirname);

my ($so) = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');
my $makefile = $so && dirname($so) . '/nginx/objs/Makefile';

plan skip_all => 'needs the build tree of the module'
    unless $makefile && -f $makefile;

open my $fh, '<', $makefile or die "$makefile: $!";
my ($cflags) = grep { /^CFLAGS\s*=/ } <$fh>;
close $fh;

ok(defined $cflags, 'the nginx Makefile has CFLAGS');
unlike($cflags // '', qr/-fno-semantic-interposition/,
       'no module flag in the CFLAGS of the whole nginx build');

my $plt = grep { /call.*<duk_\w+\@plt>/ } `objdump -d $so`;
is($plt, 0, 'no call of a Duktape function through the PLT');

my $exported = grep { / T duk_\w+$/ } `nm -D --defined-only $so`;
is($exported, 0, 'no Duktape function is exported from the module');

done_testing();
