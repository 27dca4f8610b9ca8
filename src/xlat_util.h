/* xlat_util.h - helpers shared by the two translation directions (xlat.c).
 * Internal to the translator. */
#ifndef TAYGA_XLAT_UTIL_H
#define TAYGA_XLAT_UTIL_H

#include "xlat.h"

/* Address mapping for translated packets: EAM / own address / prefix, and
 * the dynamic pool. 4to6 never creates pool entries; 6to4 creates one only
 * when create is set (an IPv6 source of IPv6-side traffic). On failure *why
 * says what to count. */
bool xlat_addr_4to6(struct xlat_ctx *x, struct in_addr a, struct in6_addr *out,
		    enum drop_reason *why);
bool xlat_addr_6to4(struct xlat_ctx *x, const struct in6_addr *a, struct in_addr *out,
		    bool create, enum drop_reason *why);

/* One's complement update of an uncomplemented checksum seed (a
 * NEEDS_CSUM pseudo-header sum): seed - old + new. */
uint16_t xlat_seed_replace(uint16_t seed, uint32_t old_sum, uint32_t new_sum);

/* Resolve NEEDS_CSUM in software (gso_csum_complete), 0 or -1. */
int xlat_csum_complete(struct pkt *p);

/* Emit len bytes built at x->scratch + PKT_HEADROOM. */
void xlat_emit_scratch(struct xlat_ctx *x, size_t len);

/* ICMPv4 types that are error messages (RFC 792/1812) */
bool xlat_icmp4_is_error(uint8_t type);

#endif
