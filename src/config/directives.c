/* directives.c - one handler per tayga.conf directive and the directive table. */
#include "config/parser.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/addr.h"
#include "config/conf_paths.h"
#include "config/eam.h"
#include "lib/ratelimit.h"

/* ---- directives ---- */


static bool d_tun_device(struct parser *p, const char *name, char **argv, int argc)
{
	const char *s = argv[0];
	size_t n = strlen(s);

	(void)argc;
	/* Linux dev_valid_name(): < IFNAMSIZ, not "." / "..", no '/' ':' */
	if (n >= IFNAMSIZ)
		return fail(p, "%s: name \"%s\" is longer than %d characters", name, s, IFNAMSIZ - 1);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strpbrk(s, "/:"))
		return fail(p, "%s: \"%s\" is not a valid interface name", name, s);
	memcpy(p->c->tun_device, s, n + 1);
	return true;
}

static bool d_ipv4_addr(struct parser *p, const char *name, char **argv, int argc)
{
	char b[INET_ADDRSTRLEN];

	(void)argc;
	if (!parse_v4(p, name, argv[0], false, &p->c->ipv4_addr, NULL, NULL))
		return false;
	if (addr_v4_is_forbidden(p->c->ipv4_addr))
		return fail(p, "%s: %s is a reserved address that is never translated "
			    "(0/8, 127/8, 224/4, 240/4, 255.255.255.255)", name, fmt4(p->c->ipv4_addr, b));
	return true;
}

static bool d_ipv6_addr(struct parser *p, const char *name, char **argv, int argc)
{
	char b[INET6_ADDRSTRLEN];

	(void)argc;
	if (!parse_v6(p, name, argv[0], false, &p->c->ipv6_addr, NULL, NULL))
		return false;
	if (addr_v6_is_forbidden(&p->c->ipv6_addr))
		return fail(p, "%s: %s is a reserved address that is never translated "
			    "(::/8, fe80::/10, ff00::/8)", name, fmt6(&p->c->ipv6_addr, b));
	p->c->ipv6_addr_set = true;
	return true;
}

static bool d_prefix(struct parser *p, const char *name, char **argv, int argc)
{
	struct config *c = p->c;
	char b[INET6_ADDRSTRLEN];
	unsigned len;
	bool has_len;
	struct in6_addr m;

	(void)argc;
	if (!parse_v6(p, name, argv[0], true, &c->prefix, &len, &has_len))
		return false;
	if (!has_len)
		return fail(p, "%s: a prefix length is required (e.g. 64:ff9b::/96)", name);
	/* RFC 6052 2.2 */
	if (!addr_prefix_len_valid(len))
		return fail(p, "%s: length %u is not one of 32,40,48,56,64,96", name, len);
	if (!v6_host_bits_zero(&c->prefix, len)) {
		m = c->prefix;
		addr_v6_mask(&m, len);
		return fail(p, "%s: %s/%u has bits set after the prefix length (did you mean %s/%u?)",
			    name, argv[0], len, fmt6(&m, b), len);
	}
	/* RFC 6052 2.2: bits 64..71 (the u-octet) must be zero; they are part
	 * of the prefix only for a /96. */
	if (c->prefix.s6_addr[8] != 0)
		return fail(p, "%s: bits 64-71 of %s/%u must be zero (RFC 6052 section 2.2 u-octet)",
			    name, argv[0], len);
	if (c->prefix.s6_addr[0] == 0x00 && addr_v6_range_forbidden(&c->prefix, len))
		return fail(p, "%s: %s/%u would embed IPv4 addresses in ::/8, which is never translated "
			    "outside 64:ff9b::/96 and 64:ff9b:1::/48 (every IPv6 to IPv4 packet would be "
			    "dropped); use 64:ff9b::/96, a prefix inside 64:ff9b:1::/48 or your own",
			    name, argv[0], len);
	if (addr_v6_range_forbidden(&c->prefix, len))
		return fail(p, "%s: %s/%u is inside a reserved range (::/8, fe80::/10, ff00::/8)",
			    name, argv[0], len);
	c->prefix_len = (uint8_t)len;
	c->have_prefix = true;
	return true;
}

static bool d_wkpf_strict(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	if (!parse_bool(argv[0], &p->c->wkpf_strict))
		return fail(p, "%s: expected yes or no, not \"%s\"", name, argv[0]);
	return true;
}

