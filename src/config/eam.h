/* eam.h - which `map` entries conflict with which, in O(n log n).
 *
 * Two entries conflict when they map the same IPv4 prefix or their IPv6
 * prefixes overlap (nest) - what the parser refuses between config-file
 * `map` lines. The map-file uses the same notion to skip a line that
 * conflicts with the config file and to let a line replace an earlier one.
 */
#ifndef TAYGA_EAM_H
#define TAYGA_EAM_H

#include <stddef.h>

struct eam;

/* For each entry i of v[0..n), out[i] = the largest val[k] over the entries
 * k that conflict with i, i itself included (so out[i] >= val[i]).
 * Returns -1 on allocation failure, else 0. */
int eam_conflict_max(const struct eam *const *v, const long *val, size_t n, long *out);

#endif
