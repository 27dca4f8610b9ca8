/* conf.c - tayga.conf parser.
 *
 * Two passes: every line is parsed and checked on its own (syntax, ranges,
 * masks, reserved addresses), then cross_check() validates the combination
 * (mandatory directives, ipv6-addr derivation, WKP rules, map overlaps,
 * pool). Every error is "file:line: directive: message"; errors that concern
 * the whole file (a missing directive) are "file: message".
 *
 * Library code: no stderr, no globals; the caller gets the message in err.
 */
#include "config/conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
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

/* Refuse files bigger than this (a map-file with a million lines is ~50 MB) */
#define CONF_MAX_FILE (64u * 1024 * 1024)
#define MAX_ARGS 8
/* map-file warnings kept; the rest are counted in one last line */
#define MAX_WARNINGS 200

enum dir_id {
	D_TUN_DEVICE, D_IPV4_ADDR, D_IPV6_ADDR, D_PREFIX, D_WKPF_STRICT, D_MAP,
	D_DYNAMIC_POOL, D_DATA_DIR, D_MAP_FILE, D_UDP_CKSUM_MODE, D_LOG,
	D_OFFLINK_MTU, D_STRICT_FRAG_HDR, D_TUN_UP, D_TUN_IP, D_TUN_ROUTE,
	D_WORKERS, D_OFFLOAD, D_DYNAMIC_LIMIT, D_RFC6791_V4, D_RFC6791_V6,
	D_ICMP_RATELIMIT, D_STATS_FILE, D_STATS_INTERVAL, D_IO_URING,
	D_USAGE_STATS, D_USAGE_PREFIX_LEN, D_USAGE_INTERVAL, D_USAGE_TOP,
	D_PREFIX_TABLE_SIZE, D_RATE_LIMIT, D_RATE_LIMIT_TOTAL,
	D_COUNT
};

struct parser {
	struct config *c;
	const char *file;       /* name used in messages for the current file */
	const char *dir;        /* directory of the config file for relative paths, or NULL */
	char *err;
	size_t errlen;
	unsigned line;          /* current line */
	unsigned seen[D_COUNT]; /* line each directive was first given on, 0 = never */
	bool in_map_file;
	const struct conf_text *maps; /* map-file contents supplied by the caller */
	struct conf_text *keep;       /* receives the texts read, or NULL */
	size_t cap_maps, cap_ips, cap_routes;
	struct warning *warn;   /* map-file lines skipped, sorted at the end */
	size_t nwarn, cap_warn, warn_dropped;
};

struct warning {
	unsigned line;
	size_t seq;
	char *msg;
};

/* ---- messages ---- */

__attribute__((format(printf, 4, 5)))
static bool fail_at(struct parser *p, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(p->err, p->errlen, file, line, fmt, ap);
	va_end(ap);
	return false;
}

#define fail(p, ...) fail_at((p), (p)->file, (p)->line, __VA_ARGS__)

/* "line 7" when other is in the same file as the message, else "maps.txt:7" */
static const char *where(char *buf, size_t len, const char *msgfile, const char *file, unsigned line)
{
	if (strcmp(msgfile, file) == 0)
		snprintf(buf, len, "line %u", line);
	else
		snprintf(buf, len, "%s:%u", file, line);
	return buf;
}

/* ---- small parsers ---- */

/* Decimal unsigned in [min, max]; no sign, no spaces, no overflow. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		if (v > (ULONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Split "addr/len" in place. *len_str is NULL without a '/'. */
static void split_len(char *s, char **len_str)
{
	char *slash = strchr(s, '/');

	*len_str = NULL;
	if (slash) {
		*slash = '\0';
		*len_str = slash + 1;
	}
}

/* Parse "a.b.c.d[/n]"; has_len tells whether /n was given (len = 32 if not). */
static bool parse_v4(struct parser *p, const char *dname, char *arg, bool allow_len,
		     struct in_addr *a, unsigned *len, bool *has_len)
{
	char *ls;
	unsigned long l = 32;

	split_len(arg, &ls);
	if (inet_pton(AF_INET, arg, a) != 1)
		return fail(p, "%s: \"%s\" is not an IPv4 address", dname, arg);
	if (ls) {
		if (!allow_len)
			return fail(p, "%s: takes an address without a /length", dname);
		if (!parse_uint(ls, 0, 32, &l))
			return fail(p, "%s: invalid IPv4 prefix length \"/%s\" (0..32)", dname, ls);
	}
	if (len)
		*len = (unsigned)l;
	if (has_len)
		*has_len = ls != NULL;
	return true;
}

static bool parse_v6(struct parser *p, const char *dname, char *arg, bool allow_len,
		     struct in6_addr *a, unsigned *len, bool *has_len)
{
	char *ls;
	unsigned long l = 128;

	split_len(arg, &ls);
	if (inet_pton(AF_INET6, arg, a) != 1)
		return fail(p, "%s: \"%s\" is not an IPv6 address", dname, arg);
	if (ls) {
		if (!allow_len)
			return fail(p, "%s: takes an address without a /length", dname);
		if (!parse_uint(ls, 0, 128, &l))
			return fail(p, "%s: invalid IPv6 prefix length \"/%s\" (0..128)", dname, ls);
	}
	if (len)
		*len = (unsigned)l;
	if (has_len)
		*has_len = ls != NULL;
	return true;
}

