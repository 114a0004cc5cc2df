/* berth update [options] <id>: runc's flags and value syntax. With
 * --resources (a linux.resources JSON object from a file or "-" for
 * stdin) every other flag is ignored, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "spec.h"

enum {
	OPT_BLKIO_WEIGHT = 1000, OPT_CPU_PERIOD, OPT_CPU_QUOTA, OPT_CPU_BURST, OPT_CPU_SHARE, OPT_CPU_RT_PERIOD,
	OPT_CPU_RT_RUNTIME, OPT_CPUSET_CPUS, OPT_CPUSET_MEMS, OPT_KERNEL_MEMORY, OPT_KERNEL_MEMORY_TCP, OPT_MEMORY,
	OPT_MEMORY_RESERVATION, OPT_MEMORY_SWAP, OPT_PIDS_LIMIT, OPT_L3_CACHE_SCHEMA, OPT_MEM_BW_SCHEMA,
};

static const struct option update_options[] = {
	{ "resources", required_argument, NULL, 'r' },
	{ "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
	{ "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
	{ "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
	{ "cpu-burst", required_argument, NULL, OPT_CPU_BURST },
	{ "cpu-share", required_argument, NULL, OPT_CPU_SHARE },
	{ "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
	{ "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
	{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
	{ "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
	{ "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
	{ "kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
	{ "l3-cache-schema", required_argument, NULL, OPT_L3_CACHE_SCHEMA },
	{ "mem-bw-schema", required_argument, NULL, OPT_MEM_BW_SCHEMA },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct update_cli {
	const char *resources_path;
	struct spec_resources r;   /* from the single flags */
	const char *l3_cache_schema, *mem_bw_schema;
};

/* go-units RAMInBytes, as runc reads sizes: "100", "100M", "1.5g",
 * "64KiB", "2 GB"; binary multiples. "-1" is "no limit". */
static int parse_size(const char *flag, const char *s, struct opt_i64 *out)
{
	static const char units[] = "kmgtp";
	char *end = NULL;
	double v;
	int shift = 0;

	if (strcmp(s, "-1") == 0) {
		*out = (struct opt_i64){ true, -1 };
		return 0;
	}
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !end)
		goto bad;
	if (*end == ' ')
		end++;
	if (*end) {
		const char *u = strchr(units, end[0] | 0x20);
		if (!u)
			goto bad;
		shift = 10 * (int)(u - units + 1);
		end++;
		if ((*end | 0x20) == 'i')
			end++;
		if ((*end | 0x20) == 'b')
			end++;
		if (*end)
			goto bad;
	}
	v *= (double)(1ULL << shift);
	if (v >= 9.2e18)
		goto bad;
	*out = (struct opt_i64){ true, (int64_t)v };
	return 0;
bad:
	cli_failf("invalid value for %s: invalid size: '%s'", flag, s);
	return -1;
}

static int parse_u64(const char *flag, const char *s, uint64_t max, struct opt_u64 *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || s[0] == '-' || s[0] == '+') {
		cli_failf("invalid value for %s: strconv.ParseUint: parsing \"%s\": invalid syntax", flag, s);
		return -1;
	}
	if (errno || v > max) {
		cli_failf("invalid value for %s: strconv.ParseUint: parsing \"%s\": value out of range", flag, s);
		return -1;
	}
	*out = (struct opt_u64){ true, v };
	return 0;
}

static int parse_i64(const char *flag, const char *s, struct opt_i64 *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end) {
		cli_failf("invalid value for %s: strconv.ParseInt: parsing \"%s\": invalid syntax", flag, s);
		return -1;
	}
	if (errno) {
		cli_failf("invalid value for %s: strconv.ParseInt: parsing \"%s\": value out of range", flag, s);
		return -1;
	}
	*out = (struct opt_i64){ true, v };
	return 0;
}

static int replace_string(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : cli_failf("out of memory");
}

