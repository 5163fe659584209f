/* corpus.c - reader of the corpus/verifier record format (see shared/corpus/verifier/README.md) and the maps
 * its fixup lines create */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "verifier/corpus.h"

#define MAX_RECORD_INSNS 1000000

/* the next line without its newline, or NULL at the end */
static const char *next_line(struct corpus_parser *p, size_t *len)
{
	if (p->pos >= p->len)
		return NULL;
	const char *s = p->buf + p->pos;
	const char *nl = memchr(s, '\n', p->len - p->pos);
	*len = nl ? (size_t)(nl - s) : p->len - p->pos;
	p->pos += *len + (nl ? 1 : 0);
	p->line++;
	return s;
}

static int fail(struct bpfvm_log *log, int line, const char *why)
{
	bpfvm_logf(log, "line %d: %s", line, why);
	return -EINVAL;
}

/* undo the README's escapes: \\ \t \n \xNN */
static char *unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];
			if (c == 't')
				*o++ = '\t';
			else if (c == 'n')
				*o++ = '\n';
			else if (c == 'x' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
				char hex[3] = { s[i + 1], s[i + 2], 0 };
				*o++ = (char)strtol(hex, NULL, 16);
				i += 2;
			} else {
				*o++ = c;
			}
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return out;
}

/* a line's "key: value" split; false if it has no ": " */
static bool split(const char *s, size_t n, char *key, size_t keysz, const char **val, size_t *vlen)
{
	const char *c = memchr(s, ':', n);
	if (!c || (size_t)(c - s) >= keysz)
		return false;
	memcpy(key, s, (size_t)(c - s));
	key[c - s] = 0;
	c++;
	if (c < s + n && *c == ' ')
		c++;
	*val = c;
	*vlen = (size_t)(s + n - c);
	return true;
}

static bool parse_u32(const char *v, size_t n, uint32_t *out)
{
	char buf[32];
	char *end;
	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = 0;
	errno = 0;
	unsigned long x = strtoul(buf, &end, 0);
	if (errno || end == buf || x > UINT32_MAX)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool is_ignored_key(const char *key)
{
	static const char *const ignored[] = { "result", "errstr", "result_unpriv", "errstr_unpriv", "run",
					       "insn_processed", "btf_types", "btf_strings", NULL };
	if (!strncmp(key, "kernel", 6))
		return true;
	for (int i = 0; ignored[i]; i++)
		if (!strcmp(key, ignored[i]))
			return true;
	return false;
}

void corpus_record_free(struct corpus_record *rec)
{
	if (!rec)
		return;
	free(rec->test);
	free(rec->src);
	free(rec->attach_btf);
	for (int i = 0; i < rec->n_fixups; i++)
		free(rec->fixups[i].idx);
	free(rec->insns);
	memset(rec, 0, sizeof(*rec));
}

static int parse_fixup(struct corpus_record *rec, const char *v, size_t n, int line, struct bpfvm_log *log)
{
	char buf[4096], *save = NULL, *tok;
	struct corpus_fixup *f;

	if (rec->n_fixups >= CORPUS_MAX_FIXUPS)
		return fail(log, line, "too many fixup lines");
	if (n >= sizeof(buf))
		return fail(log, line, "fixup line too long");
	memcpy(buf, v, n);
	buf[n] = 0;
	f = &rec->fixups[rec->n_fixups];
	memset(f, 0, sizeof(*f));
	tok = strtok_r(buf, " ", &save);
	if (!tok || strlen(tok) >= sizeof(f->kind))
		return fail(log, line, "fixup without a kind");
	strcpy(f->kind, tok);
	if (!strcmp(f->kind, "kfunc")) {
		tok = strtok_r(NULL, " ", &save);
		if (!tok || strlen(tok) >= sizeof(f->name))
			return fail(log, line, "kfunc fixup without a name");
		strcpy(f->name, tok);
	}
	f->idx = calloc(n / 2 + 1, sizeof(int));
	if (!f->idx)
		return -ENOMEM;
	rec->n_fixups++;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *end;
		long x = strtol(tok, &end, 10);
		if (*end || x < 0 || x > MAX_RECORD_INSNS)
			return fail(log, line, "bad instruction index in fixup");
		f->idx[f->n_idx++] = (int)x;
	}
	if (!f->n_idx)
		return fail(log, line, "fixup lists no instruction");
	return 0;
}

static int parse_insn(const char *s, size_t n, struct bpf_insn *insn)
{
	char buf[128], *end;
	long v[5];
	const char *p = buf;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	for (int i = 0; i < 5; i++) {
		while (*p == ' ')
			p++;
		errno = 0;
		v[i] = strtol(p, &end, i == 0 ? 16 : 10);
		if (end == p || errno)
			return -EINVAL;
		p = end;
	}
	while (*p == ' ')
		p++;
	if (*p || v[0] < 0 || v[0] > 255 || v[1] < 0 || v[1] > 15 || v[2] < 0 || v[2] > 15 || v[3] < INT16_MIN ||
	    v[3] > INT16_MAX || v[4] < INT32_MIN || v[4] > INT32_MAX)
		return -EINVAL;
	*insn = (struct bpf_insn){ .code = (uint8_t)v[0], .dst_reg = (uint8_t)v[1], .src_reg = (uint8_t)v[2],
				   .off = (int16_t)v[3], .imm = (int32_t)v[4] };
	return 0;
}

