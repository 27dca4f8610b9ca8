/* pool.h - dynamic IPv4 pool for IPv6 hosts that match no map rule.
 *
 * Mutable state owned by the event loop and passed to the translator by
 * pointer. Times are injected (now) so tests can drive dormancy.
 */
#ifndef TAYGA_POOL_H
#define TAYGA_POOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct map;
struct pool;
struct steer_params;

#define POOL_DORMANT_SECS (2 * 3600 + 4 * 60)  /* idle -> reusable */
#define POOL_EXPIRE_SECS  (14 * 24 * 3600)      /* dormant -> freed */

enum pool_result {
	POOL_OK = 0,
	POOL_NONE,      /* no mapping (lookup only) */
	POOL_FULL,      /* nothing free or reusable */
	POOL_LIMITED,   /* dynamic-limit for this IPv6 prefix reached */
};

/* Build from config (NULL when no dynamic-pool). Excludes the network's
 * lowest address, ipv4-addr and statically mapped addresses (via map). */
struct pool *pool_new(const struct config *c);
void pool_free(struct pool *p);

/* IPv6 source -> IPv4 (creates when create, refreshes last use) */
enum pool_result pool_lookup6(struct pool *p, const struct in6_addr *v6,
			      struct in_addr *v4, time_t now, bool create,
			      bool *created);
/* IPv4 destination in pool -> IPv6 (refreshes last use; never creates) */
enum pool_result pool_lookup4(struct pool *p, struct in_addr v4,
			      struct in6_addr *v6, time_t now);

size_t pool_count(const struct pool *p);   /* live mappings */
/* Live mappings idle for POOL_DORMANT_SECS (reused when the pool is full);
 * *size: the addresses mappings can use (this worker's slice). */
size_t pool_dormant(const struct pool *p, time_t now, size_t *size);
bool pool_dirty(const struct pool *p);     /* changed since last save */

/* `workers N` (lib/steer.h): the pool geometry the steering program needs
 * (pool_net, pool_n, pool_bits of s; zero without a pool). */
void pool_steer_params(const struct config *c, struct steer_params *s);
/* Make p worker w's of s->workers (call on a new, empty pool): it
 * allocates only in its slice, and loads only mappings whose address is in
 * its slice and whose host s steers to w. Nothing with s->workers <= 1. */
void pool_set_slice(struct pool *p, const struct steer_params *s, unsigned w);
unsigned pool_workers(const struct pool *p);             /* 1 without slices */
unsigned pool_worker(const struct pool *p);              /* w */
/* The worker whose slice holds pool address v4; -1 outside the pool. */
int pool_owner(const struct pool *p, struct in_addr v4);

/* For the dynamic.map reader and writer (pool_file.c). */
enum pool_place {
	PLACE_OK,       /* placed */
	PLACE_BAD,      /* not placed; *why says why */
	PLACE_OTHER,    /* another worker's mapping: not ours to load */
	PLACE_MOVED,    /* address ours, host now another worker's (workers changed) */
	PLACE_REHOME,   /* host ours, address another worker's: pool_rehome() it */
};
enum pool_place pool_place(struct pool *p, struct in_addr v4, const struct in6_addr *v6,
			   time_t last, time_t now, const char **why);
/* A new address in this worker's slice for v6, keeping its last use;
 * false when expired, already mapped or nothing is free. */
bool pool_rehome(struct pool *p, const struct in6_addr *v6, time_t last, time_t now,
		 struct in_addr *v4);
/* After a load: orders by last use (false when out of memory for that:
 * file order stays), and marks the pool clean. */
bool pool_loaded(struct pool *p);
typedef void pool_each_fn(void *arg, struct in_addr v4, const struct in6_addr *v6, time_t last);
/* Every mapping, least recently used first. */
void pool_each(const struct pool *p, pool_each_fn *fn, void *arg);
void pool_mark_clean(struct pool *p);

/* dynamic.map (pool_file.c): "# comment" lines, then "IPv4\tIPv6\tlast_use"
 * lines. Load keeps every valid line; bad lines are reported through `report`
 * as "file:line: message" (report may be NULL). Returns number loaded or
 * -1 when the file can't be opened (ENOENT is not an error: returns 0).
 * With slices only this worker's lines are loaded (others are skipped
 * silently); re-homed ones are reported. */
long pool_load(struct pool *p, const char *path, time_t now,
	       void (*report)(void *arg, const char *msg), void *arg);
/* The same with a stop test: loading a big file takes a while, and a stop
 * signal must not wait for it. stop (may be NULL) is asked every
 * POOL_LOAD_STOP_EVERY lines; true abandons the load (-1, EINTR; the pool
 * then holds part of the file and must not be saved over it). At most
 * POOL_LOAD_WARN_MAX lines are reported, then one line with the count of
 * the rest. A file that is not a regular file (a symlink is not followed:
 * ELOOP), or is bigger than POOL_LOAD_MAX_BYTES (EFBIG; a full pool's file
 * is about 80 MB) is not read: -1. */
#define POOL_LOAD_WARN_MAX 20
#define POOL_LOAD_STOP_EVERY 4096
#define POOL_LOAD_MAX_BYTES (128u * 1024 * 1024)
struct pool_load_cb {
	void (*report)(void *arg, const char *msg);
	bool (*stop)(void *arg);
	void *arg;
};
long pool_load_cb(struct pool *p, const char *path, time_t now, const struct pool_load_cb *cb);
/* Crash-safe write: temp file, fsync, rename, fsync dir. 0 or -1 (errno).
 * With slices the file stays one for all workers: under a lock on its
 * directory, the other workers' lines of the current file are kept and
 * this worker's slice is replaced by its mappings. */
int pool_save(struct pool *p, const char *path);

/* Carry still-valid mappings from an old pool into a new one (SIGHUP). */
void pool_migrate(struct pool *to, const struct pool *from);

#endif
