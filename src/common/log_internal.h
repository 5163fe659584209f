/* log_internal.h - writing one-line reasons to a caller's struct bpfvm_log */
#ifndef BPFVM_COMMON_LOG_INTERNAL_H
#define BPFVM_COMMON_LOG_INTERNAL_H

#include <stdarg.h>

#include "bpfvm/log.h"

/* Format one line (no trailing newline needed) into log: kept as last_error and passed to log->fn.
 * A NULL log discards the line. */
void bpfvm_logf(struct bpfvm_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bpfvm_vlogf(struct bpfvm_log *log, const char *fmt, va_list ap);

#endif
