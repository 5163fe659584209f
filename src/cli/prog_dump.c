/* prog_dump.c - `bpfvm prog dump FILE`: the instructions as the kernel's verifier log prints them, or --jited */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "bpfvm/object.h"
#include "cli/prog_dump.h"
#include "cli/prog_file.h"
#include "cli/prog_jit.h"
#include "cli/prog_obj.h"

struct dump_args {
	const char *file, *prog;
	bool jited, harden;
	const char *syntax;
};

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct dump_args *a)
{
	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return p_err(ctx, EXIT_USAGE, "prog dump: missing FILE");
	a->file = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--jited")) {
			a->jited = true;
		} else if (!strcmp(o, "--jit-harden")) {
			a->harden = true;
		} else if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			ctx->json = true;
			if (!ctx->jw)
				ctx->jw = jsonw_new(stdout, ctx->pretty);
		} else if ((!strcmp(o, "--syntax") || !strcmp(o, "--prog")) && i + 1 >= argc) {
			return p_err(ctx, EXIT_USAGE, "prog dump: %s needs an argument", o);
		} else if (!strcmp(o, "--prog")) {
			a->prog = argv[++i];
		} else if (!strcmp(o, "--syntax")) {
			a->syntax = argv[++i];
		} else {
			return p_err(ctx, EXIT_USAGE, "prog dump: unknown option '%s'", o);
		}
	}
	if (a->harden && !a->jited)
		return p_err(ctx, EXIT_USAGE, "prog dump: --jit-harden goes with --jited");
	return EXIT_OK;
}

/* the text of instruction idx for the jited dump's headers: "N: (b7) r0 = 0" */
static void insn_text(void *arg, const struct bpf_insn *insns, size_t idx, char *buf, size_t len)
{
	const struct bpfvm_prog *prog = arg;
	int n = snprintf(buf, len, "%zu: ", idx);
	if (n > 0 && (size_t)n < len)
		bpfvm_disasm_insn(&bpfvm_asm_printer, insns, bpfvm_prog__insn_cnt(prog), idx, buf + n, len - (size_t)n);
}

/* the instructions, one line each (`N: (b7) r0 = 0`), with the source lines of line_info above them */
static void dump_insns(struct cli_ctx *ctx, const struct bpfvm_object *obj, const struct bpf_insn *insns, size_t cnt,
		       const struct bpf_line_info *li, uint32_t li_cnt)
{
	char text[256], src[512];
	uint32_t l = 0;

	if (ctx->json)
		jsonw_start_array(ctx->jw);
	for (size_t i = 0; i < cnt; i++) {
		bool second_half = i > 0 && insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW);
		if (second_half)
			continue;
		while (l < li_cnt && li[l].insn_off < i)
			l++;
		bool has_src = obj && l < li_cnt && li[l].insn_off == i &&
			       bpfvm_object__format_line_info(obj, &li[l], src, sizeof(src)) >= 0;
		bpfvm_disasm_insn(&bpfvm_asm_printer, insns, cnt, i, text, sizeof(text));
		if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_uint_field(ctx->jw, "insn", i);
			if (has_src)
				jsonw_string_field(ctx->jw, "src", src);
			jsonw_string_field(ctx->jw, "text", text);
			jsonw_end_object(ctx->jw);
		} else {
			if (has_src)
				printf("%s\n", src);
			printf("%zu: %s\n", i, text);
		}
	}
	if (ctx->json)
		jsonw_end_array(ctx->jw);
}

static int dump_object(struct cli_ctx *ctx, const struct dump_args *a)
{
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
	struct bpfvm_object *obj = bpfvm_object__open_file(a->file, &oo);
	int code = EXIT_OK;
	size_t shown = 0;

	if (!obj)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error[0] ? log.last_error : a->file);
	if (ctx->json)
		jsonw_start_array(ctx->jw);
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj) && code == EXIT_OK; i++) {
		struct bpfvm_object_prog_info pi;
		if (bpfvm_object__prog_info(obj, i, &pi) || (a->prog && strcmp(a->prog, pi.name)))
			continue;
		shown++;
		if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_string_field(ctx->jw, "name", pi.name);
			jsonw_string_field(ctx->jw, "section", pi.sec_name);
			jsonw_name(ctx->jw, a->jited ? "jited" : "insns");
		} else {
			printf("%s%s: (section %s)\n", shown > 1 ? "\n" : "", pi.name, pi.sec_name);
		}
		if (a->jited) {
			BPFVM_OPTS(bpfvm_prog_opts, po, .name = pi.name, .prog_type = pi.prog_type, .log = &log);
			struct bpfvm_prog *prog = bpfvm_prog__new(pi.insns, pi.insn_cnt, &po);
			if (!prog)
				code = p_err(ctx, EXIT_REJECTED, "%s: %s: %s", a->file, pi.name, log.last_error);
			else
				code = prog_dump_jited(ctx, a->file, prog, a->harden, insn_text, prog);
			bpfvm_prog__free(prog);
		} else {
			dump_insns(ctx, obj, pi.insns, pi.insn_cnt, pi.line_info, pi.line_info_cnt);
		}
		if (ctx->json)
			jsonw_end_object(ctx->jw);
	}
	if (ctx->json)
		jsonw_end_array(ctx->jw);
	bpfvm_object__close(obj);
	if (code == EXIT_OK && !shown)
		return p_err(ctx, EXIT_USAGE, "%s: no program%s%s", a->file, a->prog ? " named " : "", a->prog ? a->prog : "");
	return code;
}

int prog_dump(struct cli_ctx *ctx, int argc, char **argv)
{
	struct dump_args a;
	int code = parse_args(ctx, argc, argv, &a);

	if (code)
		return code;
	if (cli_is_elf(a.file))
		return dump_object(ctx, &a);
	if (a.prog)
		return p_err(ctx, EXIT_USAGE, "prog dump: --prog names a program of an ELF object");
	struct bpfvm_prog *prog;
	code = cli_load_prog_file(ctx, a.file, a.syntax, &prog);
	if (code)
		return code;
	if (a.jited)
		code = prog_dump_jited(ctx, a.file, prog, a.harden, insn_text, prog);
	else
		dump_insns(ctx, NULL, bpfvm_prog__insns(prog), bpfvm_prog__insn_cnt(prog), NULL, 0);
	bpfvm_prog__free(prog);
	return code;
}
