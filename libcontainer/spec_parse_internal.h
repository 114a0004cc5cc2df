/* Section parsers of config.json, shared by the spec_parse*.c files only.
 * Each fills its part of struct spec from the yajl value of that section
 * (the path already entered); on error spec_free() cleans up whatever was
 * filled, since every array is allocated whole and zeroed before use. */
#ifndef BERTH_SPEC_PARSE_INTERNAL_H
#define BERTH_SPEC_PARSE_INTERNAL_H

#include "spec.h"
#include "spec_json.h"

int spec_parse_process(struct sj *j, yajl_val v, struct spec_process *p);
int spec_parse_linux(struct sj *j, yajl_val v, struct spec_linux *l);
int spec_parse_resources(struct sj *j, yajl_val v, struct spec_resources *r);
int spec_parse_seccomp(struct sj *j, yajl_val v, struct spec_seccomp *s);
/* The run.berth.seccomp.supervise annotation into spec->linux_.seccomp
 * (after annotations and linux are parsed). */
int spec_parse_seccomp_supervise(struct sj *j, struct spec *spec);

/* An array of {containerID, hostID, size} (linux.uidMappings, mounts[].uidMappings). */
int spec_parse_id_mappings(struct sj *j, yajl_val obj, const char *key,
			   struct spec_id_mapping **out, size_t *n);

/* Frees the members of one element; used by spec_free. */
void spec_free_resources(struct spec_resources *r);
void spec_free_seccomp(struct spec_seccomp *s);
void spec_free_strv(strv_t v);
/* *field = a copy of value, the old string freed; err names what on ENOMEM. */
int spec_replace_str(char **field, const char *value, const char *what, struct berth_err *err);

#endif
