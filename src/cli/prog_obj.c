/* prog_obj.c - `bpfvm prog run OBJ.o ...`: open and load an ELF object, test-run one program, show its maps */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/map.h"
#include "bpfvm/object.h"
#include "cli/prog_obj.h"
#include "cli/trace_pipe.h"
#include "cli/btf_json.h"
#include "cli/map_dump.h"
#include "cli/run_events.h"
#include "common/hist.h"
#include "loader/sec_def.h"
#include "progtypes/verdict.h"

struct run_args {
	const char *obj, *prog, *data, *ctx, *data_out, *ctx_out, *btf;
	const char *pin_dir; /* --pin-maps DIR: every map that can be is pinned (or its pin reused) there */
	const char *hist;    /* --hist MAP: print MAP (u32 log2 slot -> count) as a text histogram after the run */
	unsigned long repeat, max_insns;
	enum bpfvm_engine engine;
	bool dump_maps; /* --dump-maps: every map's elements after the run */
};

bool cli_is_elf(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(m, 1, 4, f);
	fclose(f);
	return n == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
}

static int read_file(const char *path, uint8_t **out, size_t *len, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n > max)
			break;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (!buf)
		return -ENOMEM;
	if (n > max) {
		free(buf);
		return -E2BIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	size_t w = fwrite(p, 1, n, f);
	int err = fclose(f);
	return w == n && !err ? 0 : -EIO;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct run_args *a)
{
	bool checked = false;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return p_err(ctx, EXIT_USAGE, "prog run: missing OBJECT file");
	a->obj = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = !strcmp(o, "--prog") ? &a->prog : !strcmp(o, "--data") ? &a->data :
				    !strcmp(o, "--ctx") ? &a->ctx : !strcmp(o, "--data-out") ? &a->data_out :
				    !strcmp(o, "--ctx-out") ? &a->ctx_out : !strcmp(o, "--btf") ? &a->btf :
				    !strcmp(o, "--pin-maps") ? &a->pin_dir : !strcmp(o, "--hist") ? &a->hist : NULL;
		if (slot) {
			if (i + 1 >= argc)
				return p_err(ctx, EXIT_USAGE, "prog run: %s needs an argument", o);
			*slot = argv[++i];
		} else if (!strcmp(o, "--repeat") || !strcmp(o, "--max-insns")) {
			char *end;
			if (i + 1 >= argc)
				return p_err(ctx, EXIT_USAGE, "prog run: %s needs a number", o);
			unsigned long v = strtoul(argv[++i], &end, 0);
			if (*end || !argv[i][0] || (o[2] == 'r' && (v == 0 || v > 100000000)))
				return p_err(ctx, EXIT_USAGE, "prog run: %s: bad number '%s'", o, argv[i]);
			*(o[2] == 'r' ? &a->repeat : &a->max_insns) = v;
		} else if (!strcmp(o, "--engine")) {
			if (i + 1 >= argc)
				return p_err(ctx, EXIT_USAGE, "prog run: --engine needs interp or jit");
			o = argv[++i];
			if (!strcmp(o, "interp"))
				a->engine = BPFVM_ENGINE_INTERP;
			else if (!strcmp(o, "jit"))
				a->engine = BPFVM_ENGINE_JIT;
			else
				return p_err(ctx, EXIT_USAGE, "prog run: unknown engine '%s'", o);
		} else if (!strcmp(o, "--checked")) {
			checked = true;
		} else if (!strcmp(o, "--dump-maps")) {
			a->dump_maps = true;
		} else if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			ctx->json = true;
			if (!ctx->jw)
				ctx->jw = jsonw_new(stdout, ctx->pretty);
		} else {
			return p_err(ctx, EXIT_USAGE, "prog run: unknown option '%s'", o);
		}
	}
	if (checked && a->engine == BPFVM_ENGINE_JIT)
		return p_err(ctx, EXIT_USAGE, "prog run: --checked runs in the interpreter, not the JIT");
	if (checked)
		a->engine = BPFVM_ENGINE_CHECKED;
	return 0;
}