static bool d_map(struct parser *p, const char *name, char **argv, int argc)
{
	struct config *c = p->c;
	struct eam e;
	unsigned l4, l6;
	char a4[64], a6[64];
	char b[INET6_ADDRSTRLEN];

	(void)argc;
	memset(&e, 0, sizeof(e));
	/* keep the original text for messages (parse_* split at '/') */
	snprintf(a4, sizeof(a4), "%s", argv[0]);
	snprintf(a6, sizeof(a6), "%s", argv[1]);
	if (!parse_v4(p, name, argv[0], true, &e.v4, &l4, NULL) ||
	    !parse_v6(p, name, argv[1], true, &e.v6, &l6, NULL))
		return false;
	/* RFC 7757 3.2: the IPv4 suffix bits follow the IPv6 prefix, so the
	 * IPv6 suffix must have room for them; it may be longer (the rest is
	 * zero towards IPv6 and ignored towards IPv4) */
	if (32 - l4 > 128 - l6)
		return fail(p, "%s: the IPv6 suffix of %s is shorter than the IPv4 suffix of %s "
			    "(128-%u < 32-%u; e.g. /24 pairs with /120 or shorter)", name, a6, a4, l6, l4);
	if (!v4_host_bits_zero(e.v4, l4))
		return fail(p, "%s: %s has bits set after the prefix length", name, a4);
	if (!v6_host_bits_zero(&e.v6, l6))
		return fail(p, "%s: %s has bits set after the prefix length", name, a6);
	if (v4_range_forbidden(e.v4, l4))
		return fail(p, "%s: %s is (or contains) a reserved IPv4 range that is never translated "
			    "(0/8, 127/8, 224/4, 240/4, 255.255.255.255)", name, a4);
	if (addr_v6_range_forbidden(&e.v6, l6))
		return fail(p, "%s: %s/%u is (or contains) a reserved IPv6 range that is never translated "
			    "(::/8 outside 64:ff9b::/96 and 64:ff9b:1::/48, fe80::/10, ff00::/8)",
			    name, fmt6(&e.v6, b), l6);
	e.len4 = (uint8_t)l4;
	e.len6 = (uint8_t)l6;
	e.line = p->line;
	e.file = p->in_map_file ? c->map_file : c->path;
	if (!grow(p, (void **)&c->maps, &p->cap_maps, c->nmaps, sizeof(*c->maps)))
		return false;
	c->maps[c->nmaps++] = e;
	return true;
}

static bool d_dynamic_pool(struct parser *p, const char *name, char **argv, int argc)
{
	struct config *c = p->c;
	unsigned len;
	bool has_len;
	char orig[64];

	(void)argc;
	snprintf(orig, sizeof(orig), "%s", argv[0]);
	if (!parse_v4(p, name, argv[0], true, &c->pool_addr, &len, &has_len))
		return false;
	if (!has_len)
		return fail(p, "%s: a prefix length is required (e.g. 192.168.255.0/24)", name);
	if (len > 31)
		return fail(p, "%s: length /%u is too long (at most /31: the lowest address is reserved)", name, len);
	if (!v4_host_bits_zero(c->pool_addr, len))
		return fail(p, "%s: %s has bits set after the prefix length", name, orig);
	if (v4_range_forbidden(c->pool_addr, len))
		return fail(p, "%s: %s is (or contains) a reserved range that is never translated "
			    "(0/8, 127/8, 224/4, 240/4, 255.255.255.255)", name, orig);
	c->pool_len = (uint8_t)len;
	c->have_pool = true;
	return true;
}

static bool d_data_dir(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	if (argv[0][0] != '/')
		return fail(p, "%s: \"%s\" must be an absolute path", name, argv[0]);
	if (!(p->c->data_dir = xstrdup(argv[0])))
		return fail(p, "out of memory");
	p->c->data_dir_line = p->line;
	return true;
}

/* kept as written; resolve_map_file() makes it absolute once data-dir is known */
static bool d_map_file(struct parser *p, const char *name, char **argv, int argc)
{
	(void)name;
	(void)argc;
	if (!(p->c->map_file = xstrdup(argv[0])))
		return fail(p, "out of memory");
	return true;
}

