/* trace_pipe.c - bpf_trace_printk output printed as /sys/kernel/tracing/trace_pipe prints it */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/trace_pipe.h"

void trace_pipe_init(struct trace_pipe *tp, FILE *out)
{
	FILE *f = fopen("/proc/self/comm", "r");
	memset(tp, 0, sizeof(*tp));
	tp->out = out;
	tp->pid = (int)getpid();
	if (f) {
		if (fgets(tp->comm, sizeof(tp->comm), f))
			tp->comm[strcspn(tp->comm, "\n")] = 0;
		fclose(f);
	}
	if (!tp->comm[0])
		snprintf(tp->comm, sizeof(tp->comm), "bpfvm");
}

void trace_pipe_print(void *arg, const char *msg, size_t len)
{
	struct trace_pipe *tp = arg;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* the trace clock ("local") counts from boot, as this one does */
	if (len && msg[len - 1] == '\n')
		len--;
	/* kernel/trace/trace_output.c: "%16s-%-7d [%03d] <flags> %5lu.%06lu: " then the event's name and text */
	fprintf(tp->out, "%16s-%-7d [000] d..31 %5lu.%06lu: bpf_trace_printk: %.*s\n", tp->comm, tp->pid,
		(unsigned long)ts.tv_sec, (unsigned long)(ts.tv_nsec / 1000), (int)len, msg);
	fflush(tp->out);
}