struct log_sink {
	int lines;
};

static void log_line(void *arg, const char *line)
{
	struct log_sink *s = arg;
	s->lines++;
	(void)line; /* the last line is kept in last_error and reported once */
}

static uint32_t prog_type_of(const struct bpfvm_object *obj, const struct bpfvm_prog *prog)
{
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		if (pi.prog == prog)
			return pi.prog_type;
	}
	return 0;
}

/* --hist MAP: a map of u32 log2 slots to u32/u64 counts, printed as bcc's tools print them */
static int print_hist(struct cli_ctx *ctx, struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_map *m = bpfvm_object__find_map_by_name(obj, name);
	if (!m)
		return p_err(ctx, EXIT_USAGE, "--hist: no map named '%s'", name);
	uint32_t vs = bpfvm_map__value_size(m);
	if (bpfvm_map__key_size(m) != 4 || (vs != 4 && vs != 8) || bpfvm_map__value_buf_size(m) != vs)
		return p_err(ctx, EXIT_USAGE, "--hist: map '%s' is not u32 slots to u32/u64 counts", name);
	uint64_t vals[64] = { 0 };
	uint32_t key, prev;
	for (int first = 1; bpfvm_map__get_next_key(m, first ? NULL : &prev, &key) == 0; first = 0, prev = key) {
		uint64_t v = 0;
		if (key < 64 && !bpfvm_map__lookup_elem(m, &key, &v))
			vals[key] = vs == 4 ? (uint32_t)v : v;
	}
	print_log2_hist(stdout, vals, 64, name);
	return 0;
}

