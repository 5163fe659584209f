/* cli.h - what every `bpfvm OBJECT COMMAND` handler shares: the context, the command tables, error output */
#ifndef BPFVM_CLI_H
#define BPFVM_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/json_writer.h"

/* exit codes (DESIGN.md contract) */
#define EXIT_OK 0
#define EXIT_REJECTED 1 /* program rejected or failed at run time */
#define EXIT_USAGE 2    /* usage error or unusable input */

struct cli_ctx {
	const char *argv0;
	bool json;        /* -j */
	bool pretty;      /* -p */
	struct json_writer *jw; /* set when json */
	const char *object;     /* "prog", "cbpf", ... for help and errors */
};

struct cmd {
	const char *cmd;
	int (*func)(struct cli_ctx *ctx, int argc, char **argv);
};

/* Run the command named by argv[0] from cmds; "help" or no command calls help. Returns an exit code. */
int cmd_select(struct cli_ctx *ctx, const struct cmd *cmds, int argc, char **argv,
	       int (*help)(struct cli_ctx *ctx, int argc, char **argv));

/* One error line: `bpfvm: error: <what>` on stderr; in JSON mode also {"error": "..."} on stdout.
 * Returns code, so handlers write `return p_err(ctx, EXIT_USAGE, "%s: %s", path, why);` */
int p_err(struct cli_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* the objects: one per file, each with its own table */
int do_asm(struct cli_ctx *ctx, int argc, char **argv);         /* asm.c */
int do_cbpf(struct cli_ctx *ctx, int argc, char **argv);
int do_corpus(struct cli_ctx *ctx, int argc, char **argv);      /* corpus.c */
int do_prog_verify(struct cli_ctx *ctx, int argc, char **argv); /* prog_verify.c: `prog verify` */
int do_prog(struct cli_ctx *ctx, int argc, char **argv);        /* prog.c: the `prog` object */
int do_map(struct cli_ctx *ctx, int argc, char **argv);         /* map.c: pinned maps */

#endif
