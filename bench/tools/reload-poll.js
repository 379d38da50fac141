// reload-poll: the time from `nginx -s reload` to the first answer from
// changed code. Writes FILE with TEXT (the edit), sends SIGHUP to the nginx
// master, then asks for PATH on a new connection every millisecond until the
// body is EXPECT; prints the milliseconds from the signal to that answer.
//   node reload-poll.js MASTER_PID PORT PATH FILE TEXT EXPECT
'use strict';

var fs = require('fs');
var http = require('http');
var a = process.argv.slice(2);
var pid = +a[0], port = +a[1], path = a[2], file = a[3], text = a[4], expect = a[5];
var t0, polls = 0;

function poll() {
    polls++;
    var req = http.get({ host: '127.0.0.1', port: port, path: path, agent: false },
                       function (res) {
        var body = '';
        res.setEncoding('utf8');
        res.on('data', function (c) { body += c; });
        res.on('end', function () {
            if (res.statusCode === 200 && body === expect) {
                var ms = Number(process.hrtime.bigint() - t0) / 1e6;
                console.log(ms.toFixed(2) + ' ' + polls);
                process.exit(0);
            }
            again();
        });
    });
    req.on('error', again);
}

function again() {
    if (Number(process.hrtime.bigint() - t0) > 10e9) {
        console.error('reload-poll: no changed answer within 10 s');
        process.exit(1);
    }
    setTimeout(poll, 1);
}

fs.writeFileSync(file, text);
t0 = process.hrtime.bigint();
process.kill(pid, 'SIGHUP');
poll();
