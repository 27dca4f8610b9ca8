#!/usr/bin/env python3
"""nettool.py - small traffic helpers for the namespace integration tests.

  udp-echo-server PORT [--family 4|6] [--idle SECONDS]
      echo every datagram back to its sender; exit after SECONDS without traffic
  udp-echo-client HOST PORT [--count N] [--max-size BYTES] [--seed S]
      send N datagrams of varied size and pseudo-random content, each one
      must come back byte for byte (retries on loss); exit 0 only if all did
  udp-burst-client HOST PORT [--count N] [--size BYTES] [--burst B]
      send same-size datagrams B at a time without waiting for the echoes,
      each must come back byte for byte (lost ones resent); exit 0 only if all did
  tcp-slow-send HOST PORT --bytes N --seconds T [--bind A] --save FILE
      connect and send N pseudo-random bytes spread over T seconds (a flow that
      is alive while the test changes something); FILE gets what was sent
  inject IFACE --mode MODE [--count N] [--seconds T] [--seed S] ...
      write packets straight into a network device with an AF_PACKET socket
      (used on the translator's tun from the translator's namespace, so the
      kernel's input validation is bypassed and the daemon reads exactly these
      bytes). MODE: malformed (every kind of broken IPv4/IPv6 packet),
      spray6 (valid UDP from random IPv6 sources in --src-net, for the pool),
      ttl1-6 (hop limit 1 packets: each asks for an ICMP error)
  count-icmp IFACE --seconds T
      count ICMP errors the daemon writes to IFACE (packets the host receives
      from the tun) for T seconds; prints "icmp4 N icmp6 M"

Only the standard library; talks only to the address it is given.
"""
import argparse
import hashlib
import ipaddress
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


