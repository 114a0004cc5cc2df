#include "seccomp_listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fdpass.h"
#include "json_util.h"
#include "plan.h"
#include "proc_status.h"
#include "seccomp_supervisor.h"

bool seccomp_listener_message(const char *msg, pid_t *nspid)
{
	size_t n = strlen(CONTROL_MSG_SECCOMP);
	char *end;
	long v;

	if (strncmp(msg, CONTROL_MSG_SECCOMP, n) != 0 || msg[n] != ' ')
		return false;
	errno = 0;
	v = strtol(msg + n + 1, &end, 10);
	if (errno || *end || end == msg + n + 1 || v <= 0)
		return false;
	*nspid = (pid_t)v;
	return true;
}

/* {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}. */
static char *process_state_json(const struct spec_seccomp *sc, pid_t pid, const char *state_json,
				struct berth_err *err)
{
	static const char *const fds[] = { "seccompFd", NULL };
	struct jsonw w;
	char *head, *doc;
	size_t len;

	if (jsonw_init(&w, NULL, err) < 0)
		return NULL;
	jsonw_map_open(&w);
	jsonw_str(&w, "ociVersion");
	jsonw_str(&w, SPEC_OCI_VERSION_MAX);
	jsonw_strv(&w, "fds", fds);
	jsonw_str(&w, "pid");
	jsonw_int(&w, pid);
	if (sc->listener_metadata && *sc->listener_metadata) {
		jsonw_str(&w, "metadata");
		jsonw_str(&w, sc->listener_metadata);
	}
	jsonw_map_close(&w);
	head = jsonw_finish(&w, "seccomp listener: container process state", err);
	if (!head)
		return NULL;
	/* The state is a document of its own already: it goes in as it is,
	 * in place of the closing brace. */
	len = strlen(head);
	if (asprintf(&doc, "%.*s,\"state\":%s}", (int)(len - 1), head, state_json) < 0) {
		free(head);
		berth_err_set(err, ENOMEM, "seccomp listener: container process state");
		return NULL;
	}
	free(head);
	return doc;
}

int seccomp_listener_deliver(const struct spec_seccomp *sc, pid_t pid, const char *state_json, int listener,
			     struct berth_err *err)
{
	char *doc;
	int rc;

	if (sc->supervised)
		return seccomp_supervisor_spawn(listener, err);
	if (!sc->listener_path || !*sc->listener_path)
		return berth_err_set(err, EINVAL, "seccomp listener: linux.seccomp.listenerPath is not set");
	doc = process_state_json(sc, pid, state_json, err);
	if (!doc)
		return -1;
	rc = fdpass_send_to_path(sc->listener_path, doc, listener, err);
	free(doc);
	if (rc < 0)
		return berth_err_wrap(err, "seccomp listener");
	return 0;
}

int seccomp_listener_ack(int sock, struct berth_err *err)
{
	if (send(sock, CONTROL_MSG_SECCOMP_OK, strlen(CONTROL_MSG_SECCOMP_OK), MSG_NOSIGNAL) < 0)
		return berth_err_set(err, errno, "seccomp listener: tell the container's process to go on");
	return 0;
}

/* The task's pid in its own pid namespace, 0 if it is gone. */
static pid_t innermost_pid(pid_t pid)
{
	struct proc_status st;

	return proc_status_read(pid, &st) == 0 ? st.nspid : 0;
}

pid_t seccomp_listener_host_pid(pid_t init_pid, pid_t nspid, struct berth_err *err)
{
	char path[64];
	pid_t found = -1;
	FILE *f;
	long child;

	if (innermost_pid(init_pid) == nspid)
		return init_pid; /* exec mode: the workload is PID 1 */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init_pid, (int)init_pid);
	f = fopen(path, "re");
	if (!f)
		return berth_err_set(err, errno, "seccomp listener: read %s", path);
	while (found < 0 && fscanf(f, "%ld", &child) == 1)
		if (innermost_pid((pid_t)child) == nspid)
			found = (pid_t)child;
	fclose(f);
	if (found < 0)
		return berth_err_set(err, ESRCH, "seccomp listener: no child of the container's init has pid %d",
				     (int)nspid);
	return found;
}