/* TAYGA main takes the mode by its first letters, case-insensitively:
 * "dr..." drop, "calc..." calc, "forw..." or "fwd..." fwd (so OPNsense's
 * `fwd` and `forward` both load). `reject` is ours: drop + ICMPv4 3/13. */
static bool d_udp_cksum_mode(struct parser *p, const char *name, char **argv, int argc)
{
	const char *v = argv[0];

	(void)argc;
	if (strncasecmp(v, "dr", 2) == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_DROP;
	else if (strncasecmp(v, "calc", 4) == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_CALC;
	else if (strncasecmp(v, "forw", 4) == 0 || strncasecmp(v, "fwd", 3) == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_FWD;
	else if (strcasecmp(v, "reject") == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_REJECT;
	else
		return fail(p, "%s: expected drop, calc, fwd (forward) or reject, not \"%s\"", name, v);
	return true;
}

static bool d_log(struct parser *p, const char *name, char **argv, int argc)
{
	static const struct { const char *w; unsigned bit; } words[] = {
		{ "drop", LOG_EV_DROP }, { "reject", LOG_EV_REJECT }, { "icmp", LOG_EV_ICMP },
		{ "self", LOG_EV_SELF }, { "dyn", LOG_EV_DYN },
	};
	unsigned mask = 0;

	for (int i = 0; i < argc; i++) {
		size_t k;

		if (strcasecmp(argv[i], "none") == 0) {
			if (argc != 1)
				return fail(p, "%s: \"none\" cannot be combined with other words", name);
			break;
		}
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (strcasecmp(argv[i], words[k].w) == 0)
				break;
		if (k == sizeof(words) / sizeof(words[0]))
			return fail(p, "%s: unknown event \"%s\" (expected drop, reject, icmp, self, dyn or none)",
				    name, argv[i]);
		mask |= words[k].bit;
	}
	p->c->log_events = mask;
	return true;
}

/* A number in [min, max]: seconds, entries, an MTU, ... */
static bool d_number(struct parser *p, const char *name, const char *arg, unsigned long min,
		     unsigned long max, unsigned *out)
{
	unsigned long v;

	if (!parse_uint(arg, min, max, &v))
		return fail(p, "%s: \"%s\" is not a number in %lu..%lu", name, arg, min, max);
	*out = (unsigned)v;
	return true;
}

/* The directives that take one number in a range (some also "auto") */
static const struct numeric {
	const char *name;
	unsigned long min, max;
	size_t off;          /* the unsigned field in struct config */
	bool takes_auto;     /* "auto" stores NUM_AUTO: the daemon decides */
} numerics[] = {
	/* RFC 8200 5: IPv6 minimum link MTU is 1280 */
	{ "offlink-mtu", 1280, 65535, offsetof(struct config, offlink_mtu), false },
	{ "workers", 0, 1024, offsetof(struct config, workers), false },
	{ "rx-hold-usecs", 0, RX_HOLD_MAX_US, offsetof(struct config, rx_hold_us), false },
	{ "rx-busy-poll-usecs", 0, RX_BUSY_POLL_MAX_US, offsetof(struct config, rx_busy_poll_us), true },
	{ "usage-interval", 0, 604800, offsetof(struct config, usage_interval), false },
	{ "usage-top", 0, 10000, offsetof(struct config, usage_top), false },
	{ "prefix-table-size", 16, 1u << 24, offsetof(struct config, prefix_table_size), false },
};

static bool d_numeric(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	for (size_t i = 0; i < sizeof(numerics) / sizeof(numerics[0]); i++) {
		const struct numeric *n = &numerics[i];
		unsigned *out = (unsigned *)(void *)((char *)p->c + n->off);
		if (strcasecmp(name, n->name) != 0)
			continue;
		if (n->takes_auto && strcasecmp(argv[0], "auto") == 0)
			return (*out = NUM_AUTO), true;
		return d_number(p, name, argv[0], n->min, n->max, out);
	}
	return fail(p, "%s: not a numeric directive", name);
}

static bool d_strict_frag_hdr(struct parser *p, const char *name, char **argv, int argc)
{
	bool dummy;

	/* Deprecated no-op kept so that old configs load. */
	if (argc == 1 && !parse_bool(argv[0], &dummy))
		return fail(p, "%s: expected yes or no, not \"%s\"", name, argv[0]);
	return true;
}

static bool d_tun_up(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	if (!parse_bool(argv[0], &p->c->tun_up))
		return fail(p, "%s: expected yes or no, not \"%s\"", name, argv[0]);
	p->c->tun_up_set = true;
	return true;
}

static bool parse_tun_addr(struct parser *p, const char *name, char *arg, bool route,
			   struct tun_addr *t)
{
	unsigned len;
	char orig[64];

	snprintf(orig, sizeof(orig), "%s", arg);
	memset(t, 0, sizeof(*t));
	if (strchr(arg, ':')) {
		t->family = AF_INET6;
		if (!parse_v6(p, name, arg, true, &t->a.v6, &len, NULL))
			return false;
		if (route && !v6_host_bits_zero(&t->a.v6, len))
			return fail(p, "%s: %s has bits set after the prefix length", name, orig);
	} else {
		t->family = AF_INET;
		if (!parse_v4(p, name, arg, true, &t->a.v4, &len, NULL))
			return false;
		if (route && !v4_host_bits_zero(t->a.v4, len))
			return fail(p, "%s: %s has bits set after the prefix length", name, orig);
	}
	t->len = (uint8_t)len;
	return true;
}

static bool d_tun_ip(struct parser *p, const char *name, char **argv, int argc)
{
	struct config *c = p->c;
	struct tun_addr t;

	(void)argc;
	if (!parse_tun_addr(p, name, argv[0], false, &t))
		return false;
	if (!grow(p, (void **)&c->tun_ips, &p->cap_ips, c->ntun_ips, sizeof(t)))
		return false;
	c->tun_ips[c->ntun_ips++] = t;
	return true;
}

static bool d_tun_route(struct parser *p, const char *name, char **argv, int argc)
{
	struct config *c = p->c;
	struct tun_addr t;

	(void)argc;
	if (!parse_tun_addr(p, name, argv[0], true, &t))
		return false;
	if (!grow(p, (void **)&c->tun_routes, &p->cap_routes, c->ntun_routes, sizeof(t)))
		return false;
	c->tun_routes[c->ntun_routes++] = t;
	return true;
}

static bool parse_tristate(struct parser *p, const char *name, const char *arg, enum tristate *m)
{
	if (strcasecmp(arg, "auto") == 0)
		*m = MODE_AUTO;
	else if (strcasecmp(arg, "on") == 0 || strcasecmp(arg, "yes") == 0)
		*m = MODE_ON;
	else if (strcasecmp(arg, "off") == 0 || strcasecmp(arg, "no") == 0)
		*m = MODE_OFF;
	else
		return fail(p, "%s: expected auto, on or off, not \"%s\"", name, arg);
	return true;
}

static bool d_offload(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	return parse_tristate(p, name, argv[0], &p->c->offload);
}

static bool d_io_uring(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	return parse_tristate(p, name, argv[0], &p->c->io_uring);
}

static bool d_dynamic_limit(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long plen, count;

	(void)argc;
	if (!parse_uint(argv[0], 1, 128, &plen))
		return fail(p, "%s: IPv6 prefix length \"%s\" is not a number in 1..128", name, argv[0]);
	if (!parse_uint(argv[1], 0, 1ul << 31, &count))
		return fail(p, "%s: count \"%s\" is not a number (0 = no limit)", name, argv[1]);
	p->c->dyn_limit_plen = (uint8_t)plen;
	p->c->dyn_limit_count = (unsigned)count;
	return true;
}

static bool d_rfc6791_v4(struct parser *p, const char *name, char **argv, int argc)
{
	char b[INET_ADDRSTRLEN];

	(void)argc;
	if (!parse_v4(p, name, argv[0], false, &p->c->rfc6791_v4, NULL, NULL))
		return false;
	if (addr_v4_is_forbidden(p->c->rfc6791_v4))
		return fail(p, "%s: %s is a reserved address (0/8, 127/8, 224/4, 240/4, 255.255.255.255)",
			    name, fmt4(p->c->rfc6791_v4, b));
	return true;
}

static bool d_rfc6791_v6(struct parser *p, const char *name, char **argv, int argc)
{
	char b[INET6_ADDRSTRLEN];

	(void)argc;
	if (!parse_v6(p, name, argv[0], false, &p->c->rfc6791_v6, NULL, NULL))
		return false;
	if (addr_v6_is_forbidden(&p->c->rfc6791_v6))
		return fail(p, "%s: %s is a reserved address (::/8, fe80::/10, ff00::/8)",
			    name, fmt6(&p->c->rfc6791_v6, b));
	return true;
}

static bool d_icmp_ratelimit(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long rate, burst;

	if (!parse_uint(argv[0], 0, 1000000, &rate))
		return fail(p, "%s: rate \"%s\" is not a number in 0..1000000 (errors per second, 0 = unlimited)",
			    name, argv[0]);
	if (argc == 2) {
		if (!parse_uint(argv[1], 1, 1000000, &burst))
			return fail(p, "%s: burst \"%s\" is not a number in 1..1000000", name, argv[1]);
	} else {
		/* same ratio as the default 100/50 */
		burst = rate / 2 ? rate / 2 : 1;
	}
	p->c->icmp_rate = (unsigned)rate;
	p->c->icmp_burst = (unsigned)burst;
	return true;
}

static bool d_stats_file(struct parser *p, const char *name, char **argv, int argc)
{
	(void)name;
	(void)argc;
	if (!(p->c->stats_file = resolve_path(p, argv[0])))
		return fail(p, "out of memory");
	p->c->stats_file_line = p->line;
	return true;
}

static bool d_stats_interval(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long v;

	(void)argc;
	if (!parse_uint(argv[0], 1, 86400, &v))
		return fail(p, "%s: \"%s\" is not a number of seconds in 1..86400", name, argv[0]);
	p->c->stats_interval = (unsigned)v;
	return true;
}

static bool d_usage_stats(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	if (!parse_bool(argv[0], &p->c->usage_stats))
		return fail(p, "%s: expected yes or no, not \"%s\"", name, argv[0]);
	return true;
}

static bool d_usage_prefix_len(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long l6, l4 = p->c->usage_plen4;

	if (!parse_uint(argv[0], 1, 128, &l6))
		return fail(p, "%s: IPv6 prefix length \"%s\" is not a number in 1..128", name, argv[0]);
	if (argc == 2 && !parse_uint(argv[1], 1, 32, &l4))
		return fail(p, "%s: IPv4 prefix length \"%s\" is not a number in 1..32", name, argv[1]);
	p->c->usage_plen6 = (uint8_t)l6;
	p->c->usage_plen4 = (uint8_t)l4;
	return true;
}

/* Bytes with an optional decimal suffix: 1500, 64k, 10M, 1G (k = 1000). */
static bool parse_bytes(const char *s, uint64_t *out)
{
	char num[24];
	size_t n = strlen(s);
	unsigned long v;
	uint64_t mult = 1;

	if (n == 0 || n >= sizeof(num))
		return false;
	switch (s[n - 1]) {
	case 'k': case 'K': mult = 1000; break;
	case 'm': case 'M': mult = 1000000; break;
	case 'g': case 'G': mult = 1000000000; break;
	default: break;
	}
	if (mult > 1)
		n--;
	memcpy(num, s, n);
	num[n] = '\0';
	if (!parse_uint(num, 1, RATELIMIT_MAX / mult, &v))
		return false;
	*out = (uint64_t)v * mult;
	return true;
}

static bool rate_burst(struct parser *p, const char *name, char **argv, uint64_t *rate,
		       uint64_t *burst)
{
	if (!parse_bytes(argv[0], rate))
		return fail(p, "%s: rate \"%s\" is not a byte count per second like 125000, 64k, 10M or 1G",
			    name, argv[0]);
	if (!parse_bytes(argv[1], burst))
		return fail(p, "%s: burst \"%s\" is not a byte count like 1500, 64k or 1M", name, argv[1]);
	return true;
}

static bool d_rate_limit(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long plen;

	(void)argc;
	if (!parse_uint(argv[0], 1, 128, &plen))
		return fail(p, "%s: IPv6 prefix length \"%s\" is not a number in 1..128", name, argv[0]);
	p->c->rl_plen = (uint8_t)plen;
	return rate_burst(p, name, argv + 1, &p->c->rl_rate, &p->c->rl_burst);
}

static bool d_rate_limit_total(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	return rate_burst(p, name, argv, &p->c->rl_total_rate, &p->c->rl_total_burst);
}

static const struct directive directives[] = {
	{ "tun-device", D_TUN_DEVICE, d_tun_device, 1, 1, false, "NAME" },
	{ "ipv4-addr", D_IPV4_ADDR, d_ipv4_addr, 1, 1, false, "ADDRESS" },
	{ "ipv6-addr", D_IPV6_ADDR, d_ipv6_addr, 1, 1, false, "ADDRESS" },
	{ "prefix", D_PREFIX, d_prefix, 1, 1, false, "PREFIX/LENGTH" },
	{ "wkpf-strict", D_WKPF_STRICT, d_wkpf_strict, 1, 1, false, "yes|no" },
	{ "map", D_MAP, d_map, 2, 2, true, "IPV4[/LEN] IPV6[/LEN]" },
	{ "dynamic-pool", D_DYNAMIC_POOL, d_dynamic_pool, 1, 1, false, "IPV4/LEN" },
	{ "data-dir", D_DATA_DIR, d_data_dir, 1, 1, false, "PATH" },
	{ "map-file", D_MAP_FILE, d_map_file, 1, 1, false, "PATH" },
	{ "udp-cksum-mode", D_UDP_CKSUM_MODE, d_udp_cksum_mode, 1, 1, false,
	  "drop|calc|fwd|reject" },
	{ "log", D_LOG, d_log, 1, 5, false, "drop reject icmp self dyn | none" },
	{ "offlink-mtu", D_OFFLINK_MTU, d_numeric, 1, 1, false, "MTU" },
	{ "strict-frag-hdr", D_STRICT_FRAG_HDR, d_strict_frag_hdr, 0, 1, false, "[yes|no]" },
	{ "tun-up", D_TUN_UP, d_tun_up, 1, 1, false, "yes|no" },
	{ "tun-ip", D_TUN_IP, d_tun_ip, 1, 1, true, "ADDRESS[/LEN]" },
	{ "tun-route", D_TUN_ROUTE, d_tun_route, 1, 1, true, "PREFIX[/LEN]" },
	{ "workers", D_WORKERS, d_numeric, 1, 1, false, "N" },
	{ "offload", D_OFFLOAD, d_offload, 1, 1, false, "auto|on|off" },
	{ "rx-hold-usecs", D_RX_HOLD_USECS, d_numeric, 1, 1, false, "MICROSECONDS" },
	{ "rx-busy-poll-usecs", D_RX_BUSY_POLL_USECS, d_numeric, 1, 1, false, "auto|MICROSECONDS" },
	{ "io-uring", D_IO_URING, d_io_uring, 1, 1, false, "auto|on|off" },
	{ "dynamic-limit", D_DYNAMIC_LIMIT, d_dynamic_limit, 2, 2, false, "PREFIXLEN COUNT" },
	{ "rfc6791-v4", D_RFC6791_V4, d_rfc6791_v4, 1, 1, false, "ADDRESS" },
	{ "rfc6791-v6", D_RFC6791_V6, d_rfc6791_v6, 1, 1, false, "ADDRESS" },
	{ "icmp-ratelimit", D_ICMP_RATELIMIT, d_icmp_ratelimit, 1, 2, false, "RATE [BURST]" },
	{ "stats-file", D_STATS_FILE, d_stats_file, 1, 1, false, "PATH" },
	{ "stats-interval", D_STATS_INTERVAL, d_stats_interval, 1, 1, false, "SECONDS" },
	{ "usage-stats", D_USAGE_STATS, d_usage_stats, 1, 1, false, "yes|no" },
	{ "usage-prefix-len", D_USAGE_PREFIX_LEN, d_usage_prefix_len, 1, 2, false, "IPV6LEN [IPV4LEN]" },
	{ "usage-interval", D_USAGE_INTERVAL, d_numeric, 1, 1, false, "SECONDS" },
	{ "usage-top", D_USAGE_TOP, d_numeric, 1, 1, false, "N" },
	{ "prefix-table-size", D_PREFIX_TABLE_SIZE, d_numeric, 1, 1, false, "ENTRIES" },
	{ "rate-limit", D_RATE_LIMIT, d_rate_limit, 3, 3, false, "PREFIXLEN RATE BURST" },
	{ "rate-limit-total", D_RATE_LIMIT_TOTAL, d_rate_limit_total, 2, 2, false, "RATE BURST" },
};

const struct directive *directive_find(const char *name)
{
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (strcasecmp(name, directives[i].name) == 0)
			return &directives[i];
	return NULL;
}
