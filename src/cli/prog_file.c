/* prog_file.c - loading a program given as assembly text (.s/.asm) or raw bytecode (.bin) for the CLI */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "cli/file_util.h"
#include "cli/prog_file.h"
#include "isa/opcodes.h"

enum file_kind { KIND_TEXT, KIND_RAW };

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* text: no NUL and no control bytes other than whitespace in the first 4 KB */
static bool looks_like_text(const char *buf, size_t len)
{
	if (len % sizeof(struct bpf_insn) && len)
		return true; /* cannot be bytecode, report it as text so the assembler names the line */
	for (size_t i = 0; i < len && i < 4096; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v')
			return false;
		if (c == 0x7f)
			return false;
	}
	return true;
}

/* "file:3:5: error: expected ..." -> "file:3:5: expected ...": p_err already says "error:" */
static const char *strip_error_word(const char *line)
{
	const char *e = strstr(line, ": error: ");
	return e ? e : NULL;
}

static int parse_syntax(const char *syntax, enum bpfvm_asm_syntax *s, bool *raw)
{
	static const struct { const char *name; enum bpfvm_asm_syntax syn; bool raw; } tab[] = {
		{ "auto", BPFVM_ASM_AUTO, false },     { "kernel", BPFVM_ASM_KERNEL, false },
		{ "llvm", BPFVM_ASM_KERNEL, false },    { "ubpf", BPFVM_ASM_UBPF, false },
		{ "conformance", BPFVM_ASM_UBPF, false }, { "raw", BPFVM_ASM_AUTO, true },
	};
	*s = BPFVM_ASM_AUTO;
	*raw = false;
	if (!syntax)
		return 0;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(syntax, tab[i].name)) {
			*s = tab[i].syn;
			*raw = tab[i].raw;
			return 0;
		}
	return -EINVAL;
}

int cli_load_insns_file(struct cli_ctx *ctx, const char *path, const char *syntax, struct bpf_insn **insns,
			size_t *cnt)
{
	struct bpfvm_log log = { 0 };
	enum bpfvm_asm_syntax syn;
	bool force_raw;
	enum file_kind kind;
	char *buf;
	size_t len;
	int err;

	if (parse_syntax(syntax, &syn, &force_raw))
		return p_err(ctx, EXIT_USAGE, "%s: unknown syntax '%s' (auto, kernel, ubpf, raw)", path, syntax);
	err = cli_read_file(path, &buf, &len);
	if (err)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, strerror(-err));
	if (!len) {
		free(buf);
		return p_err(ctx, EXIT_USAGE, "%s: empty file", path);
	}
	if (force_raw || has_suffix(path, ".bin"))
		kind = KIND_RAW;
	else if (has_suffix(path, ".s") || has_suffix(path, ".asm") || syntax)
		kind = KIND_TEXT;
	else
		kind = looks_like_text(buf, len) ? KIND_TEXT : KIND_RAW;

	if (kind == KIND_RAW) {
		if (len % sizeof(struct bpf_insn)) {
			free(buf);
			return p_err(ctx, EXIT_USAGE, "%s: size %zu is not a multiple of 8 (truncated bytecode?)", path,
				     len);
		}
		*cnt = len / sizeof(struct bpf_insn);
		if (*cnt > BPFVM_MAX_INSNS) {
			free(buf);
			return p_err(ctx, EXIT_USAGE, "%s: %zu instructions, more than the limit of %d", path, *cnt,
				     BPFVM_MAX_INSNS);
		}
		*insns = malloc(len);
		if (!*insns) {
			free(buf);
			return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
		}
		memcpy(*insns, buf, len); /* bpf_insn's layout is the little-endian file layout on this host */
		free(buf);
	} else {
		err = bpfvm_asm(buf, len, path, syn, insns, cnt, &log);
		free(buf);
		if (err) {
			const char *e = strip_error_word(log.last_error);
			if (e) /* "FILE:L:C: error: why" -> "FILE:L:C: why" */
				return p_err(ctx, EXIT_USAGE, "%.*s%s", (int)(e - log.last_error), log.last_error,
					     e + strlen(": error"));
			return p_err(ctx, EXIT_USAGE, "%s: %s", path, log.last_error[0] ? log.last_error : strerror(-err));
		}
		if (!*cnt) {
			free(*insns);
			return p_err(ctx, EXIT_USAGE, "%s: no instructions", path);
		}
	}
	err = bpfvm_insns_check(*insns, *cnt, &log);
	if (err) {
		free(*insns);
		*insns = NULL;
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, log.last_error[0] ? log.last_error : strerror(-err));
	}
	return EXIT_OK;
}

int cli_load_prog_file(struct cli_ctx *ctx, const char *path, const char *syntax, struct bpfvm_prog **out)
{
	struct bpfvm_log log = { 0 };
	struct bpf_insn *insns;
	size_t cnt;
	int ret = cli_load_insns_file(ctx, path, syntax, &insns, &cnt);
	if (ret)
		return ret;
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .log = &log };
	const char *base = strrchr(path, '/');
	opts.name = base ? base + 1 : path;
	*out = bpfvm_prog__new(insns, cnt, &opts);
	free(insns);
	if (!*out)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, log.last_error[0] ? log.last_error : strerror(errno));
	return EXIT_OK;
}
