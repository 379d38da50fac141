#!/usr/bin/perl
# report.pl RUN OUT_MD: the table of a soak run (bench/soak.sh) from its
# cells (RUN/cells.list), on stdout and in OUT_MD; exits 1 when an ngx_faas
# row failed: an ordinary request failed or was lost (unless the peer, the
# same topology without JavaScript, lost requests the same way: nginx's own
# keep-alive races), or a count disagrees (faas_status against the answers
# the client saw, worker deaths against kills and watchdog alerts, requests
# still counted as waiting or busy at the end).

use strict;
use warnings;
use JSON::PP;
use List::Util qw(sum0 max);

my ($run, $out_md) = @ARGV;
my (@cells, %clean, %lost);

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return scalar <$fh>;
}

sub status_json {
    my $text = slurp(@_);
    return eval { decode_json($text) } || { functions => {} };
}

# sums of every number under a key that names refusals, wherever it is:
# undef when faas_status has none
sub refusals {
    my ($v) = @_;
    my $n;

    if (ref $v eq 'HASH') {
        for my $k (keys %$v) {
            my $x = $k =~ /refus/i && !ref $v->{$k} ? $v->{$k}
                                                    : refusals($v->{$k});
            $n = ($n // 0) + $x if defined $x;
        }
    } elsif (ref $v eq 'ARRAY') {
        for (@$v) {
            my $x = refusals($_);
            $n = ($n // 0) + $x if defined $x;
        }
    }

    return $n;
}

# the last try in $upstream_status ("502, 200" -> 200), '' when there was
# none; 502 (the render worker died or could not be reached) and timeout
# (proxy_read_timeout, soak.lua's name for a 504 with nothing received)
# are nginx's, not answers of a render worker
sub final_upstream {
    my ($ups) = @_;
    my @all = grep { /^(\d+|timeout)$/ } split /[ ,:]+/, $ups // '';
    return @all ? $all[-1] : '';
}

sub render_answer {
    my ($final) = @_;
    return $final =~ /^\d+$/ && $final != 502;
}

sub read_cell {
    my ($dir) = @_;
    my %c = (dir => $dir);

    @c{qw(peer scen conc time)} = split ' ', slurp("$dir/cell");

    for (split /\n/, slurp("$dir/wrk")) {
        my @f = split ' ';
        next unless @f;
        if ($f[0] eq 'sent')     { $c{sent}{$f[1]} = $f[2] }
        elsif ($f[0] eq 'lost')  { $c{lost}{$f[1]} = $f[2] }
        elsif ($f[0] eq 'class') {
            # a class may hold spaces ("fallback:502, 502")
            my ($kind, $n) = ($f[1], $f[-1]);
            my $class = join ' ', @f[2 .. $#f - 1];
            $c{class}{$kind}{$class} += $n;
        }
        elsif ($f[0] eq 'lat')   { @c{qw(p50 p99 nlat)} = @f[2 .. 4] }
        elsif ($f[0] eq 'wrk')   { @c{qw(wrk_req connect read write timeout)}
                                       = @f[1 .. 5] }
    }

    $c{wrk_ok} = defined $c{wrk_req};
    $c{s0} = status_json("$dir/status0.json");
    $c{s1} = status_json("$dir/status1.json");
    $c{mid} = status_json("$dir/status-mid.json");
    $c{reloads} = slurp("$dir/reloads") =~ /(\d+)/ ? $1 : undef;
    $c{slow} = slurp("$dir/slow");
    $c{kills} = [ map { [split] } grep { /\S/ } split /\n/,
                  slurp("$dir/kills") ];

    return \%c;
}

# worker deaths in the error log, the watchdog's alerts, and which pids
# were front workers (faas_status) or render workers (their access log)
sub deaths {
    my ($c) = @_;
    my (%front, %render, @died);
    my $log = slurp("$c->{dir}/error.log");

    for my $s ($c->{s0}, $c->{s1}) {
        for my $w (@{ $s->{workers} || [] }) {
            ($w->{render} ? \%render : \%front)->{$w->{pid}} = 1;
        }
    }

    for (split /\n/, slurp("$c->{dir}/render.log")) {
        my (undef, $pid) = split ' ';
        $render{$pid} = 1 if defined $pid;
    }

    $render{ $_->[1] } = 1 for @{ $c->{kills} };

    while ($log =~ /worker\ process\ (\d+)\ exited\s
                    (?:on\ signal\ \d+|with\ code\ [1-9]\d*)/gx)
    {
        push @died, $1;
    }

    $c->{died_front} = scalar grep { $front{$_} && !$render{$_} } @died;
    $c->{died_render} = @died - $c->{died_front};
    $c->{watchdog} = () = $log =~ /stuck in native code .* killed by the watchdog/g;
}

# replacement of a killed render worker: from the kill to the first answer
# of a render worker that had not answered before it (its access log)
sub replacements {
    my ($c) = @_;
    my (%first, @ms);

    for (split /\n/, slurp("$c->{dir}/render.log")) {
        my ($msec, $pid) = split ' ';
        next unless defined $pid && $msec =~ /^[\d.]+$/;
        $first{$pid} = $msec if !defined $first{$pid} || $msec < $first{$pid};
    }

    for my $k (@{ $c->{kills} }) {
        my ($t) = sort { $a <=> $b } grep { $_ > $k->[0] } values %first;
        push @ms, defined $t ? sprintf('%.0f', ($t - $k->[0]) * 1000) : '-';
    }

    return @ms;
}

sub fmt_classes {
    my ($h) = @_;
    return join ', ', map { "$_ $h->{$_}" }
                      sort { $h->{$b} <=> $h->{$a} || $a cmp $b } keys %$h;
}

# what faas_status must have counted, from what the client saw: one call
# per answer from a render worker, plus one per call the watchdog killed
# (of the bad function: since the watchdog fires at 1.5x faas_timeout of
# wall clock, a memory bomb on a loaded machine can be killed too)
sub expected_calls {
    my ($c, $kind) = @_;
    my %e = (requests => 0, errors => 0, timeouts => 0);

    for my $class (keys %{ $c->{class}{$kind} || {} }) {
        my $n = $c->{class}{$kind}{$class};
        my $final = $class eq 'ok' ? 200 : final_upstream($class);

        next unless render_answer($final);
        $e{requests} += $n;
        $e{errors} += $n if $final != 200;
        $e{timeouts} += $n if $final == 504;
    }

    if ($kind ne 'render') {
        $e{$_} += $c->{watchdog} for qw(requests errors timeouts);
    }

    return \%e;
}

sub delta {
    my ($c, $fn, $what) = @_;
    return ($c->{s1}{functions}{$fn}{$what} // 0)
           - ($c->{s0}{functions}{$fn}{$what} // 0);
}

sub analyse {
    my ($c) = @_;
    my (@fail, @notes);
    my ($bad) = grep { $_ ne 'render' } keys %{ $c->{sent} || {} };
    my %ord = %{ $c->{class}{render} || {} };
    my $ok = sum0(map { $ord{$_} } grep { /^ok/ } keys %ord);
    my %failed = map { $_ => $ord{$_} } grep { !/^ok/ } keys %ord;
    my $refused_ord = delete $failed{'fallback:'} // 0;
    my $lost = $c->{lost}{render} // 0;
    my $refused = 0;

    deaths($c);
    $c->{bad} = $bad;
    $c->{ok} = $ok;
    $c->{failed} = \%failed;
    $c->{refused_ord} = $refused_ord;
    $c->{nlost} = $lost;
    $c->{repl} = [ replacements($c) ];

    return ('wrk gave no figures (see ' . "$c->{dir}/wrk)") unless $c->{wrk_ok};

    push @fail, sum0(values %failed) . " ordinary failed" if %failed;

    # a fast-fail refusal is what faas_admit is for when bad calls fill the
    # pool; anywhere else the pool had room, and a refusal is a failure
    if ($refused_ord && $bad) {
        push @notes, "$refused_ord ordinary refused by faas_admit";
    } elsif ($refused_ord) {
        push @fail, "$refused_ord ordinary refused by faas_admit";
    }

    # the peer loses requests to nginx's own keep-alive races (a kept-alive
    # connection closed as the next request goes out): few and random, so
    # compared over the scenario's three cells
    if ($lost) {
        my $peer = $lost{"return $c->{scen}"} // 0;
        my $own = $lost{"faas $c->{scen}"};
        if ($c->{peer} eq 'faas' && $peer && $own <= 3 * $peer) {
            push @notes, "$lost lost; in this scenario ngx_faas lost $own,"
                         . " the peer $peer: nginx's keep-alive races";
        } else {
            push @fail, "$lost ordinary lost";
        }
    }

    push @fail, "$c->{died_front} front worker deaths" if $c->{died_front};

    my $deaths = @{ $c->{kills} } + $c->{watchdog};
    push @fail, "$c->{died_render} render deaths, $deaths from kills and"
                . " the watchdog" if $c->{died_render} != $deaths;

    return (\@fail, \@notes) if $c->{peer} ne 'faas';

    # faas_status against the answers
    my @kinds = grep { defined } ('render', $bad);
    for my $kind (@kinds) {
        my $e = expected_calls($c, $kind);
        my @d = map { delta($c, $kind, $_) } qw(requests errors timeouts);
        $c->{st}{$kind} = [ @d ];
        $c->{ex}{$kind} = [ @$e{qw(requests errors timeouts)} ];
        push @fail, "faas_status $kind $d[0]/$d[1]/$d[2] where the answers"
                    . " say $e->{requests}/$e->{errors}/$e->{timeouts}"
            if "@d" ne "@$e{qw(requests errors timeouts)}";
    }

    for my $kind (keys %{ $c->{class} || {} }) {
        for my $class (keys %{ $c->{class}{$kind} }) {
            $refused += $c->{class}{$kind}{$class}
                if $class =~ /^fallback:\s*$/;
        }
    }
    $refused += $1 if $c->{slow} =~ /refused=(\d+)/;
    $c->{refused} = $refused;

    my ($r0, $r1) = (refusals($c->{s0}), refusals($c->{s1}));
    if (defined $r1) {
        $c->{st_ref} = $r1 - ($r0 // 0);
        push @fail, "faas_status refusals $c->{st_ref}, answers $refused"
            if $c->{st_ref} != $refused;
    } elsif ($refused) {
        push @fail, "$refused refusals, none in faas_status";
    }

    if ($bad) {
        my $in = ($c->{sent}{$bad} // 0) - ($c->{lost}{$bad} // 0)
                 - ($c->{class}{$bad}{'fallback:'} // 0);
        push @fail, "$c->{watchdog} watchdog kills for $in bad calls"
                    . " ($bad, retried on a second worker)"
            if $c->{watchdog} > $in;
    }

    my $pool = $c->{s1}{render_pool} || {};
    if (($pool->{waiting} // 0) || ($pool->{busy} // 0)) {
        push @fail, "at the end faas_status says waiting $pool->{waiting},"
                    . " busy $pool->{busy}";
    }

    return (\@fail, \@notes);
}

sub ms {
    my ($us) = @_;
    return defined $us ? sprintf('%.1f', $us / 1000) : '-';
}

sub ratio {
    my ($v, $base) = @_;
    return '' unless defined $v && $base;
    return sprintf(' (%.1fx)', $v / $base);
}

sub row {
    my ($c) = @_;
    my $base = $clean{"$c->{peer} $c->{conc}"} || {};
    my $bad = $c->{bad};
    my $peer = $c->{peer} eq 'faas' ? 'ngx_faas' : 'peer: return';
    my @r;

    push @r, $c->{scen}, $peer, $c->{conc};
    push @r, ($c->{sent}{render} // 0)
             . ($bad ? " + $c->{sent}{$bad} $bad" : '');
    push @r, $c->{ok} // 0;
    push @r, fmt_classes({ %{ $c->{failed} },
                           $c->{refused_ord} ? ('refused' => $c->{refused_ord})
                                             : () }) || 0;
    push @r, $c->{nlost} // 0;
    push @r, $bad ? fmt_classes($c->{class}{$bad}) : '';
    push @r, ms($c->{p50}) . ratio($c->{p50}, $base->{p50});
    push @r, ms($c->{p99}) . ratio($c->{p99}, $base->{p99});
    push @r, $c->{died_render} . ($c->{watchdog} ? " ($c->{watchdog} by"
                                                   . " the watchdog)" : '')
             . ($c->{died_front} ? ", $c->{died_front} front" : '');
    push @r, @{ $c->{repl} } ? join(' ', @{ $c->{repl} }) : '';

    if ($c->{peer} eq 'faas') {
        my @k = grep { defined } ('render', $bad);
        push @r, join('; ', map { "$_ " . join('/', @{ $c->{st}{$_} || [] })
                                  . ' (' . join('/', @{ $c->{ex}{$_} || [] })
                                  . ')' } @k)
                 . '; refused ' . ($c->{st_ref} // 'n/a')
                 . " (" . ($c->{refused} // "-") . ")";
    } else {
        push @r, '';
    }

    my @extra;
    my $mid = $c->{mid}{render_pool};
    push @extra, "mid-load faas_status: waiting $mid->{waiting}, busy"
                 . " $mid->{busy}, utilisation $mid->{utilisation}" if $mid;
    push @extra, "$c->{reloads} reloads" if defined $c->{reloads};
    push @extra, scalar(@{ $c->{kills} }) . ' kills' if @{ $c->{kills} };
    push @extra, $1 if $c->{slow} =~ /slow (.*)/;
    push @extra, "wrk socket errors: connect $c->{connect}, read $c->{read},"
                 . " write $c->{write}"
        if ($c->{connect} || 0) + ($c->{read} || 0) + ($c->{write} || 0);
    push @r, join('; ', @extra);

    if ($c->{peer} eq 'faas' && defined $c->{p99} && $base->{p99}
        && $c->{p99} > 3 * $base->{p99})
    {
        push @{ $c->{notes} }, sprintf('p99 %.1fx clean, the target is 3x',
                                       $c->{p99} / $base->{p99});
    }

    my $verdict = !@{ $c->{fails} } ? 'ok'
                  : ($c->{peer} eq 'faas' ? 'FAIL: ' : 'reference: ')
                    . join('; ', @{ $c->{fails} });
    $verdict .= ' (' . join('; ', @{ $c->{notes} }) . ')' if @{ $c->{notes} };
    push @r, $verdict;

    return @r;
}

open my $list, '<', "$run/cells.list" or die "no $run/cells.list\n";
@cells = map { chomp; read_cell($_) } <$list>;
$lost{"$_->{peer} $_->{scen}"} += $_->{lost}{render} // 0 for @cells;

for my $c (@cells) {
    my ($fail, $notes) = analyse($c);
    if (!ref $fail) {
        $c->{fails} = [ $fail ];
        $c->{notes} = [];
        next;
    }
    $c->{fails} = $fail;
    $c->{notes} = $notes;
    $clean{"$c->{peer} $c->{conc}"} = $c if $c->{scen} eq 'clean';
}

my @head = ('scenario', 'server', 'c', 'sent (ordinary + bad)',
            'ordinary ok', 'ordinary failed (class n)', 'ordinary lost',
            'bad requests (class n)', 'p50 ms (x clean)', 'p99 ms (x clean)',
            'render deaths', 'kill to first answer of the new worker, ms',
            'faas_status req/err/timeouts (expected); refused (seen)',
            'scenario figures', 'verdict');

my @rows = map { [ row($_) ] } @cells;
my $failed = grep { $_->{peer} eq 'faas' && @{ $_->{fails} } } @cells;

my $machine = slurp("$run/machine");
my %m = map { /^(\S+) (.*)$/ ? ($1, $2) : () } split /\n/, $machine;

my $md = '';
$md .= "| " . join(' | ', @head) . " |\n";
$md .= "|" . join('|', map { '---' } @head) . "|\n";
$md .= "| " . join(' | ', map { s/\|/\\|/gr } @$_) . " |\n" for @rows;

open my $fh, '>', $out_md or die "$out_md: $!\n";
print $fh <<"EOF";
# ngx_faas soak (bench/soak.sh, `make soak`)

- date: $m{date}
- revision: $m{revision}
- machine: $m{machine}
- software: $m{system}
- load: $m{load}; $m{load_end} at the end
- command: `$m{command}`

$md
EOF
close $fh;

for my $r (@rows) {
    my %h;
    @h{@head} = @$r;
    print join('  ', map { "$_: $h{$_}" } grep { $h{$_} ne '' } @head), "\n";
}

print $failed ? "$failed ngx_faas rows failed\n" : "every ngx_faas row ok\n";
exit($failed ? 1 : 0);
