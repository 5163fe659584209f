/* log.c - one-line error reasons delivered to the caller's log sink */
#include <stdio.h>
#include <string.h>

#include "common/log_internal.h"

void bpfvm_vlogf(struct bpfvm_log *log, const char *fmt, va_list ap)
{
	if (!log)
		return;
	vsnprintf(log->last_error, sizeof(log->last_error), fmt, ap);
	size_t n = strlen(log->last_error);
	while (n && log->last_error[n - 1] == '\n')
		log->last_error[--n] = '\0';
	if (log->fn)
		log->fn(log->arg, log->last_error);
}

void bpfvm_logf(struct bpfvm_log *log, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bpfvm_vlogf(log, fmt, ap);
	va_end(ap);
}
