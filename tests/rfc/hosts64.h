/* hosts64.h - the hosts of the IPv6 -> IPv4 vectors (CONF64): the IPv6 host
 * H = 2001:db8:1::5 is mapped 1:1 to 192.0.2.5 (RFC 7757), the IPv4 host
 * R = 203.0.113.9 is reached through the network-specific /96 prefix as
 * 2001:db8:64::cb00:7109 (RFC 6052 2.2: last 32 bits), RT6 is an IPv6
 * router without a mapping. No include guard (see hosts46.h). */
#undef H4
#undef H6
#undef V4
#undef V6
#undef R4
#undef R6
#undef RT6
#define H6  "2001:db8:1::5"
#define H4  "192.0.2.5"
#define R6  "2001:db8:64::cb00:7109"
#define R4  "203.0.113.9"
#define RT6 "2001:db8:1::1"
