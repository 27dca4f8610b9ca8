/* hosts46.h - the hosts of the IPv4 -> IPv6 vectors (CONF46: prefix
 * 2001:db8:64::/96, network-specific, RFC 6052 2.2 /96 layout): H an IPv4
 * host, V an IPv6 host seen from IPv4 as V4, R an IPv4 router that reports
 * errors. No include guard: a file that holds vectors of both directions
 * includes hosts46.h or hosts64.h before each part. */
#undef H4
#undef H6
#undef V4
#undef V6
#undef R4
#undef R6
#undef RT6
#define H4 "198.51.100.7"
#define H6 "2001:db8:64::c633:6407"
#define V4 "203.0.113.9"
#define V6 "2001:db8:64::cb00:7109"
#define R4 "198.51.100.254"
#define R6 "2001:db8:64::c633:64fe"