int corpus_next(struct corpus_parser *p, struct corpus_record *rec, struct bpfvm_log *log)
{
	const char *s, *v;
	size_t n, vlen;
	char key[32];
	int err = 0;
	bool have_insns = false;

	memset(rec, 0, sizeof(*rec));
	/* skip blank lines between records */
	for (;;) {
		size_t save_pos = p->pos;
		int save_line = p->line;
		s = next_line(p, &n);
		if (!s)
			return 0;
		if (n) {
			p->pos = save_pos;
			p->line = save_line;
			break;
		}
	}
	rec->line = p->line + 1;
	while ((s = next_line(p, &n))) {
		if (n == 3 && !memcmp(s, "end", 3)) {
			if (!rec->src)
				return fail(log, p->line, "record without src"), corpus_record_free(rec), -EINVAL;
			if (!have_insns)
				return fail(log, p->line, "record without insns"), corpus_record_free(rec), -EINVAL;
			return 1;
		}
		if (!split(s, n, key, sizeof(key), &v, &vlen)) {
			err = fail(log, p->line, "expected 'key: value' or 'end'");
			break;
		}
		if (!strcmp(key, "test")) {
			free(rec->test);
			rec->test = unescape(v, vlen);
		} else if (!strcmp(key, "src")) {
			free(rec->src);
			rec->src = unescape(v, vlen);
		} else if (!strcmp(key, "attach_btf")) {
			free(rec->attach_btf);
			rec->attach_btf = unescape(v, vlen);
		} else if (!strcmp(key, "prog_type") || !strcmp(key, "attach_type")) {
			/* "<n> <name>": the number counts */
			const char *sp = memchr(v, ' ', vlen);
			uint32_t x;
			if (!parse_u32(v, sp ? (size_t)(sp - v) : vlen, &x)) {
				err = fail(log, p->line, "bad number");
				break;
			}
			if (key[0] == 'p')
				rec->prog_type = x;
			else
				rec->attach_type = x;
		} else if (!strcmp(key, "flags") || !strcmp(key, "prog_flags")) {
			uint32_t x;
			if (!parse_u32(v, vlen, &x)) {
				err = fail(log, p->line, "bad number");
				break;
			}
			if (key[0] == 'f')
				rec->flags = x;
			else
				rec->prog_flags = x;
		} else if (!strcmp(key, "func_info")) {
			/* "<insn_off> <type_id>" */
			const char *sp = memchr(v, ' ', vlen);
			uint32_t off, id;
			if (!sp || !parse_u32(v, (size_t)(sp - v), &off) || !parse_u32(sp + 1, vlen - (size_t)(sp + 1 - v), &id)) {
				err = fail(log, p->line, "bad func_info (want: insn_off type_id)");
				break;
			}
			if (rec->func_info_cnt >= CORPUS_MAX_FIXUPS) {
				err = fail(log, p->line, "too many func_info lines");
				break;
			}
			rec->func_info[rec->func_info_cnt].insn_off = off;
			rec->func_info[rec->func_info_cnt++].type_id = id;
		} else if (!strcmp(key, "fixup")) {
			err = parse_fixup(rec, v, vlen, p->line, log);
			if (err)
				break;
		} else if (!strcmp(key, "insns")) {
			uint32_t cnt;
			if (have_insns) {
				err = fail(log, p->line, "second insns line");
				break;
			}
			if (!parse_u32(v, vlen, &cnt) || cnt == 0 || cnt > MAX_RECORD_INSNS) {
				err = fail(log, p->line, "bad instruction count");
				break;
			}
			rec->insns = calloc(cnt, sizeof(struct bpf_insn));
			if (!rec->insns) {
				err = -ENOMEM;
				break;
			}
			rec->insn_cnt = cnt;
			have_insns = true;
			for (uint32_t i = 0; i < cnt && !err; i++) {
				s = next_line(p, &n);
				if (!s)
					err = fail(log, p->line, "file ends inside the instructions");
				else if (parse_insn(s, n, &rec->insns[i]))
					err = fail(log, p->line, "bad instruction (want: hex-code dst src off imm)");
			}
			if (err)
				break;
		} else if (!is_ignored_key(key)) {
			err = fail(log, p->line, "unknown key");
			break;
		}
		if ((!strcmp(key, "test") || !strcmp(key, "src") || !strcmp(key, "attach_btf")) &&
		    !(key[0] == 't' ? rec->test : key[0] == 's' ? rec->src : rec->attach_btf)) {
			err = -ENOMEM;
			break;
		}
	}
	if (!err)
		err = fail(log, p->line, "file ends inside a record (no 'end')");
	corpus_record_free(rec);
	return err;
}

/* the maps of test_verifier.c's do_test_fixup(), by kind */
struct map_kind {
	const char *kind;
	struct bpfvm_map_info info;
};

