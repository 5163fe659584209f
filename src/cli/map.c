/* map.c - the `map` object: bpftool's map commands on pinned maps (show, dump, lookup, update, delete, getnext,
 * push, pop, peek, event_pipe), for a map another bpfvm process may be using at the same moment */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/map.h"
#include "cli/btf_json.h"
#include "cli/cli.h"
#include "cli/map_dump.h"
#include "cli/run_events.h"

static int do_map_help(struct cli_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s map { show | dump } pinned FILE [-j]\n"
		"       %1$s map lookup pinned FILE key DATA [-j]\n"
		"       %1$s map getnext pinned FILE [key DATA] [-j]\n"
		"       %1$s map update pinned FILE key DATA value DATA [UPDATE_FLAGS]\n"
		"       %1$s map delete pinned FILE key DATA\n"
		"       %1$s map { push | enqueue } pinned FILE value DATA\n"
		"       %1$s map { pop | dequeue | peek } pinned FILE [-j]\n"
		"       %1$s map event_pipe pinned FILE [-j]   (a ring buffer's records as they come, until Ctrl-C)\n"
		"       DATA := { [hex] BYTES }   (bytes as numbers: 1 0x2 017, or after `hex` as hex digits: 01 02 0a)\n"
		"       UPDATE_FLAGS := { any | exist | noexist }\n"
		"FILE is a map pinned by `%1$s prog run OBJ.o --pin-maps DIR` (or a LIBBPF_PIN_BY_NAME map). Values of\n"
		"per-CPU maps are given once and written to every CPU, as bpftool does.\n",
		ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

/* a command's opened map with the BTF kept in its file */
struct pinned {
	struct bpfvm_map *map;
	struct btf *btf;
	struct cli_map_desc desc;
};

static void pinned_close(struct pinned *p)
{
	btf_free(p->btf);
	bpfvm_map__free(p->map);
}

/* `pinned FILE` at argv[0..1]: opened into p; consumed arguments in *used */
static int pinned_open(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, struct pinned *p, int *used)
{
	memset(p, 0, sizeof(*p));
	if (argc < 2 || strcmp(argv[0], "pinned"))
		return p_err(ctx, EXIT_USAGE, "map %s: expected `pinned FILE`", cmd);
	struct bpfvm_log log = { 0 };
	int err = bpfvm_map_open_pinned(argv[1], &p->map, &log);
	if (err)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error[0] ? log.last_error : strerror(-err));
	size_t size;
	const void *raw = bpfvm_map__pin_btf(p->map, &size, &p->desc.key_type_id, &p->desc.value_type_id);
	if (raw && btf_parse(raw, size, &p->btf, NULL))
		p->btf = NULL; /* unreadable BTF: hex output, as without */
	p->desc.map = p->map;
	p->desc.name = bpfvm_map__name(p->map);
	p->desc.btf = p->btf;
	*used = 2;
	return 0;
}

/* `key DATA` / `value DATA`: exactly n bytes into buf (bpftool's syntax); *i moves past them */
static int parse_bytes(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int *i, const char *what,
		       uint8_t *buf, size_t n)
{
	if (*i >= argc || strcmp(argv[*i], what))
		return p_err(ctx, EXIT_USAGE, "map %s: expected `%s` and %zu bytes", cmd, what, n);
	(*i)++;
	bool hex = *i < argc && !strcmp(argv[*i], "hex");
	if (hex)
		(*i)++;
	size_t got = 0;
	for (; got < n && *i < argc; (*i)++) {
		const char *s = argv[*i];
		if (hex) {
			size_t len = strlen(s);
			if (!len || len % 2 || len / 2 > n - got || s[strspn(s, "0123456789abcdefABCDEF")])
				return p_err(ctx, EXIT_USAGE, "map %s: %s: bad hex bytes '%s'", cmd, what, s);
			for (size_t k = 0; k < len; k += 2) {
				char two[3] = { s[k], s[k + 1], 0 };
				buf[got++] = (uint8_t)strtoul(two, NULL, 16);
			}
			continue;
		}
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 0);
		if (!*s || *end || errno || v > 255 || s[0] == '-')
			return p_err(ctx, EXIT_USAGE, "map %s: %s: '%s' is not a byte (0-255)", cmd, what, s);
		buf[got++] = (uint8_t)v;
	}
	if (got != n)
		return p_err(ctx, EXIT_USAGE, "map %s: %s: %zu bytes given, the map's %s is %zu bytes", cmd, what,
			     got, what, n);
	return 0;
}

/* a failed element operation: bpftool's message shape */
static int op_err(struct cli_ctx *ctx, const char *op, int err)
{
	return p_err(ctx, EXIT_REJECTED, "%s failed: %s", op, strerror(-err));
}

static int trailing(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int i)
{
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			ctx->json = true;
			if (!ctx->jw)
				ctx->jw = jsonw_new(stdout, ctx->pretty);
			continue;
		}
		return p_err(ctx, EXIT_USAGE, "map %s: unexpected argument '%s'", cmd, argv[i]);
	}
	return 0;
}

