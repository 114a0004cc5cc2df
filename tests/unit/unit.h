/* A tiny TAP harness for berth's unit tests: each test binary prints
 * "ok N - name" / "not ok N - name" lines and a plan; tests/check.sh counts
 * them together with the bats results. Built under ASan+UBSan. */
#ifndef BERTH_UNIT_H
#define BERTH_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_count, unit_failed, unit_current_failed;

#define UNIT_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			unit_current_failed = 1;                                \
		}                                                               \
	} while (0)

#define UNIT_CHECK_STR(got, want)                                               \
	do {                                                                    \
		const char *g_ = (got), *w_ = (want);                           \
		if (!g_ || !w_ || strcmp(g_, w_) != 0) {                        \
			printf("# %s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");         \
			unit_current_failed = 1;                                \
		}                                                               \
	} while (0)

#define UNIT_RUN(fn)                                                            \
	do {                                                                    \
		unit_current_failed = 0;                                        \
		fn();                                                           \
		unit_count++;                                                   \
		if (unit_current_failed)                                        \
			unit_failed++;                                          \
		printf("%sok %d - %s\n", unit_current_failed ? "not " : "", unit_count, #fn); \
		fflush(stdout);                                                 \
	} while (0)

#define UNIT_DONE()                                                             \
	do {                                                                    \
		printf("1..%d\n", unit_count);                                  \
		return unit_failed ? 1 : 0;                                     \
	} while (0)

#endif
