#!/bin/bash
# soak.sh: the render pool of conf/render.conf under load while things go
# wrong, one scenario at a time (run by `make soak`; see bench/README).
# Not a timed test: it measures, checks the counts and writes SOAK.md.
#
# Each cell is one scenario at one concurrency: a fresh nginx from
# soak/soak.conf, wrk POSTing JSON props for SOAK_TIME seconds (one request
# in 50 to a bad function in the scenarios that have one), what the
# scenario does meanwhile, then up to SOAK_GRACE seconds for every request
# to finish. The peer (the same topology answering with a static page, no
# JavaScript) runs the scenarios where nginx itself can lose requests.
# soak/report.pl turns the cells into the table; the exit status is its.
#
# Environment (defaults in brackets):
#   SOAK_TIME  [6]       seconds of load per cell
#   SOAK_GRACE [4]       seconds after it for the last requests
#   SOAK_CONC  [5 13 20] wrk connections
#   SOAK_SCENARIOS [clean reload kill loop regexp bomb slowbody]
#   SOAK_PEER  [clean reload kill slowbody]  the scenarios the peer runs
#                        (none: no peer)
#   SOAK_PORT  [2300]    the front's port (the peer's: SOAK_PORT + 1)
#   SOAK_SLOW  [150]     slow-body clients of the slowbody scenario
#   OUT_MD     [SOAK.md] the report

set -u -o pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$BENCH/work}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
MODULE=${MODULE:-$(cd "$BENCH/.." && pwd)/build/ngx_faas_module.so}
RENDER_JS=${RENDER_JS:-$WORK/src/faas/render.js}

SOAK_TIME=${SOAK_TIME:-6}
SOAK_GRACE=${SOAK_GRACE:-4}
SOAK_CONC=${SOAK_CONC:-"5 13 20"}
SOAK_SCENARIOS=${SOAK_SCENARIOS:-"clean reload kill loop regexp bomb slowbody"}
SOAK_PEER=${SOAK_PEER:-"clean reload kill slowbody"}
SOAK_PORT=${SOAK_PORT:-2300}
SOAK_SLOW=${SOAK_SLOW:-150}
OUT_MD=${OUT_MD:-$BENCH/SOAK.md}

SOAK=$BENCH/soak
RUN=$WORK/soak
DIR=$RUN/nginx              # the nginx prefix of the cell now running

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }


# ---- processes: everything started here is stopped on exit -------------

MASTER=                     # the nginx master of the cell now running
BG=()                       # disturbers and slow clients

# an nginx master is not our child (it daemonised): once it exits it stays
# a zombie until init reaps it, which some inits do only now and then
gone() {
    local stat

    read -r _ _ stat _ < "/proc/$1/stat" 2>/dev/null || return 0
    [ "$stat" = Z ]
}

stop_nginx() {
    local pids i

    [ -n "$MASTER" ] || return 0

    # its workers too: a master killed by force leaves them running
    pids="$MASTER $(ps -o pid= --ppid "$MASTER" 2>/dev/null)"
    kill -QUIT "$MASTER" 2>/dev/null

    for i in $(seq 100); do
        gone "$MASTER" && break
        sleep 0.05
    done

    kill -KILL $pids 2>/dev/null
    MASTER=
    rm -f "$DIR/render.sock"
}

stop_bg() {
    local pid

    for pid in "${BG[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done

    for pid in "${BG[@]}"; do
        wait "$pid" 2>/dev/null
    done

    BG=()
}

cleanup() {
    stop_bg
    stop_nginx
}
trap cleanup EXIT
trap "exit 130" INT TERM


# ---- one nginx ----------------------------------------------------------

fill() {                    # fill TEMPLATE PORT: the @...@ of soak/*.conf
    local user=

    [ "$(id -u)" = 0 ] && user="user root;"
    sed -e "s|@USER@|$user|" -e "s|@PORT@|$2|g" -e "s|@DIR@|$DIR|g" \
        -e "s|@MODULE@|$MODULE|g" -e "s|@DATA@|$BENCH/data|g" "$1"
}

