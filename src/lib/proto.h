/* proto.h - protocol constants shared by the translator, the ICMP builder
 * and the offload helpers (one place instead of a copy per file). */
#ifndef TAYGA_PROTO_H
#define TAYGA_PROTO_H

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>

#define IP4_HDR  20   /* IPv4 header without options */
#define IP6_HDR  40   /* fixed IPv6 header */
#define FRAG_HDR 8    /* IPv6 Fragment header (RFC 8200 4.5) */
#define ICMP_HDR 8    /* type, code, checksum, 32-bit field */

/* RFC 1812 4.3.2.3 / RFC 7915 5.2: an ICMPv4 error holds as much of the
 * original as fits in 576 bytes. RFC 4443 2.4(c) / RFC 7915 4.2: an ICMPv6
 * error must not exceed the IPv6 minimum MTU. */
#define ICMP4_ERR_MAX 576
#define ICMP6_ERR_MAX 1280

/* RFC 7915 5.1: an IPv4 packet translated from IPv6 without a Fragment
 * header gets DF=1 when it is bigger than this (1280 - 20). */
#define IP4_DF_MIN 1260

/* IPv4 fragment field (RFC 791) */
#define IP4_DF      0x4000
#define IP4_MF      0x2000
#define IP4_OFFMASK 0x1fff

/* RFC 4443 3.1 code 5, not named by every libc */
#define ICMP6_DST_UNREACH_POLICY 5

/* TTL / hop limit of the messages we originate (RFC 1700 default TTL). */
#define OWN_TTL 64

#endif
