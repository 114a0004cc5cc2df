/* Typed view of an OCI bundle's config.json (runtime-spec 1.0.0 .. 1.2.x,
 * Linux fields). spec_parse() validates as it converts: everything in these
 * structs has already been checked for type, range and known names, so the
 * rest of berth never sees raw JSON. Optional scalars carry a `set` flag. */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The config.json versions berth implements: spec_parse accepts
 * SPEC_OCI_VERSION_MIN up to any 1.SPEC_OCI_MINOR_MAX.x, and `berth
 * features` reports the range. */
#define SPEC_OCI_VERSION_MIN "1.0.0"
#define SPEC_OCI_VERSION_MAX "1.2.0"

/* berth's annotations that name host files stage 0 opens for writing:
 * `features` lists them as potentially unsafe, so an engine can keep them
 * away from untrusted workloads. */
#define SPEC_ANNOTATION_STDOUT "run.berth.stdout"
#define SPEC_ANNOTATION_STDERR "run.berth.stderr"
/* "perf_event_open": berth's supervisor performs the workload's
 * perf_event_open calls (seccomp_supervisor.h). */
#define SPEC_ANNOTATION_SECCOMP_SUPERVISE "run.berth.seccomp.supervise"
#define SECCOMP_SUPERVISE_PERF_EVENT_OPEN (1u << 0)
#define SPEC_OCI_MAJOR 1
#define SPEC_OCI_MINOR_MAX 2

struct opt_i64 { bool set; int64_t v; };
struct opt_u64 { bool set; uint64_t v; };
struct opt_bool { bool set; bool v; };

/* NULL-terminated string vector (NULL when absent). */
typedef char **strv_t;

struct spec_kv { char *key; char *value; };

struct spec_id_mapping { uint32_t container_id, host_id, size; };

struct spec_mount {
	char *destination;    /* absolute (checked) */
	char *source;         /* may be NULL */
	char *type;           /* may be NULL */
	strv_t options;       /* raw option strings as given */
	/* decoded from options by spec_parse (see mount_options.c) */
	unsigned long flags;          /* MS_* to set */
	unsigned long clear_flags;    /* MS_* explicitly cleared ("rw", "suid"...) */
	unsigned long propagation;    /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC) */
	uint64_t attr_set, attr_clr;  /* MOUNT_ATTR_* for recursive "r*" options */
	bool recursive_attrs;         /* any "r*" option present: mount_setattr AT_RECURSIVE */
	bool bind;                    /* "bind"/"rbind" or type "bind" */
	bool idmap;                   /* "idmap"/"ridmap" */
	bool idmap_recursive;         /* the last of them was "ridmap": idmap submounts too */
	bool tmpcopyup;               /* "tmpcopyup": a tmpfs gets a copy of what it covers */
	char *data;                   /* remaining fs-specific options joined by ',' */
	struct spec_id_mapping *uid_mappings; size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings; size_t n_gid_mappings;
};

enum spec_ns_type {
	SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_MOUNT, SPEC_NS_IPC, SPEC_NS_UTS,
	SPEC_NS_USER, SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS_COUNT
};

struct spec_namespace {
	bool present;   /* listed in linux.namespaces */
	char *path;     /* join this one instead of creating (NULL: create) */
};

struct spec_rlimit { int resource; uint64_t soft, hard; char *name; };

