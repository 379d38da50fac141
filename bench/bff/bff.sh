#!/bin/bash
# The BFF row of issue 13, and its 1,000-waiting-calls target: a measuring
# script, not a test (nothing passes or fails on a number).
#
#   bench/bff/bff.sh [DURATION] [CONC]
#
# A backend nginx (ngx_faas, bench/bff/backend.js: JSON after a timer of
# ?ms= milliseconds) serves /user and /orders. Three peers, one worker
# each pinned to core 0, answer /bff by calling both backends (20 ms each)
# in parallel and merging them:
#   faas  fetch() x2 + Promise.all, through proxy_pass with keepalive
#   njs   ngx.fetch() x2 + Promise.all (njs opens a connection per fetch)
#   lua   ngx.location.capture_multi, through proxy_pass with keepalive
# wrk -t1 -cCONC on core 1. Then the CPU time of the serving worker per
# request: the BFF, and 1 and 4 fetches of one backend (/fan?n=; OpenResty
# capture_multi of n), whose slope is the CPU a fetch costs. Then: wrk
# -c1000 on ngx_faas /one (one fetch of a 100 ms backend) while probe.py
# times /ping every 20 ms.
#
# Needs MODULE (the .so), wrk, libnginx-mod-http-js, libnginx-mod-http-lua,
# lua-cjson. Ports 18121-18124 on loopback; work dir bench/work/bff.

set -e

HERE=$(cd "$(dirname "$0")" && pwd)
MODULE=${MODULE:-$HERE/../../build/ngx_faas_module.so}
NGINX=${NGINX_BIN:-/usr/sbin/nginx}
DURATION=${1:-10}
CONC=${2:-50}
WORK=$HERE/../work/bff
BACKEND=18121

rm -rf "$WORK" && mkdir -p "$WORK"
ulimit -n 65536 2>/dev/null || true

main() {   # name port
    cat <<CONF
daemon on;
master_process on;
worker_processes 1;
$( [ "$1" = backend ] && echo "worker_cpu_affinity 10;" || echo "worker_cpu_affinity 01;" )
error_log $WORK/$1/error.log warn;
pid $WORK/$1/nginx.pid;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
CONF
}

http() {   # name
    cat <<CONF
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/$1/tmp;
    proxy_temp_path $WORK/$1/tmp;
    upstream backend { server 127.0.0.1:$BACKEND; keepalive 256; }
CONF
}

proxy='location /_b/ { internal; proxy_pass http://backend/;
                 proxy_http_version 1.1; proxy_set_header Connection ""; }'

for p in backend faas njs lua; do mkdir -p "$WORK/$p/tmp" "$WORK/$p/fn"; done
cp "$HERE/backend.js" "$WORK/backend/fn/backend.js"
cp "$HERE/bff.js" "$HERE/one.js" "$HERE/fan.js" "$WORK/faas/fn/"
sed "s/@BACKEND@/$BACKEND/g" "$HERE/bff.njs" > "$WORK/njs/bff.js"

{ echo "load_module $MODULE;"; main backend; echo "http {"; http backend
  echo "faas_functions $WORK/backend/fn; faas_preload backend;"
  echo "server { listen 127.0.0.1:$BACKEND; location / { faas_pass backend; } } }"
} > "$WORK/backend/nginx.conf"

{ echo "load_module $MODULE;"; main faas; echo "http {"; http faas
  echo "faas_functions $WORK/faas/fn; faas_preload bff one fan;"
  echo "server { listen 127.0.0.1:18122; location = /bff { faas_pass bff; }"
  echo "location = /one { faas_pass one; } location = /fan { faas_pass fan; }"
  echo "location = /ping { return 200 pong; }"
  echo "$proxy } }"
} > "$WORK/faas/nginx.conf"

{ echo "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;"; main njs
  echo "http {"; http njs
  echo "js_path $WORK/njs; js_import bff from bff.js;"
  echo "server { listen 127.0.0.1:18123; location = /bff { js_content bff.bff; } } }"
} > "$WORK/njs/nginx.conf"

{ echo "load_module /usr/lib/nginx/modules/ndk_http_module.so;"
  echo "load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;"; main lua
  echo "http {"; http lua
  echo 'init_by_lua_block { cjson = require "cjson" }'
  echo "server { listen 127.0.0.1:18124; $proxy"
  cat <<'LUA'
    location = /fan {
        content_by_lua_block {
            local reqs = {}
            for i = 1, tonumber(ngx.var.arg_n or "1") do
                reqs[i] = { "/_b/user", { args = "ms=0" } }
            end
            local len = 0
            for _, r in ipairs({ ngx.location.capture_multi(reqs) }) do
                len = len + #r.body
            end
            ngx.print(len)
        }
    }
    location = /bff {
        content_by_lua_block {
            local ms = ngx.var.arg_ms or "20"
            local u, o = ngx.location.capture_multi{
                { "/_b/user", { args = "ms=" .. ms } },
                { "/_b/orders", { args = "ms=" .. ms } } }
            local user, orders = cjson.decode(u.body), cjson.decode(o.body)
            local total = 0
            for _, x in ipairs(orders) do total = total + x.total end
            ngx.header.content_type = "application/json"
            ngx.print(cjson.encode({ user = user, orders = orders,
                                     total = total }))
        }
    }
} }
LUA
} > "$WORK/lua/nginx.conf"

