#!/usr/bin/env python3
# probe.py PORT SECONDS: GET /ping on a new connection every 20 ms for
# SECONDS, one line per answer: its time in milliseconds (connect to the
# end of the answer). bff.sh runs it at real-time priority on the
# server's core when it can, so that it times the worker, not its own
# wait for a CPU.
import socket
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + seconds
while time.monotonic() < end:
    t = time.perf_counter()
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(b'GET /ping HTTP/1.1\r\nHost: ping\r\nConnection: close\r\n\r\n')
    while s.recv(4096):
        pass
    s.close()
    print('%.3f' % ((time.perf_counter() - t) * 1000), flush=True)
    time.sleep(0.02)
