#!/bin/bash
# bench.sh: the ngx_faas benchmark driver (run by bench/Makefile; see README)
#
# Every peer runs alone, on its own port and prefix under $WORK/run, its
# serving process pinned to core 0 and wrk to core 1, loopback only. Before
# every measured run the driver waits for an idle machine; every point is
# run REPEAT times (more when the runs disagree) and the median is kept.
#
# Environment (defaults in brackets; QUICK=1 gives short runs):
#   DURATION [5, quick 2]  seconds of one measured run
#   WARMUP   [1]           seconds of warm-up after a server starts
#   REPEAT   [3, quick 1]  measured runs per point (median kept)
#   TRIES    [5, quick 1]  at most this many runs when they differ > SPREAD%
#   SPREAD   [15]          % (max - min) / median that triggers another run
#   IDLE_MIN [85]          % of CPU idle over one second before each run
#   IDLE_WAIT [60]         seconds to wait for that at most (then run anyway
#                          and say so in the row)
#   OTHERS_MAX [10]        % of one core that other processes may use during
#                          a run; a run past it is thrown away and run again
#   DISTURBED_MAX [4]      at most this many thrown-away runs per point (then
#                          the disturbed run is kept and the row says so)
#   PEERS, HELLO_CONC, RENDER_CONC, WORKLOADS: what to run
#   RELOADS  [7, quick 3]  reload-time tries (median reported)
#   PORT_BASE [18100]      ports PORT_BASE+1 .. +12, loopback only

set -u -o pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$BENCH/work}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
MODULE=${MODULE:-$(cd "$BENCH/.." && pwd)/build/ngx_faas_module.so}
QUICK=${QUICK:-}

if [ -n "$QUICK" ]; then
    DURATION=${DURATION:-2} REPEAT=${REPEAT:-1} TRIES=${TRIES:-1}
    RELOADS=${RELOADS:-3}
else
    DURATION=${DURATION:-5} REPEAT=${REPEAT:-3} TRIES=${TRIES:-5}
    RELOADS=${RELOADS:-7}
fi
WARMUP=${WARMUP:-1}
SPREAD=${SPREAD:-15}
IDLE_MIN=${IDLE_MIN:-85}
IDLE_WAIT=${IDLE_WAIT:-60}
OTHERS_MAX=${OTHERS_MAX:-10}
DISTURBED_MAX=${DISTURBED_MAX:-4}
WORKLOADS=${WORKLOADS:-"hello render"}
HELLO_CONC=${HELLO_CONC:-"1 5 20 100"}
RENDER_CONC=${RENDER_CONC:-"5 13 20"}
PEERS=${PEERS:-"return njs lua node node-vm faas faas-pool proxy"}

SERVER_CPU=0
HZ=$(getconf CLK_TCK)
CLIENT_CPU=1
DATA=$BENCH/data
SRC=$WORK/src
RUN=$WORK/run
LOGS=$WORK/logs
OUT_TSV=${OUT_TSV:-$BENCH/results.tsv}
OUT_MD=${OUT_MD:-$BENCH/RESULTS.md}

# ports PORT_BASE+1 .. +12 (targets.sh: +21 .. +29; the test suite uses
# TEST_NGINX_SERVER_PORT, 1984 by default)
PORT_BASE=${PORT_BASE:-18100}
declare -A PORT=([return]=$((PORT_BASE + 1)) [njs]=$((PORT_BASE + 2))
                 [lua]=$((PORT_BASE + 3)) [node]=$((PORT_BASE + 4))
                 [node-vm]=$((PORT_BASE + 5)) [faas]=$((PORT_BASE + 6))
                 [faas-pool]=$((PORT_BASE + 7)) [proxy]=$((PORT_BASE + 8))
                 [faas-100]=$((PORT_BASE + 10)) [reload-faas]=$((PORT_BASE + 11))
                 [reload-return]=$((PORT_BASE + 12)))

declare -A LABEL=([return]="nginx return (ceiling)" [njs]="njs"
                  [lua]="OpenResty lua" [node]="Node http"
                  [node-vm]="Node vm per request" [faas]="ngx_faas inline"
                  [faas-pool]="ngx_faas render pool"
                  [proxy]="nginx proxy to return (pool ceiling)")

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }


# ---- processes: everything started here is stopped on exit -------------

PIDS=()            # every server process started (nginx masters, node)
MASTER_PID=        # the peer now running: nginx master or node
STOP_SIG=QUIT      # how to stop it: QUIT (nginx, graceful) or TERM (node)
SERVE_PIDS=        # the processes that serve (nginx workers, or node)
PEER_DIR=
PEER_ERR=

stop_pid() {
    local pid=$1 sig=${2:-TERM} i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -"$sig" "$pid" 2>/dev/null
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
}
trap cleanup EXIT
trap "exit 130" INT TERM

# children of an nginx master: its workers (after a reload, the new ones too)
children() {
    ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' '
}