struct spec_caps {
	bool set;       /* process.capabilities present */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct spec_user {
	uint32_t uid, gid;
	struct opt_u64 umask;
	uint32_t *additional_gids; size_t n_additional_gids;
};

struct spec_scheduler {
	bool set;
	int policy;                 /* SCHED_* */
	int32_t nice, priority;
	uint64_t flags;             /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period;
};

struct spec_io_priority { bool set; int class; int priority; };

struct spec_process {
	bool terminal;
	struct opt_u64 console_height, console_width;
	char *cwd;                  /* absolute; defaults to "/" */
	strv_t env;
	strv_t args;                /* at least one element (checked) */
	struct spec_rlimit *rlimits; size_t n_rlimits;
	char *apparmor_profile;
	struct spec_caps caps;
	bool no_new_privileges;
	struct opt_i64 oom_score_adj;
	struct spec_scheduler scheduler;
	char *selinux_label;
	struct spec_io_priority io_priority;
	char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
	struct spec_user user;
};

struct spec_hook {
	char *path;                 /* absolute (checked) */
	strv_t args;
	strv_t env;
	struct opt_i64 timeout;     /* seconds, > 0 */
};

enum spec_hook_kind {
	SPEC_HOOK_PRESTART, SPEC_HOOK_CREATE_RUNTIME, SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER, SPEC_HOOK_POSTSTART, SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_KIND_COUNT
};

struct spec_hook_list { struct spec_hook *hooks; size_t n; };

struct spec_device {
	char type;                  /* 'c', 'b', 'u', 'p' */
	char *path;                 /* absolute */
	int64_t major, minor;
	struct opt_u64 file_mode;
	struct opt_u64 uid, gid;
};

struct spec_device_cgroup {
	bool allow;
	char type;                  /* 'a', 'c', 'b' (0 = all) */
	struct opt_i64 major, minor;/* unset = wildcard */
	char *access;               /* "rwm" subset, NULL = all */
};

struct spec_weight_device { int64_t major, minor; struct opt_u64 weight, leaf_weight; };
struct spec_throttle_device { int64_t major, minor; uint64_t rate; };
struct spec_hugepage_limit { char *page_size; uint64_t limit; };
struct spec_net_priority { char *name; uint32_t priority; };
struct spec_rdma { char *device; struct opt_u64 hca_handles, hca_objects; };

struct spec_resources {
	struct spec_device_cgroup *devices; size_t n_devices;
	struct {
		struct opt_i64 limit, reservation, swap, kernel, kernel_tcp;
		struct opt_u64 swappiness;
		struct opt_bool disable_oom_killer, use_hierarchy, check_before_update;
	} memory;
	struct {
		struct opt_u64 shares, period, realtime_period;
		struct opt_i64 quota, realtime_runtime;
		struct opt_u64 burst;
		char *cpus, *mems;
		struct opt_i64 idle;
	} cpu;
	struct { struct opt_i64 limit; } pids;
	struct {
		struct opt_u64 weight, leaf_weight;
		struct spec_weight_device *weight_devices; size_t n_weight_devices;
		struct spec_throttle_device *throttle_read_bps; size_t n_throttle_read_bps;
		struct spec_throttle_device *throttle_write_bps; size_t n_throttle_write_bps;
		struct spec_throttle_device *throttle_read_iops; size_t n_throttle_read_iops;
		struct spec_throttle_device *throttle_write_iops; size_t n_throttle_write_iops;
	} block_io;
	struct spec_hugepage_limit *hugepage_limits; size_t n_hugepage_limits;
	struct {
		struct opt_u64 class_id;
		struct spec_net_priority *priorities; size_t n_priorities;
	} network;
	struct spec_rdma *rdma; size_t n_rdma;
	struct spec_kv *unified; size_t n_unified;
};

struct spec_seccomp_arg {
	unsigned int index;
	uint64_t value, value_two;
	int op;                     /* enum scmp_compare (SCMP_CMP_*) */
};

struct spec_seccomp_rule {
	strv_t names;
	uint32_t action;            /* SCMP_ACT_* (errno/trace value folded in) */
	struct spec_seccomp_arg *args; size_t n_args;
};

struct spec_seccomp {
	bool set;
	uint32_t default_action;    /* SCMP_ACT_* */
	uint32_t *architectures; size_t n_architectures; /* SCMP_ARCH_* tokens */
	unsigned int flags;         /* SECCOMP_FILTER_FLAG_* */
	char *listener_path, *listener_metadata;
	struct spec_seccomp_rule *rules; size_t n_rules;
	bool needs_notify;          /* some action is SCMP_ACT_NOTIFY */
	/* SECCOMP_SUPERVISE_* bits from the run.berth.seccomp.supervise
	 * annotation: syscalls berth's supervisor answers (NOTIFY rules that
	 * replace the profile's own rules for them). */
	unsigned supervised;
};

struct spec_time_offset { bool set; int64_t secs; uint32_t nanosecs; };

struct spec_linux {
	struct spec_namespace namespaces[SPEC_NS_COUNT];
	struct spec_id_mapping *uid_mappings; size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings; size_t n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices; size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct spec_resources resources;
	unsigned long rootfs_propagation;   /* MS_* | MS_REC, 0 = default (private) */
	struct spec_seccomp seccomp;
	struct spec_kv *sysctl; size_t n_sysctl;
	strv_t masked_paths;
	strv_t readonly_paths;
	char *mount_label;
	struct { bool set; char *clos_id, *l3_cache_schema, *mem_bw_schema; bool enable_cmt, enable_mbm; } intel_rdt;
	struct { bool set; unsigned long domain; unsigned long flags; } personality;
	struct spec_kv *net_devices; size_t n_net_devices; /* name -> new name */
};

struct spec {
	char *oci_version;
	char *root_path;            /* as written (relative to bundle or absolute) */
	bool root_readonly;
	struct spec_mount *mounts; size_t n_mounts;
	bool has_process;
	struct spec_process process;
	char *hostname, *domainname;
	struct spec_hook_list hooks[SPEC_HOOK_KIND_COUNT];
	struct spec_kv *annotations; size_t n_annotations;
	struct spec_linux linux_;
};

/* Parses and validates config.json text. On error the message names the JSON
 * path: `linux.namespaces[2].type: unknown namespace "pidd"`. */
struct spec *spec_parse(const char *json, size_t len, struct berth_err *err);

/* Reads <bundle>/config.json, parses it, and checks the rootfs exists and is
 * a directory. Errors are prefixed with "config.json: ". */
struct spec *spec_load_bundle(const char *bundle, struct berth_err *err);

/* spec_load_bundle, and the config's text as read (malloc'd, not
 * NUL-terminated, *text_len bytes) when text is not NULL: create saves
 * exactly what it parsed. */
struct spec *spec_load_bundle_json(const char *bundle, char **text, size_t *text_len, struct berth_err *err);

void spec_free(struct spec *spec);

/* A process object alone (`berth exec --process FILE`), validated as
 * config.json's process; errors name the path inside it ("user.uid: ..."). */
int spec_parse_process_json(const char *json, size_t len, struct spec_process *p, struct berth_err *err);
void spec_free_process(struct spec_process *p);

const char *spec_ns_name(enum spec_ns_type t);     /* "pid", "network", ... */
int spec_ns_clone_flag(enum spec_ns_type t);      /* CLONE_NEWPID, ... */
const char *spec_hook_kind_name(enum spec_hook_kind k); /* "createRuntime" */
const char *spec_annotation(const struct spec *spec, const char *key);
int spec_cap_from_name(const char *name);          /* "CAP_KILL" -> 5, -1 if unknown */

/* The names the parser accepts, for `berth features`: each returns the
 * i-th entry of its table, NULL past the last. */
const char *spec_seccomp_action_name(size_t i, uint32_t *action);
const char *spec_seccomp_operator_name(size_t i);
const char *spec_seccomp_flag_name(size_t i, uint32_t *flag);
/* The syscalls run.berth.seccomp.supervise accepts, each with its
 * SECCOMP_SUPERVISE_* bit (the compiler's list too). */
const char *spec_seccomp_supervisable_name(size_t i, unsigned *bit);
/* *known: this libseccomp knows the architecture (else the parser refuses it). */
const char *spec_seccomp_arch_name(size_t i, bool *known);

#endif