def udp_burst_client(a):
    """Send datagrams of one size --burst at a time without waiting, then
    collect the echoes; each must come back byte for byte. Missing ones are
    sent again (a few rounds). Back-to-back datagrams of one flow are what
    the translator merges into one USO write, in both directions."""
    info = socket.getaddrinfo(a.host, a.port, 0, socket.SOCK_DGRAM)[0]
    s = socket.socket(info[0], socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if a.bind:
        s.bind((a.bind, 0))
    s.connect(info[4])
    s.settimeout(a.timeout)
    rnd = random.Random(a.seed)
    want = {}
    for seq in range(a.count):
        want[seq] = struct.pack("!I", seq) + rnd.randbytes(a.size - 4)
    missing = sorted(want)
    bad = resent = 0
    for rnd_no in range(a.retries + 1):
        if rnd_no:
            resent += len(missing)
        for i in range(0, len(missing), a.burst):
            batch = missing[i:i + a.burst]
            for seq in batch:
                s.send(want[seq])
            got = set()
            while len(got) < len(batch):
                try:
                    d = s.recv(65535)
                except (socket.timeout, ConnectionRefusedError):
                    break
                seq = struct.unpack("!I", d[:4])[0] if len(d) >= 4 else -1
                if want.get(seq) != d:
                    bad += 1
                elif seq in batch:
                    got.add(seq)
            for seq in got:
                want[seq] = None
        missing = [q for q in missing if want[q] is not None]
        if not missing:
            break
    print(f"udp-burst-client: {a.count} datagrams of {a.size} bytes in bursts of "
          f"{a.burst}, {resent} resent, {len(missing)} lost, {bad} corrupt",
          file=sys.stderr)
    return 0 if not missing and bad == 0 else 1


def tcp_slow_send(a):
    info = socket.getaddrinfo(a.host, a.port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(info[0], socket.SOCK_STREAM)
    if a.bind:
        s.bind((a.bind, 0))
    s.settimeout(30)
    s.connect(info[4])
    rnd = random.Random(a.seed)
    chunk = 16384
    nchunks = max(1, a.bytes // chunk)
    gap = a.seconds / nchunks
    h = hashlib.sha256()
    with open(a.save, "wb") as f:
        t0 = time.monotonic()
        for i in range(nchunks):
            data = rnd.randbytes(chunk)
            s.sendall(data)
            f.write(data)
            h.update(data)
            delay = t0 + (i + 1) * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    s.shutdown(socket.SHUT_WR)
    s.close()
    print(f"tcp-slow-send: {nchunks * chunk} bytes sha256 {h.hexdigest()}", file=sys.stderr)
    return 0


# ---- raw packet construction (independent, minimal) ----

def csum(data):
    if len(data) % 2:
        data += b"\0"
    t = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return (~t) & 0xFFFF


def ip4(src, dst, proto, payload, ttl=64, ident=0, flags_off=0, opts=b"",
        ihl=None, tot=None, bad_sum=False, tos=0):
    ihl_v = ihl if ihl is not None else 5 + len(opts) // 4
    tot_v = tot if tot is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl_v & 15), tos, tot_v & 0xFFFF, ident,
                    flags_off, ttl, proto, 0, src, dst) + opts
    c = csum(h) ^ (0x5555 if bad_sum else 0)
    h = h[:10] + struct.pack("!H", c) + h[12:]
    return h + payload


def ip6(src, dst, nh, payload, hlim=64, plen=None, tc=0, flow=0):
    plen_v = plen if plen is not None else len(payload)
    return struct.pack("!IHBB16s16s", (6 << 28) | (tc << 20) | flow,
                       plen_v & 0xFFFF, nh, hlim, src, dst) + payload


def udp4(src, dst, sport, dport, data, zero_sum=False):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    if zero_sum:
        return u
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def udp6(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(src + dst + struct.pack("!IxxxB", len(u), 17) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def icmp4(typ, code, rest, body):
    m = struct.pack("!BBH", typ, code, 0) + rest + body
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def icmp6(src, dst, typ, code, rest, body):
    m = struct.pack("!BBH", typ, code, 0) + rest + body
    c = csum(src + dst + struct.pack("!IxxxB", len(m), 58) + m)
    return m[:2] + struct.pack("!H", c) + m[4:]


class Gen:
    """Broken packets of many shapes. Addresses are ones the translator maps,
    so the packets get past the address checks into the deeper code."""

    def __init__(self, rnd, src6, dst6, src4, dst4):
        self.r = rnd
        self.s6, self.d6, self.s4, self.d4 = src6, dst6, src4, dst4

    def rb(self, n):
        return self.r.randbytes(n)

    def l4_4(self):
        r = self.r
        k = r.randrange(4)
        if k == 0:
            return 17, udp4(self.s4, self.d4, r.randrange(65536), 53, self.rb(r.randrange(64)),
                            zero_sum=r.random() < 0.3)
        if k == 1:
            return 6, struct.pack("!HHIIBBHHH", r.randrange(65536), 80, r.randrange(2**32), 0,
                                  r.choice([0x50, 0x20, 0xF0]), 2, 1000, r.randrange(65536), 0)
        if k == 2:
            return 1, icmp4(8, 0, self.rb(4), self.rb(r.randrange(64)))
        return r.randrange(256), self.rb(r.randrange(40))

    def l4_6(self):
        r = self.r
        k = r.randrange(4)
        if k == 0:
            return 17, udp6(self.s6, self.d6, r.randrange(65536), 53, self.rb(r.randrange(64)))
        if k == 1:
            return 6, struct.pack("!HHIIBBHHH", r.randrange(65536), 80, r.randrange(2**32), 0,
                                  r.choice([0x50, 0x20, 0xF0]), 2, 1000, r.randrange(65536), 0)
        if k == 2:
            return 58, icmp6(self.s6, self.d6, 128, 0, self.rb(4), self.rb(r.randrange(64)))
        return r.randrange(256), self.rb(r.randrange(40))

    def v4_inner(self, depth=0):
        """an IPv4 packet as quoted inside an ICMPv4 error (from d4 to s4)"""
        r = self.r
        proto, pl = self.l4_4()
        if depth < 2 and r.random() < 0.5:
            proto, pl = 1, icmp4(r.choice([3, 11, 12, 4, 5]), r.randrange(16), self.rb(4),
                                 self.v4_inner(depth + 1))
        p = ip4(self.d4, self.s4, proto, pl, ttl=r.randrange(256),
                tot=r.choice([None, None, r.randrange(65536)]),
                ihl=r.choice([None, None, r.randrange(16)]))
        return p[:r.randrange(len(p) + 1)] if r.random() < 0.4 else p

    def v6_inner(self, depth=0):
        r = self.r
        nh, pl = self.l4_6()
        if depth < 2 and r.random() < 0.5:
            nh, pl = 58, icmp6(self.d6, self.s6, r.choice([1, 2, 3, 4]), r.randrange(8),
                               self.rb(4), self.v6_inner(depth + 1))
        p = ip6(self.d6, self.s6, nh, pl, plen=r.choice([None, None, r.randrange(65536)]))
        return p[:r.randrange(len(p) + 1)] if r.random() < 0.4 else p

    def v4(self):
        r = self.r
        k = r.randrange(10)
        proto, pl = self.l4_4()
        opts = b""
        if k == 0:    # truncated anywhere, including inside the header
            p = ip4(self.s4, self.d4, proto, pl)
            return p[:r.randrange(len(p))]
        if k == 1:    # bad IHL
            return ip4(self.s4, self.d4, proto, pl, ihl=r.choice([0, 1, 4, 6, 15]))
        if k == 2:    # total length disagrees with the packet
            return ip4(self.s4, self.d4, proto, pl,
                       tot=r.choice([0, 19, 20, 21, 20 + len(pl) + r.randrange(1, 2000), 65535]))
        if k == 3:    # bad header checksum
            return ip4(self.s4, self.d4, proto, pl, bad_sum=True)
        if k == 4:    # options, some of them source routes, some malformed
            o = r.choice([bytes([0x83, 7, 4]) + self.rb(4), bytes([0x89, 11, 4]) + self.rb(8),
                          bytes([1, 1, 1, 1]), bytes([0x44, 0, 0, 0]), self.rb(r.randrange(1, 11) * 4)])
            opts = (o + b"\0" * 40)[:((len(o) + 3) // 4) * 4]
            return ip4(self.s4, self.d4, proto, pl, opts=opts)
        if k == 5:    # fragments of every shape
            off = r.choice([0, 1, 2, r.randrange(8192), 8191])
            flags = r.choice([0x2000, 0, 0x4000, 0x6000, 0x8000])
            return ip4(self.s4, self.d4, proto, pl[:r.randrange(len(pl) + 1)],
                       ident=r.randrange(65536), flags_off=flags | off)
        if k == 6:    # ICMP errors quoting (ICMP errors quoting ...) packets
            return ip4(self.s4, self.d4, 1,
                       icmp4(r.choice([3, 11, 12, 4]), r.randrange(16), self.rb(4), self.v4_inner()))
        if k == 7:    # TTL 0/1
            return ip4(self.s4, self.d4, proto, pl, ttl=r.choice([0, 1]))
        if k == 8:    # random bytes that claim to be IPv4
            return bytes([0x45]) + self.rb(r.randrange(80))
        return b""    # zero-length

    def v6(self):
        r = self.r
        k = r.randrange(9)
        nh, pl = self.l4_6()
        if k == 0:
            p = ip6(self.s6, self.d6, nh, pl)
            return p[:r.randrange(len(p))]
        if k == 1:    # payload length disagrees with the packet
            return ip6(self.s6, self.d6, nh, pl,
                       plen=r.choice([0, 1, len(pl) - 1, len(pl) + r.randrange(1, 2000), 65535]))
        if k == 2:    # extension-header chains
            chain = b""
            hdrs = [r.choice([0, 60, 43, 44, 60, 0, 51, 50, 135]) for _ in range(r.randrange(1, 6))]
            nexts = hdrs[1:] + [nh]
            for h, nx in zip(hdrs, nexts):
                if h == 44:
                    chain += struct.pack("!BBHI", nx, 0, r.choice([0, 1, 8, r.randrange(65536)]),
                                         r.randrange(2**32))
                elif h == 43:
                    n = r.randrange(3)
                    chain += struct.pack("!BBBB", nx, n * 2, r.randrange(5), r.randrange(4)) + \
                        self.rb(4 + 16 * n)
                else:
                    n = r.randrange(3)
                    chain += struct.pack("!BB", nx, r.choice([n, 255])) + self.rb(6 + 8 * n)
            body = chain + pl
            if r.random() < 0.3:
                body = body[:r.randrange(len(body) + 1)]
            return ip6(self.s6, self.d6, hdrs[0], body)
        if k == 3:    # fragments
            fh = struct.pack("!BBHI", nh, 0,
                             (r.choice([0, 1, 8, r.randrange(8192)]) << 3) | r.randrange(2),
                             r.randrange(2**32))
            return ip6(self.s6, self.d6, 44, fh + pl[:r.randrange(len(pl) + 1)])
        if k == 4:    # ICMPv6 errors quoting ICMPv6 errors
            return ip6(self.s6, self.d6, 58,
                       icmp6(self.s6, self.d6, r.choice([1, 2, 3, 4]), r.randrange(8),
                             self.rb(4), self.v6_inner()))
        if k == 5:
            return ip6(self.s6, self.d6, nh, pl, hlim=r.choice([0, 1]))
        if k == 6:    # non-translatable addresses
            bad = r.choice([b"\xff\x02" + b"\0" * 13 + b"\1", b"\xfe\x80" + self.rb(14),
                            b"\0" * 15 + b"\1", b"\0" * 16])
            return ip6(bad, self.d6, nh, pl) if r.random() < 0.5 else ip6(self.s6, bad, nh, pl)
        if k == 7:
            return bytes([0x60]) + self.rb(r.randrange(80))
        return b""


def martian(i, src6, dst6, src4, dst4):
    """Packets with an IPv4 martian (RFC 1812 5.3.7) as source or
    destination, IPv4 or embedded in dst6's /96 prefix, in turn."""
    pfx = dst6[:12]
    m = [bytes(ipaddress.IPv4Address(a).packed) for a in
         ("127.0.0.1", "0.1.1.1", "224.0.0.5", "255.255.255.255", "169.254.69.42")]
    k = i % 8
    if k == 0:      # the packet: next header 16, 128 bytes
        return ip6(src6, pfx + m[0], 16, b"\x5a" * 88)
    if k < 4:
        return ip6(src6, pfx + m[k], 17, udp6(src6, pfx + m[k], 40000, 9, b"martian"))
    if k == 4:
        return ip6(pfx + m[4], dst6, 17, udp6(pfx + m[4], dst6, 40000, 9, b"martian"))
    if k == 5:
        return ip4(src4, m[1], 17, udp4(src4, m[1], 40000, 9, b"martian"))
    if k == 6:
        return ip4(m[4], dst4, 17, udp4(m[4], dst4, 40000, 9, b"martian"))
    return ip4(src4, m[0], 17, udp4(src4, m[0], 40000, 9, b"martian"))


def open_inject(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)
    return s


def send_raw(s, iface, pkt):
    proto = 0x86DD if pkt[:1] and pkt[0] >> 4 == 6 else 0x0800
    try:
        s.sendto(pkt, (iface, proto))
        return True
    except OSError:
        return False


def inject(a):
    rnd = random.Random(a.seed)
    s = open_inject(a.iface)
    src6 = ipaddress.IPv6Address(a.src6).packed
    dst6 = ipaddress.IPv6Address(a.dst6).packed
    src4 = ipaddress.IPv4Address(a.src4).packed
    dst4 = ipaddress.IPv4Address(a.dst4).packed
    g = Gen(rnd, src6, dst6, src4, dst4)
    net = ipaddress.IPv6Network(a.src_net)
    sent = failed = 0
    t_end = time.monotonic() + a.seconds if a.seconds else None
    gap = 1.0 / a.rate if a.rate else 0
    t_next = time.monotonic()
    i = 0
    while (a.count is None or i < a.count) and (t_end is None or time.monotonic() < t_end):
        i += 1
        if a.mode == "malformed":
            pkt = g.v4() if rnd.random() < 0.5 else g.v6()
        elif a.mode == "spray6":
            host = net.network_address + rnd.randrange(1, min(net.num_addresses, 2**64) - 1)
            sp = host.packed
            pkt = ip6(sp, dst6, 17, udp6(sp, dst6, 40000 + i % 20000, 9, b"spray"))
        elif a.mode == "ttl1-6":
            pkt = ip6(src6, dst6, 17, udp6(src6, dst6, 40000, 9, b"x" * 32), hlim=1)
        elif a.mode == "ttl1-4":
            pkt = ip4(src4, dst4, 17, udp4(src4, dst4, 40000, 9, b"x" * 32), ttl=1)
        elif a.mode == "martian":
            pkt = martian(i, src6, dst6, src4, dst4)
        else:
            print("unknown mode", a.mode, file=sys.stderr)
            return 2
        if send_raw(s, a.iface, pkt):
            sent += 1
        else:
            failed += 1
        if gap:
            t_next += gap
            d = t_next - time.monotonic()
            if d > 0:
                time.sleep(d)
    print(f"inject {a.mode}: {sent} sent, {failed} refused by the kernel", file=sys.stderr)
    return 0


def count_icmp(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
    s.bind((a.iface, 0x0003))
    s.settimeout(0.2)
    n4 = n6 = 0
    t_end = time.monotonic() + a.seconds
    while time.monotonic() < t_end:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue    # our own injection, not the daemon's output
        if len(data) >= 21 and data[0] >> 4 == 4 and data[9] == 1:
            ihl = (data[0] & 15) * 4
            if len(data) > ihl and data[ihl] in (3, 4, 5, 11, 12):
                n4 += 1
        elif len(data) >= 41 and data[0] >> 4 == 6 and data[6] == 58:
            if data[40] < 128:
                n6 += 1
    print(f"icmp4 {n4} icmp6 {n6}")
    return 0


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
    q = sub.add_parser("udp-burst-client")
    q.add_argument("host")
    q.add_argument("port", type=int)
    q.add_argument("--count", type=int, default=2000)
    q.add_argument("--size", type=int, default=200)
    q.add_argument("--burst", type=int, default=50)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--timeout", type=float, default=1.0)
    q.add_argument("--retries", type=int, default=3)
    q.add_argument("--bind", default=None)
    q.set_defaults(fn=udp_burst_client)
    q = sub.add_parser("tcp-slow-send")
    q.add_argument("host")
    q.add_argument("port", type=int)
    q.add_argument("--bytes", type=int, default=1 << 20)
    q.add_argument("--seconds", type=float, default=5.0)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--bind", default=None)
    q.add_argument("--save", required=True)
    q.set_defaults(fn=tcp_slow_send)
    q = sub.add_parser("inject")
    q.add_argument("iface")
    q.add_argument("--mode", required=True)
    q.add_argument("--count", type=int, default=None)
    q.add_argument("--seconds", type=float, default=None)
    q.add_argument("--rate", type=float, default=0, help="packets/s, 0 = as fast as possible")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--src6", default="2001:db8:1::2")
    q.add_argument("--dst6", default="2001:db8:64::c000:202")
    q.add_argument("--src4", default="192.0.2.2")
    q.add_argument("--dst4", default="192.168.254.2")
    q.add_argument("--src-net", default="2001:db8:1::/64")
    q.set_defaults(fn=inject)
    q = sub.add_parser("count-icmp")
    q.add_argument("iface")
    q.add_argument("--seconds", type=float, default=3.0)
    q.set_defaults(fn=count_icmp)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