port_busy() {
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" 2>/dev/null
    [ $? -ne 7 ]       # 7: could not connect
}

wait_port() {
    local i
    for i in $(seq 200); do
        port_busy "$1" && return 0
        sleep 0.025
    done
    return 1
}

# nginx_start NAME TEMPLATE: a prefix $RUN/NAME with conf/nginx.conf made
# from conf/TEMPLATE.conf (@PORT@, @BENCH@, @WORK@, @DATA@, @MODULE@, @DIR@,
# @USER@ for templates with a main section of their own)
nginx_conf() {
    local name=$1 tmpl=$2 dir=$RUN/$1 user=
    [ "$(id -u)" = 0 ] && user="user root;"
    # the line @MAIN@ of a template becomes conf/main.inc
    sed "s|@USER@|$user|" "$BENCH/conf/main.inc" > "$dir/conf/main.inc"
    sed -e "/^@MAIN@\$/{
                r $dir/conf/main.inc
                d
            }" \
        -e "s|@USER@|$user|" \
        -e "s|@PORT@|${PORT[$name]}|g" -e "s|@BENCH@|$BENCH|g" \
        -e "s|@WORK@|$WORK|g" -e "s|@DATA@|$DATA|g" \
        -e "s|@MODULE@|$MODULE|g" -e "s|@DIR@|$dir|g" \
        "$BENCH/conf/$tmpl.conf" > "$dir/conf/nginx.conf"
}

