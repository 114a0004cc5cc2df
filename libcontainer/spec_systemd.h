/* What systemd needs to run as a container's PID 1 and a plain OCI config
 * does not give it, added by `create` to the parsed spec (never to the
 * config.json saved in the state dir) when plan_workload_is_systemd. */
#ifndef BERTH_SPEC_SYSTEMD_H
#define BERTH_SPEC_SYSTEMD_H

#include "err.h"
#include "spec.h"

/* The environment variable that tells systemd (and every tool using
 * sd_detect_virt) which container manager it runs under. */
#define SPEC_SYSTEMD_CONTAINER_ENV "container=berth"

/* For a systemd workload, and only where the config says nothing itself:
 *  - process.env gets container=berth unless it sets container= already;
 *  - tmpfs on /run (nosuid,nodev,strictatime,mode=755,tmpcopyup), /run/lock
 *    (nosuid,nodev,noexec,strictatime,mode=1777) and /tmp
 *    (nosuid,nodev,strictatime,mode=1777,tmpcopyup) unless a mount has that
 *    destination; each is placed before the first mount below it, so
 *    mounts the config puts inside /run or /tmp stay visible;
 *  - a new cgroup namespace unless linux.namespaces lists one (created or
 *    joined), and a "cgroup" mount on /sys/fs/cgroup (runc's default
 *    options, ro) unless one is configured. Which hierarchies inside it
 *    systemd may write is mount_cgroup's decision (rootfs.h).
 * Other workloads are left as they are. */
int spec_systemd_apply_defaults(struct spec *spec, struct berth_err *err);

#endif
