# SPDX-License-Identifier: GPL-2.0
# Host-kernel end of `nuse-link tcp`: accept one connection, check the
# 30000 bytes it sends (i*13+7), send 30000 zero bytes back, close.
# Usage: tcp-peer.py ADDR PORT
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
d = b''
while len(d) < 30000:
    x = c.recv(65536)
    if not x: break
    d += x
ok = d == bytes((i * 13 + 7) & 255 for i in range(30000))
print('server got', len(d), 'ok' if ok else 'BAD', flush=True)
c.sendall(bytes(30000)); c.close()