static int handle_update_option(int opt, const char *arg, void *data)
{
	struct update_cli *u = data;
	struct spec_resources *r = &u->r;

	switch (opt) {
	case 'r': u->resources_path = arg; return 0;
	case OPT_BLKIO_WEIGHT: return parse_u64("blkio-weight", arg, UINT16_MAX, &r->block_io.weight) < 0;
	case OPT_CPU_PERIOD: return parse_u64("cpu-period", arg, UINT64_MAX, &r->cpu.period) < 0;
	case OPT_CPU_QUOTA: return parse_i64("cpu-quota", arg, &r->cpu.quota) < 0;
	case OPT_CPU_BURST: return parse_u64("cpu-burst", arg, UINT64_MAX, &r->cpu.burst) < 0;
	case OPT_CPU_SHARE: return parse_u64("cpu-share", arg, UINT64_MAX, &r->cpu.shares) < 0;
	case OPT_CPU_RT_PERIOD: return parse_u64("cpu-rt-period", arg, UINT64_MAX, &r->cpu.realtime_period) < 0;
	case OPT_CPU_RT_RUNTIME: return parse_i64("cpu-rt-runtime", arg, &r->cpu.realtime_runtime) < 0;
	case OPT_CPUSET_CPUS: return replace_string(&r->cpu.cpus, arg);
	case OPT_CPUSET_MEMS: return replace_string(&r->cpu.mems, arg);
	case OPT_KERNEL_MEMORY:
	case OPT_KERNEL_MEMORY_TCP:
		log_warn("Kernel memory settings are ignored and will be removed");
		return 0;
	case OPT_MEMORY: return parse_size("memory", arg, &r->memory.limit) < 0;
	case OPT_MEMORY_RESERVATION: return parse_size("memory-reservation", arg, &r->memory.reservation) < 0;
	case OPT_MEMORY_SWAP: return parse_size("memory-swap", arg, &r->memory.swap) < 0;
	case OPT_PIDS_LIMIT: return parse_i64("pids-limit", arg, &r->pids.limit) < 0;
	case OPT_L3_CACHE_SCHEMA: u->l3_cache_schema = arg; return 0;
	case OPT_MEM_BW_SCHEMA: u->mem_bw_schema = arg; return 0;
	default: return 1;
	}
}

/* Reads all of fd into a NUL-terminated buffer. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	*len = 0;
	while (buf) {
		if (*len + 1 >= cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0) {
				buf[*len] = '\0';
				return buf;
			}
			break;
		}
		*len += (size_t)n;
	}
	free(buf);
	return NULL;
}

static struct spec_resources *load_resources_file(const char *path, struct berth_err *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct spec_resources *r;
	size_t len;
	char *text;

	if (fd < 0) {
		berth_err_set(err, errno, "open %s", path);
		return NULL;
	}
	text = read_all(fd, &len);
	if (!is_stdin)
		close(fd);
	if (!text) {
		berth_err_set(err, errno ? errno : ENOMEM, "read %s", path);
		return NULL;
	}
	r = berth_resources_parse(text, len, err);
	free(text);
	if (!r)
		berth_err_wrap(err, "resources");
	return r;
}

/* runc's words when the host has no Intel RDT; berth has no RDT support
 * even where the host has it. */
static int refuse_rdt(const struct update_cli *u)
{
	bool host_has_rdt = access("/sys/fs/resctrl/schemata", F_OK) == 0;

	if (u->l3_cache_schema)
		return host_has_rdt ? cli_failf("--l3-cache-schema: berth does not support Intel RDT")
				    : cli_failf("Intel RDT/CAT: l3 cache schema is not enabled");
	if (u->mem_bw_schema)
		return host_has_rdt ? cli_failf("--mem-bw-schema: berth does not support Intel RDT")
				    : cli_failf("Intel RDT/MBA: memory bandwidth schema is not enabled");
	return 0;
}

int cmd_update(struct cli *cli, int argc, char **argv)
{
	struct update_cli u = { 0 };
	struct spec_resources *from_file = NULL;
	struct berth_err err;
	int first, rc = 1;

	first = cli_parse("update", argc, argv, update_options, "r:h", handle_update_option, &u);
	if (first < 0 || cli_want_args("update", argc - first, 1, 1) < 0) {
		rc = first == -2 ? 0 : 1;
		goto out;
	}
	if (refuse_rdt(&u))
		goto out;
	if (u.resources_path) {
		from_file = load_resources_file(u.resources_path, &err);
		if (!from_file) {
			cli_fail(&err);
			goto out;
		}
	}
	if (berth_container_update(&cli->ctx, argv[first], from_file ? from_file : &u.r, &err) < 0)
		cli_fail(&err);
	else
		rc = 0;
out:
	free(u.r.cpu.cpus);
	free(u.r.cpu.mems);
	berth_resources_free(from_file);
	return rc;
}
