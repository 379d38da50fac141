#!/bin/bash
# targets.sh: the side-by-side run of issue 15's targets (run by
# bench/Makefile after bench.sh; see README, "Targets")
#
# Every workload on every peer that can run it, in ROUNDS alternating
# rounds: a round starts every peer fresh (each on its own port), then
# measures each workload on each peer in turn (peers in reverse order on
# even rounds), so the runs of one workload on different peers are close
# in time and a drift of the machine's load touches them alike. The figure
# of a point is the median of its rounds; a ratio is the median of the
# per-round ratios. Serving process on core 0, wrk -t1 on core 1.
#
#   ./targets.sh            run, write the section "Targets" of RESULTS.md
#                           (OUT_MD) and targets.tsv, print the table
#   ./targets.sh --table    print the table of the last run again
#   ./targets.sh --write    write the section of the last run again (after
#                           an edit of this script's report part)
#
# Environment (defaults in brackets; QUICK=1 gives short runs):
#   DURATION [5, quick 2]  seconds of one measured run
#   WARMUP   [1]           seconds of warm-up before each measured run
#   ROUNDS   [3, quick 1]  alternating rounds (the median is kept)
#   HELLO_C  [20]          wrk connections for hello
#   RENDER_C [5]           wrk connections for every render workload
#   LIBS                   the library bundles (bench/Makefile's list)
#   PORT_BASE [18100]      ports PORT_BASE+21 .. +29, loopback only
#   IDLE_MIN [85], IDLE_WAIT [3]  wait at most IDLE_WAIT s for IDLE_MIN %
#                          idle before each run (then run anyway)

set -u -o pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$BENCH/work}
TW=$WORK/targets
OUT_MD=${OUT_MD:-$BENCH/RESULTS.md}
OUT_TSV=${TARGETS_TSV:-$BENCH/targets.tsv}

# ---- the table (also --table) ---------------------------------------------

# the targets of issue 15: workload, measure, peer over reference, the
# lowest ratio that meets it
TARGETS="mustache faas node 0.5
handlebars faas node 0.5
ejs faas node 0.5
lodash faas node 0.5
react faas node 0.12
preact faas node 0.12
marked faas node -
render faas lua 1.2
report faas lua 0.8
hello faas return 0.80"

declare -A NAME=([react]="React 18 renderToString"
                 [preact]="Preact + preact-render-to-string"
                 [mustache]="mustache" [handlebars]="handlebars (compiled at load)"
                 [ejs]="EJS" [lodash]="lodash template" [marked]="marked"
                 [render]="bench's render (fn/render.js)"
                 [report]="report, a second shape (fn/report.js)"
                 [hello]="hello")
declare -A REF=([node]="Node" [lua]="OpenResty" [return]="nginx return")

