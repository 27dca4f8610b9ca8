#!/usr/bin/env python3
"""nettool.py - small traffic helpers for the namespace integration tests.

  udp-echo-server PORT [--family 4|6] [--idle SECONDS]
      echo every datagram back to its sender; exit after SECONDS without traffic
  udp-echo-client HOST PORT [--count N] [--max-size BYTES] [--seed S]
      send N datagrams of varied size and pseudo-random content, each one
      must come back byte for byte (retries on loss); exit 0 only if all did

Only the standard library; talks only to the address it is given.
"""
import argparse
import random
import socket
import struct
import sys
import time


def udp_echo_server(a):
    fam = socket.AF_INET6 if a.family == 6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # bind the address explicitly so replies leave from the address the
    # client talks to (a host with several addresses would pick any)
    addr = a.bind or ("::" if fam == socket.AF_INET6 else "0.0.0.0")
    s.bind((addr, a.port))
    s.settimeout(a.idle)
    n = 0
    while True:
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            break
        s.sendto(data, peer)
        n += 1
    print(f"udp-echo-server: echoed {n} datagrams", file=sys.stderr)
    return 0


def udp_echo_client(a):
    info = socket.getaddrinfo(a.host, a.port, 0, socket.SOCK_DGRAM)[0]
    s = socket.socket(info[0], socket.SOCK_DGRAM)
    if a.bind:
        s.bind((a.bind, 0))
    s.connect(info[4])
    s.settimeout(a.timeout)
    rnd = random.Random(a.seed)
    retries = 0
    failed = 0
    total = 0
    for seq in range(a.count):
        # sizes cover 0-byte payload, tiny, and up to max-size
        size = 0 if seq == 0 else rnd.randint(1, a.max_size) if seq % 7 else a.max_size
        body = struct.pack("!I", seq) + rnd.randbytes(max(0, size - 4))
        body = body[:size]
        ok = False
        for _attempt in range(a.retries + 1):
            s.send(body)
            deadline = time.monotonic() + a.timeout
            while time.monotonic() < deadline:
                try:
                    got = s.recv(65535)
                except (socket.timeout, ConnectionRefusedError):
                    break
                if got == body:
                    ok = True
                    break
                # a late echo of an earlier datagram: ignore it
            if ok:
                break
            retries += 1
        if not ok:
            failed += 1
            if failed > 5:
                break
        total += size
    print(f"udp-echo-client: {a.count} datagrams, {total} bytes, "
          f"{retries} retries, {failed} failed", file=sys.stderr)
    return 0 if failed == 0 else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("udp-echo-server")
    q.add_argument("port", type=int)
    q.add_argument("--family", type=int, default=4)
    q.add_argument("--idle", type=float, default=15.0)
    q.add_argument("--bind", default=None)
    q.set_defaults(fn=udp_echo_server)
    q = sub.add_parser("udp-echo-client")
    q.add_argument("host")
    q.add_argument("port", type=int)
    q.add_argument("--count", type=int, default=1000)
    q.add_argument("--max-size", type=int, default=1200)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--timeout", type=float, default=0.5)
    q.add_argument("--retries", type=int, default=5)
    q.add_argument("--bind", default=None)
    q.set_defaults(fn=udp_echo_client)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
