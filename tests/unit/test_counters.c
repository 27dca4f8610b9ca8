/* test_counters.c - the drop reasons (core/counters.h): one name per reason,
 * and the names operators' dashboards and alert rules use
 * (tayga_drops_total{reason=...}, `drop:` log lines) stay what they are. */
#include <check.h>
#include <string.h>

#include "core/counters.h"

/* The exported names, in enum order, as released. New reasons are appended
 * after these; none of these may change. */
static const char *const released[] = {
	"truncated", "bad_version", "bad_header", "bad_v4_cksum", "forbidden_addr",
	"no_map_src", "no_map_dst", "pool_full", "pool_limit", "ttl_expired", "too_big",
	"ext_hdr", "src_route", "frag", "icmp_type", "icmp_inner", "udp_zero_cksum",
	"bad_proto", "self", "offload", "write", "rate_limit",
};
#define NRELEASED (sizeof(released) / sizeof(released[0]))

START_TEST(released_names_unchanged)
{
	ck_assert_uint_ge(DROP_MAX, NRELEASED);
	for (unsigned i = 0; i < NRELEASED; i++)
		ck_assert_str_eq(drop_reason_name((enum drop_reason)i), released[i]);
	ck_assert_str_eq(drop_reason_name(DROP_TRUNCATED), "truncated");
	ck_assert_str_eq(drop_reason_name(DROP_SELF), "self");
	ck_assert_str_eq(drop_reason_name(DROP_RATE_LIMIT), "rate_limit");
}
END_TEST

START_TEST(every_reason_named_once)
{
	for (unsigned i = 0; i < DROP_MAX; i++) {
		const char *n = drop_reason_name((enum drop_reason)i);
		ck_assert_ptr_nonnull(n);
		ck_assert_uint_gt(strlen(n), 0);
		ck_assert_str_ne(n, "unknown");
		/* a Prometheus label value we never need to escape */
		ck_assert_uint_eq(strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(n));
		for (unsigned j = 0; j < i; j++)
			ck_assert_str_ne(n, drop_reason_name((enum drop_reason)j));
	}
	ck_assert_str_eq(drop_reason_name(DROP_MAX), "unknown");
	ck_assert_str_eq(drop_reason_name((enum drop_reason)1000), "unknown");
}
END_TEST

START_TEST(total_sums_every_reason)
{
	struct xlat_counters c;

	memset(&c, 0, sizeof(c));
	ck_assert_uint_eq(drops_total(&c), 0);
	for (unsigned i = 0; i < DROP_MAX; i++)
		c.drops[i] = i + 1;
	ck_assert_uint_eq(drops_total(&c), (uint64_t)DROP_MAX * (DROP_MAX + 1) / 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("counters");
	TCase *t = tcase_create("drop_reasons");

	tcase_add_test(t, released_names_unchanged);
	tcase_add_test(t, every_reason_named_once);
	tcase_add_test(t, total_sums_every_reason);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