# print_table: the markdown table of ratios against the targets, from
# $TW/medians.tsv (wl peer median_rps min max rounds) and $TW/ratios.tsv
# (wl peer ref median_ratio min max) and $TW/idle.tsv
print_table() {
    local wl peer ref target rps ratio pool poolr met
    echo "| workload | ngx_faas inline req/s | reference req/s | inline / reference | through the render pool: req/s, / reference | target | met |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    while read -r wl peer ref target; do
        rps=$(awk -v w="$wl" -v p="$peer" '$1 == w && $2 == p { print $3 }' "$TW/medians.tsv")
        [ -n "$rps" ] || continue
        ratio=$(awk -v w="$wl" -v p="$peer" -v r="$ref" \
                    '$1 == w && $2 == p && $3 == r { print $4 " (" $5 "-" $6 ")" }' "$TW/ratios.tsv")
        pool=$(awk -v w="$wl" '$1 == w && $2 == "faas-pool" { print $3 }' "$TW/medians.tsv")
        poolr=$(awk -v w="$wl" -v r="$ref" \
                    '$1 == w && $2 == "faas-pool" && $3 == r { print $4 }' "$TW/ratios.tsv")
        met=$(awk -v r="${ratio%% *}" -v t="$target" 'BEGIN {
                  if (t == "-" || r == "") print "(no target)";
                  else print (r + 0 >= t + 0) ? "yes" : "**no**" }')
        printf '| %s, c=%s | %s | %s %s | **%s** | %s | %s | %s |\n' \
            "${NAME[$wl]}" "$(conc_of "$wl")" "$rps" "${REF[$ref]}" \
            "$(awk -v w="$wl" -v p="$ref" '$1 == w && $2 == p { print $3 }' "$TW/medians.tsv")" \
            "$ratio" "${pool:+$pool, $poolr}" \
            "$([ "$target" = - ] && echo - || echo ">= $target")" "$met"
    done <<< "$TARGETS"
    awk -F'\t' '$1 == "faas" { printf "| idle RSS of an ngx_faas worker (conf/faas.conf) | %.1f MB | nginx return %s MB | | | <= 8 MB | %s |\n",
                                      $2 / 1024, r, ($2 <= 8192) ? "yes" : "**no**" }
                $1 == "return" { r = sprintf("%.1f", $2 / 1024) }' \
        <(sort -r "$TW/idle.tsv")
}

conc_of() {
    if [ "$1" = hello ]; then echo "${HELLO_C:-20}"; else echo "${RENDER_C:-5}"; fi
}

if [ "${1:-}" = --table ]; then
    [ -s "$TW/medians.tsv" ] || { echo "no run in $TW: run make targets" >&2; exit 1; }
    print_table
    exit 0
fi

NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
MODULE=${MODULE:-$(cd "$BENCH/.." && pwd)/build/ngx_faas_module.so}
QUICK=${QUICK:-}
if [ -n "$QUICK" ]; then
    DURATION=${DURATION:-2} ROUNDS=${ROUNDS:-1}
else
    DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-3}
fi
WARMUP=${WARMUP:-1}
HELLO_C=${HELLO_C:-20}
RENDER_C=${RENDER_C:-5}
LIBS=${LIBS:-"react preact mustache handlebars ejs lodash marked"}
PORT_BASE=${PORT_BASE:-18100}
IDLE_MIN=${IDLE_MIN:-85}
IDLE_WAIT=${IDLE_WAIT:-3}

SERVER_CPU=0
CLIENT_CPU=1
HZ=$(getconf CLK_TCK)
DATA=$BENCH/data
SRC=$WORK/src
RUN=$WORK/run

declare -A PORT=([return]=$((PORT_BASE + 21)) [faas]=$((PORT_BASE + 22))
                 [faas-pool]=$((PORT_BASE + 23)) [node]=$((PORT_BASE + 24))
                 [njs]=$((PORT_BASE + 25)) [lua]=$((PORT_BASE + 26))
                 [njs-probe]=$((PORT_BASE + 27)) [faas-idle]=$((PORT_BASE + 28))
                 [return-idle]=$((PORT_BASE + 29)))
declare -A LABEL=([return]="nginx return" [faas]="ngx_faas inline"
                  [faas-pool]="ngx_faas render pool" [node]="Node http"
                  [njs]="njs" [lua]="OpenResty lua")
PEERS="return faas faas-pool node njs lua"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }


# ---- processes: everything started here is stopped on exit ----------------

declare -A MASTER SERVE KIND     # per peer: master pid, serving pids, nginx|node
PIDS=()
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

children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' '; }

port_busy() {
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" 2>/dev/null
    [ $? -ne 7 ]
}

wait_port() {
    local i
    for i in $(seq 200); do
        port_busy "$1" && return 0
        sleep 0.025
    done
    return 1
}

rss_kb() {
    local pid sum=0 v
    for pid in "$@"; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
        sum=$((sum + ${v:-0}))
    done
    echo $sum
}

