/* test_ip6.c - lib/ip6: the IPv6 extension header walk (RFC 8200 4), on
 * header chains built byte by byte here. */
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ip6.h"
#include "lib/checkrun.h"

static uint8_t pkt[512];
static size_t plen;

/* start an IPv6 header whose Next Header is nh */
static void start(uint8_t nh)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[6] = nh;
	pkt[7] = 64;
	plen = 40;
}

/* append a generic extension header (Hop-by-Hop, Destination Options,
 * Routing): 8 * (units + 1) bytes; byte 3 of a Routing header is Segments Left */
static void ext(uint8_t next, uint8_t units, uint8_t b3)
{
	pkt[plen] = next;
	pkt[plen + 1] = units;
	pkt[plen + 3] = b3;
	plen += (size_t)(units + 1) * 8;
}

static void frag(uint8_t next, uint16_t offset, int more, uint32_t id)
{
	uint16_t v = (uint16_t)(offset | (more ? 1 : 0));

	pkt[plen] = next;
	pkt[plen + 2] = (uint8_t)(v >> 8);
	pkt[plen + 3] = (uint8_t)v;
	pkt[plen + 4] = (uint8_t)(id >> 24);
	pkt[plen + 5] = (uint8_t)(id >> 16);
	pkt[plen + 6] = (uint8_t)(id >> 8);
	pkt[plen + 7] = (uint8_t)id;
	plen += 8;
}

START_TEST(no_extension_headers)
{
	struct ip6_info in;

	start(IPPROTO_UDP);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.proto, IPPROTO_UDP);
	ck_assert_uint_eq(in.l4off, 40);
	ck_assert_uint_eq(in.nh_at, 6);
	ck_assert(!in.frag);
	ck_assert_uint_eq(in.segleft_at, 0);
}
END_TEST

START_TEST(hop_by_hop_and_destination_options)
{
	struct ip6_info in;

	start(IPPROTO_HOPOPTS);
	ext(IPPROTO_DSTOPTS, 0, 0);          /* 8 bytes at 40 */
	ext(IPPROTO_TCP, 1, 0);              /* 16 bytes at 48 */
	plen += 20;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.proto, IPPROTO_TCP);
	ck_assert_uint_eq(in.l4off, 64);
	ck_assert_uint_eq(in.nh_at, 48);     /* the Destination Options header names TCP */
}
END_TEST

START_TEST(routing_segments_left)
{
	struct ip6_info in;

	/* RFC 7915 5.1: a Routing header with Segments Left != 0 is
	 * reported by the offset of that field */
	start(IPPROTO_ROUTING);
	ext(IPPROTO_UDP, 2, 1);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.segleft_at, 43);
	ck_assert_uint_eq(in.l4off, 64);
	/* Segments Left 0: nothing to report */
	start(IPPROTO_ROUTING);
	ext(IPPROTO_UDP, 2, 0);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.segleft_at, 0);
}
END_TEST

START_TEST(fragments)
{
	struct ip6_info in;

	/* first fragment: the walk goes on to the upper-layer header */
	start(IPPROTO_FRAGMENT);
	frag(IPPROTO_UDP, 0, 1, 0x87654321);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert(in.frag);
	ck_assert(in.frag_more);
	ck_assert_uint_eq(in.frag_off, 0);
	ck_assert_uint_eq(in.frag_id, 0x87654321);
	ck_assert_uint_eq(in.proto, IPPROTO_UDP);
	ck_assert_uint_eq(in.l4off, 48);
	/* a later fragment: what follows is data, not a header */
	start(IPPROTO_FRAGMENT);
	frag(IPPROTO_TCP, 1232, 0, 5);
	pkt[plen] = IPPROTO_ROUTING; /* data that looks like a header */
	plen += 16;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.frag_off, 1232);
	ck_assert(!in.frag_more);
	ck_assert_uint_eq(in.proto, IPPROTO_TCP);
	ck_assert_uint_eq(in.l4off, 48);
	/* an extension header after the Fragment header (RFC 7915 5.1.1) */
	start(IPPROTO_FRAGMENT);
	frag(IPPROTO_DSTOPTS, 0, 0, 1);
	ext(IPPROTO_UDP, 0, 0);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert(in.ext_after_frag);
	/* two Fragment headers are malformed */
	start(IPPROTO_FRAGMENT);
	frag(IPPROTO_FRAGMENT, 0, 1, 1);
	frag(IPPROTO_UDP, 0, 1, 1);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), -1);
}
END_TEST

START_TEST(authentication_header_length)
{
	struct ip6_info in;

	/* RFC 4302 2.2: Payload Len in 4-octet units, minus 2: 4 -> 24 bytes */
	start(IPPROTO_AH);
	pkt[40] = IPPROTO_UDP;
	pkt[41] = 4;
	plen += 24 + 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.l4off, 64);
	ck_assert_uint_eq(in.proto, IPPROTO_UDP);
}
END_TEST

START_TEST(esp_is_upper_layer)
{
	struct ip6_info in;

	ck_assert(!ip6_is_ext(IPPROTO_ESP));
	ck_assert(ip6_is_ext(IPPROTO_HOPOPTS));
	ck_assert(ip6_is_ext(135));
	start(IPPROTO_ESP);
	plen += 16;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.proto, IPPROTO_ESP);
	ck_assert_uint_eq(in.l4off, 40);
}
END_TEST

START_TEST(truncated_and_too_long)
{
	struct ip6_info in;

	/* the header's length runs past the packet */
	start(IPPROTO_HOPOPTS);
	ext(IPPROTO_UDP, 3, 0);                 /* claims 32 bytes */
	ck_assert_int_eq(ip6_walk(pkt, 40 + 16, &in), -1);
	/* not even its first 8 bytes are there */
	ck_assert_int_eq(ip6_walk(pkt, 44, &in), -1);
	/* IP6_MAX_EXT headers are walked, one more is refused */
	start(IPPROTO_DSTOPTS);
	for (int i = 0; i < IP6_MAX_EXT - 1; i++)
		ext(IPPROTO_DSTOPTS, 0, 0);
	ext(IPPROTO_UDP, 0, 0);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), 0);
	ck_assert_uint_eq(in.l4off, 40 + 8 * IP6_MAX_EXT);
	start(IPPROTO_DSTOPTS);
	for (int i = 0; i < IP6_MAX_EXT; i++)
		ext(IPPROTO_DSTOPTS, 0, 0);
	ext(IPPROTO_UDP, 0, 0);
	plen += 8;
	ck_assert_int_eq(ip6_walk(pkt, plen, &in), -1);
}
END_TEST

CHECK_MAIN("ip6",
	   no_extension_headers,
	   hop_by_hop_and_destination_options,
	   routing_segments_left,
	   fragments,
	   authentication_header_length,
	   esp_is_upper_layer,
	   truncated_and_too_long)
