/* cgroup v2 device rules: v2 has no devices.allow file, so the rules are
 * compiled into an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE,
 * loaded with bpf(2) and attached to the container's cgroup directory.
 *
 * Semantics match the v1 path (cgroup_v1.c): everything denied, then the
 * config's rules in order, then runc's default allow list, then the
 * config's linux.devices; the last rule that matches a request decides.
 * The program checks the rules from the last one back and returns at the
 * first match, falling through to "deny". */
#include "cgroup_resources.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct dev_rule {
	bool allow;
	char type;          /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: any */
	unsigned access;    /* BPF_DEVCG_ACC_* bits */
};

struct dev_rules {
	struct dev_rule *v;
	size_t n, cap;
};

static int rules_add(struct dev_rules *rs, struct dev_rule r, struct berth_err *err)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 32;
		struct dev_rule *grown = realloc(rs->v, cap * sizeof(*grown));
		if (!grown)
			return berth_err_set(err, ENOMEM, "device rules");
		rs->v = grown;
		rs->cap = cap;
	}
	rs->v[rs->n++] = r;
	return 0;
}

static unsigned access_bits(const char *access)
{
	unsigned bits = 0;

	if (!access || !*access)
		access = "rwm";
	for (; *access; access++)
		bits |= *access == 'r' ? BPF_DEVCG_ACC_READ : *access == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return bits;
}

/* The same default list as cgroup_v1.c (runc's): "*:*" means any. */
static const struct { char type; int64_t major, minor; } default_allowed[] = {
	{ 'c', 1, 3 }, { 'c', 1, 5 }, { 'c', 1, 7 }, { 'c', 1, 8 }, { 'c', 1, 9 },
	{ 'c', 5, 0 }, { 'c', 5, 1 }, { 'c', 5, 2 }, { 'c', 136, -1 }, { 'c', 10, 200 },
};

static int collect_rules(const struct spec *spec, struct dev_rules *rs, struct berth_err *err)
{
	const struct spec_resources *res = &spec->linux_.resources;

	for (size_t i = 0; i < res->n_devices; i++) {
		const struct spec_device_cgroup *d = &res->devices[i];
		struct dev_rule r = { .allow = d->allow, .type = d->type ? d->type : 'a',
				      .major = d->major.set ? d->major.v : -1, .minor = d->minor.set ? d->minor.v : -1,
				      .access = access_bits(d->access) };
		if (rules_add(rs, r, err) < 0)
			return -1;
	}
	/* mknod of any node is allowed, opening it is what the rules guard. */
	if (rules_add(rs, (struct dev_rule){ true, 'c', -1, -1, BPF_DEVCG_ACC_MKNOD }, err) < 0 ||
	    rules_add(rs, (struct dev_rule){ true, 'b', -1, -1, BPF_DEVCG_ACC_MKNOD }, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(default_allowed) / sizeof(*default_allowed); i++) {
		struct dev_rule r = { true, default_allowed[i].type, default_allowed[i].major, default_allowed[i].minor,
				      access_bits(NULL) };
		if (rules_add(rs, r, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < spec->linux_.n_devices; i++) {
		const struct spec_device *d = &spec->linux_.devices[i];
		char type = d->type == 'u' ? 'c' : d->type;
		if (type == 'p')
			continue; /* fifos need no device permission */
		if (rules_add(rs, (struct dev_rule){ true, type, d->major, d->minor, access_bits(NULL) }, err) < 0)
			return -1;
	}
	return 0;
}

/* --- instruction building ----------------------------------------------- */

struct prog {
	struct bpf_insn *insns;
	size_t n, cap;
};

static int emit(struct prog *p, struct bpf_insn insn, struct berth_err *err)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct bpf_insn *grown = realloc(p->insns, cap * sizeof(*grown));
		if (!grown)
			return berth_err_set(err, ENOMEM, "device program");
		p->insns = grown;
		p->cap = cap;
	}
	p->insns[p->n++] = insn;
	return 0;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* Registers after the prologue: r2 type, r3 access, r4 major, r5 minor. */
static int emit_prologue(struct prog *p, struct berth_err *err)
{
	/* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
	 * with access_type = access << 16 | type. */
	const struct bpf_insn prologue[] = {
		insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0), insn(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff),
		insn(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0), insn(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16),
		insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0), insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0),
	};

	for (size_t i = 0; i < sizeof(prologue) / sizeof(*prologue); i++)
		if (emit(p, prologue[i], err) < 0)
			return -1;
	return 0;
}