int prog_run_object(struct cli_ctx *ctx, int argc, char **argv)
{
	struct run_args a;
	int rc = parse_args(ctx, argc, argv, &a);
	if (rc)
		return rc;
	struct log_sink sink = { 0 };
	struct bpfvm_log log = { .fn = log_line, .arg = &sink };
	BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log, .btf_custom_path = a.btf, .pin_root_path = a.pin_dir,
		   .pin_all_maps = a.pin_dir != NULL);
	struct bpfvm_object *obj = bpfvm_object__open_file(a.obj, &oo);
	uint8_t *data = NULL, *cin = NULL, *dout = NULL, *cout = NULL;
	size_t data_len = 0, cin_len = 0;
	if (!obj)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error[0] ? log.last_error : strerror(errno));
	if (a.prog) /* a SEC("?...") program named on the command line is loaded too */
		bpfvm_object__set_autoload(obj, a.prog, true);
	int err = bpfvm_object__load(obj);
	if (err) {
		rc = p_err(ctx, err == -EACCES ? EXIT_REJECTED : EXIT_USAGE, "%s", log.last_error);
		goto out;
	}
	if ((rc = run_events_open(ctx, obj)))
		goto out;
	struct bpfvm_prog *prog = NULL;
	if (a.prog) {
		prog = bpfvm_object__find_prog_by_name(obj, a.prog);
		if (!prog) {
			rc = p_err(ctx, EXIT_USAGE, "%s: no program named '%s'", a.obj, a.prog);
			goto out;
		}
	} else {
		for (size_t i = 0; i < bpfvm_object__prog_cnt(obj) && !prog; i++) {
			struct bpfvm_object_prog_info pi;
			bpfvm_object__prog_info(obj, i, &pi);
			prog = pi.prog;
		}
		if (!prog) {
			rc = p_err(ctx, EXIT_USAGE, "%s: no program to run", a.obj);
			goto out;
		}
	}
	if (a.data && (err = read_file(a.data, &data, &data_len, 1 << 24))) {
		rc = p_err(ctx, EXIT_USAGE, "%s: %s", a.data, strerror(-err));
		goto out;
	}
	if (a.ctx && (err = read_file(a.ctx, &cin, &cin_len, 1 << 16))) {
		rc = p_err(ctx, EXIT_USAGE, "%s: %s", a.ctx, strerror(-err));
		goto out;
	}
	struct trace_pipe tp; /* bpf_printk lines go to stderr as trace_pipe prints them */
	trace_pipe_init(&tp, stderr);
	dout = malloc(1 << 17);
	cout = calloc(1, 1 << 16);
	BPFVM_OPTS(bpfvm_test_run_opts, ro, .data_in = data, .data_size_in = data_len, .data_out = dout,
		   .data_size_out = 1 << 17, .ctx_in = cin, .ctx_size_in = cin_len, .ctx_out = a.ctx_out ? cout : NULL,
		   .ctx_size_out = a.ctx_out ? 1 << 16 : 0, .repeat = a.repeat, .engine = a.engine,
		   .max_insns = a.max_insns, .log = &log, .trace = trace_pipe_print, .trace_arg = &tp);
	err = bpfvm_prog__test_run(prog, &ro);
	if (err) {
		bool input = err == -EINVAL || err == -ENOTSUP || err == -ENODEV || err == -ENOSPC;
		rc = p_err(ctx, input ? EXIT_USAGE : EXIT_REJECTED, "%s: %s", a.obj,
			   log.last_error[0] ? log.last_error : strerror(-err));
		goto out;
	}
	if (a.data_out && (err = write_file(a.data_out, dout, ro.data_size_out))) {
		rc = p_err(ctx, EXIT_USAGE, "%s: %s", a.data_out, strerror(-err));
		goto out;
	}
	if (a.ctx_out && (err = write_file(a.ctx_out, cout, ro.ctx_size_out))) {
		rc = p_err(ctx, EXIT_USAGE, "%s: %s", a.ctx_out, strerror(-err));
		goto out;
	}
	if (ctx->json) {
		char hex[32];
		snprintf(hex, sizeof(hex), "0x%x", ro.retval);
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "retval", hex);
		jsonw_uint_field(ctx->jw, "duration_ns", ro.duration_ns);
		jsonw_uint_field(ctx->jw, "repeat", a.repeat ? a.repeat : 1);
		jsonw_uint_field(ctx->jw, "data_size_out", ro.data_size_out);
		if (ro.redirect_ifindex >= 0) {
			jsonw_name(ctx->jw, "redirect");
			jsonw_start_object(ctx->jw);
			jsonw_uint_field(ctx->jw, "ifindex", (uint32_t)ro.redirect_ifindex);
			jsonw_bool_field(ctx->jw, "ingress", ro.redirect_flags & 1);
			jsonw_end_object(ctx->jw);
		}
		run_events_print(ctx, obj);
		if (a.dump_maps)
			cli_dump_maps(ctx, obj);
		jsonw_end_object(ctx->jw);
	} else {
		char verdict[64];
		if (a.repeat > 1)
			printf("duration %llu ns (mean of %lu runs)\n", (unsigned long long)ro.duration_ns, a.repeat);
		run_events_print(ctx, obj);
		printf("%s", progtype_verdict(prog_type_of(obj, prog), ro.retval, verdict, sizeof(verdict)));
		if (ro.redirect_ifindex >= 0) /* bpf_redirect's target, recorded */
			printf(" to ifindex %d%s", ro.redirect_ifindex, ro.redirect_flags & 1 ? " (ingress)" : "");
		printf(", %u bytes out\n", ro.data_size_out);
		printf("0x%x\n", ro.retval);
		if (a.dump_maps)
			cli_dump_maps(ctx, obj);
		if (a.hist && (rc = print_hist(ctx, obj, a.hist)))
			goto out;
	}
out:
	free(data);
	free(cin);
	free(dout);
	free(cout);
	bpfvm_object__close(obj);
	return rc;
}