/* `pinned FILE [-j]`, the whole of a command's arguments: the map opened into p, or an exit code (nothing open) */
static int pinned_only(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, struct pinned *p)
{
	int used, rc = pinned_open(ctx, cmd, argc, argv, p, &used);
	if (rc || (rc = trailing(ctx, cmd, argc, argv, used)))
		pinned_close(p);
	return rc;
}

static int do_map_show(struct cli_ctx *ctx, int argc, char **argv)
{
	struct pinned p;
	int rc = pinned_only(ctx, "show", argc, argv, &p);
	if (rc)
		return rc;
	struct bpfvm_map *m = p.map;
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "type", cli_map_type_name(bpfvm_map__type(m)));
		jsonw_string_field(ctx->jw, "name", bpfvm_map__name(m));
		jsonw_uint_field(ctx->jw, "flags", bpfvm_map__map_flags(m));
		jsonw_uint_field(ctx->jw, "bytes_key", bpfvm_map__key_size(m));
		jsonw_uint_field(ctx->jw, "bytes_value", bpfvm_map__value_size(m));
		jsonw_uint_field(ctx->jw, "max_entries", bpfvm_map__max_entries(m));
		jsonw_bool_field(ctx->jw, "btf", p.btf != NULL);
		jsonw_name(ctx->jw, "pinned");
		jsonw_start_array(ctx->jw);
		jsonw_string(ctx->jw, bpfvm_map__pin_path(m));
		jsonw_end_array(ctx->jw);
		jsonw_end_object(ctx->jw);
	} else {
		printf("%s  name %s  flags 0x%x\n", cli_map_type_name(bpfvm_map__type(m)), bpfvm_map__name(m),
		       bpfvm_map__map_flags(m));
		printf("\tkey %uB  value %uB  max_entries %u%s\n", bpfvm_map__key_size(m), bpfvm_map__value_size(m),
		       bpfvm_map__max_entries(m), p.btf ? "  btf" : "");
		printf("\tpinned %s\n", bpfvm_map__pin_path(m));
	}
	pinned_close(&p);
	return EXIT_OK;
}

static int do_map_dump(struct cli_ctx *ctx, int argc, char **argv)
{
	struct pinned p;
	int rc = pinned_only(ctx, "dump", argc, argv, &p);
	if (rc)
		return rc;
	if (!cli_map_iterable(bpfvm_map__type(p.map)))
		rc = p_err(ctx, EXIT_USAGE, "map dump: a %s map has no keys to walk (use %s)",
			   cli_map_type_name(bpfvm_map__type(p.map)),
			   bpfvm_map__type(p.map) == BPF_MAP_TYPE_RINGBUF ? "event_pipe" : "pop or peek");
	else
		cli_dump_map(ctx, &p.desc);
	pinned_close(&p);
	return rc;
}

/* the element commands: one parser for their `key`/`value`/flags arguments */
enum elem_op { OP_LOOKUP, OP_GETNEXT, OP_UPDATE, OP_DELETE, OP_PUSH, OP_POP, OP_PEEK };
static const char *const op_names[] = { "lookup", "getnext", "update", "delete", "push", "pop", "peek" };

