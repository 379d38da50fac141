#!/usr/bin/env python3
# probe.py PORT SECONDS: GET /ping on a new connection every 20 ms for
# SECONDS, one line per answer: its time in milliseconds (connect to the
# end of the answer). bff.sh runs it at real-time priority on the
# server's core when it can, so that it times the worker, not its own
# wait for a CPU.
#
# The first connection of a Python process loads and sets up the C
# library's resolver (getaddrinfo, even for a numeric address): 1.1-1.6
# ms against 0.3 for the next ones on an idle nginx, and 14-18 ms on a
# loaded core, which was every run's maximum. So the resolver is warmed
# before the first timed probe, without a request to the server.
import socket
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
socket.getaddrinfo('127.0.0.1', port, 0, socket.SOCK_STREAM)
socket.socket().close()
time.sleep(0.02)
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
