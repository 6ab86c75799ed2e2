#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A tiny authoritative DNS server over UDP for tests/integration/apps-dns.sh.

    dns-server.py ADDR PORT LOG NAME=A[,AAAA]...

Answers A and AAAA queries for the NAMEs given, NOERROR with no answer for
their other types, NXDOMAIN for every other name; one line per query
("QNAME QTYPE") goes to LOG, so the test can tell that a name was (or was
not) asked over the network. Prints "ready" once bound.
"""
import ipaddress
import socket
import struct
import sys


def parse_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def answer(query, table):
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    if qd != 1 or flags & 0x8000:
        return None, None, None
    name, off = parse_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    rd = flags & 0x0100
    if name not in table:
        return name, qtype, struct.pack("!HHHHHH", qid, 0x8483 | rd, 1, 0, 0, 0) + question
    rdata = [a.packed for a in table[name]
             if (qtype == 1 and a.version == 4) or (qtype == 28 and a.version == 6)]
    out = struct.pack("!HHHHHH", qid, 0x8480 | rd, 1, len(rdata), 0, 0) + question
    for r in rdata:
        out += struct.pack("!HHHIH", 0xC00C, qtype, qclass, 60, len(r)) + r
    return name, qtype, out


def main():
    addr, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    table = {}
    for item in sys.argv[4:]:
        name, addrs = item.split("=", 1)
        table[name.lower()] = [ipaddress.ip_address(a) for a in addrs.split(",")]
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    with open(log, "a", buffering=1) as f:
        while True:
            query, peer = s.recvfrom(4096)
            try:
                name, qtype, out = answer(query, table)
            except (IndexError, struct.error, ValueError):
                continue
            if out is None:
                continue
            f.write("%s %d\n" % (name, qtype))
            s.sendto(out, peer)


if __name__ == "__main__":
    main()
