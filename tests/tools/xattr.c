/*
 * xattr: set or print one extended attribute, for the integration tests
 * (Debian's attr package is not a dependency).
 *
 *   xattr set FILE NAME VALUE
 *   xattr get FILE NAME
 *
 * Neither follows a symlink at FILE. get prints the value and a newline.
 * Exits 1 with the error on stderr when the kernel refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

int main(int argc, char **argv)
{
	char value[4096];
	ssize_t n;

	if (argc == 5 && strcmp(argv[1], "set") == 0) {
		if (lsetxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) < 0) {
			fprintf(stderr, "xattr: set %s on %s: %s\n", argv[3], argv[2], strerror(errno));
			return 1;
		}
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "get") == 0) {
		n = lgetxattr(argv[2], argv[3], value, sizeof(value) - 1);
		if (n < 0) {
			fprintf(stderr, "xattr: get %s of %s: %s\n", argv[3], argv[2], strerror(errno));
			return 1;
		}
		value[n] = '\0';
		printf("%s\n", value);
		return 0;
	}
	fprintf(stderr, "usage: xattr set FILE NAME VALUE | xattr get FILE NAME\n");
	return 2;
}