nginx_start() {
    local name=$1 tmpl=$2 dir=$RUN/$1 i pid
    PEER_DIR=$dir MASTER_PID= SERVE_PIDS= PEER_ERR=
    if port_busy "${PORT[$name]}"; then
        PEER_ERR="port ${PORT[$name]} is already in use"
        return 1
    fi
    # the port is free, so a unix socket left here is a killed run's
    rm -rf "$dir/conf" "$dir/tmp" "$dir/logs/nginx.pid" "$dir"/*.sock
    mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp"
    nginx_conf "$name" "$tmpl"
    if ! taskset -c $SERVER_CPU "$NGINX_BIN" -p "$dir/" -c conf/nginx.conf \
            -e "$dir/logs/error.log" > "$dir/logs/start.log" 2>&1; then
        PEER_ERR="nginx did not start: $(grep -m1 emerg "$dir/logs/start.log" \
                                         "$dir/logs/error.log" 2>/dev/null)"
        [ -n "$PEER_ERR" ] || PEER_ERR="nginx did not start (see $dir/logs)"
        return 1
    fi
    for i in $(seq 100); do
        [ -s "$dir/logs/nginx.pid" ] && break
        sleep 0.02
    done
    pid=$(cat "$dir/logs/nginx.pid" 2>/dev/null)
    [ -n "$pid" ] || { PEER_ERR="no pid file in $dir/logs"; return 1; }
    PIDS+=("$pid")
    MASTER_PID=$pid STOP_SIG=QUIT
    if ! wait_port "${PORT[$name]}"; then
        PEER_ERR="nginx does not answer on ${PORT[$name]}"
        return 1
    fi
    SERVE_PIDS=$(children "$pid")
}

node_start() {
    local name=$1 script=$2 dir=$RUN/$1 pid
    PEER_DIR=$dir MASTER_PID= SERVE_PIDS= PEER_ERR=
    if port_busy "${PORT[$name]}"; then
        PEER_ERR="port ${PORT[$name]} is already in use"
        return 1
    fi
    mkdir -p "$dir/logs"
    taskset -c $SERVER_CPU node "$BENCH/servers/$script" "$SRC/faas" \
        "${PORT[$name]}" >> "$dir/logs/node.log" 2>&1 &
    pid=$!
    disown $pid
    PIDS+=("$pid")
    MASTER_PID=$pid SERVE_PIDS=$pid STOP_SIG=TERM
    if ! wait_port "${PORT[$name]}"; then
        PEER_ERR="node does not answer on ${PORT[$name]}: $(head -c 300 "$dir/logs/node.log")"
        return 1
    fi
}

# ---- the peers ----------------------------------------------------------
# start_peer NAME: 0 running, 1 failed (PEER_ERR), 2 skipped (PEER_ERR)

start_peer() {
    case $1 in
        return)  nginx_start return return ;;
        njs)     nginx_start njs njs ;;
        lua)     nginx_start lua lua ;;
        faas)    nginx_start faas faas ;;
        node)    node_start node node.js ;;
        node-vm) node_start node-vm node-vm.js ;;
        faas-pool) start_faas_pool ;;
        proxy)   nginx_start proxy proxy ;;
        *)       PEER_ERR="unknown peer $1"; return 1 ;;
    esac
}

# ==== SLOT: ngx_faas render pool (issue 3) ===============================
# To be filled by the module's developers once the render pool lands:
# write conf/faas-pool.conf, a full nginx.conf template like conf/faas.conf
# (same placeholders) with a front server listening on 127.0.0.1:@PORT@
# that hands /hello and /render to the render workers (faas_render_workers,
# a render server, proxy_pass to it; see DESIGN.md and issue 3), and pin
# its workers as the topology needs (the front and the render workers on
# core 0 keeps the comparison one core against one core). The RSS column
# then sums every worker of that nginx (SERVE_PIDS). Nothing else in this
# file needs to change: the rows appear in RESULTS.md under
# "ngx_faas render pool".
start_faas_pool() {
    if [ ! -f "$BENCH/conf/faas-pool.conf" ]; then
        PEER_ERR="not set up yet: no conf/faas-pool.conf (the render pool slot in bench.sh, issue 3)"
        return 2
    fi
    nginx_start faas-pool faas-pool
}
# ==== end of the render pool slot ========================================

stop_peer() {
    if [ -n "$MASTER_PID" ]; then
        stop_pid "$MASTER_PID" "$STOP_SIG"
    fi
    MASTER_PID= SERVE_PIDS=
}

serving_pids() {   # now: the nginx master's workers, or node itself
    if [ "$STOP_SIG" = QUIT ]; then children "$MASTER_PID"; else echo "$MASTER_PID"; fi
}

rss_kb() {     # sum of VmRSS of the given pids
    local pid sum=0 v
    for pid in "$@"; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
        sum=$((sum + ${v:-0}))
    done
    echo $sum
}


# ---- the workloads --------------------------------------------------------

url_of() {
    case $2 in
        hello)  echo "http://127.0.0.1:${PORT[$1]}/hello?name=bob" ;;
        render) echo "http://127.0.0.1:${PORT[$1]}/render" ;;
    esac
}

expected_type() {
    case $1 in
        hello)  echo "application/json" ;;
        render) echo "text/html; charset=utf-8" ;;
    esac
}

# check_answer PEER WORKLOAD: status 200, the expected Content-Type and
# the expected body byte for byte; PEER_ERR says what differs
check_answer() {
    local peer=$1 wl=$2 out=$PEER_DIR/answer.$2 got code type
    local args=(-s -o "$out" -w '%{http_code} %{content_type}' --max-time 10)
    [ "$wl" = render ] && args+=(-H 'Content-Type: application/json'
                                 --data-binary "@$DATA/props.json")
    got=$(curl "${args[@]}" "$(url_of "$peer" "$wl")")
    code=${got%% *} type=${got#* }
    if [ "$code" != 200 ]; then
        PEER_ERR="answer check: status $code (body: $(head -c 200 "$out" 2>/dev/null))"
        return 1
    fi
    if [ "$type" != "$(expected_type "$wl")" ]; then
        PEER_ERR="answer check: Content-Type '$type', expected '$(expected_type "$wl")'"
        return 1
    fi
    if ! cmp -s "$out" "$DATA/$wl.expected"; then
        PEER_ERR="answer check: body differs from data/$wl.expected ($(wc -c < "$out") bytes, $(cmp "$out" "$DATA/$wl.expected" 2>&1 | head -1))"
        return 1
    fi
}

# ---- an idle machine before each run ---------------------------------------

cpu_sample() {     # total and idle jiffies of all CPUs
    awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6}' /proc/stat
}

idle_pct() {       # % idle over one second
    local t0 i0 t1 i1
    read -r t0 i0 < <(cpu_sample)
    sleep 1
    read -r t1 i1 < <(cpu_sample)
    echo $(( (i1 - i0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
}

IDLE=
wait_idle() {      # sets IDLE; 1 when the machine never became idle
    local start=$SECONDS warned=
    while :; do
        IDLE=$(idle_pct)
        [ "$IDLE" -ge "$IDLE_MIN" ] && return 0
        if [ $((SECONDS - start)) -ge "$IDLE_WAIT" ]; then
            log "machine still busy after ${IDLE_WAIT}s (${IDLE}% idle): running anyway"
            return 1
        fi
        [ -n "$warned" ] || log "waiting for an idle machine (${IDLE}% idle, want ${IDLE_MIN}%)"
        warned=1
    done
}

# ---- wrk ------------------------------------------------------------------

# CPU time (clock ticks) of the given processes, threads included
proc_ticks() {
    local pid sum=0 t
    for pid in "$@"; do
        t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        sum=$((sum + ${t:-0}))
    done
    echo $sum
}

cpu_busy() {       # total and busy (not idle or iowait) ticks of all CPUs
    awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i
                   print t, t - $5 - $6 }' /proc/stat
}

# run_wrk PEER WORKLOAD CONC SECONDS LOGFILE: prints
# "req_s p50_ms p99_ms non2xx sockerr others_pct" of that run, where
# others_pct is the CPU that processes other than the server and wrk used
# meanwhile, in % of one core (the processes' own times include the
# interrupt work of their traffic; about +-5% of noise)
run_wrk() {
    local peer=$1 wl=$2 c=$3 d=$4 logf=$5 body= t0 b0 t1 b1 s0 s1
    [ "$wl" = render ] && body=$DATA/props.json
    read -r t0 b0 < <(cpu_busy)
    s0=$(proc_ticks $SERVE_PIDS)
    BENCH_BODY=$body taskset -c $CLIENT_CPU /usr/bin/time -f 'WRKCPU %U %S' -o "$logf.cpu" \
        wrk -t1 -c"$c" -d"${d}s" --latency \
        -s "$BENCH/tools/wrk.lua" "$(url_of "$peer" "$wl")" > "$logf" 2>&1
    s1=$(proc_ticks $SERVE_PIDS)
    read -r t1 b1 < <(cpu_busy)
    cat "$logf.cpu" >> "$logf" 2>/dev/null
    awk -v hz="$HZ" -v ncpu="$(nproc)" -v busy=$((b1 - b0)) -v total=$((t1 - t0)) \
        -v serv=$((s1 - s0)) '
        /^WRKCPU / { wrk = ($2 + $3) * hz }
        /^BENCH / {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            ok = 1
        }
        END {
            if (!ok) exit
            others = (busy - serv - wrk) * 100 / (total > 0 ? total / ncpu : 1)
            printf "%.1f %.3f %.3f %d %d %.0f\n",
                   v["requests"] / (v["duration_us"] / 1e6),
                   v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"], v["sockerr"],
                   (others > 0 ? others : 0)
        }' "$logf"
}

# median_run FILE: the line of the median req/s (lower middle when even),
# then the spread in % ((max - min) / median), then the best req/s
median_run() {
    sort -n -k1,1 "$1" | awk '{ l[NR] = $0; r[NR] = $1 }
        END { m = int((NR + 1) / 2); split(l[m], f, " ");
              printf "%s %.1f %s\n", l[m], (r[NR] - r[1]) * 100 / (f[1] > 0 ? f[1] : 1), r[NR] }'
}

TSV_HEAD="workload	peer	conc	req_s	ratio	p50_ms	p99_ms	rss_kb	non2xx	sock_err	runs	spread_pct	others_pct	disturbed	best_req_s	status	note"

# measure_point PEER WORKLOAD CONC: one row in $WORK/rows.tsv
declare -A CEILING
measure_point() {
    local peer=$1 wl=$2 c=$3 runs=$RUN/$1/runs.$2.$3 n=0 line rss disturbed=0
    local rps p50 p99 non2xx sock others spread best ratio status=ok note=""

    log "$wl c=$c ${LABEL[$peer]}"
    start_peer "$peer"
    case $? in
        2) row "$wl" "$peer" "$c" - - - - - - - - - - - - skipped "$PEER_ERR"; stop_peer; return ;;
        1) row "$wl" "$peer" "$c" - - - - - - - - - - - - error "$PEER_ERR"; stop_peer; return ;;
    esac
    if ! check_answer "$peer" "$wl"; then
        log "  $PEER_ERR"
        row "$wl" "$peer" "$c" - - - - - - - - - - - - error "$PEER_ERR"
        stop_peer
        return
    fi

    wait_idle
    run_wrk "$peer" "$wl" "$c" "$WARMUP" "$RUN/$peer/wrk.warmup.log" > /dev/null

    : > "$runs"
    while :; do
        wait_idle
        line=$(run_wrk "$peer" "$wl" "$c" "$DURATION" "$RUN/$peer/wrk.$wl.$c.$n.log")
        if [ "$(serving_pids)" != "$SERVE_PIDS" ]; then
            note="${note:+$note; }a serving process was replaced during the run (crash? see $RUN/$peer/logs)"
            log "  $note"
            SERVE_PIDS=$(serving_pids)
        fi
        if [ -z "$line" ]; then
            row "$wl" "$peer" "$c" - - - - - - - - - - - - error \
                "wrk failed: $(tail -c 300 "$RUN/$peer/wrk.$wl.$c.$n.log" | tr '\n\t' '  ')"
            stop_peer
            return
        fi
        rss=$(rss_kb $SERVE_PIDS)
        printf '%s\t%s\t%s\t%s\t%s %s\n' "$(date +%FT%T)" "$wl" "$peer" "$c" "$line" "$rss" \
            >> "$LOGS/runs.log"
        others=${line##* }
        if [ "$others" -gt "$OTHERS_MAX" ]; then
            if [ "$disturbed" -lt "$DISTURBED_MAX" ]; then
                disturbed=$((disturbed + 1))
                log "  other processes used ${others}% of a core during the run: run again"
                continue
            fi
            note="${note:+$note; }kept runs while others used up to ${others}% of a core"
        fi
        echo "${line% *} $rss $others" >> "$runs"
        n=$((n + 1))
        [ "$n" -lt "$REPEAT" ] && continue
        read -r rps p50 p99 non2xx sock rss others spread best < <(median_run "$runs")
        [ "$n" -ge "$TRIES" ] && break
        awk -v s="$spread" -v m="$SPREAD" 'BEGIN { exit !(s > m) }' || break
        log "  runs differ by ${spread}%: once more"
    done
    stop_peer

    if [ "$peer" = return ]; then
        CEILING[$wl.$c]=$rps
    fi
    ratio=$(awk -v r="$rps" -v c="${CEILING[$wl.$c]:-}" \
                'BEGIN { if (c > 0) printf "%.2f", r / c; else print "-" }')
    log "  $rps req/s (x$ratio), p50 $p50 ms, p99 $p99 ms, rss ${rss} kB, runs $n, spread $spread%, others ${others}%"
    row "$wl" "$peer" "$c" "$rps" "$ratio" "$p50" "$p99" "$rss" "$non2xx" "$sock" \
        "$n" "$spread" "$others" "$disturbed" "$best" "$status" "$note"
}

row() {
    local IFS=$'\t'
    echo "$*" >> "$WORK/rows.tsv"
}


# ---- extra measurements ------------------------------------------------------

EXTRA=$WORK/extra
mkdir -p "$RUN" "$LOGS"

# the RSS of each peer's serving process(es) right after start, no request
measure_idle_rss() {
    local peer rss
    : > "$EXTRA/idle.tsv"
    for peer in $PEERS; do
        start_peer "$peer"
        case $? in
            0) sleep 1
               rss=$(rss_kb $SERVE_PIDS)
               log "idle RSS ${LABEL[$peer]}: $rss kB"
               printf '%s\t%s\t%s\n' "$peer" "$rss" "" >> "$EXTRA/idle.tsv" ;;
            *) printf '%s\t-\t%s\n' "$peer" "$PEER_ERR" >> "$EXTRA/idle.tsv" ;;
        esac
        stop_peer
    done
}

# one ngx_faas worker with 100 small functions preloaded, then after one
# request to each
measure_100() {
    local dir=$RUN/faas-100 i names="" urls=() ok rss0 rss1
    : > "$EXTRA/fn100.tsv"
    rm -rf "$dir/fn" && mkdir -p "$dir/fn"
    for i in $(seq -w 0 99); do
        printf "// tiny function %s\nmodule.exports = function (ctx) {\n    return { fn: 'f%s', n: ctx.query.n || '0' };\n};\n" \
            "$i" "$i" > "$dir/fn/f$i.js"
        names="$names f$i"
        urls+=(-o /dev/null "http://127.0.0.1:${PORT[faas-100]}/fn/f$i?n=$i")
    done
    mkdir -p "$dir/conf"
    if ! nginx_start faas-100 faas-100; then
        printf 'error\t%s\n' "$PEER_ERR" >> "$EXTRA/fn100.tsv"
        return
    fi
    sleep 1
    rss0=$(rss_kb $SERVE_PIDS)
    ok=$(curl -s -w '%{http_code}\n' "${urls[@]}" | grep -c '^200$')
    sleep 0.5
    rss1=$(rss_kb $SERVE_PIDS)
    stop_peer
    log "100 functions: $rss0 kB preloaded, $rss1 kB after a request to each ($ok of 100 answered 200)"
    printf 'preloaded\t%s\nserved\t%s\nanswered\t%s\n' "$rss0" "$rss1" "$ok" >> "$EXTRA/fn100.tsv"
}

# the time from SIGHUP (nginx -s reload) to the first answer of changed
# code: ngx_faas (a function edited) and, as the floor, nginx itself (a
# return string edited)
measure_reload() {
    local kind=$1 name=reload-$1 dir=$RUN/reload-$1 i file text expect out
    local times=()
    rm -rf "$dir" && mkdir -p "$dir/conf" "$dir/fn"
    case $kind in
        faas)   file=$dir/fn/reload.js
                printf "module.exports = function () { return 'v0'; };\n" > "$file" ;;
        return) file=$dir/reload.inc
                printf "return 200 'v0';\n" > "$file" ;;
    esac
    if ! nginx_start "$name" "$name"; then
        printf '%s\terror\t%s\n' "$kind" "$PEER_ERR" >> "$EXTRA/reload.tsv"
        return
    fi
    for i in $(seq 1 "$RELOADS"); do
        # the previous reload's old worker gone, one worker left
        for _ in $(seq 200); do
            [ "$(children "$MASTER_PID" | wc -w)" -eq 1 ] && break
            sleep 0.05
        done
        wait_idle
        case $kind in
            faas)   text="module.exports = function () { return 'v$i'; };" ;;
            return) text="return 200 'v$i';" ;;
        esac
        if ! out=$(taskset -c $CLIENT_CPU node "$BENCH/tools/reload-poll.js" "$MASTER_PID" \
                   "${PORT[$name]}" /reload "$file" "$text" "v$i" 2>&1); then
            log "reload ($kind) try $i: $out"
            continue
        fi
        times+=("${out%% *}")
    done
    SERVE_PIDS=$(children "$MASTER_PID")
    stop_peer
    if [ ${#times[@]} -eq 0 ]; then
        printf '%s\terror\tno try answered\n' "$kind" >> "$EXTRA/reload.tsv"
        return
    fi
    printf '%s\n' "${times[@]}" | sort -n | awk -v k="$kind" '{ t[NR] = $1 }
        END { printf "%s\tok\t%s\t%s\t%s\t%d\n", k, t[int((NR + 1) / 2)], t[1], t[NR], NR }' \
        >> "$EXTRA/reload.tsv"
    log "reload to changed code ($kind): $(tail -1 "$EXTRA/reload.tsv" | cut -f3) ms (median of ${#times[@]})"
}

# one call of each workload function outside HTTP: Duktape (our C program,
# configured as the module), Node (V8), and for context LuaJIT (the luajit2
# CLI: the OpenResty branch the lua module runs) on the Lua ports. Not njs:
# its CLI has a millisecond clock and no garbage collector, so every render
# call takes fresh pages from the kernel (~6 MB) and its time is mostly page
# faults, which the nginx module does not pay (its request pool is reused).
measure_calls() {
    local fn src arg duk node lua
    : > "$EXTRA/calls.tsv"
    for fn in hello render JSON.parse; do
        case $fn in
            hello)      src=$BENCH/fn/hello.js  arg=$DATA/hello.arg.json ;;
            *)          src=$BENCH/fn/render.js arg=$DATA/props.json ;;
        esac
        wait_idle
        duk=$(taskset -c $SERVER_CPU "$WORK/duk-call" "$src" "$fn" "$arg" 2>&1 | tail -1)
        node=$(taskset -c $SERVER_CPU node "$BENCH/tools/node-call.js" "$src" "$fn" "$arg" 2>&1 | tail -1)
        lua=$(taskset -c $SERVER_CPU luajit "$BENCH/tools/lua-call.lua" "$BENCH/fn" "$fn" "$arg" 2>&1 | tail -1)
        log "one call of $fn (us): duktape $duk, node $node, luajit $lua"
        printf '%s\t%s\t%s\t%s\n' "$fn" "$duk" "$node" "$lua" >> "$EXTRA/calls.tsv"
    done
}


# ---- RESULTS.md --------------------------------------------------------------

version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }

write_results() {
    local commit dirty cpu labels wl p
    commit=$(git -C "$BENCH/.." log -1 --format='%h (%s)' 2>/dev/null || echo unknown)
    dirty=$(git -C "$BENCH/.." status --porcelain -- . ':!bench' 2>/dev/null | grep -vc '^??')
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    labels=$(for p in "${!LABEL[@]}"; do printf '%s=%s;' "$p" "${LABEL[$p]}"; done)

    { echo "$TSV_HEAD"; cat "$WORK/rows.tsv"; } > "$OUT_TSV"

    # the section targets.sh wrote (between its markers) is kept
    if [ -f "$OUT_MD" ]; then
        sed -n '/^<!-- targets.sh: begin -->/,/^<!-- targets.sh: end -->/p' \
            "$OUT_MD" > "$WORK/targets-section.md"
    fi

    {
    cat <<EOT
# ngx_faas benchmark results

$(cat "$WORK/targets-section.md" 2>/dev/null)

Written by \`make bench$([ -n "$QUICK" ] && echo " QUICK=1")\` on $START_DATE in $(( SECONDS / 60 )) min$([ -n "$QUICK" ] && echo " (QUICK: short single runs, indicative only)").
Raw rows: results.tsv. How to run and what each column means: README.

## Machine and versions

- machine: $(nproc) CPUs, $cpu; Linux $(uname -r); $(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo)
- nginx $("$NGINX_BIN" -v 2>&1 | sed 's/.*nginx\///') (Debian $(version_of nginx)), for every nginx-based peer
- njs: libnginx-mod-http-js $(version_of libnginx-mod-http-js)
- lua: libnginx-mod-http-lua $(version_of libnginx-mod-http-lua) with LuaJIT $(version_of libluajit2-5.1-2) (libluajit2-5.1-2, OpenResty's branch) and lua-cjson $(version_of lua-cjson)
- Node $(node --version)
- Duktape: duktape-dev $(version_of duktape-dev), compiled into the module
- ngx_faas: build/ngx_faas_module.so built $MODULE_BUILT (sha256 $MODULE_SUM), tree at commit $commit$([ "$dirty" -gt 0 ] && echo "; $dirty file(s) outside bench/ had changes not committed")
- wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }')

## Method

Each peer runs alone on its own port and prefix. Its serving process (the one
nginx worker, or node) is pinned to core 0 and \`wrk -t1\` to core 1; keep-alive
connections on 127.0.0.1. A server is started fresh for every point; its
answer (status, Content-Type, body byte for byte against data/*.expected) is
checked before anything is measured, and a mismatch turns the row into an
error. Then ${WARMUP} s of warm-up and ${REPEAT} measured run(s) of ${DURATION} s.
Before every run the driver waits until the machine is at least ${IDLE_MIN}%
idle over one second (at most ${IDLE_WAIT} s), and it measures the CPU that
other processes (anything but the server and wrk) used during the run: a
run where they took more than ${OTHERS_MAX}% of one core is thrown away and run
again (at most ${DISTURBED_MAX} times per point; "others %" is that figure for
the kept run, in brackets the runs thrown away). When the kept runs of a
point differ by more than ${SPREAD}% of their median, the
point is run again (at most ${TRIES} runs); the row is the run with the
median req/s, and "best req/s" the fastest run of the point (disturbances
that the CPU accounting inside this VM cannot see, such as other guests on
the host, only ever slow a run down). "x return" is req/s over nginx \`return\`'s at the same
workload and concurrency in this run; "us/req" is 1e6 / (req/s), the
serving core's time per request once it is saturated (c >= 5). RSS is VmRSS
of the serving process right after that run.

EOT
    for wl in $WORKLOADS; do
        echo "## $wl"
        echo
        case $wl in
            hello)  echo "\`GET /hello?name=bob\` -> \`{\"message\":\"hello bob\"}\` (application/json)." ;;
            render) echo "\`POST /render\` with data/props.json ($(wc -c < "$DATA/props.json") bytes, 40 products) -> data/render.expected ($(wc -c < "$DATA/render.expected") bytes of HTML)." ;;
        esac
        echo
        echo "| peer | conc | req/s | x return | us/req | p50 ms | p99 ms | RSS MB | non-2xx | socket errors | runs (spread %) | best req/s | others % (runs thrown away) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        awk -F'\t' -v wl="$wl" -v labels="$labels" '
            BEGIN { n = split(labels, a, ";")
                    for (i = 1; i <= n; i++) { split(a[i], kv, "="); L[kv[1]] = kv[2] } }
            $1 == wl {
                name = ($2 in L) ? L[$2] : $2
                if ($16 != "ok") {
                    printf "| %s | %s | %s: %s | | | | | | | | | | |\n", name, $3, $16, $17
                    next
                }
                printf "| %s | %s | %d | %s | %.0f | %.2f | %.2f | %.1f | %s | %s | %s (%s) | %d | %s (%s)%s |\n",
                       name, $3, $4, $5, ($4 > 0 ? 1e6 / $4 : 0), $6, $7, $8 / 1024,
                       $9, $10, $11, $12, $15, $13, $14, ($17 != "" ? " " $17 : "")
            }' "$WORK/rows.tsv"
        echo
    done

    echo "## Memory"
    echo
    echo "VmRSS of the serving process one second after start, before any request"
    echo "(the nginx worker; for Node the whole process):"
    echo
    echo "| peer | idle RSS MB |"
    echo "|---|---:|"
    awk -F'\t' -v labels="$labels" '
        BEGIN { n = split(labels, a, ";")
                for (i = 1; i <= n; i++) { split(a[i], kv, "="); L[kv[1]] = kv[2] } }
        { name = ($1 in L) ? L[$1] : $1
          if ($2 == "-") printf "| %s | %s |\n", name, $3
          else printf "| %s | %.1f |\n", name, $2 / 1024 }' "$EXTRA/idle.tsv"
    echo
    if grep -q '^error' "$EXTRA/fn100.tsv"; then
        echo "One ngx_faas worker with 100 small functions: error: $(cut -f2 "$EXTRA/fn100.tsv")"
    else
        awk -F'\t' '{ v[$1] = $2 } END {
            printf "One ngx_faas worker with 100 small functions in one app (conf/faas-100.conf, `faas_preload` of all 100): **%.1f MB** after start, **%.1f MB** after one request to each (%d of 100 answered 200).\n",
                   v["preloaded"] / 1024, v["served"] / 1024, v["answered"] }' "$EXTRA/fn100.tsv"
    fi
    echo

    echo "## Reload"
    echo
    echo "Milliseconds from SIGHUP to the nginx master (what \`nginx -s reload\` sends)"
    echo "to the first answer from the changed code, asked for on a new connection"
    echo "every 1 ms by tools/reload-poll.js (which makes the edit, sends the signal"
    echo "and polls from core 1); ${RELOADS} tries each:"
    echo
    echo "| what changed | median ms | min ms | max ms | tries |"
    echo "|---|---:|---:|---:|---:|"
    awk -F'\t' '{ name = ($1 == "faas") ? "ngx_faas: a function (`faas_preload`ed)" : "nginx alone: a `return` string (the floor)"
        if ($2 != "ok") printf "| %s | error: %s | | | |\n", name, $3
        else printf "| %s | %s | %s | %s | %s |\n", name, $3, $4, $5, $6 }' "$EXTRA/reload.tsv"
    echo

    echo "## One call outside HTTP"
    echo
    echo "Microseconds per call of the workload function alone, median of 7 batches"
    echo "on core 0: Duktape through tools/duk-call.c (duktape.c built with the"
    echo "module's duk_config.h, -O2; plain Duktape, without the module's native"
    echo "\`replace\` and with Duktape's default allocator, glibc's malloc, so a"
    echo "whole render request inline costs the module less than this one call:"
    echo "see the render table), Node through tools/node-call.js, and"
    echo "for context the Lua ports in the luajit2 CLI ($(version_of luajit2), the"
    echo "engine of the lua module). \`JSON.parse\` is the parse of data/props.json"
    echo "that every runtime does per render request (cjson.decode in Lua). njs is"
    echo "left out: its CLI has a millisecond clock and no garbage collector, so a"
    echo "render call there mostly pays page faults for fresh memory (~6 MB), which"
    echo "the nginx module does not; its cost per request is in the render table."
    echo
    echo "| function | Duktape us | Node us | LuaJIT us | Duktape / Node |"
    echo "|---|---:|---:|---:|---:|"
    awk -F'\t' '{ r = ($3 > 0) ? sprintf("%.1f", $2 / $3) : "-"
        printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, r }' "$EXTRA/calls.tsv"
    echo

    echo "## Notes"
    echo
    echo "- nginx \`return\` for render: a \`return\` string is limited to 4 KB by"
    echo "  nginx's configuration parser, so the ceiling serves data/render.expected"
    echo "  as a static file (the static module answers POST with 405, which"
    echo "  \`error_page 405 =200\` turns into an internal GET; conf/return.conf)."
    echo "- nginx proxy to return (pool ceiling): two workers on core 0, the front"
    echo "  proxying over kept-alive unix-socket connections to a \`return\` server"
    echo "  (conf/proxy.conf). Any render pool pays at least this hop; the ngx_faas"
    echo "  pool (conf/faas-pool.conf, a unix socket too) also opens one connection"
    echo "  per request (one request per render worker connection, so the listen"
    echo "  backlog stays the queue)."
    echo "- The Lua port builds the page statement for statement like the JS"
    echo "  (\`out = out .. ...\`, \`gsub\` with a replacement table), not with a"
    echo "  table buffer as lua-resty-template would."
    echo "- Node peers call the same CommonJS files as ngx_faas with an ngx_faas-like"
    echo "  ctx (servers/common.js); \"Node vm per request\" compiles and runs the"
    echo "  source in a new context (\`vm.runInNewContext\`) on every request."
    awk -F'\t' '$16 == "skipped" || $16 == "error" { k = $2 ": " $16 ": " $17; if (!(k in seen)) { seen[k] = 1; printf "- %s %s\n", $2, substr(k, length($2) + 3) } }' "$WORK/rows.tsv"
    } > "$OUT_MD"
}


# ---- main ---------------------------------------------------------------------

exec 9> "$WORK/bench.lock"
flock -n 9 || die "another benchmark is running (lock $WORK/bench.lock)"

for f in "$SRC/faas/hello.js" "$SRC/faas/render.js" "$SRC/njs/bench.js" \
         "$SRC/lua/render.lua" "$DATA/render.expected" "$WORK/duk-call"; do
    [ -e "$f" ] || die "$f missing: run make in bench/"
done
[ -f "$MODULE" ] || die "$MODULE missing: run make at the top level"
# a private copy: `make` at the top level rewrites the .so in place, which
# would bring down the workers that have it mapped
rm -f "$RUN/ngx_faas_module.so"
cp "$MODULE" "$RUN/ngx_faas_module.so" || die "cannot copy $MODULE"
MODULE_BUILT=$(date -u -r "$MODULE" '+%Y-%m-%d %H:%M UTC')
MODULE_SUM=$(sha256sum "$MODULE" | cut -c1-12)
MODULE=$RUN/ngx_faas_module.so
command -v wrk > /dev/null || die "wrk missing: run make in bench/"

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
SECONDS=0
: > "$WORK/rows.tsv"
rm -rf "$EXTRA" && mkdir -p "$EXTRA"
log "benchmark: ${DURATION}s runs x $REPEAT, warm-up ${WARMUP}s, peers: $PEERS"

for wl in $WORKLOADS; do
    case $wl in
        hello)  concs=$HELLO_CONC ;;
        render) concs=$RENDER_CONC ;;
        *)      die "unknown workload $wl" ;;
    esac
    for c in $concs; do
        for peer in $PEERS; do
            measure_point "$peer" "$wl" "$c"
        done
    done
done

measure_idle_rss
measure_100
: > "$EXTRA/reload.tsv"
measure_reload faas
measure_reload return
measure_calls

write_results
log "wrote $OUT_MD and $OUT_TSV"
