/* values.c - the parser's messages and value parsers: numbers, booleans,
 * addresses and prefixes, prefix arithmetic, paths. */
#include "config/parser.h"

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

/* ---- messages ---- */

__attribute__((format(printf, 4, 5)))
bool fail_at(struct parser *p, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(p->err, p->errlen, file, line, fmt, ap);
	va_end(ap);
	return false;
}


/* "line 7" when other is in the same file as the message, else "maps.txt:7" */
const char *where(char *buf, size_t len, const char *msgfile, const char *file, unsigned line)
{
	if (strcmp(msgfile, file) == 0)
		snprintf(buf, len, "line %u", line);
	else
		snprintf(buf, len, "%s:%u", file, line);
	return buf;
}

/* ---- small parsers ---- */

/* Decimal unsigned in [min, max]; no sign, no spaces, no overflow. */
bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
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

bool parse_bool(const char *s, bool *out)
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
bool parse_v4(struct parser *p, const char *dname, char *arg, bool allow_len,
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

bool parse_v6(struct parser *p, const char *dname, char *arg, bool allow_len,
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

const char *fmt4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

const char *fmt6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

bool v4_host_bits_zero(struct in_addr a, unsigned len)
{
	return (ntohl(a.s_addr) & ~addr_v4_mask(len)) == 0;
}

bool v6_host_bits_zero(const struct in6_addr *a, unsigned len)
{
	struct in6_addr m = *a;

	addr_v6_mask(&m, len);
	return memcmp(&m, a, sizeof(m)) == 0;
}

/* Two prefixes overlap iff they agree on the shorter length (they nest). */
bool v4_overlap(struct in_addr a, unsigned la, struct in_addr b, unsigned lb)
{
	uint32_t m = addr_v4_mask(la < lb ? la : lb);

	return (ntohl(a.s_addr) & m) == (ntohl(b.s_addr) & m);
}

bool v6_overlap(const struct in6_addr *a, unsigned la, const struct in6_addr *b, unsigned lb)
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
bool v4_range_forbidden(struct in_addr a, unsigned len)
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

bool is_wkp(const struct config *c)
{
	return c->have_prefix && c->prefix_len == 96 &&
	       memcmp(&c->prefix, &addr_wkp, sizeof(c->prefix)) == 0;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* dir/path, or path when it is absolute or dir is NULL */
char *join_path(const char *dir, const char *path)
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
char *resolve_path(const struct parser *p, const char *path)
{
	return join_path(p->dir, path);
}

bool grow(struct parser *p, void **arr, size_t *cap, size_t n, size_t elem)
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
