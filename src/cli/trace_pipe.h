/* trace_pipe.h - bpf_trace_printk output printed as /sys/kernel/tracing/trace_pipe prints it */
#ifndef BPFVM_CLI_TRACE_PIPE_H
#define BPFVM_CLI_TRACE_PIPE_H

#include <stddef.h>
#include <stdio.h>

struct trace_pipe {
	FILE *out;
	char comm[17]; /* TASK_COMM_LEN */
	int pid;
};

/* comm and pid of this process; lines go to out (stderr for the CLI) */
void trace_pipe_init(struct trace_pipe *tp, FILE *out);

/*
 * A bpfvm_trace_fn (arg = struct trace_pipe *): one line
 * `           <comm>-<pid>     [000] d..31 SECONDS.USEC: bpf_trace_printk: MSG`
 * (the kernel adds the newline, so one trailing '\n' of MSG is dropped; a MSG with more lines prints as they are).
 */
void trace_pipe_print(void *arg, const char *msg, size_t len);

#endif
