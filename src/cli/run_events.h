/* run_events.h - what a test run's program sent to user space: ring buffer records and perf event samples,
 * printed after the run of `bpfvm prog run` */
#ifndef BPFVM_CLI_RUN_EVENTS_H
#define BPFVM_CLI_RUN_EVENTS_H

#include "bpfvm/object.h"
#include "cli/cli.h"

/* before the run: a ring in every slot of every perf event array (libbpf's perf_buffer__new for every CPU);
 * 0, or an exit code after an error line */
int run_events_open(struct cli_ctx *ctx, struct bpfvm_object *obj);
/* after the run: "ringbuf NAME: N bytes: 01 02 ..." and "perf NAME[SLOT]: N bytes: ..." lines, samples lost as
 * "perf NAME[SLOT]: lost N samples"; under -j "ringbuf" and "perf" arrays of objects */
void run_events_print(struct cli_ctx *ctx, struct bpfvm_object *obj);
/* the records waiting in one ring buffer, consumed and printed as run_events_print prints them (a JSON object
 * each under -j); how many, or a negative errno */
int run_events_ringbuf(struct cli_ctx *ctx, struct bpfvm_map *map, const char *name);

#endif
