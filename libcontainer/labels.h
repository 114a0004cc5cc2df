/* Security labels: AppArmor profiles and SELinux labels are applied only
 * where the host has the LSM on; elsewhere they are skipped with a warning
 * (a config written for another host still runs). */
#ifndef BERTH_LABELS_H
#define BERTH_LABELS_H

#include <stdbool.h>

bool labels_apparmor_enabled(void);
bool labels_selinux_enabled(void);

#endif
