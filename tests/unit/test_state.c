/* Unit tests for state.c: rfc3339_nano must agree with gmtime_r (which it
 * replaces on the hot path) across eras, leap days and negative times, and
 * drop trailing zeros of the fraction as Go does; state.json keeps the hook
 * kinds of the config through a save and a replace, and one without that
 * record (an older berth's) says it does not know them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static void save_and_load(const char *root, struct container_state *st, struct container_state *out)
{
	struct berth_err err;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", root, st->id);
	UNIT_CHECK(state_save(dir, st, &err) == 0);
	UNIT_CHECK(state_load(root, st->id, out, &err) == 0);
}

static void test_state_keeps_hook_kinds(void)
{
	char root[] = "/tmp/berth-unit-state.XXXXXX", dir[4200], tmp[4300];
	struct container_state st = { .id = "c1", .oci_version = "1.2.0", .bundle = "/b", .rootfs = "/b/rootfs",
				      .created = "2026-12-05T08:00:00Z", .owner = "root", .cgroup_path = "/berth/c1",
				      .phase = PHASE_CREATING, .hook_kinds_known = true,
				      .hook_kinds = 1u << SPEC_HOOK_POSTSTART | 1u << SPEC_HOOK_POSTSTOP };
	struct container_state out;
	struct stat sb;

	UNIT_CHECK(mkdtemp(root) != NULL);
	snprintf(dir, sizeof(dir), "%s/c1", root);
	snprintf(tmp, sizeof(tmp), "%s/.state.json.tmp", dir);
	UNIT_CHECK(mkdir(dir, 0700) == 0);
	save_and_load(root, &st, &out); /* the first write: a rename */
	UNIT_CHECK(out.hook_kinds_known);
	UNIT_CHECK(out.hook_kinds == st.hook_kinds);
	UNIT_CHECK(out.phase == PHASE_CREATING);
	UNIT_CHECK(out.on_disk);
	state_free(&out);
	st.phase = PHASE_STARTED; /* replaces it: an exchange */
	st.on_disk = true;
	st.hook_kinds = 0;
	save_and_load(root, &st, &out);
	UNIT_CHECK(out.hook_kinds_known);
	UNIT_CHECK(out.hook_kinds == 0);
	UNIT_CHECK(out.phase == PHASE_STARTED);
	UNIT_CHECK(stat(tmp, &sb) < 0); /* the old text went with the temp name */
	state_free(&out);
	snprintf(tmp, sizeof(tmp), "%s/state.json", dir);
	UNIT_CHECK(unlink(tmp) == 0);
	UNIT_CHECK(rmdir(dir) == 0);
	UNIT_CHECK(rmdir(root) == 0);
}

static void test_state_of_older_berth_has_no_hook_record(void)
{
	char root[] = "/tmp/berth-unit-state.XXXXXX", path[4200];
	struct container_state out;
	struct berth_err err;
	FILE *f;

	UNIT_CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/old", root);
	UNIT_CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/old/state.json", root);
	f = fopen(path, "w");
	UNIT_CHECK(f != NULL);
	if (f) {
		fputs("{\"ociVersion\":\"1.2.0\",\"id\":\"old\",\"pid\":0,\"bundle\":\"/b\",\"rootfs\":\"/b/r\","
		      "\"created\":\"2026-12-05T08:00:00Z\",\"phase\":\"started\"}",
		      f);
		fclose(f);
	}
	UNIT_CHECK(state_load(root, "old", &out, &err) == 0);
	UNIT_CHECK(!out.hook_kinds_known);
	state_free(&out);
	UNIT_CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/old", root);
	UNIT_CHECK(rmdir(path) == 0);
	UNIT_CHECK(rmdir(root) == 0);
}

int main(void)
{
	UNIT_RUN(test_rfc3339_matches_gmtime);
	UNIT_RUN(test_rfc3339_fraction);
	UNIT_RUN(test_state_keeps_hook_kinds);
	UNIT_RUN(test_state_of_older_berth_has_no_hook_record);
	UNIT_DONE();
}
