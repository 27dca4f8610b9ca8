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
bool pool_dirty(const struct pool *p);     /* changed since last save */

/* dynamic.map: "# comment" lines, then "IPv4\tIPv6\tlast_use" lines.
 * Load keeps every valid line; bad lines are reported through `report`
 * as "file:line: message" (report may be NULL). Returns number loaded or
 * -1 when the file can't be opened (ENOENT is not an error: returns 0). */
long pool_load(struct pool *p, const char *path, time_t now,
	       void (*report)(void *arg, const char *msg), void *arg);
/* Crash-safe write: temp file, fsync, rename, fsync dir. 0 or -1 (errno). */
int pool_save(struct pool *p, const char *path);

/* Carry still-valid mappings from an old pool into a new one (SIGHUP). */
void pool_migrate(struct pool *to, const struct pool *from);

#endif
