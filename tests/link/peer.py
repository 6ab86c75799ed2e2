#!/usr/bin/env python3
# Host-kernel peer for tests/link and bench/link.sh: bulk TCP with SHA-256,
# UDP echo checks, a UDP counting sink, TCP request-response.
#   peer.py send HOST PORT BYTES      random stream, prints sha256 and gbps
#   peer.py recv PORT [CONNS]         prints sha256/bytes per stream, gbps
#   peer.py sink PORT CONNS           CONNS streams at once, no hash: gbps
#   peer.py udp-check HOST PORT N     N datagrams of sizes 1..1400 echoed intact
#   peer.py udp-sink PORT             datagrams until 1 s of silence: kpps
#   peer.py rr HOST PORT N            1-byte round trips: mean microseconds
#   peer.py echo PORT                 TCP echo server (one connection at a time)
#   peer.py nooffload IFNAME          checksum/TSO/GSO offloads off
import hashlib
import os
import socket
import sys
import time


def size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
    return int(s[:-1] if mult > 1 else s) * mult


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(port, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    print("listening", flush=True)
    return s


def send(host, port, nbytes):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect((host, int(port)))
    h = hashlib.sha256()
    nbytes = size(nbytes)
    left = nbytes
    t0 = time.monotonic()
    while left:
        chunk = os.urandom(min(left, 1 << 20))
        h.update(chunk)
        s.sendall(chunk)
        left -= len(chunk)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    dt = time.monotonic() - t0
    print("send: bytes %s sha256 %s secs %.3f gbps %.3f"
          % (nbytes, h.hexdigest(), dt, nbytes * 8 / dt / 1e9), flush=True)


def recv(port, conns=1):
    ls = listen(int(port))
    ls.settimeout(60)
    buf = bytearray(1 << 20)
    for _ in range(int(conns)):
        c, _ = ls.accept()
        c.settimeout(60)
        h = hashlib.sha256()
        n = 0
        t0 = time.monotonic()
        while True:
            k = c.recv_into(buf)
            if not k:
                break
            h.update(memoryview(buf)[:k])
            n += k
        dt = time.monotonic() - t0
        c.close()
        print("recv: bytes %d sha256 %s secs %.3f gbps %.3f"
              % (n, h.hexdigest(), dt, n * 8 / dt / 1e9), flush=True)


def sink(port, conns):
    """CONNS streams at once, one thread each, no hashing: total gbps from
    the first accept to the last end of stream."""
    import threading
    ls = listen(int(port))
    ls.settimeout(60)
    total = [0]
    lock = threading.Lock()

    def drain(c):
        buf = bytearray(1 << 20)
        n = 0
        while True:
            k = c.recv_into(buf)
            if not k:
                break
            n += k
        c.close()
        with lock:
            total[0] += n

    threads = []
    t0 = None
    for _ in range(int(conns)):
        c, _ = ls.accept()
        if t0 is None:
            t0 = time.monotonic()
        t = threading.Thread(target=drain, args=(c,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    print("sink: bytes %d streams %s secs %.3f gbps %.3f"
          % (total[0], conns, dt, total[0] * 8 / dt / 1e9), flush=True)


def udp_check(host, port, n):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    s.connect((host, int(port)))
    ok = 0
    for i in range(int(n)):
        msg = (b"%08d" % i) * (1 + (i * 37) % 175)
        for _ in range(3):  # an echo may be lost at the very start (ARP)
            s.send(msg)
            try:
                if s.recv(65536) == msg:
                    ok += 1
                    break
            except socket.timeout:
                continue
    print("udp-check: %d of %s echoed intact" % (ok, n), flush=True)
    sys.exit(0 if ok == int(n) else 1)


def udp_sink(port):
    s = listen(int(port), socket.SOCK_DGRAM)
    s.settimeout(30)
    n = 0
    s.recv(65536)
    t0 = last = time.monotonic()
    n = 1
    s.settimeout(1)
    try:
        while True:
            s.recv(65536)
            n += 1
            if not n & 1023:
                last = time.monotonic()
    except socket.timeout:
        pass
    last = max(last, time.monotonic() - 1)
    print("udp-sink: datagrams %d secs %.3f kpps %.1f"
          % (n, last - t0, n / (last - t0) / 1e3), flush=True)


def rr(host, port, n):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(10)
    s.connect((host, int(port)))
    t0 = time.monotonic()
    for _ in range(int(n)):
        s.send(b"x")
        s.recv(1)
    dt = time.monotonic() - t0
    print("tcp-rr: round trips %s mean_us %.2f" % (n, dt * 1e6 / int(n)), flush=True)


def echo(port):
    ls = listen(int(port))
    while True:
        c, _ = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.close()


def nooffload(ifname):
    """Checksum and segmentation offloads off (no ethtool binary needed):
    a peer whose frames a DPDK PMD reads raw must send them finished."""
    import array
    import fcntl
    import struct
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO, ETHTOOL_SGSO
    for cmd in (0x17, 0x19, 0x1f, 0x24):
        val = array.array("B", struct.pack("II", cmd, 0))
        addr, _ = val.buffer_info()
        ifr = struct.pack("16sP", ifname.encode(), addr)
        fcntl.ioctl(s.fileno(), 0x8946, ifr)  # SIOCETHTOOL


if __name__ == "__main__":
    cmds = {"nooffload": nooffload, "sink": sink, "send": send, "recv": recv, "udp-check": udp_check,
            "udp-sink": udp_sink, "rr": rr, "echo": echo}
    cmds[sys.argv[1]](*sys.argv[2:])
