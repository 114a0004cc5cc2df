/* process.execCPUAffinity: CPU lists in the kernel's format, and the
 * affinity they give. */
#include "cpu_affinity.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* One decimal CPU number below CPU_SETSIZE at *p, which it advances. */
static int parse_cpu(const char **p, unsigned long *cpu, const char **why)
{
	char *end;

	if (!isdigit((unsigned char)**p)) {
		*why = "expected a CPU number";
		return -1;
	}
	errno = 0;
	*cpu = strtoul(*p, &end, 10);
	if (errno == ERANGE || *cpu >= CPU_SETSIZE) {
		*why = "CPU number out of range";
		return -1;
	}
	*p = end;
	return 0;
}

int cpu_list_parse(const char *list, cpu_set_t *set, const char **why)
{
	const char *p = list;

	CPU_ZERO(set);
	while (*p) {
		unsigned long first, last;

		if (parse_cpu(&p, &first, why) < 0)
			return -1;
		last = first;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &last, why) < 0)
				return -1;
			if (last < first) {
				*why = "range ends before it starts";
				return -1;
			}
		}
		if (*p && *p != ',') {
			*why = "expected ',' or '-' after a CPU number";
			return -1;
		}
		if (*p == ',' && !*++p) {
			*why = "ends with ','";
			return -1;
		}
		for (unsigned long cpu = first; cpu <= last; cpu++)
			CPU_SET(cpu, set);
	}
	return 0;
}

int cpu_affinity_apply(const char *list, const char *what, struct berth_err *err)
{
	cpu_set_t set;
	const char *why;

	if (!list || !*list)
		return 0;
	if (cpu_list_parse(list, &set, &why) < 0)
		return berth_err_set(err, EINVAL, "%s \"%s\": %s", what, list, why);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return berth_err_set(err, errno, "%s: run on CPUs %s", what, list);
	return 0;
}
