#include "seccomp_bpf.h"

#include <seccomp.h>

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SECCOMP_MAX_ARGS 6

/* runc's rule: when two conditions test the same argument, libseccomp
 * cannot AND them in one rule, so each condition becomes its own rule
 * (OR semantics), which is what profiles such as Docker's expect. */
static int seccomp_args_repeat_index(const struct spec_seccomp_rule *rule)
{
	unsigned counts[SECCOMP_MAX_ARGS] = { 0 };

	for (size_t i = 0; i < rule->n_args; i++) {
		if (++counts[rule->args[i].index] > 1)
			return 1;
	}
	return 0;
}

static int seccomp_add(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
		       const struct scmp_arg_cmp *cmps)
{
	int r = seccomp_rule_add_exact_array(ctx, action, nr, n, cmps);

	if (r < 0)
		r = seccomp_rule_add_array(ctx, action, nr, n, cmps);
	return r;
}

static bool is_supervised(const struct spec_seccomp *sc, const char *name)
{
	const char *s;
	unsigned bit;

	for (size_t i = 0; (s = spec_seccomp_supervisable_name(i, &bit)); i++)
		if ((sc->supervised & bit) && strcmp(name, s) == 0)
			return true;
	return false;
}

/* NOTIFY for each supervised syscall, whatever the profile said of it. */
static int bpf_add_supervised(scmp_filter_ctx ctx, const struct spec_seccomp *sc, struct berth_err *err)
{
	const char *s;
	unsigned bit;

	for (size_t i = 0; (s = spec_seccomp_supervisable_name(i, &bit)); i++) {
		int nr, r;
		if (!(sc->supervised & bit))
			continue;
		nr = seccomp_syscall_resolve_name(s);
		r = nr == __NR_SCMP_ERROR ? -ENOSYS : seccomp_add(ctx, SCMP_ACT_NOTIFY, nr, 0, NULL);
		if (r < 0)
			return berth_err_set(err, -r, "linux.seccomp: notify rule for supervised \"%s\"", s);
	}
	return 0;
}

static int bpf_add_rule(scmp_filter_ctx ctx, const struct spec_seccomp *sc, const struct spec_seccomp_rule *rule,
			size_t index, struct berth_err *err)
{
	struct scmp_arg_cmp cmps[SECCOMP_MAX_ARGS * 4];
	size_t n = rule->n_args;

	if (n > sizeof(cmps) / sizeof(cmps[0]))
		return berth_err_set(err, 0, "linux.seccomp.syscalls[%zu]: too many args", index);
	for (size_t i = 0; i < n; i++) {
		if (rule->args[i].index >= SECCOMP_MAX_ARGS)
			return berth_err_set(err, 0, "linux.seccomp.syscalls[%zu]: arg index %u out of range",
					     index, rule->args[i].index);
		cmps[i].arg = rule->args[i].index;
		cmps[i].op = (enum scmp_compare)rule->args[i].op;
		cmps[i].datum_a = rule->args[i].value;
		cmps[i].datum_b = rule->args[i].value_two;
	}
	for (size_t k = 0; rule->names && rule->names[k]; k++) {
		const char *name = rule->names[k];
		int nr = seccomp_syscall_resolve_name(name);
		int r = 0;

		if (nr == __NR_SCMP_ERROR)
			continue;       /* unknown to this libseccomp/arch: runc skips it */
		if (is_supervised(sc, name))
			continue;       /* bpf_add_supervised's */
		if (n > 0 && seccomp_args_repeat_index(rule)) {
			for (size_t i = 0; i < n && r == 0; i++)
				r = seccomp_add(ctx, rule->action, nr, 1, &cmps[i]);
		} else {
			r = seccomp_add(ctx, rule->action, nr, (unsigned)n, cmps);
		}
		if (r < 0)
			return berth_err_set(err, -r, "linux.seccomp.syscalls[%zu]: add rule for \"%s\"",
					     index, name);
	}
	return 0;
}

/* libseccomp writes the program to an fd; a memfd keeps it off disk. */
static int bpf_export(scmp_filter_ctx ctx, struct sock_filter **insns, size_t *n_insns,
			  struct berth_err *err)
{
	struct stat st;
	void *data = NULL;
	ssize_t got = 0;
	int r, fd = memfd_create("berth-seccomp", MFD_CLOEXEC);

	if (fd < 0)
		return berth_err_set(err, errno, "linux.seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		berth_err_set(err, -r, "linux.seccomp: export BPF");
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = berth_err_set(err, errno, "linux.seccomp: fstat BPF memfd");
		goto out;
	}
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		r = berth_err_set(err, 0, "linux.seccomp: filter has %lld bytes, more than the kernel's %d instructions",
				  (long long)st.st_size, BPF_MAXINSNS);
		goto out;
	}
	data = malloc((size_t)st.st_size);
	if (!data) {
		r = berth_err_set(err, ENOMEM, "linux.seccomp");
		goto out;
	}
	while (got < st.st_size) {
		ssize_t n = pread(fd, (char *)data + got, (size_t)(st.st_size - got), got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = berth_err_set(err, n < 0 ? errno : EIO, "linux.seccomp: read BPF memfd");
			free(data);
			goto out;
		}
		got += n;
	}
	*insns = data;
	*n_insns = (size_t)st.st_size / sizeof(struct sock_filter);
	r = 0;
out:
	close(fd);
	return r < 0 ? -1 : 0;
}

bool seccomp_filter_flag_supported(uint32_t flag)
{
	/* The kernel checks the flags before it reads the program: a flag it
	 * knows gets EFAULT for the NULL program, an unknown one EINVAL. No
	 * filter is ever installed. */
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

int seccomp_compile(const struct spec_seccomp *sc, struct sock_filter **insns, size_t *n_insns,
		    struct berth_err *err)
{
	scmp_filter_ctx ctx;
	int r;

	*insns = NULL;
	*n_insns = 0;
	ctx = seccomp_init(sc->default_action);
	if (!ctx)
		return berth_err_set(err, 0, "linux.seccomp: seccomp_init: bad default action %#x",
				     sc->default_action);
	/* berth-init sets no_new_privs itself, only when the config asks. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0) {
		berth_err_set(err, -r, "linux.seccomp: disable libseccomp's no_new_privs");
		goto fail;
	}
	for (size_t i = 0; i < sc->n_architectures; i++) {
		r = seccomp_arch_add(ctx, sc->architectures[i]);
		if (r < 0 && r != -EEXIST) {
			berth_err_set(err, -r, "linux.seccomp.architectures[%zu]: add architecture %#x",
				      i, sc->architectures[i]);
			goto fail;
		}
	}
	for (size_t i = 0; i < sc->n_rules; i++) {
		if (sc->rules[i].action == sc->default_action)
			continue;
		if (bpf_add_rule(ctx, sc, &sc->rules[i], i, err) < 0)
			goto fail;
	}
	if (bpf_add_supervised(ctx, sc, err) < 0)
		goto fail;
	if (bpf_export(ctx, insns, n_insns, err) < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}
