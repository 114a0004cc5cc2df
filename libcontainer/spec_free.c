/* Freeing a struct spec, whole or half-parsed: the parsers allocate every
 * array zeroed and set its count first, so unfilled members are NULL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "spec_parse_internal.h"

int spec_replace_str(char **field, const char *value, const char *what, struct berth_err *err)
{
	char *copy = strdup(value);

	if (!copy)
		return berth_err_set(err, ENOMEM, "%s", what);
	free(*field);
	*field = copy;
	return 0;
}

void spec_free_strv(strv_t v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void spec_free_kv(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void spec_free_mount(struct spec_mount *m)
{
	free(m->destination);
	free(m->source);
	free(m->type);
	spec_free_strv(m->options);
	free(m->data);
	free(m->uid_mappings);
	free(m->gid_mappings);
}

void spec_free_process(struct spec_process *p)
{
	free(p->cwd);
	spec_free_strv(p->env);
	spec_free_strv(p->args);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].name);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	free(p->user.additional_gids);
}

void spec_free_resources(struct spec_resources *r)
{
	for (size_t i = 0; r->devices && i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_devices);
	free(r->block_io.throttle_read_bps);
	free(r->block_io.throttle_write_bps);
	free(r->block_io.throttle_read_iops);
	free(r->block_io.throttle_write_iops);
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->network.priorities && i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_free_kv(r->unified, r->n_unified);
}

void spec_free_seccomp(struct spec_seccomp *s)
{
	free(s->architectures);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->rules && i < s->n_rules; i++) {
		spec_free_strv(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
}

static void spec_free_linux(struct spec_linux *l)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		free(l->namespaces[t].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	spec_free_resources(&l->resources);
	spec_free_seccomp(&l->seccomp);
	spec_free_kv(l->sysctl, l->n_sysctl);
	spec_free_strv(l->masked_paths);
	spec_free_strv(l->readonly_paths);
	free(l->mount_label);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	spec_free_kv(l->net_devices, l->n_net_devices);
}

void spec_free(struct spec *spec)
{
	if (!spec)
		return;
	free(spec->oci_version);
	free(spec->root_path);
	for (size_t i = 0; spec->mounts && i < spec->n_mounts; i++)
		spec_free_mount(&spec->mounts[i]);
	free(spec->mounts);
	spec_free_process(&spec->process);
	free(spec->hostname);
	free(spec->domainname);
	for (int k = 0; k < SPEC_HOOK_KIND_COUNT; k++) {
		struct spec_hook_list *list = &spec->hooks[k];
		for (size_t i = 0; list->hooks && i < list->n; i++) {
			free(list->hooks[i].path);
			spec_free_strv(list->hooks[i].args);
			spec_free_strv(list->hooks[i].env);
		}
		free(list->hooks);
	}
	spec_free_kv(spec->annotations, spec->n_annotations);
	spec_free_linux(&spec->linux_);
	free(spec);
}
