#!/bin/bash
# Map/Set/WeakMap/WeakSet of ngx_faas against core-js's, on the same
# workloads (workloads.js), inside the module, one heap each.
#
#   bench/collections/run.sh /path/to/node_modules/core-js-pure
#
# core-js is not part of the project: install it in a throwaway directory,
# e.g. `npm install --prefix /tmp/corejs core-js-pure@3`.  The globals are
# deleted in core-js's heap before it loads, so it installs its own.

set -e

COREJS=${1:?usage: $0 /path/to/core-js-pure}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
MODULE=${MODULE:-$TOP/build/ngx_faas_module.so}
PORT=${PORT:-18113}
WORK=$(mktemp -d /tmp/faas-collections.XXXXXX)
chmod 755 $WORK

trap 'if [ -f $WORK/nginx.pid ]; then kill $(cat $WORK/nginx.pid); fi; sleep 0.5; rm -rf $WORK' EXIT

mkdir -p $WORK/native $WORK/corejs $WORK/logs
cp $HERE/workloads.js $WORK/native/
cp $HERE/workloads.js $WORK/corejs/
cp -r "$COREJS" $WORK/corejs/core-js-pure

cat > $WORK/native/bench.js <<'JS'
module.exports = function () {
    return require('./workloads')(Map, Set, WeakMap, WeakSet);
};
JS

cat > $WORK/corejs/bench.js <<'JS'
delete globalThis.Map;
delete globalThis.Set;
delete globalThis.WeakMap;
delete globalThis.WeakSet;
var M = require('./core-js-pure/es/map'), S = require('./core-js-pure/es/set'),
    WM = require('./core-js-pure/es/weak-map'),
    WS = require('./core-js-pure/es/weak-set');
module.exports = function () { return require('./workloads')(M, S, WM, WS); };
JS

cat > $WORK/nginx.conf <<CONF
load_module $MODULE;
worker_processes 1;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 16; }
http {
    access_log off;
    faas_timeout 120s;
    faas_memory 256m;
    server {
        listen 127.0.0.1:$PORT;
        location /native { faas_functions $WORK/native; faas_pass bench; }
        location /corejs { faas_functions $WORK/corejs; faas_pass bench; }
    }
}
CONF

$NGINX_BIN -p $WORK -c $WORK/nginx.conf
sleep 0.5

for app in native corejs; do
    if ! curl -sf --max-time 300 http://127.0.0.1:$PORT/$app > $WORK/$app.json
    then
        cat $WORK/logs/error.log
        exit 1
    fi
done

echo "core-js-pure $(sed -n 's/^ *"version": "\(.*\)",/\1/p' $COREJS/package.json)," \
     "N=20000, best of 5, ms"
node -e '
var a = require(process.argv[1]), b = require(process.argv[2]);
console.log("| workload | ngx_faas | core-js | core-js / ngx_faas |");
console.log("|---|---:|---:|---:|");
for (var k in a) {
    if (a[k].check !== b[k].check) { console.log(k + ": checksums differ"); process.exit(1); }
    console.log("| " + k + " | " + a[k].ms + " | " + b[k].ms + " | " +
                (b[k].ms / a[k].ms).toFixed(1) + "x |");
}' $WORK/native.json $WORK/corejs.json
