/* checkrun.h - the end of every libcheck test's main(): run the suite,
 * exit status 0 when nothing failed. */
#ifndef TAYGA_TEST_CHECKRUN_H
#define TAYGA_TEST_CHECKRUN_H

#include <check.h>
#include <stdlib.h>

/* Add the test functions fns[0..n) to one case of a new suite `name` and
 * run it. */
static inline int check_run(const char *name, const TTest *const *fns, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	SRunner *sr;
	int failed;

	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, fns[i]);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define CHECK_MAIN(name, ...)                                                   \
	int main(void)                                                          \
	{                                                                       \
		const TTest *const fns[] = { __VA_ARGS__ };                     \
		return check_run(name, fns, sizeof(fns) / sizeof(fns[0]));      \
	}

#endif