stop() {
    for p in backend faas njs lua; do
        [ -f "$WORK/$p/nginx.pid" ] && kill "$(cat "$WORK/$p/nginx.pid")" 2>/dev/null
    done
    return 0
}
trap stop EXIT

for p in backend faas njs lua; do
    "$NGINX" -p "$WORK/$p" -c "$WORK/$p/nginx.conf" -e "$WORK/$p/error.log"
done
sleep 1

echo "# BFF bench $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# two backends of 20 ms each, merged; wrk -t1 -c$CONC -d${DURATION}s"
printf '%-6s %10s %9s %9s %8s\n' peer req/s p50_ms p99_ms errors

for p in faas njs lua; do
    port=$((18122 + $(echo "faas njs lua" | tr ' ' '\n' | grep -n "^$p$" | cut -d: -f1) - 1))
    body=$(curl -s "http://127.0.0.1:$port/bff")
    case "$body" in
        *'"total":15.5'*) ;;
        *) echo "$p: wrong answer: $body"; continue ;;
    esac
    out=$(taskset -c 1 wrk -t1 -c"$CONC" -d"${DURATION}s" --latency \
          "http://127.0.0.1:$port/bff")
    rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    err=$(echo "$out" | awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }')
    printf '%-6s %10s %9s %9s %8s\n' "$p" "$rps" "$p50" "$p99" "${err:-0}"
done

# the CPU time of the serving worker (utime + stime, /proc) per request
cpu_per_request() {   # peer port url -> microseconds
    local wpid a b n
    wpid=$(pgrep -P "$(cat "$WORK/$1/nginx.pid")")
    taskset -c 1 wrk -t1 -c"$CONC" -d1s "$3" > /dev/null
    a=$(awk '{ print $14 + $15 }' "/proc/$wpid/stat")
    n=$(taskset -c 1 wrk -t1 -c"$CONC" -d"${DURATION}s" "$3" \
        | awk '/requests in/ { print $1 }')
    b=$(awk '{ print $14 + $15 }' "/proc/$wpid/stat")
    awk -v t=$((b - a)) -v hz="$(getconf CLK_TCK)" -v n="$n" \
        'BEGIN { printf "%.1f", t * 1000000 / hz / n }'
}

echo
echo "# CPU per request of the serving worker (us), and per fetch: the slope"
echo "# from 1 to 4 fetches of one backend (ngx_faas /fan?n=, OpenResty"
echo "# capture_multi of n); the BFF's two fetches, JSON and merge"
printf '%-6s %8s %8s %8s %10s\n' peer bff n=1 n=4 per_fetch
for p in faas lua; do
    port=$([ $p = faas ] && echo 18122 || echo 18124)
    bff=$(cpu_per_request $p $port "http://127.0.0.1:$port/bff")
    one=$(cpu_per_request $p $port "http://127.0.0.1:$port/fan?n=1")
    four=$(cpu_per_request $p $port "http://127.0.0.1:$port/fan?n=4")
    printf '%-6s %8s %8s %8s %10s\n' $p "$bff" "$one" "$four" \
        "$(awk -v a="$one" -v b="$four" 'BEGIN { printf "%.1f", (b - a) / 3 }')"
done

echo
echo "# 1,000 calls waiting on a 100 ms backend in one worker (ngx_faas /one)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
( taskset -c 1 wrk -t1 -c1000 -d"${DURATION}s" --latency --timeout 5s \
      "http://127.0.0.1:18122/one?ms=100" > "$WORK/one.wrk" ) &
wrkpid=$!
sleep 1
# /ping every 20 ms meanwhile, at real-time priority on the server's core
# where that is allowed (root), so the probe does not wait for a CPU
rt="chrt -f 50"
$rt true 2>/dev/null || rt=""
$rt taskset -c 0 python3 "$HERE/probe.py" 18122 $((DURATION - 2)) \
    > "$WORK/ping.ms"
wait $wrkpid
awk '/Requests\/sec|Latency|50%|99%|Non-2xx|Socket errors/' "$WORK/one.wrk"
sort -n "$WORK/ping.ms" | awk '{ a[NR] = $1 }
    END { printf "/ping while waiting (%s): %d samples, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
          RT, NR, a[int(NR * 0.5) + 1], a[int(NR * 0.9) + 1],
          a[int(NR * 0.99) + 1], a[NR] }' RT="${rt:-normal priority}"