/* One rule: each test jumps past the block when it does not match; the
 * jump offsets are patched once the block's length is known. */
static int emit_rule(struct prog *p, const struct dev_rule *r, struct berth_err *err)
{
	size_t start = p->n, end;

	if (r->type != 'a') {
		int32_t type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
		if (emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, type), err) < 0)
			return -1;
	}
	if (r->access != access_bits(NULL)) {
		/* The request must want nothing outside the rule's access. */
		if (emit(p, insn(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0), err) < 0 ||
		    emit(p, insn(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int32_t)r->access), err) < 0 ||
		    emit(p, insn(BPF_JMP | BPF_JNE | BPF_X, 1, 3, 0, 0), err) < 0)
			return -1;
	}
	if (r->major >= 0 && emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)r->major), err) < 0)
		return -1;
	if (r->minor >= 0 && emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)r->minor), err) < 0)
		return -1;
	if (emit(p, insn(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0), err) < 0 ||
	    emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), err) < 0)
		return -1;
	end = p->n;
	for (size_t i = start; i < end; i++)
		if (BPF_CLASS(p->insns[i].code) == BPF_JMP && BPF_OP(p->insns[i].code) == BPF_JNE)
			p->insns[i].off = (int16_t)(end - i - 1);
	return 0;
}

static bool rule_matches_all(const struct dev_rule *r)
{
	return r->type == 'a' && r->access == access_bits(NULL) && r->major < 0 && r->minor < 0;
}

static int build_program(const struct dev_rules *rs, struct prog *p, struct berth_err *err)
{
	if (emit_prologue(p, err) < 0)
		return -1;
	for (size_t i = rs->n; i-- > 0;) {
		if (emit_rule(p, &rs->v[i], err) < 0)
			return -1;
		/* A rule that matches everything ends the program: the verifier
		 * refuses code after it as unreachable. */
		if (rule_matches_all(&rs->v[i]))
			return 0;
	}
	if (emit(p, insn(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 0), err) < 0 ||
	    emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), err) < 0)
		return -1;
	return 0;
}

/* --- load and attach ------------------------------------------------------ */

static int load_and_attach(const char *dir, const struct prog *p, struct berth_err *err)
{
	static char log[8192];
	union bpf_attr attr;
	int prog_fd, cg_fd, rc;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p->insns;
	attr.insn_cnt = (uint32_t)p->n;
	attr.license = (uint64_t)(uintptr_t) "Apache";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	log[0] = '\0';
	prog_fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog_fd < 0)
		return berth_err_set(err, errno, "device rules: load the eBPF program%s%.200s", log[0] ? ": " : "",
				     log);
	cg_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0) {
		int e = errno;
		close(prog_fd);
		return berth_err_set(err, e, "open %s", dir);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cg_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
	if (rc < 0)
		rc = berth_err_set(err, errno, "device rules: attach the eBPF program to %s", dir);
	/* The attachment holds the program; the fds are not needed after. */
	close(cg_fd);
	close(prog_fd);
	return rc < 0 ? -1 : 0;
}

int cgroup_v2_devices_apply(const char *dir, const struct spec *spec, struct berth_err *err)
{
	struct dev_rules rs = { 0 };
	struct prog p = { 0 };
	int rc = -1;

	if (collect_rules(spec, &rs, err) == 0 && build_program(&rs, &p, err) == 0)
		rc = load_and_attach(dir, &p, err);
	free(rs.v);
	free(p.insns);
	return rc;
}
