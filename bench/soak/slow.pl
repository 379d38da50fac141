#!/usr/bin/perl
# slow.pl PORT N PATH SECONDS: N clients that each POST a JSON body of
# 100000 bytes at one byte a second (nginx's client_body_timeout, 60 s,
# never fires), for SECONDS. A client the server answers (a refusal, say)
# or closes connects again. Prints, when it ends:
#   slow connected=C answered=A refused=R closed=K
# (refused: the fallback with no render answer, faas_admit's refusal)

use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($port, $n, $path, $seconds) = @ARGV;
my $head = "POST $path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           . "Content-Type: application/json\r\n"
           . "Content-Length: 100000\r\n\r\n";
my ($connected, $answered, $refused, $closed, $stop) = (0, 0, 0, 0, 0);
my $end = time + $seconds;
my @socks;

$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };
$SIG{PIPE} = 'IGNORE';

sub client {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp') or return undef;
    $s->autoflush(1);
    syswrite($s, $head . '[');
    $connected++;
    return $s;
}

push @socks, client() for 1 .. $n;

sub done {
    my ($s) = @_;
    my $got = '';

    if (sysread($s, $got, 16384)) {
        $answered++;
        $refused++ if $got =~ /^X-Soak-Fallback:/mi
                      && $got =~ /^X-Soak-Upstream: *\r?$/mi;
    } else {
        $closed++;
    }

    close $s;
}

while (!$stop && time < $end) {
    sleep 1;
    last if $stop;

    for my $i (0 .. $#socks) {
        my $s = $socks[$i];

        # an answer or an EOF: the server is done with this one
        if ($s && (IO::Select->new($s)->can_read(0)
                   || !defined syswrite($s, '1')))
        {
            done($s);
            $s = undef;
        }

        $socks[$i] = $s // client();
    }
}

close $_ for grep { $_ } @socks;
print "slow connected=$connected answered=$answered refused=$refused "
      . "closed=$closed\n";
