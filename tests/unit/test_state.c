/* Unit tests for state.c's time stamps: rfc3339_nano must agree with
 * gmtime_r (which it replaces on the hot path) across eras, leap days and
 * negative times, and drop trailing zeros of the fraction as Go does. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "state.h"
#include "unit.h"

static void want_gmtime(time_t t, long nsec, char *buf, size_t len)
{
	struct tm tm;
	char frac[16] = "";

	gmtime_r(&t, &tm);
	if (nsec) {
		int n;
		snprintf(frac, sizeof(frac), ".%09ld", nsec);
		n = (int)strlen(frac);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static void test_rfc3339_matches_gmtime(void)
{
	static const time_t fixed[] = {
		0, -1, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800, 4107542400 /* 2100-03-01 */,
		1798508349, 253402300799 /* 9999-12-31T23:59:59 */, -62135596800 /* 0001-01-01 */,
	};
	char got[64], want[64];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct timespec ts = { fixed[i], 0 };
		rfc3339_nano(&ts, got, sizeof(got));
		want_gmtime(fixed[i], 0, want, sizeof(want));
		UNIT_CHECK_STR(got, want);
	}
	/* Every day of four centuries around now, at an odd time of day. */
	for (time_t t = -5000LL * 86400 + 3723; t < 146097LL * 86400; t += 86400 + 7) {
		struct timespec ts = { t, 0 };
		rfc3339_nano(&ts, got, sizeof(got));
		want_gmtime(t, 0, want, sizeof(want));
		if (strcmp(got, want) != 0) {
			UNIT_CHECK_STR(got, want);
			break;
		}
	}
}

static void test_rfc3339_fraction(void)
{
	char got[64];
	struct timespec ts = { 1798508349, 500000000 };

	rfc3339_nano(&ts, got, sizeof(got));
	UNIT_CHECK_STR(got, "2026-12-29T01:39:09.5Z");
	ts.tv_nsec = 123456789;
	rfc3339_nano(&ts, got, sizeof(got));
	UNIT_CHECK_STR(got, "2026-12-29T01:39:09.123456789Z");
	ts.tv_nsec = 1000;
	rfc3339_nano(&ts, got, sizeof(got));
	UNIT_CHECK_STR(got, "2026-12-29T01:39:09.000001Z");
}

int main(void)
{
	UNIT_RUN(test_rfc3339_matches_gmtime);
	UNIT_RUN(test_rfc3339_fraction);
	UNIT_DONE();
}
