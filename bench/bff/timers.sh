#!/bin/bash
# timers.sh [DURATION]: what a timer costs the worker. One ngx_faas worker
# on core 0 serves timers.js, wrk -t1 -c20 on core 1 asks for n=1 and n=11
# timers of 0 ms a call; worker CPU per request (utime + stime, /proc) and
# the slope per timer.
#
# Needs MODULE (the .so; default build/ngx_faas_module.so), wrk, Debian's
# nginx. Port 18171, loopback only.

set -eu -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MODULE=${MODULE:-$HERE/../../build/ngx_faas_module.so}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
DURATION=${1:-4}
WORK=${WORK:-$HERE/../work/timers}

rm -rf "$WORK"; mkdir -p "$WORK/fn" "$WORK/logs" "$WORK/tmp"
cp "$HERE/timers.js" "$WORK/fn/"
cat > "$WORK/nginx.conf" <<C
load_module $MODULE;
daemon on; master_process on; worker_processes 1; worker_cpu_affinity 01;
error_log $WORK/logs/error.log warn; pid $WORK/logs/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off; keepalive_requests 1000000;
    client_body_temp_path $WORK/tmp;
    faas_functions $WORK/fn; faas_preload timers;
    server { listen 127.0.0.1:18171; location = /t { faas_pass timers; } }
}
C
"$NGINX_BIN" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/logs/error.log"
trap 'kill "$(cat "$WORK/logs/nginx.pid")"' EXIT
sleep 0.3
wpid=$(pgrep -P "$(cat "$WORK/logs/nginx.pid")")

cpu() {   # n -> worker us per request
    local a b r
    taskset -c 1 wrk -t1 -c20 -d1s "http://127.0.0.1:18171/t?n=$1" > /dev/null
    a=$(awk '{ print $14 + $15 }' "/proc/$wpid/stat")
    r=$(taskset -c 1 wrk -t1 -c20 -d"${DURATION}s" \
            "http://127.0.0.1:18171/t?n=$1" | awk '/requests in/ { print $1 }')
    b=$(awk '{ print $14 + $15 }' "/proc/$wpid/stat")
    awk -v t=$((b - a)) -v r="$r" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.1f", t * 1e6 / hz / r }'
}

one=$(cpu 1)
eleven=$(cpu 11)
echo "worker CPU per request: n=1 $one us, n=11 $eleven us;" \
     "per timer $(awk -v a="$one" -v b="$eleven" \
                     'BEGIN { printf "%.2f", (b - a) / 10 }') us"
