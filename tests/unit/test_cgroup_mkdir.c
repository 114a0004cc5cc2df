/* cgroup_mkdir_p (cgroup.c) on a scratch directory: which directories it
 * makes, what on_new is told about each, and how the parent_missing guess
 * carries from one hierarchy to the next. mkdir behaves the same on any
 * filesystem, so no cgroup mount is needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "unit.h"

struct on_new_call {
	char path[256];
	bool leaf, parent_new;
};

static struct on_new_call calls[8];
static size_t n_calls;
static bool fail_leaf; /* on_new fails for a leaf */
static char scratch[] = "/tmp/berth-unit-mkdir-XXXXXX";

static int record_on_new(const char *path, bool leaf, bool parent_new, struct berth_err *err)
{
	if (n_calls < sizeof(calls) / sizeof(calls[0])) {
		snprintf(calls[n_calls].path, sizeof(calls[n_calls].path), "%s", path + strlen(scratch));
		calls[n_calls].leaf = leaf;
		calls[n_calls].parent_new = parent_new;
	}
	n_calls++;
	return fail_leaf && leaf ? berth_err_set(err, EIO, "on_new") : 0;
}

static bool is_dir(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", scratch, rel);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* 1: made rel, 0: it was there, -1: failed (made or not: *made). */
static int mkdir_p_made(const char *rel, bool *parent_missing, bool *made)
{
	char path[512];
	struct berth_err err;

	snprintf(path, sizeof(path), "%s%s", scratch, rel);
	n_calls = 0;
	if (cgroup_mkdir_p(path, record_on_new, parent_missing, made, &err) < 0)
		return -1;
	return *made ? 1 : 0;
}

static int mkdir_p(const char *rel, bool *parent_missing)
{
	bool made;

	return mkdir_p_made(rel, parent_missing, &made);
}

/* on_new's i-th call was for rel, with these leaf and parent_new. */
static void expect_call(size_t i, const char *rel, bool leaf, bool parent_new)
{
	UNIT_CHECK(i < n_calls);
	UNIT_CHECK_STR(calls[i].path, rel);
	UNIT_CHECK(calls[i].leaf == leaf);
	UNIT_CHECK(calls[i].parent_new == parent_new);
}

static void test_missing_parent_is_made_and_guessed_next_time(void)
{
	bool parent_missing = false;
	char root[512];

	/* /a stands for a hierarchy's mount point: there, a cgroupsPath's parent
	 * (/berth) not. Returns 1: made. */
	snprintf(root, sizeof(root), "%s/a", scratch);
	UNIT_CHECK(mkdir(root, 0755) == 0);
	UNIT_CHECK(mkdir_p("/a/berth/c1", &parent_missing) == 1);
	UNIT_CHECK(is_dir("/a/berth/c1"));
	UNIT_CHECK(parent_missing);
	UNIT_CHECK(n_calls == 2);
	expect_call(0, "/a/berth", false, false);
	expect_call(1, "/a/berth/c1", true, true);
}

static void test_guess_of_missing_parent_that_exists(void)
{
	bool parent_missing = true;

	UNIT_CHECK(mkdir_p("/a/berth/c2", &parent_missing) == 1);
	UNIT_CHECK(is_dir("/a/berth/c2"));
	UNIT_CHECK(n_calls == 1);
	expect_call(0, "/a/berth/c2", true, false);
}

static void test_parent_there_takes_no_guess(void)
{
	bool parent_missing = false;

	UNIT_CHECK(mkdir_p("/a/berth/c3", &parent_missing) == 1);
	UNIT_CHECK(!parent_missing);
	UNIT_CHECK(n_calls == 1);
	expect_call(0, "/a/berth/c3", true, false);
}

/* Returns 0: it was there (create refuses that for a default path). */
static void test_existing_leaf_is_left_alone(void)
{
	bool parent_missing = false;

	UNIT_CHECK(mkdir_p("/a/berth/c3", &parent_missing) == 0);
	UNIT_CHECK(n_calls == 0);
	UNIT_CHECK(mkdir_p("/a/berth/c3", NULL) == 0);
	UNIT_CHECK(n_calls == 0);
}

static void test_two_missing_levels(void)
{
	bool parent_missing = false;

	UNIT_CHECK(mkdir_p("/b/x/y/leaf", &parent_missing) == 1);
	UNIT_CHECK(is_dir("/b/x/y/leaf"));
	UNIT_CHECK(n_calls == 4);
	expect_call(0, "/b", false, false);
	expect_call(1, "/b/x", false, true);
	expect_call(2, "/b/x/y", false, true);
	expect_call(3, "/b/x/y/leaf", true, true);
}

/* A failed create must still remove the leaf it made: made is set even
 * when on_new then fails, on both paths (parent there, parent made). */
static void test_made_is_told_when_on_new_fails(void)
{
	bool made = false, parent_missing = false;

	fail_leaf = true;
	UNIT_CHECK(mkdir_p_made("/a/berth/c4", &parent_missing, &made) == -1);
	UNIT_CHECK(made && is_dir("/a/berth/c4"));
	made = false;
	UNIT_CHECK(mkdir_p_made("/c/p/leaf", &parent_missing, &made) == -1);
	UNIT_CHECK(made && is_dir("/c/p/leaf"));
	fail_leaf = false;
}

static void remove_scratch(void)
{
	static const char *const dirs[] = { "/a/berth/c1", "/a/berth/c2", "/a/berth/c3", "/a/berth/c4",
					    "/a/berth", "/a", "/b/x/y/leaf", "/b/x/y", "/b/x", "/b",
					    "/c/p/leaf", "/c/p", "/c", "" };
	char path[512];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", scratch, dirs[i]);
		rmdir(path);
	}
}

/* The tests run in this order: the later ones use the /a/berth the first
 * one makes. */
int main(void)
{
	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	UNIT_RUN(test_missing_parent_is_made_and_guessed_next_time);
	UNIT_RUN(test_guess_of_missing_parent_that_exists);
	UNIT_RUN(test_parent_there_takes_no_guess);
	UNIT_RUN(test_existing_leaf_is_left_alone);
	UNIT_RUN(test_two_missing_levels);
	UNIT_RUN(test_made_is_told_when_on_new_fails);
	remove_scratch();
	UNIT_DONE();
}