static const char *fmt4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static const char *fmt6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static bool v4_host_bits_zero(struct in_addr a, unsigned len)
{
	return (ntohl(a.s_addr) & ~addr_v4_mask(len)) == 0;
}

static bool v6_host_bits_zero(const struct in6_addr *a, unsigned len)
{
	struct in6_addr m = *a;

	addr_v6_mask(&m, len);
	return memcmp(&m, a, sizeof(m)) == 0;
}

/* Two prefixes overlap iff they agree on the shorter length (they nest). */
static bool v4_overlap(struct in_addr a, unsigned la, struct in_addr b, unsigned lb)
{
	uint32_t m = addr_v4_mask(la < lb ? la : lb);

	return (ntohl(a.s_addr) & m) == (ntohl(b.s_addr) & m);
}

static bool v6_overlap(const struct in6_addr *a, unsigned la, const struct in6_addr *b, unsigned lb)
{
	struct in6_addr x = *a, y = *b;
	unsigned l = la < lb ? la : lb;

	addr_v6_mask(&x, l);
	addr_v6_mask(&y, l);
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* Does a v4 prefix touch a never-translated range? Those ranges (0/8,
 * 127/8, 224/4, 240/4, 255.255.255.255) are unions of whole /8 blocks, so
 * testing the first address of every /8 the prefix touches is exact. */
static bool v4_range_forbidden(struct in_addr a, unsigned len)
{
	uint32_t base = ntohl(a.s_addr) & addr_v4_mask(len);
	uint32_t blocks = len >= 8 ? 1 : 1u << (8 - len);

	for (uint32_t i = 0; i < blocks; i++) {
		struct in_addr t = { htonl(base + (i << 24)) };
		if (len >= 8)
			t.s_addr = htonl(base);
		if (addr_v4_is_forbidden(t))
			return true;
	}
	return false;
}

static bool is_wkp(const struct config *c)
{
	return c->have_prefix && c->prefix_len == 96 &&
	       memcmp(&c->prefix, &addr_wkp, sizeof(c->prefix)) == 0;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* dir/path, or path when it is absolute or dir is NULL */
static char *join_path(const char *dir, const char *path)
{
	size_t dl, pl;
	char *r;

	if (path[0] == '/' || !dir)
		return xstrdup(path);
	dl = strlen(dir);
	if (dl && dir[dl - 1] == '/')
		dl--;
	pl = strlen(path);
	r = malloc(dl + 1 + pl + 1);
	if (!r)
		return NULL;
	memcpy(r, dir, dl);
	r[dl] = '/';
	memcpy(r + dl + 1, path, pl + 1);
	return r;
}

/* Relative paths are taken relative to the directory of the config file so
 * that a reload after the daemon did chdir("/") reads the same file. */
static char *resolve_path(const struct parser *p, const char *path)
{
	return join_path(p->dir, path);
}

static bool grow(struct parser *p, void **arr, size_t *cap, size_t n, size_t elem)
{
	void *na;
	size_t nc;

	if (n < *cap)
		return true;
	nc = *cap ? *cap * 2 : 16;
	if (nc > SIZE_MAX / elem || !(na = realloc(*arr, nc * elem)))
		return fail(p, "out of memory");
	*arr = na;
	*cap = nc;
	return true;
}

/* ---- directives ---- */

typedef bool (*dir_fn)(struct parser *p, const char *name, char **argv, int argc);

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

static bool d_udp_cksum_mode(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	if (strcasecmp(argv[0], "drop") == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_DROP;
	else if (strcasecmp(argv[0], "calc") == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_CALC;
	else if (strcasecmp(argv[0], "fwd") == 0)
		p->c->udp_cksum_mode = UDP_CKSUM_FWD;
	else
		return fail(p, "%s: expected drop, calc or fwd, not \"%s\"", name, argv[0]);
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

static bool d_offlink_mtu(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long v;

	(void)argc;
	/* RFC 8200 5: IPv6 minimum link MTU is 1280 */
	if (!parse_uint(argv[0], 1280, 65535, &v))
		return fail(p, "%s: \"%s\" is not a number in 1280..65535", name, argv[0]);
	p->c->offlink_mtu = (unsigned)v;
	return true;
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

static bool d_workers(struct parser *p, const char *name, char **argv, int argc)
{
	unsigned long v;

	(void)argc;
	if (!parse_uint(argv[0], 0, 1024, &v))
		return fail(p, "%s: \"%s\" is not a number in 0..1024", name, argv[0]);
	p->c->workers = (unsigned)v;
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

/* A count of seconds or of table entries, in [min, max]. */
static bool d_number(struct parser *p, const char *name, const char *arg, unsigned long min,
		     unsigned long max, unsigned *out)
{
	unsigned long v;

	if (!parse_uint(arg, min, max, &v))
		return fail(p, "%s: \"%s\" is not a number in %lu..%lu", name, arg, min, max);
	*out = (unsigned)v;
	return true;
}

static bool d_usage_interval(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	return d_number(p, name, argv[0], 0, 604800, &p->c->usage_interval);
}

static bool d_usage_top(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	return d_number(p, name, argv[0], 0, 10000, &p->c->usage_top);
}

static bool d_prefix_table_size(struct parser *p, const char *name, char **argv, int argc)
{
	(void)argc;
	return d_number(p, name, argv[0], 16, 1u << 24, &p->c->prefix_table_size);
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

static const struct directive {
	const char *name;
	enum dir_id id;
	dir_fn fn;
	int min_args, max_args;
	bool repeat;
	const char *usage;
} directives[] = {
	{ "tun-device", D_TUN_DEVICE, d_tun_device, 1, 1, false, "NAME" },
	{ "ipv4-addr", D_IPV4_ADDR, d_ipv4_addr, 1, 1, false, "ADDRESS" },
	{ "ipv6-addr", D_IPV6_ADDR, d_ipv6_addr, 1, 1, false, "ADDRESS" },
	{ "prefix", D_PREFIX, d_prefix, 1, 1, false, "PREFIX/LENGTH" },
	{ "wkpf-strict", D_WKPF_STRICT, d_wkpf_strict, 1, 1, false, "yes|no" },
	{ "map", D_MAP, d_map, 2, 2, true, "IPV4[/LEN] IPV6[/LEN]" },
	{ "dynamic-pool", D_DYNAMIC_POOL, d_dynamic_pool, 1, 1, false, "IPV4/LEN" },
	{ "data-dir", D_DATA_DIR, d_data_dir, 1, 1, false, "PATH" },
	{ "map-file", D_MAP_FILE, d_map_file, 1, 1, false, "PATH" },
	{ "udp-cksum-mode", D_UDP_CKSUM_MODE, d_udp_cksum_mode, 1, 1, false, "drop|calc|fwd" },
	{ "log", D_LOG, d_log, 1, 5, false, "drop reject icmp self dyn | none" },
	{ "offlink-mtu", D_OFFLINK_MTU, d_offlink_mtu, 1, 1, false, "MTU" },
	{ "strict-frag-hdr", D_STRICT_FRAG_HDR, d_strict_frag_hdr, 0, 1, false, "[yes|no]" },
	{ "tun-up", D_TUN_UP, d_tun_up, 1, 1, false, "yes|no" },
	{ "tun-ip", D_TUN_IP, d_tun_ip, 1, 1, true, "ADDRESS[/LEN]" },
	{ "tun-route", D_TUN_ROUTE, d_tun_route, 1, 1, true, "PREFIX[/LEN]" },
	{ "workers", D_WORKERS, d_workers, 1, 1, false, "N" },
	{ "offload", D_OFFLOAD, d_offload, 1, 1, false, "auto|on|off" },
	{ "io-uring", D_IO_URING, d_io_uring, 1, 1, false, "auto|on|off" },
	{ "dynamic-limit", D_DYNAMIC_LIMIT, d_dynamic_limit, 2, 2, false, "PREFIXLEN COUNT" },
	{ "rfc6791-v4", D_RFC6791_V4, d_rfc6791_v4, 1, 1, false, "ADDRESS" },
	{ "rfc6791-v6", D_RFC6791_V6, d_rfc6791_v6, 1, 1, false, "ADDRESS" },
	{ "icmp-ratelimit", D_ICMP_RATELIMIT, d_icmp_ratelimit, 1, 2, false, "RATE [BURST]" },
	{ "stats-file", D_STATS_FILE, d_stats_file, 1, 1, false, "PATH" },
	{ "stats-interval", D_STATS_INTERVAL, d_stats_interval, 1, 1, false, "SECONDS" },
	{ "usage-stats", D_USAGE_STATS, d_usage_stats, 1, 1, false, "yes|no" },
	{ "usage-prefix-len", D_USAGE_PREFIX_LEN, d_usage_prefix_len, 1, 2, false, "IPV6LEN [IPV4LEN]" },
	{ "usage-interval", D_USAGE_INTERVAL, d_usage_interval, 1, 1, false, "SECONDS" },
	{ "usage-top", D_USAGE_TOP, d_usage_top, 1, 1, false, "N" },
	{ "prefix-table-size", D_PREFIX_TABLE_SIZE, d_prefix_table_size, 1, 1, false, "ENTRIES" },
	{ "rate-limit", D_RATE_LIMIT, d_rate_limit, 3, 3, false, "PREFIXLEN RATE BURST" },
	{ "rate-limit-total", D_RATE_LIMIT_TOTAL, d_rate_limit_total, 2, 2, false, "RATE BURST" },
};

/* ---- line splitting ---- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Split one line (modified in place) into words; '#' starts a comment.
 * Returns the word count, or -1 when there are more than max. */
static int split_words(char *s, char **argv, int max)
{
	int n = 0;

	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = s;
		while (*s && !is_space(*s) && *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			return n;
		}
		if (*s)
			*s++ = '\0';
	}
}

static bool parse_line(struct parser *p, char *line)
{
	char *argv[MAX_ARGS + 1];
	int argc = split_words(line, argv, MAX_ARGS + 1);
	const struct directive *d = NULL;

	if (argc == 0)
		return true;
	if (argc < 0)
		return fail(p, "too many words on the line");
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		if (strcasecmp(argv[0], directives[i].name) == 0) {
			d = &directives[i];
			break;
		}
	}
	if (!d)
		return fail(p, "unknown directive \"%s\"", argv[0]);
	if (p->in_map_file && d->id != D_MAP)
		return fail(p, "%s: only map lines are allowed in a map-file", d->name);
	if (argc - 1 < d->min_args || argc - 1 > d->max_args)
		return fail(p, "%s: wrong number of arguments (usage: %s %s)", d->name, d->name, d->usage);
	if (!p->in_map_file) {
		if (p->seen[d->id] && !d->repeat)
			return fail(p, "%s: given twice (first on line %u); only map, tun-ip and tun-route may repeat",
				    d->name, p->seen[d->id]);
		if (!p->seen[d->id])
			p->seen[d->id] = p->line;
	}
	return d->fn(p, d->name, argv + 1, argc - 1);
}

/* CRLF line ends (a file edited on Windows) are fine: the CR before the LF
 * is white space. A CR with more text after it means CR-only line ends,
 * which would read as one long line. */
static bool cr_inside(const char *s)
{
	const char *r = strchr(s, '\r');

	return r && r[strspn(r, "\r \t")] != '\0';
}

/* Keep p->err ("file:line: message") as a warning about a map-file line
 * that is not used. False only when out of memory. */
static bool warn_skip(struct parser *p, unsigned line)
{
	static const char tail[] = "; line skipped";
	struct warning *w;
	size_t n;

	if (p->nwarn >= MAX_WARNINGS) {
		p->warn_dropped++;
		return true;
	}
	n = strlen(p->err);
	if (!grow(p, (void **)&p->warn, &p->cap_warn, p->nwarn, sizeof(*p->warn)))
		return false;
	w = &p->warn[p->nwarn];
	if (!(w->msg = malloc(n + sizeof(tail))))
		return fail(p, "out of memory");
	memcpy(w->msg, p->err, n);
	memcpy(w->msg + n, tail, sizeof(tail));
	w->line = line;
	w->seq = p->nwarn++;
	return true;
}

/* Parse a whole buffer (NUL-terminated, len bytes before the NUL). */
static bool parse_text(struct parser *p, char *text, size_t len)
{
	char *s = text, *end = text + len;

	p->line = 0;
	/* a UTF-8 byte order mark some editors put in front */
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s <= end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		bool ok;
		if (nl)
			*nl = '\0';
		p->line++;
		if (strlen(s) != (size_t)((nl ? nl : end) - s))
			ok = fail(p, "NUL byte in the file");
		else if (cr_inside(s))
			ok = fail(p, "carriage return (CR) inside the line: the file seems to have CR-only "
				  "line ends (classic Mac OS); save it with LF (or CRLF) line ends");
		else
			ok = parse_line(p, s);
		/* a bad map-file line is skipped (warn_skip); elsewhere it is fatal */
		if (!ok && (!p->in_map_file || !warn_skip(p, p->line)))
			return false;
		if (!nl)
			break;
		s = nl + 1;
	}
	return true;
}

/* Where a file failed to open or read: the config itself as "file: ...",
 * a map-file as "tayga.conf:LINE: map-file: PATH: ..." */
__attribute__((format(printf, 4, 5)))
static bool fail_file(struct parser *p, const char *path, const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (what)
		return fail(p, "%s: %s: %s", what, path, msg);
	return fail_at(p, path, 0, "%s", msg);
}

/* Open a file to read, refusing anything but a regular file: opened
 * without O_NONBLOCK a FIFO would block start-up, or the whole daemon at a
 * reload, until some writer came along; a device might never end. */
static FILE *open_regular(struct parser *p, const char *path, const char *what)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	FILE *f = NULL;

	if (fd < 0) {
		fail_file(p, path, what, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0)
		fail_file(p, path, what, "cannot read: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		fail_file(p, path, what, "is %s, not a regular file", conf_file_kind(st.st_mode));
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "r")))
		fail_file(p, path, what, "cannot open: %s", strerror(errno));
	if (!f)
		close(fd);
	return f;
}

/* Read a whole file into a NUL-terminated buffer. what: the directive that
 * names it ("map-file"), NULL for the config itself. */
static char *read_file(struct parser *p, const char *path, const char *what, size_t *len)
{
	FILE *f = open_regular(p, path, what);
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t r;

		if (cap - n < 4096 + 1) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			if (cap > CONF_MAX_FILE + 8192) {
				fail_file(p, path, what, "file is too big (more than %u bytes)", CONF_MAX_FILE);
				goto err;
			}
			if (!(nb = realloc(buf, cap))) {
				fail_file(p, path, what, "out of memory");
				goto err;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fail_file(p, path, what, "cannot read: %s", strerror(errno ? errno : EIO));
		goto err;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
err:
	free(buf);
	fclose(f);
	return NULL;
}

/* ---- cross checks ---- */

static int cmp_eam_v4(const void *a, const void *b)
{
	const struct eam *x = *(const struct eam *const *)a, *y = *(const struct eam *const *)b;
	uint32_t xa = ntohl(x->v4.s_addr), ya = ntohl(y->v4.s_addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->len4 != y->len4)
		return x->len4 < y->len4 ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_eam_v6(const void *a, const void *b)
{
	const struct eam *x = *(const struct eam *const *)a, *y = *(const struct eam *const *)b;
	int r = memcmp(&x->v6, &y->v6, sizeof(x->v6));

	if (r)
		return r;
	if (x->len6 != y->len6)
		return x->len6 < y->len6 ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Overlaps between map lines: exact duplicate IPv4 prefixes and any IPv6
 * overlap are refused; nested IPv4 prefixes of different lengths are fine
 * (RFC 7757 3.2 longest-prefix match). O(n log n). */
static bool check_map_overlaps(struct parser *p)
{
	struct config *c = p->c;
	const struct eam **v;
	char w[PATH_MAX + 32], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	bool ok = true;

	if (c->nmaps < 2)
		return true;
	if (!(v = malloc(c->nmaps * sizeof(*v))))
		return fail_at(p, c->path, 0, "out of memory");
	for (size_t i = 0; i < c->nmaps; i++)
		v[i] = &c->maps[i];

	qsort(v, c->nmaps, sizeof(*v), cmp_eam_v4);
	for (size_t i = 1; i < c->nmaps && ok; i++) {
		const struct eam *x = v[i - 1], *y = v[i];
		if (x->v4.s_addr == y->v4.s_addr && x->len4 == y->len4) {
			/* x < y in file order (the comparator's last key) */
			ok = fail_at(p, y->file, y->line,
				     "map: IPv4 %s/%u is already mapped on %s", fmt4(y->v4, b1), y->len4,
				     where(w, sizeof(w), y->file, x->file, x->line));
		}
	}

	if (ok) {
		const struct eam *cur;

		qsort(v, c->nmaps, sizeof(*v), cmp_eam_v6);
		/* Prefixes nest or are disjoint: after sorting by (address, length)
		 * an entry overlaps an earlier one iff it lies inside the widest
		 * still-open range. */
		cur = v[0];
		for (size_t i = 1; i < c->nmaps && ok; i++) {
			const struct eam *y = v[i], *x = cur, *later, *earlier;
			if (!v6_overlap(&x->v6, x->len6, &y->v6, y->len6)) {
				cur = y;
				continue;
			}
			later = x > y ? x : y;
			earlier = x > y ? y : x;
			ok = fail_at(p, later->file, later->line,
				     "map: IPv6 %s/%u overlaps %s/%u mapped on %s",
				     fmt6(&later->v6, b1), later->len6, fmt6(&earlier->v6, b2), earlier->len6,
				     where(w, sizeof(w), later->file, earlier->file, earlier->line));
		}
	}
	free(v);
	return ok;
}

/* A map entry against ipv4-addr, ipv6-addr, the prefix and the pool (the
 * other map entries are check_map_overlaps' and check_file_maps' job). */
static bool map_vs_config(struct parser *p, const struct eam *e)
{
	const struct config *c = p->c;
	const char *f = e->file;
	char w[PATH_MAX + 32], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];

	if (c->have_prefix && v6_overlap(&e->v6, e->len6, &c->prefix, c->prefix_len))
		return fail_at(p, f, e->line, "map: IPv6 %s/%u overlaps prefix %s/%u (%s)",
			       fmt6(&e->v6, b1), e->len6, fmt6(&c->prefix, b2), c->prefix_len,
			       where(w, sizeof(w), f, c->path, p->seen[D_PREFIX]));
	if (addr_v6_in_prefix(&c->ipv6_addr, &e->v6, e->len6))
		return fail_at(p, f, e->line, "map: IPv6 %s/%u contains ipv6-addr %s (%s)",
			       fmt6(&e->v6, b1), e->len6, fmt6(&c->ipv6_addr, b2),
			       p->seen[D_IPV6_ADDR]
			       ? where(w, sizeof(w), f, c->path, p->seen[D_IPV6_ADDR])
			       : "derived from prefix and ipv4-addr");
	if (v4_overlap(e->v4, e->len4, c->ipv4_addr, 32))
		return fail_at(p, f, e->line, "map: IPv4 %s/%u contains ipv4-addr %s (%s)",
			       fmt4(e->v4, b1), e->len4, fmt4(c->ipv4_addr, b2),
			       where(w, sizeof(w), f, c->path, p->seen[D_IPV4_ADDR]));
	/* Maps inside the pool are fine (the pool skips them), but a map
	 * that covers the whole pool leaves nothing to hand out. */
	if (c->have_pool && e->len4 <= c->pool_len &&
	    v4_overlap(e->v4, e->len4, c->pool_addr, c->pool_len))
		return fail_at(p, f, e->line, "map: IPv4 %s/%u covers the whole dynamic-pool %s/%u (%s)",
			       fmt4(e->v4, b1), e->len4, fmt4(c->pool_addr, b2), c->pool_len,
			       where(w, sizeof(w), f, c->path, p->seen[D_DYNAMIC_POOL]));
	return true;
}

static bool cross_check(struct parser *p)
{
	struct config *c = p->c;
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN], b3[INET6_ADDRSTRLEN];
	struct in6_addr derived;
	bool wkp_nonglobal;

	p->file = c->path;
	p->in_map_file = false;

	if (!p->seen[D_TUN_DEVICE])
		return fail_at(p, c->path, 0, "missing mandatory directive tun-device");
	if (!p->seen[D_IPV4_ADDR])
		return fail_at(p, c->path, 0, "missing mandatory directive ipv4-addr");

	/* RFC 6052 3.1: the WKP must not represent non-global IPv4 addresses.
	 * Only addresses that get embedded in the prefix matter; pool and map
	 * IPv4 addresses stand for IPv6 hosts and are never embedded. */
	wkp_nonglobal = is_wkp(c) && c->wkpf_strict && addr_v4_is_nonglobal(c->ipv4_addr);

	if (c->have_prefix) {
		addr_embed(&c->prefix, c->prefix_len, c->ipv4_addr, &derived);
		/* RFC 3927 2.7: 169.254/16 never goes through the prefix */
		if (addr_v4_is_linklocal(c->ipv4_addr) &&
		    (!c->ipv6_addr_set || memcmp(&c->ipv6_addr, &derived, sizeof(derived)) == 0))
			return fail_at(p, c->path, p->seen[D_IPV6_ADDR] ? p->seen[D_IPV6_ADDR] : p->seen[D_IPV4_ADDR],
				       "ipv6-addr: ipv4-addr %s is link-local and never translated through "
				       "the prefix (RFC 3927 2.7); set ipv6-addr outside the prefix",
				       fmt4(c->ipv4_addr, b1));
		if (!c->ipv6_addr_set) {
			if (wkp_nonglobal)
				return fail_at(p, c->path, p->seen[D_IPV4_ADDR],
					       "ipv6-addr: must be given: ipv4-addr %s is non-global and the "
					       "well-known prefix 64:ff9b::/96 must not carry it (RFC 6052 3.1); "
					       "set ipv6-addr outside the prefix, use a network-specific prefix, "
					       "or add `wkpf-strict no`", fmt4(c->ipv4_addr, b1));
			c->ipv6_addr = derived;
			c->ipv6_addr_set = true;
		} else if (addr_v6_in_prefix(&c->ipv6_addr, &c->prefix, c->prefix_len)) {
			/* Inside the prefix it would stand for some IPv4 host, so it
			 * may only be the translator's own embedded address. */
			if (memcmp(&c->ipv6_addr, &derived, sizeof(derived)) != 0)
				return fail_at(p, c->path, p->seen[D_IPV6_ADDR],
					       "ipv6-addr: %s is inside prefix %s/%u but is not prefix+ipv4-addr (%s); "
					       "choose an address outside the prefix",
					       fmt6(&c->ipv6_addr, b1), fmt6(&c->prefix, b2), c->prefix_len,
					       fmt6(&derived, b3));
			if (wkp_nonglobal)
				return fail_at(p, c->path, p->seen[D_IPV6_ADDR],
					       "ipv6-addr: %s embeds non-global ipv4-addr %s in the well-known prefix "
					       "64:ff9b::/96 (RFC 6052 3.1); choose an address outside the prefix "
					       "or add `wkpf-strict no`", fmt6(&c->ipv6_addr, b1), fmt4(c->ipv4_addr, b2));
		}
	} else {
		if (!c->ipv6_addr_set)
			return fail_at(p, c->path, p->seen[D_IPV4_ADDR],
				       "ipv6-addr: must be given when there is no prefix directive");
		if (c->nmaps == 0 && !c->map_file)
			return fail_at(p, c->path, 0,
				       "nothing to translate: give a prefix directive or map lines");
	}

	for (size_t i = 0; i < c->nmaps; i++)
		if (!map_vs_config(p, &c->maps[i]))
			return false;
	if (!check_map_overlaps(p))
		return false;

	if (!p->seen[D_RFC6791_V4])
		c->rfc6791_v4 = c->ipv4_addr;
	if (!p->seen[D_RFC6791_V6])
		c->rfc6791_v6 = c->ipv6_addr;
	if (!c->tun_up_set)
		c->tun_up = c->ntun_ips > 0 || c->ntun_routes > 0;
	return true;
}

/* ---- map-file ---- */

static const char *fmt_eam(const struct eam *e, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u %s/%u", fmt4(e->v4, a), e->len4, fmt6(&e->v6, b), e->len6);
	return buf;
}

/* Collect c->maps[from..] that skip[] keeps (skip indexes from nconf) into
 * v/pos; val is the entry's line for config maps (i < nconf), else 0 when
 * order is false or its rank when true. Returns the count. */
static size_t collect(const struct config *c, size_t from, size_t nconf, const bool *skip, bool order,
		      const struct eam **v, long *val, size_t *pos)
{
	size_t k = 0;

	for (size_t i = from; i < c->nmaps; i++) {
		if (i >= nconf && skip[i - nconf])
			continue;
		v[k] = &c->maps[i];
		val[k] = i < nconf ? (long)c->maps[i].line : order ? (long)k : 0;
		pos[k++] = i;
	}
	return k;
}

/* Map-file entries c->maps[nconf..] that conflict (same IPv4 prefix or
 * overlapping IPv6 prefixes, eam.h) with a config-file map are skipped: the
 * config file wins. Among the rest a later line replaces every earlier one
 * it conflicts with. skip[] marks what goes; warnings say why. */
static bool file_conflicts(struct parser *p, size_t nconf, bool *skip)
{
	struct config *c = p->c;
	size_t n = c->nmaps, k;
	const struct eam **v = malloc(n * sizeof(*v));
	long *val = malloc(n * sizeof(*val)), *out = malloc(n * sizeof(*out));
	size_t *pos = malloc(n * sizeof(*pos));
	char w[PATH_MAX + 32], b[128];
	bool ok = v && val && out && pos;

	/* pass 1: config maps carry their line (>= 1), file lines 0 */
	k = ok ? collect(c, 0, nconf, skip, false, v, val, pos) : 0;
	ok = ok && eam_conflict_max(v, val, k, out) == 0;
	for (size_t j = 0; ok && j < k; j++) {
		const struct eam *e = v[j];
		if (pos[j] < nconf || out[j] == 0)
			continue;
		skip[pos[j] - nconf] = true;
		fail_at(p, e->file, e->line, "map: %s conflicts with the map on %s (the configuration file wins)",
			fmt_eam(e, b, sizeof(b)), where(w, sizeof(w), e->file, c->path, (unsigned)out[j]));
		ok = warn_skip(p, e->line);
	}
	/* pass 2: file lines carry their rank; a higher one conflicting wins */
	k = ok ? collect(c, nconf, nconf, skip, true, v, val, pos) : 0;
	ok = ok && eam_conflict_max(v, val, k, out) == 0;
	for (size_t j = 0; ok && j < k; j++) {
		const struct eam *e = v[j];
		if (out[j] == (long)j)
			continue;
		skip[pos[j] - nconf] = true;
		fail_at(p, e->file, e->line, "map: %s is replaced by line %u, which overlaps it",
			fmt_eam(e, b, sizeof(b)), v[out[j]]->line);
		ok = warn_skip(p, e->line);
	}
	if (!v || !val || !out || !pos)
		fail_at(p, c->map_file, 0, "out of memory");
	free(v);
	free(val);
	free(out);
	free(pos);
	return ok;
}

/* Drop the map-file lines that can't be used (see load_map_file). */
static bool check_file_maps(struct parser *p, size_t nconf)
{
	struct config *c = p->c;
	size_t m = c->nmaps - nconf, k = nconf;
	bool *skip = calloc(m ? m : 1, sizeof(*skip));
	bool ok = skip != NULL;

	for (size_t i = 0; ok && i < m; i++)
		if (!map_vs_config(p, &c->maps[nconf + i])) {
			skip[i] = true;
			ok = warn_skip(p, c->maps[nconf + i].line);
		}
	ok = ok && file_conflicts(p, nconf, skip);
	for (size_t i = 0; ok && i < m; i++)
		if (!skip[i])
			c->maps[k++] = c->maps[nconf + i];
	if (ok)
		c->nmaps = k;
	if (!skip)
		fail_at(p, c->map_file, 0, "out of memory");
	free(skip);
	return ok;
}

static int cmp_warning(const void *a, const void *b)
{
	const struct warning *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hand the warnings to the config, in line order. */
static bool finish_warnings(struct parser *p)
{
	struct config *c = p->c;
	size_t n = p->nwarn + (p->warn_dropped ? 1 : 0);

	if (n == 0)
		return true;
	if (!(c->warnings = calloc(n, sizeof(*c->warnings))))
		return fail_at(p, c->path, 0, "out of memory");
	qsort(p->warn, p->nwarn, sizeof(*p->warn), cmp_warning);
	for (size_t i = 0; i < p->nwarn; i++) {
		c->warnings[i] = p->warn[i].msg;
		p->warn[i].msg = NULL;
	}
	c->nwarnings = p->nwarn;
	if (p->warn_dropped) {
		char m[PATH_MAX + 64];
		snprintf(m, sizeof(m), "%s: %zu more lines skipped", c->map_file, p->warn_dropped);
		if (!(c->warnings[c->nwarnings] = xstrdup(m)))
			return fail_at(p, c->path, 0, "out of memory");
		c->nwarnings++;
	}
	return true;
}

/* The map-file is a soft source (other tools write it): a bad line, or one
 * that conflicts with the configuration file (its map lines, ipv4-addr,
 * ipv6-addr, the prefix, the pool), is skipped with a warning, and a line
 * replaces the earlier lines it conflicts with. Only a file that can't be
 * read is an error. */
static bool load_map_file(struct parser *p)
{
	struct config *c = p->c;
	size_t nconf = c->nmaps, len;
	char wbuf[PATH_MAX + 512], *text, *err = p->err;
	size_t errlen = p->errlen;
	bool ok;

	/* errors opening it name the map-file line of the config */
	p->line = p->seen[D_MAP_FILE];
	if (p->maps) {
		len = p->maps->map_len;
		if (!(text = malloc(len + 1)))
			return fail_at(p, c->map_file, 0, "out of memory");
		memcpy(text, p->maps->map ? p->maps->map : "", len);
		text[len] = '\0';
	} else if (!(text = read_file(p, c->map_file, "map-file", &len))) {
		return false;
	}
	/* parse_text cuts the text up in place: keep an intact copy */
	if (p->keep && !(p->keep->map = malloc(len + 1))) {
		free(text);
		return fail_at(p, c->map_file, 0, "out of memory");
	}
	if (p->keep) {
		memcpy(p->keep->map, text, len + 1);
		p->keep->map_len = len;
	}
	p->file = c->map_file;
	p->in_map_file = true;
	p->err = wbuf;
	p->errlen = sizeof(wbuf);
	wbuf[0] = '\0';
	ok = parse_text(p, text, len) && check_file_maps(p, nconf) && finish_warnings(p);
	free(text);
	p->err = err;
	p->errlen = errlen;
	p->file = c->path;
	p->in_map_file = false;
	if (!ok && err && errlen)
		snprintf(err, errlen, "%s", wbuf);
	return ok;
}

/* TAYGA chdir()s to data-dir, so a relative map-file is relative to it;
 * without data-dir, to the configuration file's directory. */
static bool resolve_map_file(struct parser *p)
{
	struct config *c = p->c;
	char *r;

	if (c->map_file[0] == '/')
		return true;
	if (!(r = c->data_dir ? join_path(c->data_dir, c->map_file) : resolve_path(p, c->map_file)))
		return fail_at(p, c->path, 0, "out of memory");
	free(c->map_file);
	c->map_file = r;
	return true;
}

/* ---- entry points ---- */

static struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->wkpf_strict = true;
	c->udp_cksum_mode = UDP_CKSUM_DROP;
	c->offlink_mtu = 1280;
	c->offload = MODE_AUTO;
	c->io_uring = MODE_AUTO;
	c->icmp_rate = 100;
	c->icmp_burst = 50;
	c->stats_interval = 60;
	c->workers = 1;
	c->usage_plen6 = 32;
	c->usage_plen4 = 24;
	c->usage_interval = 300;
	c->usage_top = 20;
	c->prefix_table_size = 4096;
	return c;
}

static void free_warn(struct parser *p)
{
	for (size_t i = 0; i < p->nwarn; i++)
		free(p->warn[i].msg);
	free(p->warn);
	p->warn = NULL;
	p->nwarn = 0;
}

/* maps: the map-file's contents when the caller supplies them (conf_text),
 * else NULL (read from disk); keep: when set, receives the map-file read. */
static struct config *parse_all(const char *name, const char *dir, char *text, size_t len,
				const struct conf_text *maps, struct conf_text *keep,
				char *err, size_t errlen)
{
	struct parser p;
	struct config *c = config_new();

	if (err && errlen)
		err[0] = '\0';
	memset(&p, 0, sizeof(p));
	p.maps = maps;
	p.keep = keep;
	p.err = err;
	p.errlen = errlen;
	p.dir = dir;
	p.file = name;
	if (!c || !(c->path = xstrdup(name))) {
		fail_at(&p, name, 0, "out of memory");
		goto err;
	}
	p.c = c;
	if (!parse_text(&p, text, len) || !cross_check(&p))
		goto err;
	if (c->map_file && (!resolve_map_file(&p) || !load_map_file(&p)))
		goto err;
	free_warn(&p);
	return c;
err:
	free_warn(&p);
	conf_free(c);
	return NULL;
}

/* The directory part of path (NULL without a slash). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dl;
	char *dir;

	if (!slash)
		return NULL;
	dl = slash == path ? 1 : (size_t)(slash - path);
	if ((dir = malloc(dl + 1))) {
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	}
	return dir;
}

struct config *conf_load(const char *path, char *err, size_t errlen)
{
	struct conf_text t;
	struct config *c = conf_load_text(path, &t, err, errlen);

	conf_text_free(&t);
	return c;
}

struct config *conf_load_text(const char *path, struct conf_text *t, char *err, size_t errlen)
{
	struct parser p;
	struct config *c = NULL;
	char *dir, *copy;

	memset(t, 0, sizeof(*t));
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	if (!(t->text = read_file(&p, path, NULL, &t->len)))
		return NULL;
	dir = dir_of(path);
	/* parse_text cuts the text up in place: parse a copy */
	if (!(copy = malloc(t->len + 1)))
		fail_at(&p, path, 0, "out of memory");
	else
		c = parse_all(path, dir, memcpy(copy, t->text, t->len + 1), t->len, NULL, t, err,
			      errlen);
	free(copy);
	free(dir);
	if (!c)
		conf_text_free(t);
	return c;
}

struct config *conf_parse_text(const struct conf_text *t, const char *path, char *err,
			       size_t errlen)
{
	char *dir = dir_of(path), *copy = malloc(t->len + 1);
	struct config *c = NULL;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", path);
	} else {
		memcpy(copy, t->text ? t->text : "", t->len);
		copy[t->len] = '\0';
		c = parse_all(path, dir, copy, t->len, t, NULL, err, errlen);
	}
	free(copy);
	free(dir);
	return c;
}

void conf_text_free(struct conf_text *t)
{
	free(t->text);
	free(t->map);
	memset(t, 0, sizeof(*t));
}

struct config *conf_parse_string(const char *text, const char *name, char *err, size_t errlen)
{
	char *copy = xstrdup(text);
	struct config *c;

	if (!copy) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	c = parse_all(name, NULL, copy, strlen(copy), NULL, NULL, err, errlen);
	free(copy);
	return c;
}

void conf_free(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->maps);
	free(c->data_dir);
	free(c->map_file);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->tun_ips);
	free(c->tun_routes);
	free(c->stats_file);
	free(c);
}