# nginx_start NAME TEMPLATE: prefix $RUN/t-NAME, conf/nginx.conf from
# conf/TEMPLATE.conf (the placeholders of bench.sh, and @FUNCTIONS@)
nginx_start() {
    local name=$1 tmpl=$2 dir=$RUN/t-$1 user= pid i
    PEER_ERR=
    port_busy "${PORT[$name]}" && { PEER_ERR="port ${PORT[$name]} is in use"; return 1; }
    [ "$(id -u)" = 0 ] && user="user root;"
    rm -rf "$dir/tmp" "$dir/logs/nginx.pid" "$dir"/*.sock
    mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp"
    sed "s|@USER@|$user|" "$BENCH/conf/main.inc" > "$dir/conf/main.inc"
    sed -e "/^@MAIN@\$/{
                r $dir/conf/main.inc
                d
            }" \
        -e "s|@USER@|$user|" -e "s|@PORT@|${PORT[$name]}|g" \
        -e "s|@BENCH@|$BENCH|g" -e "s|@WORK@|$WORK|g" -e "s|@DATA@|$DATA|g" \
        -e "s|@MODULE@|$MODULE|g" -e "s|@DIR@|$dir|g" \
        -e "s|@FUNCTIONS@|$FUNCTIONS|g" \
        "$BENCH/conf/$tmpl.conf" > "$dir/conf/nginx.conf"
    if ! taskset -c $SERVER_CPU "$NGINX_BIN" -p "$dir/" -c conf/nginx.conf \
            -e "$dir/logs/error.log" > "$dir/logs/start.log" 2>&1; then
        PEER_ERR="nginx did not start: $(grep -h -m1 'emerg\|js exception' \
                  "$dir/logs/start.log" "$dir/logs/error.log" 2>/dev/null | head -1 | cut -c1-300)"
        return 1
    fi
    for i in $(seq 100); do
        [ -s "$dir/logs/nginx.pid" ] && break
        sleep 0.02
    done
    pid=$(cat "$dir/logs/nginx.pid" 2>/dev/null)
    [ -n "$pid" ] || { PEER_ERR="no pid file in $dir/logs"; return 1; }
    PIDS+=("$pid")
    MASTER[$name]=$pid KIND[$name]=nginx
    wait_port "${PORT[$name]}" || { PEER_ERR="nginx does not answer"; return 1; }
    SERVE[$name]=$(children "$pid")
}

node_start() {
    local name=$1 dir=$RUN/t-$1 pid
    PEER_ERR=
    port_busy "${PORT[$name]}" && { PEER_ERR="port ${PORT[$name]} is in use"; return 1; }
    mkdir -p "$dir/logs"
    taskset -c $SERVER_CPU node "$BENCH/servers/node.js" "$SRC/targets" \
        "${PORT[$name]}" >> "$dir/logs/node.log" 2>&1 &
    pid=$!
    disown $pid
    PIDS+=("$pid")
    MASTER[$name]=$pid SERVE[$name]=$pid KIND[$name]=node
    wait_port "${PORT[$name]}" \
        || { PEER_ERR="node does not answer: $(head -c 300 "$dir/logs/node.log")"; return 1; }
}

start_peer() {
    case $1 in
        return)    nginx_start return return ;;
        faas)      nginx_start faas t-faas ;;
        faas-pool) nginx_start faas-pool t-pool ;;
        njs)       nginx_start njs t-njs ;;
        lua)       nginx_start lua lua ;;
        node)      node_start node ;;
    esac
}

stop_peer() {
    [ -n "${MASTER[$1]:-}" ] || return 0
    if [ "${KIND[$1]}" = nginx ]; then
        stop_pid "${MASTER[$1]}" QUIT
    else
        stop_pid "${MASTER[$1]}" TERM
    fi
    MASTER[$1]= SERVE[$1]=
}


# ---- workloads --------------------------------------------------------------

url_of() {
    case $2 in
        hello) echo "http://127.0.0.1:${PORT[$1]}/hello?name=bob" ;;
        *)     echo "http://127.0.0.1:${PORT[$1]}/$2" ;;
    esac
}

body_of() {
    case $1 in
        hello)  echo "" ;;
        render) echo "$DATA/props.json" ;;
        *)      echo "$DATA/libs-props.json" ;;
    esac
}

expected_of() {
    case $1 in
        hello|render|report) echo "$DATA/$1.expected" ;;
        *)                   echo "$WORK/expected/$1.html" ;;
    esac
}

# check_answer PEER WORKLOAD [PORT]: status 200 and the expected body,
# byte for byte
check_answer() {
    local peer=$1 wl=$2 port=${3:-} out=$TW/answer.$1.$2 body code url
    local args=(-s -o "$out" -w '%{http_code}' --max-time 20)
    body=$(body_of "$wl")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "@$body")
    url=$(url_of "$peer" "$wl")
    [ -n "$port" ] && url="http://127.0.0.1:$port/$wl"
    code=$(curl "${args[@]}" "$url")
    if [ "$code" != 200 ]; then
        PEER_ERR="status $code ($(head -c 150 "$out" 2>/dev/null | tr '\n' ' '))"
        return 1
    fi
    if ! cmp -s "$out" "$(expected_of "$wl")"; then
        PEER_ERR="the page differs from Node's ($(wc -c < "$out") bytes against $(wc -c < "$(expected_of "$wl")"))"
        return 1
    fi
}

cpu_busy() {
    awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i
                   print t, t - $5 - $6 }' /proc/stat
}

proc_ticks() {
    local pid sum=0 t
    for pid in "$@"; do
        t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        sum=$((sum + ${t:-0}))
    done
    echo $sum
}

wait_idle() {
    local start=$SECONDS t0 i0 t1 i1 idle
    while :; do
        read -r t0 i0 < <(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6}' /proc/stat)
        sleep 1
        read -r t1 i1 < <(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6}' /proc/stat)
        idle=$(( (i1 - i0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
        [ "$idle" -ge "$IDLE_MIN" ] && return 0
        [ $((SECONDS - start)) -ge "$IDLE_WAIT" ] && return 1
    done
}

# run_wrk PEER WORKLOAD CONC SECONDS LOG: "req_s p50_ms p99_ms errors
# others_pct": req_s counts the answers with a status below 400 only (a
# render pool's fast refusals are errors, not throughput), errors are
# those answers plus wrk's socket errors and timeouts (10 s), others_pct
# the CPU that processes other than the server and wrk used meanwhile, in
# % of one core
run_wrk() {
    local peer=$1 wl=$2 c=$3 d=$4 logf=$5 t0 b0 t1 b1 s0 s1
    read -r t0 b0 < <(cpu_busy)
    s0=$(proc_ticks ${SERVE[$peer]})
    BENCH_BODY=$(body_of "$wl") taskset -c $CLIENT_CPU \
        /usr/bin/time -f 'WRKCPU %U %S' -o "$logf.cpu" \
        wrk -t1 -c"$c" -d"${d}s" --timeout 10s --latency -s "$BENCH/tools/wrk.lua" \
        "$(url_of "$peer" "$wl")" > "$logf" 2>&1
    s1=$(proc_ticks ${SERVE[$peer]})
    read -r t1 b1 < <(cpu_busy)
    cat "$logf.cpu" >> "$logf" 2>/dev/null
    awk -v hz="$HZ" -v ncpu="$(nproc)" -v busy=$((b1 - b0)) -v total=$((t1 - t0)) \
        -v serv=$((s1 - s0)) '
        /^WRKCPU / { wrk = ($2 + $3) * hz }
        /^BENCH / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }; ok = 1 }
        END {
            if (!ok) exit
            others = (busy - serv - wrk) * 100 / (total > 0 ? total / ncpu : 1)
            printf "%.1f %.3f %.3f %d %.0f\n",
                   (v["requests"] - v["non2xx"]) / (v["duration_us"] / 1e6),
                   v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"] + v["sockerr"],
                   (others > 0 ? others : 0)
        }' "$logf"
}


# ---- njs: which bundles it can run ------------------------------------------

# each bundle alone in an njs server: the first error (nginx -t, the
# js_import, or the request) says why it cannot; NJS_LIBS the ones it can
NJS_LIBS=
probe_njs() {
    local lib dir=$RUN/t-njs-probe why
    : > "$TW/njs.tsv"
    mkdir -p "$RUN/t-njs/conf"
    for lib in $LIBS; do
        printf 'js_import %s from lib-%s.js;\n' "$lib" "$lib" > "$RUN/t-njs/conf/njs-imports.inc"
        printf 'location = /%s { js_content %s.handler; }\n' "$lib" "$lib" \
            > "$RUN/t-njs/conf/njs-locations.inc"
        mkdir -p "$dir/conf" "$dir/logs"
        cp "$RUN/t-njs/conf/"njs-*.inc "$dir/conf/"
        : > "$dir/logs/error.log"
        if nginx_start njs-probe t-njs && check_answer njs-probe "$lib" < /dev/null; then
            NJS_LIBS="$NJS_LIBS $lib"
            printf '%s\tok\t\n' "$lib" >> "$TW/njs.tsv"
        else
            why=$(grep -h -m1 -o 'js exception: .*\|SyntaxError: .*\|emerg\] .*' \
                  "$dir/logs/error.log" 2>/dev/null | head -1 | sed 's/, client:.*//' | cut -c1-200)
            printf '%s\tno\t%s\n' "$lib" "${why:-$PEER_ERR}" >> "$TW/njs.tsv"
        fi
        stop_peer njs-probe
        log "njs runs $lib: $(tail -1 "$TW/njs.tsv" | cut -f2-)"
    done
    : > "$RUN/t-njs/conf/njs-imports.inc"
    : > "$RUN/t-njs/conf/njs-locations.inc"
    for lib in $NJS_LIBS; do
        printf 'js_import %s from lib-%s.js;\n' "$lib" "$lib" >> "$RUN/t-njs/conf/njs-imports.inc"
        printf 'location = /%s { js_content %s.handler; }\n' "$lib" "$lib" \
            >> "$RUN/t-njs/conf/njs-locations.inc"
    done
}


