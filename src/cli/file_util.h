/* file_util.h - reading a whole input file for the CLI commands */
#ifndef BPFVM_CLI_FILE_UTIL_H
#define BPFVM_CLI_FILE_UTIL_H

#include <stddef.h>

/* Read path ("-" = stdin) into a NUL-terminated malloc'd buffer. Returns 0 or -errno. */
int cli_read_file(const char *path, char **buf, size_t *len);

#endif
