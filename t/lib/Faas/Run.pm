package Faas::Run;

# For the tests that drive nginx themselves (master process on, a conf of
# their own, files changed between requests): write files, start and
# stop nginx, send a request.

use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET;
use Time::HiRes qw(sleep);

our @EXPORT_OK = qw(write_file read_file http_get start_nginx stop_nginx);


sub write_file {
    my ($path, $text) = @_;

    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
}


sub read_file {
    my ($path) = @_;

    open my $fh, '<', $path or return '';
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text // '';
}


# GET on a new connection: (status, body), status 0 when nothing answered

sub http_get {
    my ($port, $path) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 3) or return (0, "connect: $!");
    print $s "GET $path HTTP/1.1\r\nHost: localhost\r\n"
             . "Connection: close\r\n\r\n";
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($code) = $res =~ m{^HTTP/1\.1 (\d+)};
    my ($body) = $res =~ m{\r\n\r\n(.*)\z}s;
    return ($code || 0, $body // '');
}


# start nginx as a daemon with a master process; retried while a port of
# the test before may still be held; the master's pid, or undef and the
# reason

sub start_nginx {
    my (%o) = @_;

    my $cmd = "$o{nginx} -p $o{prefix} -c $o{conf} 2>$o{prefix}/start.err";
    my $started;

    for (1 .. 10) {
        $started = system($cmd) == 0 and last;
        sleep 0.5;
    }

    return (undef, read_file("$o{prefix}/start.err")) unless $started;

    for (1 .. 50) {
        my $pid = read_file($o{pid});
        chomp $pid;
        return ($pid, '') if $pid && kill 0, $pid;
        sleep 0.1;
    }

    return (undef, "no pid in $o{pid}");
}


sub stop_nginx {
    my ($pid) = @_;

    return unless $pid;
    kill 'QUIT', $pid;
    for (1 .. 50) {
        return unless kill 0, $pid;
        sleep 0.1;
    }
    kill 'TERM', $pid;
}

1;