# ---- main ---------------------------------------------------------------------

mkdir -p "$WORK" "$RUN"
exec 9> "$WORK/bench.lock"
flock -n 9 || die "another benchmark is running (lock $WORK/bench.lock)"

# the points: workload, then the peers that run it
make_points() {
    local lib peers
    POINTS="hello:return,faas
render:faas,lua,node,njs
report:faas,lua,node,njs"
    for lib in $LIBS; do
        peers="faas,faas-pool,node"
        case " $NJS_LIBS " in *" $lib "*) peers="$peers,njs" ;; esac
        POINTS="$POINTS
$lib:$peers"
    done
}

if [ "${1:-}" = --write ]; then
    [ -s "$TW/meta.sh" ] || die "no finished run in $TW: run make targets"
    . "$TW/meta.sh"
    make_points
else

for f in "$SRC/targets/report.js" "$SRC/njs/bench.js" "$SRC/lua/report.lua" \
         "$DATA/report.expected" "$DATA/libs-props.json"; do
    [ -e "$f" ] || die "$f missing: run make in bench/"
done
for lib in $LIBS; do
    for f in "$SRC/targets/$lib.js" "$SRC/njs/lib-$lib.js" "$WORK/expected/$lib.html"; do
        [ -e "$f" ] || die "$f missing: run make targets in bench/"
    done