int prog_show_object(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 1)
		return p_err(ctx, EXIT_USAGE, "prog show: missing OBJECT file");
	const char *btf = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--btf") && i + 1 < argc)
			btf = argv[++i];
		else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			ctx->json = true;
			if (!ctx->jw)
				ctx->jw = jsonw_new(stdout, ctx->pretty);
		} else
			return p_err(ctx, EXIT_USAGE, "prog show: unknown option '%s'", argv[i]);
	}
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log, .btf_custom_path = btf);
	struct bpfvm_object *obj = bpfvm_object__open_file(argv[0], &oo);
	if (!obj)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error[0] ? log.last_error : strerror(errno));
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "name", bpfvm_object__name(obj));
		jsonw_string_field(ctx->jw, "license", bpfvm_object__license(obj));
		jsonw_name(ctx->jw, "programs");
		jsonw_start_array(ctx->jw);
	} else {
		printf("object %s, license \"%s\"\n", bpfvm_object__name(obj), bpfvm_object__license(obj));
	}
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		const char *tn = prog_type_name(pi.prog_type);
		if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_string_field(ctx->jw, "name", pi.name);
			jsonw_string_field(ctx->jw, "section", pi.sec_name);
			jsonw_string_field(ctx->jw, "type", tn ? tn : "unknown");
			jsonw_uint_field(ctx->jw, "expected_attach_type", pi.expected_attach_type);
			jsonw_uint_field(ctx->jw, "insns", pi.insn_cnt);
			jsonw_bool_field(ctx->jw, "autoload", pi.autoload);
			jsonw_end_object(ctx->jw);
		} else {
			printf("prog %-24s %-14s section %-20s %zu insns%s\n", pi.name, tn ? tn : "unknown", pi.sec_name,
			       pi.insn_cnt, pi.autoload ? "" : " (not autoloaded)");
		}
	}
	struct btf *btf_types = NULL; /* for the initial values of global data, formatted by their BTF */
	size_t btf_size;
	const void *btf_raw = bpfvm_object__btf_raw(obj, &btf_size);
	if (ctx->json && btf_raw)
		btf_parse(btf_raw, btf_size, &btf_types, NULL);
	if (ctx->json) {
		jsonw_end_array(ctx->jw);
		jsonw_name(ctx->jw, "maps");
		jsonw_start_array(ctx->jw);
	}
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		struct bpfvm_object_map_info mi;
		bpfvm_object__map_info(obj, i, &mi);
		const char *tn = cli_map_type_name(mi.type);
		if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_string_field(ctx->jw, "name", mi.name);
			jsonw_string_field(ctx->jw, "type", tn);
			jsonw_uint_field(ctx->jw, "key", mi.key_size);
			jsonw_uint_field(ctx->jw, "value", mi.value_size);
			jsonw_uint_field(ctx->jw, "max_entries", mi.max_entries);
			jsonw_uint_field(ctx->jw, "flags", mi.map_flags);
			if (mi.is_inner_template)
				jsonw_bool_field(ctx->jw, "inner_template", true);
			if (mi.init_data) {
				jsonw_name(ctx->jw, "initial");
				if (btf_json_value(ctx->jw, btf_types, mi.btf_value_type_id, mi.init_data, mi.value_size))
					json_hex_bytes(ctx->jw, mi.init_data, mi.value_size);
			}
			jsonw_end_object(ctx->jw);
		} else {
			printf("map  %-24s %-14s key %uB value %uB max_entries %u flags 0x%x%s\n", mi.name, tn, mi.key_size,
			       mi.value_size, mi.max_entries, mi.map_flags, mi.is_inner_template ? " (inner map template)" : "");
		}
	}
	if (ctx->json) {
		jsonw_end_array(ctx->jw);
		jsonw_end_object(ctx->jw);
	}
	btf_free(btf_types);
	bpfvm_object__close(obj);
	return EXIT_OK;
}
