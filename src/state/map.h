/* map.h - the static address map: RFC 6052 prefix + RFC 7757 EAM table.
 *
 * Built once from a config and immutable afterwards. Longest-prefix match
 * in both directions in O(log n) per lookup. Dynamic pool entries live in
 * pool.h; the translator consults the pool for addresses inside dynamic-pool.
 */
#ifndef TAYGA_MAP_H
#define TAYGA_MAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct config;
struct map;

enum map_result {
	MAP_OK = 0,     /* translated */
	MAP_NONE,       /* no rule covers this address */
	MAP_FORBIDDEN,  /* covered, but must never be translated (addr classes, WKP + non-global) */
	MAP_MARTIAN,    /* an IPv4 martian (addr_v4_is_martian, or 169.254/16
			 * through the prefix): discard silently, RFC 1812 5.3.7 */
};

/* NULL on allocation failure only (the parser has validated the config). */
struct map *map_build(const struct config *c);
void map_free(struct map *m);

/* IPv4 -> IPv6: EAM (longest prefix; RFC 7757 3.2 suffix copy), then the
 * translator's own ipv4-addr -> ipv6-addr, then the RFC 6052 prefix
 * (never for 169.254/16, RFC 3927 2.7: MAP_MARTIAN).
 * Addresses inside dynamic-pool are not handled here (MAP_NONE unless an EAM
 * covers them). */
enum map_result map_4to6(const struct map *m, struct in_addr a, struct in6_addr *out);

/* The RFC 6052 prefix rule of map_4to6 alone (the source of a hairpinned
 * packet's second pass, RFC 7757 4.2). */
enum map_result map_4to6_prefix(const struct map *m, struct in_addr a, struct in6_addr *out);

/* IPv6 -> IPv4: EAM, then ipv6-addr -> ipv4-addr, then the RFC 6052 prefix
 * (u-octet and suffix ignored; a martian or 169.254/16 inside it is
 * MAP_MARTIAN, class E and WKP + non-global (wkpf-strict) MAP_FORBIDDEN). *via_prefix (may be NULL) tells whether the
 * prefix rule gave the result. */
enum map_result map_6to4(const struct map *m, const struct in6_addr *a, struct in_addr *out,
			 bool *via_prefix);

/* true when a is inside the dynamic-pool range */
bool map_v4_in_pool(const struct map *m, struct in_addr a);

/* true when an EAM entry covers a. Hairpinning (RFC 7757 4.2): an IPv6
 * destination taken through the prefix that lands here goes back to IPv6. */
bool map_v4_has_eam(const struct map *m, struct in_addr a);

#endif