done
[ -f "$MODULE" ] || die "$MODULE missing: run make at the top level"
rm -f "$RUN/t-ngx_faas_module.so"
cp "$MODULE" "$RUN/t-ngx_faas_module.so" || die "cannot copy $MODULE"
MODULE_SUM=$(sha256sum "$MODULE" | cut -c1-12)
MODULE=$RUN/t-ngx_faas_module.so

rm -rf "$TW" && mkdir -p "$TW"
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$BENCH/.." log -1 --format='%h (%s)' 2>/dev/null || echo unknown)
DIRTY=$(git -C "$BENCH/.." status --porcelain -- . ':!bench' 2>/dev/null | grep -vc '^??')
SECONDS=0
log "targets: ${DURATION}s runs, $ROUNDS round(s), warm-up ${WARMUP}s, load $START_LOAD"

# idle RSS: bench's own ngx_faas conf (hello and render preloaded) and
# nginx return, one second after start, no request
: > "$TW/idle.tsv"
FUNCTIONS="hello render"
PORT[faas]=${PORT[faas-idle]} PORT[return]=${PORT[return-idle]}
for peer in faas return; do
    if nginx_start "$peer" "$peer"; then
        sleep 1
        printf '%s\t%s\n' "$peer" "$(rss_kb ${SERVE[$peer]})" >> "$TW/idle.tsv"
    else
        log "idle RSS $peer: $PEER_ERR"
    fi
    stop_peer "$peer"
