/* log.h - where bpfvm writes the one-line reasons for errors, and the verifier its log */
#ifndef BPFVM_LOG_H
#define BPFVM_LOG_H

#include <stddef.h>

/* Called once per line (without the newline). */
typedef void (*bpfvm_log_fn)(void *arg, const char *line);

/*
 * A log sink owned by the caller. Lines go to fn if it is set. The last line is also kept in last_error
 * (truncated to its size), so a caller that only wants "why did it fail" reads that.
 */
struct bpfvm_log {
	bpfvm_log_fn fn;
	void *arg;
	char last_error[512];
};

#endif