static int elem_cmd(struct cli_ctx *ctx, int argc, char **argv, enum elem_op op)
{
	const char *cmd = op_names[op];
	struct pinned p;
	int i, rc = pinned_open(ctx, cmd, argc, argv, &p, &i);
	if (rc)
		return rc;
	struct bpfvm_map *m = p.map;
	size_t ks = bpfvm_map__key_size(m), vs = bpfvm_map__value_size(m), vbuf = bpfvm_map__value_buf_size(m);
	bool keyless = ks == 0;
	uint8_t *key = calloc(1, ks + 1), *next = calloc(1, ks + 1), *val = calloc(1, vbuf + 1);
	uint64_t flags = BPF_ANY;
	int err = 0;
	if (!key || !next || !val) {
		rc = p_err(ctx, EXIT_REJECTED, "out of memory");
		goto out;
	}
	if (keyless != (op == OP_PUSH || op == OP_POP || op == OP_PEEK)) {
		rc = p_err(ctx, EXIT_USAGE, "map %s: not an operation of a %s map", cmd,
			   cli_map_type_name(bpfvm_map__type(m)));
		goto out;
	}
	bool has_key = op == OP_LOOKUP || op == OP_UPDATE || op == OP_DELETE ||
		       (op == OP_GETNEXT && i < argc && !strcmp(argv[i], "key"));
	if (has_key && (rc = parse_bytes(ctx, cmd, argc, argv, &i, "key", key, ks)))
		goto out;
	if (op == OP_UPDATE || op == OP_PUSH) {
		if ((rc = parse_bytes(ctx, cmd, argc, argv, &i, "value", val, vs)))
			goto out;
		for (size_t off = (vs + 7u) & ~7u; off < vbuf; off += (vs + 7u) & ~7u)
			memcpy(val + off, val, vs); /* per-CPU: the same value on every CPU */
		if (op == OP_UPDATE && i < argc && argv[i][0] != '-') {
			const char *f = argv[i++];
			flags = !strcmp(f, "any") ? BPF_ANY : !strcmp(f, "noexist") ? BPF_NOEXIST :
				!strcmp(f, "exist") ? BPF_EXIST : UINT64_MAX;
			if (flags == UINT64_MAX) {
				rc = p_err(ctx, EXIT_USAGE, "map update: unknown flag '%s' (any, exist, noexist)", f);
				goto out;
			}
		}
	}
	if ((rc = trailing(ctx, cmd, argc, argv, i)))
		goto out;
	switch (op) {
	case OP_LOOKUP:
		if ((err = bpfvm_map__lookup_elem(m, key, val)))
			rc = op_err(ctx, "lookup", err);
		else
			cli_print_elem(ctx, &p.desc, key, val);
		break;
	case OP_PEEK:
	case OP_POP:
		err = op == OP_PEEK ? bpfvm_map__lookup_elem(m, NULL, val) : bpfvm_map__lookup_and_delete_elem(m, NULL, val);
		if (err)
			rc = op_err(ctx, op == OP_PEEK ? "peek" : "pop", err);
		else
			cli_print_elem(ctx, &p.desc, NULL, val);
		break;
	case OP_GETNEXT:
		if ((err = bpfvm_map__get_next_key(m, has_key ? key : NULL, next))) {
			rc = op_err(ctx, "getnext", err);
		} else if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_name(ctx->jw, "next_key");
			json_hex_bytes(ctx->jw, next, ks);
			jsonw_end_object(ctx->jw);
		} else {
			printf("next key:");
			for (size_t k = 0; k < ks; k++)
				printf(" %02x", next[k]);
			printf("\n");
		}
		break;
	case OP_UPDATE:
	case OP_PUSH:
		if ((err = bpfvm_map__update_elem(m, keyless ? NULL : key, val, flags)))
			rc = op_err(ctx, op == OP_PUSH ? "push" : "update", err);
		break;
	case OP_DELETE:
		if ((err = bpfvm_map__delete_elem(m, key)))
			rc = op_err(ctx, "delete", err);
		break;
	}
out:
	free(key);
	free(next);
	free(val);
	pinned_close(&p);
	return rc;
}

static int do_map_lookup(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_LOOKUP); }
static int do_map_getnext(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_GETNEXT); }
static int do_map_update(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_UPDATE); }
static int do_map_delete(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_DELETE); }
static int do_map_push(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_PUSH); }
static int do_map_pop(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_POP); }
static int do_map_peek(struct cli_ctx *ctx, int argc, char **argv) { return elem_cmd(ctx, argc, argv, OP_PEEK); }

static volatile sig_atomic_t pipe_stop;

static void on_pipe_signal(int sig)
{
	(void)sig;
	pipe_stop = 1;
}

/* bpftool's event_pipe, for a pinned ring buffer: its records printed as another process's programs submit them */
static int do_map_event_pipe(struct cli_ctx *ctx, int argc, char **argv)
{
	struct pinned p;
	int rc = pinned_only(ctx, "event_pipe", argc, argv, &p);
	if (rc)
		return rc;
	if (bpfvm_map__type(p.map) != BPF_MAP_TYPE_RINGBUF) {
		rc = p_err(ctx, EXIT_USAGE, "map event_pipe: %s is a %s map, not a ringbuf", argv[1],
			   cli_map_type_name(bpfvm_map__type(p.map)));
		pinned_close(&p);
		return rc;
	}
	struct sigaction sa = { .sa_handler = on_pipe_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (ctx->json)
		jsonw_start_array(ctx->jw);
	while (!pipe_stop) {
		int n = run_events_ringbuf(ctx, p.map, bpfvm_map__name(p.map));
		if (n < 0) {
			rc = p_err(ctx, EXIT_REJECTED, "map event_pipe: %s: %s", argv[1], strerror(-n));
			break;
		}
		fflush(stdout);
		if (!n)
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL); /* poll every 10 ms */
	}
	if (ctx->json)
		jsonw_end_array(ctx->jw);
	pinned_close(&p);
	return rc;
}

static const struct cmd map_cmds[] = {
	{ "show", do_map_show },       { "list", do_map_show },	     { "dump", do_map_dump },
	{ "lookup", do_map_lookup },   { "getnext", do_map_getnext }, { "update", do_map_update },
	{ "delete", do_map_delete },   { "push", do_map_push },	     { "enqueue", do_map_push },
	{ "pop", do_map_pop },	       { "dequeue", do_map_pop },     { "peek", do_map_peek },
	{ "event_pipe", do_map_event_pipe }, { "help", do_map_help }, { 0 },
};

int do_map(struct cli_ctx *ctx, int argc, char **argv)
{
	ctx->object = "map";
	return cmd_select(ctx, map_cmds, argc, argv, do_map_help);
}