done
PORT[faas]=$((PORT_BASE + 22)) PORT[return]=$((PORT_BASE + 21))
log "idle RSS (kB): $(tr '\t\n' '= ' < "$TW/idle.tsv")"

probe_njs

FUNCTIONS="hello render report $LIBS"
make_points

: > "$TW/runs.tsv"
: > "$TW/errors.tsv"
: > "$TW/loads.tsv"
for round in $(seq "$ROUNDS"); do
    printf '%s\t%s\n' "$round" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$TW/loads.tsv"
    log "round $round of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
    declare -A UP=()
    for peer in $PEERS; do
        if start_peer "$peer"; then
            UP[$peer]=1
        else
            log "  ${LABEL[$peer]} did not start: $PEER_ERR"
            printf '%s\t*\t%s\n' "$peer" "did not start: $PEER_ERR" >> "$TW/errors.tsv"
            stop_peer "$peer"
        fi
    done
    while IFS=: read -r wl peers <&3; do
        peers=${peers//,/ }
        if [ $((round % 2)) -eq 0 ]; then
            peers=$(echo $peers | tr ' ' '\n' | tac | tr '\n' ' ')
        fi
        c=$RENDER_C
        [ "$wl" = hello ] && c=$HELLO_C
        for peer in $peers; do
            [ -n "${UP[$peer]:-}" ] || continue
            if ! check_answer "$peer" "$wl"; then
                log "  $wl ${LABEL[$peer]}: $PEER_ERR"
                printf '%s\t%s\t%s\n' "$peer" "$wl" "$PEER_ERR" >> "$TW/errors.tsv"
                continue
            fi
            wait_idle || log "  machine still busy after ${IDLE_WAIT}s: running anyway"
            run_wrk "$peer" "$wl" "$c" "$WARMUP" "$TW/wrk.warmup.log" > /dev/null
            line=$(run_wrk "$peer" "$wl" "$c" "$DURATION" "$TW/wrk.$round.$wl.$peer.log")
            if [ -z "$line" ]; then
                printf '%s\t%s\t%s\n' "$peer" "$wl" "wrk failed" >> "$TW/errors.tsv"
                continue
            fi
            log "  $wl c=$c ${LABEL[$peer]}: $line"
            printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$wl" "$peer" "$c" "$line" | tr ' ' '\t' \
                >> "$TW/runs.tsv"
        done
    done 3< <(echo "$POINTS")
    printf 'rss\t%s\t%s\n' "$round" "$(rss_kb ${SERVE[faas]:-})" >> "$TW/loads.tsv"
    for peer in $PEERS; do
        stop_peer "$peer"
    done
    unset UP
done
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( SECONDS / 60 ))
declare -p START_DATE START_LOAD END_LOAD ELAPSED COMMIT DIRTY MODULE_SUM \
    NJS_LIBS QUICK DURATION WARMUP ROUNDS HELLO_C RENDER_C LIBS > "$TW/meta.sh"

