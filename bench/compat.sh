#!/bin/bash
# compat.sh: the per-call cost of each library of the compatibility suite
# (t/compat, built by `make compat` into build/compat), in ngx_faas inline
# (one worker pinned to core 0, wrk on core 1, one connection) and in Node
# on the same bundle, side by side.
#
#   bench/compat.sh [LIBRARY ...]     (default: every library of t/030)
#
# ngx_faas: the average run time of the call as faas_status measures it
# (ctx, the JSON body parsed when the function reads it, the render) over
# DURATION seconds of requests after a warm-up one (which loads the module),
# and the requests per second of that run.
# Node: node-render.js --time, the median call after a second of warm-up
# (the body parsed once, outside the call). Each side is measured REPEAT
# times and the lowest kept: on a shared machine the others' load only
# ever adds. Environment: PORT [8090], DURATION [5], REPEAT [3], NGINX_BIN,
# MODULE, COMPAT [build/compat].

set -eu -o pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
MODULE=${MODULE:-$ROOT/build/ngx_faas_module.so}
COMPAT=${COMPAT:-$ROOT/build/compat}
PORT=${PORT:-8090}
DURATION=${DURATION:-5}
REPEAT=${REPEAT:-3}
PROPS=$ROOT/t/compat/props.json
RUN=$BENCH/work/compat
LIBS=${*:-react react-static preact mustache handlebars lodash ejs marked}

rm -rf "$RUN" && mkdir -p "$RUN/logs"

cat > "$RUN/nginx.conf" <<CONF
load_module $MODULE;
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
daemon on;
master_process on;
worker_processes 1;
worker_cpu_affinity 01;
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path logs/body;
    faas_functions $COMPAT;
    faas_timeout 5s;
    server {
        listen 127.0.0.1:$PORT;
        location = /status { faas_status; }
        location ~ ^/(?<fn>[a-z-]+)\$ { faas_pass \$fn; }
    }
}
CONF

"$NGINX_BIN" -p "$RUN/" -c nginx.conf
trap 'kill $(cat "$RUN/logs/nginx.pid")' EXIT
sleep 0.5

# "requests total_run_time_us" of a function, from faas_status
status() {
    curl -s "http://127.0.0.1:$PORT/status" | node -e '
        let s = "";
        process.stdin.on("data", (d) => s += d).on("end", () => {
            const f = JSON.parse(s).functions[process.argv[1]];
            process.stdout.write(`${f.requests} ${f.run_time_ms.average * 1000}`);
        });' "$1"
}

lowest() {
    awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'
}

printf '%-14s %12s %10s %12s %8s\n' library 'ngx_faas us' 'req/s' 'Node us' 'ratio'

for lib in $LIBS; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
                --data-binary @"$PROPS" "http://127.0.0.1:$PORT/$lib")
    if [ "$code" != 200 ]; then
        printf '%-14s fails in ngx_faas (%s)\n' "$lib" "$code"
        continue
    fi

    faas= rps= node=
    for i in $(seq "$REPEAT"); do
        before=$(status "$lib")
        r=$(BENCH_BODY=$PROPS taskset -c 1 wrk -t1 -c1 -d"${DURATION}s" \
                -s "$BENCH/tools/wrk.lua" "http://127.0.0.1:$PORT/$lib" \
            | awk '/^Requests\/sec/ { printf "%.0f", $2 }')
        f=$(awk -v b="$before" -v a="$(status "$lib")" 'BEGIN {
                split(b, x, " "); split(a, y, " ");
                printf "%.1f", (y[1] * y[2] - x[1] * x[2]) / (y[1] - x[1]) }')
        n=$(taskset -c 0 node "$ROOT/t/compat/node-render.js" "$COMPAT/$lib.js" \
                "$PROPS" --time)
        faas=$(lowest "$faas" "$f")
        node=$(lowest "$node" "$n")
        rps=$(awk -v a="${rps:-0}" -v b="$r" 'BEGIN { print (b > a) ? b : a }')
    done

    printf '%-14s %12s %10s %12s %8s\n' "$lib" "$faas" "$rps" "$node" \
           "$(awk -v a="$faas" -v b="$node" 'BEGIN { printf "%.1fx", a / b }')"
done