#define NOLOCK .spin_lock_off = -1, .timer_off = -1
static const struct map_kind map_kinds[] = {
	{ "map_hash_8b", { BPF_MAP_TYPE_HASH, 8, 8, 1, BPF_F_NO_PREALLOC, NOLOCK } },
	{ "map_hash_16b", { BPF_MAP_TYPE_HASH, 8, 16, 1, BPF_F_NO_PREALLOC, NOLOCK } },
	{ "map_hash_48b", { BPF_MAP_TYPE_HASH, 8, 48, 1, BPF_F_NO_PREALLOC, NOLOCK } },
	{ "map_array_48b", { BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, NOLOCK } },
	{ "map_array_ro", { BPF_MAP_TYPE_ARRAY, 4, 48, 1, BPF_F_RDONLY_PROG, NOLOCK } },
	{ "map_array_wo", { BPF_MAP_TYPE_ARRAY, 4, 48, 1, BPF_F_WRONLY_PROG, NOLOCK } },
	{ "map_array_small", { BPF_MAP_TYPE_ARRAY, 4, 1, 1, 0, NOLOCK } },
	{ "prog1", { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, NOLOCK } },
	{ "prog2", { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 8, 0, NOLOCK } },
	{ "map_in_map", { BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, NOLOCK, .inner_map_type = BPF_MAP_TYPE_ARRAY,
			  .inner_key_size = 4, .inner_value_size = 4, .inner_max_entries = 1 } },
	{ "cgroup_storage", { BPF_MAP_TYPE_CGROUP_STORAGE, 16, 64, 0, 0, NOLOCK } },
	{ "percpu_cgroup_storage", { BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, 16, 64, 0, 0, NOLOCK } },
	{ "map_sockmap", { BPF_MAP_TYPE_SOCKMAP, 4, 4, 1, 0, NOLOCK } },
	{ "map_sockhash", { BPF_MAP_TYPE_SOCKHASH, 4, 4, 1, 0, NOLOCK } },
	{ "map_xskmap", { BPF_MAP_TYPE_XSKMAP, 4, 4, 1, 0, NOLOCK } },
	{ "map_stacktrace", { BPF_MAP_TYPE_STACK_TRACE, 4, 8, 1, 0, NOLOCK } },
	{ "map_spin_lock", { BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, .spin_lock_off = 4, .timer_off = -1 } },
	{ "sk_storage_map", { BPF_MAP_TYPE_SK_STORAGE, 4, 8, 0, BPF_F_NO_PREALLOC, .spin_lock_off = 4, .timer_off = -1 } },
	{ "map_event_output", { BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0, NOLOCK } },
	{ "map_reuseport_array", { BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, 8, 1, 0, NOLOCK } },
	{ "map_ringbuf", { BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, NOLOCK } },
	{ "map_timer", { BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, .spin_lock_off = -1, .timer_off = 0 } },
	{ "map_kptr", { BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0, NOLOCK, .n_kptrs = 3,
			.kptrs = { { 0, BPFVM_KPTR_UNTRUSTED, "prog_test_ref_kfunc" },
				   { 8, BPFVM_KPTR_REF, "prog_test_ref_kfunc" },
				   { 16, BPFVM_KPTR_REF, "prog_test_member" } } } },
};

int corpus_prog_build(const struct corpus_record *rec, struct corpus_prog *prog, struct bpfvm_log *log)
{
	memset(prog, 0, sizeof(*prog));
	prog->insns = malloc(rec->insn_cnt * sizeof(struct bpf_insn));
	if (!prog->insns)
		return -ENOMEM;
	memcpy(prog->insns, rec->insns, rec->insn_cnt * sizeof(struct bpf_insn));
	prog->insn_cnt = rec->insn_cnt;
	prog->map_cnt = 3; /* fds 0..2 are not maps */
	for (int i = 0; i < rec->n_fixups; i++) {
		const struct corpus_fixup *f = &rec->fixups[i];
		int32_t imm;

		if (!strcmp(f->kind, "kfunc")) {
			/* the kfunc's "BTF id" is its index in the name table */
			imm = (int32_t)prog->kfunc_cnt;
			prog->kfunc_names[prog->kfunc_cnt++] = f->name;
		} else {
			const struct map_kind *k = NULL;
			for (size_t j = 0; j < sizeof(map_kinds) / sizeof(map_kinds[0]); j++)
				if (!strcmp(map_kinds[j].kind, f->kind))
					k = &map_kinds[j];
			if (!k) {
				bpfvm_logf(log, "%s: unknown fixup kind '%s'", rec->src, f->kind);
				corpus_prog_free(prog);
				return -EINVAL;
			}
			imm = (int32_t)prog->map_cnt;
			prog->maps[prog->map_cnt++] = k->info;
		}
		for (int j = 0; j < f->n_idx; j++) {
			if ((size_t)f->idx[j] >= prog->insn_cnt) {
				bpfvm_logf(log, "%s: fixup index %d out of range", rec->src, f->idx[j]);
				corpus_prog_free(prog);
				return -EINVAL;
			}
			prog->insns[f->idx[j]].imm = imm;
		}
	}
	return 0;
}

void corpus_prog_free(struct corpus_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
}