fi

# medians: per point, the median req/s of its rounds (lower middle when
# even); per pair, the median of the per-round ratios
awk -F'\t' '{ k = $2 "\t" $3; v[k] = v[k] " " $5; n[k]++; e[k] += $8 }
    END { for (k in v) {
              m = split(substr(v[k], 2), a, " ")
              for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
                  if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
              printf "%s\t%.0f\t%.0f\t%.0f\t%d\t%d\n", k, a[int((m + 1) / 2)], a[1], a[m], m, e[k] } }' \
    "$TW/runs.tsv" | sort > "$TW/medians.tsv"
awk -F'\t' '{ r[$1 "\t" $2 "\t" $3] = $5; wl[$2] = 1; pe[$3] = 1; rd[$1] = 1 }
    END { for (w in wl) for (p in pe) for (q in pe) {
              if (p == q) continue
              s = ""; m = 0
              for (x in rd) {
                  a = r[x "\t" w "\t" p]; b = r[x "\t" w "\t" q]
                  if (a != "" && b > 0) { m++; v[m] = a / b }
              }
              if (m == 0) continue
              for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
                  if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
              printf "%s\t%s\t%s\t%.3f\t%.3f\t%.3f\n", w, p, q, v[int((m + 1) / 2)], v[1], v[m]
          } }' "$TW/runs.tsv" | sort > "$TW/ratios.tsv"
{ printf 'workload\tpeer\tmedian_req_s\tmin\tmax\trounds\terrors\n'; cat "$TW/medians.tsv"; } > "$OUT_TSV"

# ---- the section of RESULTS.md ------------------------------------------------

{
echo "<!-- targets.sh: begin -->"
echo "## Targets (issue 15): ngx_faas beside Node, OpenResty, njs and nginx"
echo
echo "Written by \`targets.sh\`$([ -n "$QUICK" ] && echo " (QUICK: one short round, indicative only)") on $START_DATE in $ELAPSED min;"
echo "commit $COMMIT$([ "$DIRTY" -gt 0 ] && echo "; $DIRTY file(s) outside bench/ not committed"),"
echo "module sha256 $MODULE_SUM; $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);"
echo "Node $(node --version), njs $(dpkg-query -W -f='${Version}' libnginx-mod-http-js 2>/dev/null),"
echo "lua module $(dpkg-query -W -f='${Version}' libnginx-mod-http-lua 2>/dev/null)."
echo "Load average (1, 5, 15 min) at the start $START_LOAD, at the end $END_LOAD;"
echo "at the start of each round: $(awk -F'\t' '$1 != "rss" { printf "%s%s", (n++ ? "; " : ""), $2 }' "$TW/loads.tsv")."
echo "Other processes used at most $(awk -F'\t' 'BEGIN { m = 0 } $9 + 0 > m { m = $9 } END { print m }' "$TW/runs.tsv")% of a core during a measured run"
echo "(median $(cut -f9 "$TW/runs.tsv" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] + 0 }')%): the machine is shared, figures are noisy."
echo
echo "Method: one nginx worker (or the node process) on core 0, \`wrk -t1\` on"
echo "core 1, keep-alive loopback connections; hello at c=$HELLO_C, every render at"
echo "c=$RENDER_C. $ROUNDS round(s): each starts every peer fresh and runs each"
echo "workload on each peer in turn (reverse order on even rounds), ${WARMUP} s of"
echo "warm-up then ${DURATION} s measured; every answer is first checked byte for byte"
echo "against the page Node renders from the same bundle. req/s: median of the"
echo "rounds; a ratio: median of the per-round ratios (lowest-highest in"
echo "brackets). Library bundles: t/compat/src built by tools/faas-build (\`make"
echo "compat\`, packages pinned by t/compat/package-lock.json), the same file in"
echo "ngx_faas, Node (servers/node.js, one process) and njs (wrapped as an ES"
echo "module, adapters/njs-lib.*.js); body: data/libs-props.json ($(wc -c < "$DATA/libs-props.json") bytes, 70"
echo "products). bench's render: data/props.json ($(wc -c < "$DATA/props.json") bytes) -> $(wc -c < "$DATA/render.expected") bytes;"
echo "report: data/libs-props.json -> $(wc -c < "$DATA/report.expected") bytes."
echo
print_table
echo
echo "Every peer, req/s (median of the rounds, lowest-highest; in square brackets"
echo "the answers with status >= 400 and socket errors of all rounds, not counted"
echo "in req/s), and the page size:"
echo
echo "| workload | page bytes | ngx_faas inline | ngx_faas pool | Node | njs | OpenResty | nginx return |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
while IFS=: read -r wl _; do
    printf '| %s | %s' "$wl" "$(wc -c < "$(expected_of "$wl")")"
    for peer in faas faas-pool node njs lua return; do
        printf ' | %s' "$(awk -v w="$wl" -v p="$peer" '$1 == w && $2 == p {
                             printf "%s (%s-%s)%s", $3, $4, $5,
                                    ($7 > 0 ? " [" $7 " errors]" : "") }' "$TW/medians.tsv")"
    done
    printf ' |\n'
