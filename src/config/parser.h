/* parser.h - what the parser's files share (config/ only): the parser's
 * state while it reads one configuration, the directive table's entry type,
 * and the helpers the directive handlers, the lexer, the cross checks and
 * the map-file merge call. The data model is conf.h. */
#ifndef TAYGA_CONFIG_PARSER_H
#define TAYGA_CONFIG_PARSER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/conf.h"
#include "config/eam.h"

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
	D_PREFIX_TABLE_SIZE, D_RATE_LIMIT, D_RATE_LIMIT_TOTAL, D_RX_HOLD_USECS,
	D_RX_BUSY_POLL_USECS,
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
	const struct conf_guard *guard; /* open files out of this user's reach only; or NULL */
	size_t cap_maps, cap_ips, cap_routes;
	struct warning *warn;   /* map-file lines skipped, sorted at the end */
	size_t nwarn, cap_warn, warn_dropped;
};

struct warning {
	unsigned line;
	size_t seq;
	char *msg;
};

#define fail(p, ...) fail_at((p), (p)->file, (p)->line, __VA_ARGS__)

typedef bool (*dir_fn)(struct parser *p, const char *name, char **argv, int argc);

struct directive {
	const char *name;
	enum dir_id id;
	dir_fn fn;
	int min_args, max_args;
	bool repeat;
	const char *usage;
};

/* directives.c: the table entry for a keyword (case-insensitive), or NULL */
const struct directive *directive_find(const char *name);

__attribute__((format(printf, 4, 5)))
bool fail_at(struct parser *p, const char *file, unsigned line, const char *fmt, ...);
const char *where(char *buf, size_t len, const char *msgfile, const char *file, unsigned line);
bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
bool parse_bool(const char *s, bool *out);
bool parse_v4(struct parser *p, const char *dname, char *arg, bool allow_len,
		     struct in_addr *a, unsigned *len, bool *has_len);
bool parse_v6(struct parser *p, const char *dname, char *arg, bool allow_len,
		     struct in6_addr *a, unsigned *len, bool *has_len);
const char *fmt4(struct in_addr a, char *buf);
const char *fmt6(const struct in6_addr *a, char *buf);
bool v4_host_bits_zero(struct in_addr a, unsigned len);
bool v6_host_bits_zero(const struct in6_addr *a, unsigned len);
bool v4_overlap(struct in_addr a, unsigned la, struct in_addr b, unsigned lb);
bool v6_overlap(const struct in6_addr *a, unsigned la, const struct in6_addr *b, unsigned lb);
bool v4_range_forbidden(struct in_addr a, unsigned len);
bool is_wkp(const struct config *c);
char *xstrdup(const char *s);
char *join_path(const char *dir, const char *path);
char *resolve_path(const struct parser *p, const char *path);
bool grow(struct parser *p, void **arr, size_t *cap, size_t n, size_t elem);
bool warn_skip(struct parser *p, unsigned line);
bool parse_text(struct parser *p, char *text, size_t len);
char *read_file(struct parser *p, const char *path, const char *what, size_t *len);
bool map_vs_config(struct parser *p, const struct eam *e);
bool cross_check(struct parser *p);
bool check_file_maps(struct parser *p, size_t nconf);
bool load_map_file(struct parser *p);
bool resolve_map_file(struct parser *p);

#endif