start_nginx() {             # start_nginx PEER PORT
    local i

    rm -rf "$DIR"
    mkdir -p "$DIR/conf" "$DIR/logs" "$DIR/functions"
    cp "$RENDER_JS" "$SOAK"/fn/*.js "$DIR/functions/"
    fill "$SOAK/soak.conf" "$2" > "$DIR/conf/nginx.conf"
    fill "$SOAK/render-$1.inc" "$2" > "$DIR/conf/render.inc"

    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/"; then
        die "port $2 is already in use"
    fi

    "$NGINX_BIN" -p "$DIR/" -c conf/nginx.conf > "$DIR/logs/start.log" 2>&1 \
        || die "nginx did not start: $(cat "$DIR/logs/start.log")"

    for i in $(seq 100); do
        [ -s "$DIR/logs/nginx.pid" ] && break
        sleep 0.02
    done

    MASTER=$(cat "$DIR/logs/nginx.pid" 2>/dev/null)
    [ -n "$MASTER" ] || die "no pid file in $DIR/logs"

    for i in $(seq 200); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/faas/status" \
            && return 0
        sleep 0.025
    done

    die "nginx does not answer on $2"
}

status() {                  # status PORT FILE: faas_status as JSON
    curl -s --max-time 5 -o "$2" "http://127.0.0.1:$1/faas/status"
}

# the pids of the render workers: the master's children that are not the
# front workers faas_status named
render_pids() {
    local pid

    for pid in $(ps -o pid= --ppid "$MASTER"); do
        [[ " $FRONT " == *" $pid "* ]] || printf '%s ' "$pid"
    done
}


# ---- what goes wrong meanwhile: each stops by itself after SOAK_TIME ----

now_us() { echo "${EPOCHREALTIME/./}"; }

reloader() {                # `nginx -s reload` every 0.5 s
    local end=$(( $(now_us) + SOAK_TIME * 1000000 )) n=0

    while sleep 0.5; [ "$(now_us)" -lt "$end" ]; do
        "$NGINX_BIN" -p "$DIR/" -c conf/nginx.conf -s reload 2>/dev/null \
            && n=$((n + 1))
    done

    echo "$n" > "$1/reloads"
}

# kill -9 of a random render worker every 2 s, the first after 0.5 s, the
# last 1 s before the load ends at the latest (its replacement must answer
# ordinary requests to be timed); each kill is "TIME PID" in CELL/kills
killer() {
    local end=$(( $(now_us) + (SOAK_TIME - 1) * 1000000 )) pids pid

    sleep 0.5
    while [ "$(now_us)" -lt "$end" ]; do
        pids=($(render_pids))
        if [ ${#pids[@]} -gt 0 ]; then
            pid=${pids[RANDOM % ${#pids[@]}]}
            echo "$EPOCHREALTIME $pid" >> "$1/kills"
            kill -KILL "$pid"
        fi
        sleep 2
    done
}


# ---- a cell -------------------------------------------------------------

cell() {                    # cell PEER SCENARIO CONCURRENCY
    local peer=$1 scen=$2 c=$3 port=$SOAK_PORT out bad= pid

    [ "$peer" = return ] && port=$((SOAK_PORT + 1))
    out=$RUN/cells/$peer-$scen-c$c
    rm -rf "$out"
    mkdir -p "$out"
    echo "$peer $scen $c $SOAK_TIME" > "$out/cell"
    echo "$out" >> "$RUN/cells.list"
    log "$peer $scen c=$c"

    start_nginx "$peer" "$port"
    status "$port" "$out/status0.json"
    FRONT=$(perl -MJSON::PP -0ne 'print join " ", map { $_->{pid} }
                grep { !$_->{render} } @{decode_json($_)->{workers}}' \
            "$out/status0.json")

    case $scen in
        reload) reloader "$out" & BG+=($!) ;;
        kill)   killer "$out" & BG+=($!) ;;
        loop|regexp|bomb) bad=$scen ;;
        slowbody)
            perl "$SOAK/slow.pl" "$port" "$SOAK_SLOW" /render/render \
                $((SOAK_TIME + 1)) > "$out/slow" 2>&1 &
            BG+=($!)
            sleep 1 ;;
    esac

    # faas_status in the middle of the load: what an autoscaler would see
    (sleep $((SOAK_TIME / 2)).$((SOAK_TIME % 2 * 5))
     status "$port" "$out/status-mid.json") &
    BG+=($!)

    # in the background and waited for: wrk ends on SIGINT by itself, and
    # bash runs no INT trap after a foreground child that handled SIGINT
    SOAK_BODY=$BENCH/data/props.json SOAK_EXPECTED=$BENCH/data/render.expected \
    SOAK_TIME=$SOAK_TIME SOAK_BAD=$bad \
        wrk -t1 -c"$c" -d$((SOAK_TIME + SOAK_GRACE))s --timeout 10s \
            -s "$SOAK/soak.lua" "http://127.0.0.1:$port" > "$out/wrk" 2>&1 &
    BG+=($!)

    for pid in "${BG[@]}"; do
        wait "$pid"
    done
    BG=()

    status "$port" "$out/status1.json"
    stop_nginx
    cp "$DIR/logs/error.log" "$DIR/logs/render.log" "$out/" 2>/dev/null
}


# ---- the run ------------------------------------------------------------

command -v wrk >/dev/null || die "no wrk (make -C bench soak installs it)"
[ -f "$MODULE" ] || die "no module $MODULE (make module)"
[ -f "$RENDER_JS" ] || die "no $RENDER_JS (make -C bench sources)"

rm -rf "$RUN"
mkdir -p "$RUN/cells"
: > "$RUN/cells.list"

{
    echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "revision $(git -C "$BENCH" describe --always --dirty 2>/dev/null)"
    echo "machine $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'),"\
         "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)"
    echo "system $(uname -sr), $("$NGINX_BIN" -v 2>&1 | sed 's|.*/||'),"\
         "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "load $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, at the start)"
    echo "command make soak SOAK_TIME=$SOAK_TIME SOAK_GRACE=$SOAK_GRACE" \
         "SOAK_CONC=\"$SOAK_CONC\" SOAK_SLOW=$SOAK_SLOW"
} > "$RUN/machine"

for scen in $SOAK_SCENARIOS; do
    for c in $SOAK_CONC; do
        cell faas "$scen" "$c"
        if [[ " $SOAK_PEER " == *" $scen "* ]]; then
            cell return "$scen" "$c"
        fi
    done
done

echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RUN/machine"

perl "$SOAK/report.pl" "$RUN" "$OUT_MD"