done <<< "$POINTS"
echo
echo "Memory: idle RSS of the ngx_faas worker of bench's conf/faas.conf (hello and"
echo "render preloaded) $(awk -F'\t' '$1 == "faas" { printf "%.1f", $2 / 1024 }' "$TW/idle.tsv") MB, nginx \`return\` $(awk -F'\t' '$1 == "return" { printf "%.1f", $2 / 1024 }' "$TW/idle.tsv") MB; the"
echo "ngx_faas worker of this run (every bundle preloaded and called) after each"
echo "round: $(awk -F'\t' '$1 == "rss" { printf "%s%.1f", (n++ ? ", " : ""), $3 / 1024 }' "$TW/loads.tsv") MB."
echo
echo "njs $(dpkg-query -W -f='${Version}' libnginx-mod-http-js 2>/dev/null) runs of the bundles:"
awk -F'\t' '{ if ($2 == "ok") printf "- %s: runs (same page as Node)\n", $1
              else printf "- %s: does not run: %s\n", $1, $3 }' "$TW/njs.tsv"
if [ -s "$TW/errors.tsv" ]; then
    echo
    echo "Errors (not measured):"
    awk -F'\t' '{ printf "- %s %s: %s\n", $1, $2, $3 }' "$TW/errors.tsv"
fi
echo "<!-- targets.sh: end -->"
} > "$TW/section.md"

# the section replaces the one in OUT_MD, or goes after its first line
if [ -f "$OUT_MD" ] && grep -q '^<!-- targets.sh: begin -->' "$OUT_MD"; then
    awk -v sec="$TW/section.md" '
        /^<!-- targets.sh: begin -->/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        /^<!-- targets.sh: end -->/ { skip = 0; next }
        !skip' "$OUT_MD" > "$TW/out.md"
elif [ -f "$OUT_MD" ]; then
    { head -1 "$OUT_MD"; echo; cat "$TW/section.md"; tail -n +2 "$OUT_MD"; } > "$TW/out.md"
else
    { echo "# ngx_faas benchmark results"; echo; cat "$TW/section.md"; } > "$TW/out.md"
fi
cp "$TW/out.md" "$OUT_MD"
log "wrote the targets section of $OUT_MD and $OUT_TSV"
echo
print_table
