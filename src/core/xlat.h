/* xlat.h - the translation API (the packet buffer is lib/pkt.h).
 *
 * Translation functions do no I/O and touch no globals: everything they need
 * comes in through struct xlat_ctx, and every packet they produce leaves
 * through ctx->emit(). Unit tests and fuzzers call them on byte buffers.
 */
#ifndef TAYGA_XLAT_H
#define TAYGA_XLAT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/model.h"
#include "lib/pkt.h"
#include "state/map.h"
#include "state/pool.h"
#include "lib/ratelimit.h"
#include "core/counters.h"

/* Verdicts. XLAT_DROP means the packet was counted once in stats->drops
 * under its reason `why` (and an ICMP error about it may have been emitted);
 * callers above the translator (accounting) read the reason here. */
enum xlat_verdict { XLAT_OK = 0, XLAT_DROP = 1 };
struct xlat_result {
	enum xlat_verdict verdict;
	enum drop_reason why;        /* XLAT_DROP; DROP_MAX with XLAT_OK */
};
#define XLAT_TAKEN ((struct xlat_result){ .verdict = XLAT_OK, .why = DROP_MAX })

/* An output (struct xlat_ctx's emit). */
typedef struct xlat_result (*xlat_emit_fn)(void *arg, const struct pkt *p);

/* Translator-wide settings derived from struct config + tun facts. */
struct xlat_cfg {
	const struct config *conf;   /* owns the settings below it */
	const struct map *map;
	unsigned mtu;                /* tun MTU: largest packet we may emit */
};

struct xlat_ctx {
	const struct xlat_cfg *cfg;
	struct pool *pool;           /* NULL without dynamic-pool */
	struct xlat_counters *stats; /* what the translator counts */
	struct ratelimit *icmp_rl;   /* ICMP errors we generate */
	uint16_t ip4_id;             /* next IPv4 Identification (seed it randomly) */
	time_t now;                  /* wall clock seconds, for the pool */
	uint64_t now_ms;             /* monotonic ms, for the rate limiter */

	/* Output: called for each packet produced (the translated packet, an
	 * ICMP error, a fragment). The packet is valid only during the call.
	 * Returns XLAT_TAKEN, or XLAT_DROP with the reason it was refused
	 * (a rate limit around the translator): the translator counts that
	 * drop. */
	xlat_emit_fn emit;
	void *emit_arg;

	/* Optional event log for `log` directive classes (LOG_EV_*). */
	void (*log)(void *arg, unsigned ev, const char *msg);
	void *log_arg;

	/* Scratch buffer of PKT_BUF_SIZE bytes for ICMP errors and fragments. */
	uint8_t *scratch;
};


/* Translate one packet read from the tun: parse once, classify, map,
 * check, rewrite in place (data moves into headroom), emit; or drop it with
 * one reason and the ICMP error the RFC asks for. Dispatches on the IP
 * version nibble; hairpinning (RFC 7757 4.2) is decided here. A packet whose
 * one output emit refused is dropped under the reason emit gave. */
struct xlat_result xlat_packet(struct xlat_ctx *x, struct pkt *p);

/* Send an ICMP error about the packet `orig` (len bytes as received) from
 * ipv4-addr / ipv6-addr, as the translator does for packets it can't
 * forward. Applies the RFC rules for never answering (ICMP errors, non-first
 * fragments, multicast/broadcast/unspecified sources) and the rate limiter
 * (stats->icmp_ratelimited). `info` is the 32-bit field after the checksum
 * in host order (MTU or pointer). Returns true when sent. */
bool icmp4_send_error(struct xlat_ctx *x, const uint8_t *orig, size_t len,
		      uint8_t type, uint8_t code, uint32_t info);
bool icmp6_send_error(struct xlat_ctx *x, const uint8_t *orig, size_t len,
		      uint8_t type, uint8_t code, uint32_t info);
/* Echo reply for a ping to ipv4-addr / ipv6-addr given as bytes; false
 * when it is not answered (counted under its drop reason). */
bool icmp4_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len);
bool icmp6_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len);

#endif
