/* prog_file.c - a program given as a file: assembly text (.s/.asm, either syntax) or raw bytecode (.bin) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/file_util.h"
#include "cli/prog_file.h"

static const char *pseudo_imm_name(void *arg, const struct bpf_insn *insn, uint64_t full_imm, char *buf,
				   size_t size)
{
	static const char *const names[] = { NULL, "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value" };
	int32_t lo = (int32_t)(uint32_t)full_imm, hi = (int32_t)(uint32_t)(full_imm >> 32);

	(void)arg;
	if (insn->src_reg == 0 || insn->src_reg >= sizeof(names) / sizeof(names[0]))
		return NULL;
	if (insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
		snprintf(buf, size, "%s(%d, %d)", names[insn->src_reg], lo, hi);
	else
		snprintf(buf, size, "%s(%d)", names[insn->src_reg], lo);
	return buf;
}

const struct bpfvm_insn_printer cli_insn_printer = { .imm_name = pseudo_imm_name };

int cli_asm_syntax(const char *name)
{
	if (!strcmp(name, "auto"))
		return BPFVM_ASM_AUTO;
	if (!strcmp(name, "kernel") || !strcmp(name, "llvm"))
		return BPFVM_ASM_KERNEL;
	if (!strcmp(name, "ubpf") || !strcmp(name, "conformance"))
		return BPFVM_ASM_UBPF;
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* assembly is printable text; anything with a NUL or other control bytes is bytecode */
static bool looks_like_text(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t' && ch != '\f' && ch != '\v')
			return false;
	}
	return true;
}

int cli_load_insns(struct cli_ctx *ctx, const char *path, enum bpfvm_asm_syntax syntax, struct bpf_insn **insns,
		   size_t *cnt)
{
	char *buf;
	size_t len;
	int err = cli_read_file(path, &buf, &len);

	if (err)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, strerror(-err));
	if (!len) {
		free(buf);
		return p_err(ctx, EXIT_USAGE, "%s: empty file", path);
	}
	if (ends_with(path, ".bin") || !looks_like_text(buf, len)) {
		if (len % sizeof(struct bpf_insn)) {
			free(buf);
			return p_err(ctx, EXIT_USAGE, "%s: truncated bytecode: %zu bytes is not a multiple of 8", path, len);
		}
		*cnt = len / sizeof(struct bpf_insn);
		*insns = (struct bpf_insn *)(void *)buf; /* malloc'd: suitably aligned for any type */
		return EXIT_OK;
	}
	struct bpfvm_log log = { 0 };
	err = bpfvm_asm(buf, len, path, syntax, insns, cnt, &log);
	free(buf);
	if (err)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error[0] ? log.last_error : strerror(-err));
	return EXIT_OK;
}

int cli_load_prog_file(struct cli_ctx *ctx, const char *path, enum bpfvm_asm_syntax syntax,
		       struct bpfvm_prog **out)
{
	struct bpf_insn *insns;
	size_t cnt;
	int code = cli_load_insns(ctx, path, syntax, &insns, &cnt);

	if (code)
		return code;
	struct bpfvm_log log = { 0 };
	const char *slash = strrchr(path, '/');
	BPFVM_OPTS(bpfvm_prog_opts, popts, .name = slash ? slash + 1 : path, .log = &log);
	*out = bpfvm_prog__new(insns, cnt, &popts);
	int e = errno;
	free(insns);
	if (!*out)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, log.last_error[0] ? log.last_error : strerror(e));
	return EXIT_OK;
}
