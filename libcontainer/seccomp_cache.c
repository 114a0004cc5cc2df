#include "seccomp_cache.h"

#include <seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp_bpf.h"

#define CACHE_SUBDIR ".seccomp"
#define CACHE_MAGIC "berth-seccomp-cache 1\n"

/* Everything the program depends on, as text: the machine, libseccomp,
 * and every field of the profile that seccomp_compile reads. */
static char *cache_key(const struct spec_seccomp *sc, size_t *len)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	fprintf(f, CACHE_MAGIC "%s %s %u.%u.%u %#x %#x\n", u.release, u.machine, v ? v->major : 0,
		v ? v->minor : 0, v ? v->micro : 0, seccomp_arch_native(), sc->default_action);
	fprintf(f, "supervised %#x\n", sc->supervised);
	for (size_t i = 0; i < sc->n_architectures; i++)
		fprintf(f, "arch %#x\n", sc->architectures[i]);
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct spec_seccomp_rule *r = &sc->rules[i];
		fprintf(f, "rule %#x", r->action);
		for (char **n = r->names; n && *n; n++)
			fprintf(f, " %zu:%s", strlen(*n), *n);
		for (size_t a = 0; a < r->n_args; a++)
			fprintf(f, " arg %u %d %llu %llu", r->args[a].index, (int)r->args[a].op,
				(unsigned long long)r->args[a].value, (unsigned long long)r->args[a].value_two);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* FNV-1a: only picks the file name; the key inside decides. */
static unsigned long long key_hash(const char *key, size_t len)
{
	unsigned long long h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The file: key length (size_t), key, then the instructions. */
static int cache_read(const char *path, const char *key, size_t key_len, struct sock_filter **insns,
		      size_t *n_insns)
{
	struct stat st;
	size_t stored_len, body;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)(sizeof(size_t) + key_len))
		goto out;
	buf = malloc((size_t)st.st_size);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size)
		goto out;
	memcpy(&stored_len, buf, sizeof(stored_len));
	body = (size_t)st.st_size - sizeof(size_t) - key_len;
	if (stored_len != key_len || memcmp(buf + sizeof(size_t), key, key_len) != 0 || body == 0 ||
	    body % sizeof(struct sock_filter) || body / sizeof(struct sock_filter) > BPF_MAXINSNS)
		goto out;
	*insns = malloc(body);
	if (!*insns)
		goto out;
	memcpy(*insns, buf + sizeof(size_t) + key_len, body);
	*n_insns = body / sizeof(struct sock_filter);
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* Best effort: a temp file renamed into place, so readers see whole files. */
static void cache_write(const char *dir, const char *path, const char *key, size_t key_len,
			const struct sock_filter *insns, size_t n_insns)
{
	char tmp[PATH_MAX + 64];
	size_t body = n_insns * sizeof(*insns);
	int fd;
	bool ok;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write(fd, &key_len, sizeof(key_len)) == (ssize_t)sizeof(key_len) &&
	     write(fd, key, key_len) == (ssize_t)key_len && write(fd, insns, body) == (ssize_t)body;
	close(fd);
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
}

int seccomp_compile_cached(const char *dir, const struct spec_seccomp *sc, struct sock_filter **insns,
			   size_t *n_insns, struct berth_err *err)
{
	char cache_dir[PATH_MAX], path[PATH_MAX + 32];
	size_t key_len = 0;
	char *key;

	*insns = NULL;
	*n_insns = 0;
	if (!dir || sc->needs_notify)
		return seccomp_compile(sc, insns, n_insns, err);
	key = cache_key(sc, &key_len);
	if (!key)
		return seccomp_compile(sc, insns, n_insns, err);
	snprintf(cache_dir, sizeof(cache_dir), "%s/" CACHE_SUBDIR, dir);
	snprintf(path, sizeof(path), "%s/%016llx", cache_dir, key_hash(key, key_len));
	if (cache_read(path, key, key_len, insns, n_insns) == 0) {
		free(key);
		return 0;
	}
	if (seccomp_compile(sc, insns, n_insns, err) < 0) {
		free(key);
		return -1;
	}
	cache_write(cache_dir, path, key, key_len, *insns, *n_insns);
	free(key);
	return 0;
}
