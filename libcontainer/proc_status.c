#include "proc_status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int proc_status_read(pid_t tid, struct proc_status *st)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %ld %ld %ld %ld", &st->uid[0], &st->uid[1], &st->uid[2], &st->uid[3]) == 4 ||
		    sscanf(line, "Gid: %ld %ld %ld %ld", &st->gid[0], &st->gid[1], &st->gid[2], &st->gid[3]) == 4 ||
		    sscanf(line, "Tgid: %d", &st->tgid) == 1 ||
		    sscanf(line, "CapPrm: %" SCNx64, &st->cap_permitted) == 1) {
			found++;
		} else if (strncmp(line, "NSpid:", 6) == 0) {
			/* One pid per nested namespace, the task's own last. */
			char *p = line + 6, *end;
			for (long v; (v = strtol(p, &end, 10)), end != p; p = end)
				st->nspid = (pid_t)v;
			found++;
		}
	}
	fclose(f);
	return found == 5 ? 0 : -ESRCH;
}
