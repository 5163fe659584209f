/* prog_jit.c - `bpfvm prog dump --jited`: the JIT image through Capstone, as text or JSON */
#include <stdio.h>

#include "cli/prog_jit.h"

struct jited_json {
	struct json_writer *jw;
	long last;
};

static void json_x86(void *arg, long bpf_idx, uint32_t addr, const uint8_t *bytes, size_t len, const char *mnemonic,
		     const char *operands)
{
	struct jited_json *j = arg;
	char hex[3 * 16 + 1] = "", text[160];
	size_t n = 0;

	if (bpf_idx != j->last) {
		if (j->last != -2) {
			jsonw_end_array(j->jw);
			jsonw_end_object(j->jw);
		}
		jsonw_start_object(j->jw);
		jsonw_int_field(j->jw, "insn", bpf_idx);
		jsonw_name(j->jw, "x86");
		jsonw_start_array(j->jw);
		j->last = bpf_idx;
	}
	if (!len)
		return; /* compiled with the instruction before it: an empty "x86" list */
	for (size_t b = 0; b < len && b < 16; b++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%s%02x", b ? " " : "", bytes[b]);
	snprintf(text, sizeof(text), "%s%s%s", mnemonic, operands[0] ? " " : "", operands);
	jsonw_start_object(j->jw);
	jsonw_uint_field(j->jw, "addr", addr);
	jsonw_string_field(j->jw, "bytes", hex);
	jsonw_string_field(j->jw, "asm", text);
	jsonw_end_object(j->jw);
}

int prog_dump_jited(struct cli_ctx *ctx, const char *path, struct bpfvm_prog *prog, bool harden,
		    bpfvm_insn_text_fn insn_text, void *text_arg)
{
	struct bpfvm_jit_opts opts = { .harden = harden };
	struct bpfvm_log log = { 0 };
	int err;

	if (ctx->json) {
		struct jited_json j = { ctx->jw, -2 };

		jsonw_start_array(ctx->jw);
		err = bpfvm_jit_disasm(prog, &opts, json_x86, &j, &log);
		if (j.last != -2) {
			jsonw_end_array(ctx->jw);
			jsonw_end_object(ctx->jw);
		}
		jsonw_end_array(ctx->jw);
	} else {
		err = bpfvm_jit_dump(prog, &opts, stdout, insn_text, text_arg, &log);
	}
	if (err)
		return p_err(ctx, EXIT_REJECTED, "%s: JIT: %s", path, log.last_error[0] ? log.last_error : "failed");
	return EXIT_OK;
}
