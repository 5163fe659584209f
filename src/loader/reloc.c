/* reloc.c - relocations: map and global-data references to LD_IMM64 pseudo values, and bpf-to-bpf calls with
 * the called subprograms appended after the program, as libbpf links them */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "loader/sec_def.h"

#define PROG_MAX_INSNS (1u << 20)
#define PROG_MAX_FUNCS 1024 /* the kernel allows 256 (BPF_MAX_SUBPROGS) */

struct relo {
	size_t insn;   /* instruction index inside the section */
	size_t sym;
};

struct link_ctx {
	struct bpfvm_object *obj;
	struct loader_prog *prog;
	struct bpf_insn *out;
	size_t cnt, cap;
	/* placed functions: index into obj->funcs and their base in out */
	size_t *placed, *base;
	size_t nplaced;
	struct bpf_func_info *fi;
	uint32_t nfi;
	struct bpf_line_info *li;
	uint32_t nli, cap_li;
};

/* the function holding instruction insn of section sec (funcs are sorted by section and offset), or -1 */
static int func_at(const struct bpfvm_object *obj, int sec, size_t insn)
{
	size_t lo = 0, hi = obj->nfuncs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct loader_func *f = &obj->funcs[mid];
		if (f->sec < sec || (f->sec == sec && f->off + f->cnt <= insn))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < obj->nfuncs && obj->funcs[lo].sec == sec && insn >= obj->funcs[lo].off &&
	    insn < obj->funcs[lo].off + obj->funcs[lo].cnt)
		return lo;
	return -1;
}

/* the relocation of instruction `insn` of section `sec`, if any: binary search of the sorted copy */
static const Elf64_Rel *find_relo(const struct bpfvm_object *obj, int sec, size_t insn, size_t *idx)
{
	const struct elf_sec *s = &obj->secs[sec];
	size_t lo = 0, hi = s->nrelos;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->relos[mid].r_offset < insn * 8)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nrelos && s->relos[lo].r_offset == insn * 8) {
		*idx = lo;
		return &s->relos[lo];
	}
	return NULL;
}

static int cmp_rel(const void *a, const void *b)
{
	const Elf64_Rel *x = a, *y = b;
	return x->r_offset < y->r_offset ? -1 : x->r_offset > y->r_offset;
}

/* every relocation of a code section must land on an instruction inside it */
static int check_relos(struct bpfvm_object *obj)
{
	for (size_t si = 1; si < obj->nsecs; si++) {
		const struct elf_sec *s = &obj->secs[si];
		if (s->kind != SEC_PROG || !s->relo_sec)
			continue;
		const struct elf_sec *rs = &obj->secs[s->relo_sec];
		size_t n = rs->size / sizeof(Elf64_Rel);
		for (size_t i = 0; i < n; i++) {
			Elf64_Rel rel;
			memcpy(&rel, rs->data + i * sizeof(rel), sizeof(rel));
			if (rel.r_offset % 8 || rel.r_offset >= s->size) {
				pr_err(obj, "%s: section '%s': relocation #%zu at offset %llu is outside the section",
				       obj->name, rs->name, i, (unsigned long long)rel.r_offset);
				return -EINVAL;
			}
			if (ELF64_R_SYM(rel.r_info) >= obj->nsyms) {
				pr_err(obj, "%s: section '%s': relocation #%zu: symbol #%llu does not exist", obj->name,
				       rs->name, i, (unsigned long long)ELF64_R_SYM(rel.r_info));
				return -EINVAL;
			}
		}
		struct elf_sec *ws = &obj->secs[si];
		if (!(ws->relos = malloc((n ? n : 1) * sizeof(Elf64_Rel))))
			return -ENOMEM;
		memcpy(ws->relos, rs->data, n * sizeof(Elf64_Rel));
		ws->nrelos = n;
		qsort(ws->relos, n, sizeof(Elf64_Rel), cmp_rel);
		for (size_t i = 1; i < n; i++)
			if (ws->relos[i].r_offset == ws->relos[i - 1].r_offset) {
				pr_err(obj, "%s: section '%s': two relocations for the instruction at offset %llu", obj->name,
				       rs->name, (unsigned long long)ws->relos[i].r_offset);
				return -EINVAL;
			}
	}
	return 0;
}

static int add_ext_info(struct link_ctx *lc, const struct loader_func *f, size_t fbase);
static int relocate_placed(struct link_ctx *lc, size_t k);

/*
 * Append function fidx to the program (once), then relocate it at once, depth first, as libbpf's
 * bpf_object__reloc_code() does: the order of subprograms in the program is libbpf's.
 */
static int place_func(struct link_ctx *lc, size_t fidx, size_t *base_out)
{
	for (size_t i = 0; i < lc->nplaced; i++)
		if (lc->placed[i] == fidx) {
			*base_out = lc->base[i];
			return 0;
		}
	const struct loader_func *f = &lc->obj->funcs[fidx];
	if (lc->nplaced >= PROG_MAX_FUNCS) { /* also bounds the depth of this recursion */
		pr_err(lc->obj, "%s: program '%s': more than %d subprograms", lc->obj->name, lc->prog->name,
		       PROG_MAX_FUNCS);
		return -E2BIG;
	}
	if (lc->cnt + f->cnt > PROG_MAX_INSNS) {
		pr_err(lc->obj, "%s: program '%s': too many instructions", lc->obj->name, lc->prog->name);
		return -E2BIG;
	}
	if (lc->cnt + f->cnt > lc->cap) {
		size_t cap = (lc->cnt + f->cnt) * 2;
		struct bpf_insn *n = realloc(lc->out, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		lc->out = n;
		lc->cap = cap;
	}
	size_t *np = realloc(lc->placed, (lc->nplaced + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	lc->placed = np;
	size_t *nb = realloc(lc->base, (lc->nplaced + 1) * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	lc->base = nb;
	memcpy(lc->out + lc->cnt, lc->obj->secs[f->sec].data + f->off * 8, f->cnt * 8);
	size_t k = lc->nplaced++;
	lc->placed[k] = fidx;
	lc->base[k] = lc->cnt;
	*base_out = lc->cnt;
	lc->cnt += f->cnt;
	int err = core_relocate_func(lc->obj, f, lc->out + lc->base[k]);
	if (!err)
		err = add_ext_info(lc, f, lc->base[k]);
	if (!err)
		err = relocate_placed(lc, k);
	return err;
}

static bool is_ldimm64(const struct bpf_insn *in) { return in->code == (BPF_LD | BPF_IMM | BPF_DW); }
static bool is_call(const struct bpf_insn *in) { return in->code == (BPF_JMP | BPF_CALL); }

/* resolve a call or a function address to (function, instruction index in the section) */
static int resolve_target(struct link_ctx *lc, const struct loader_func *f, size_t j, long target, size_t *tbase)
{
	struct bpfvm_object *obj = lc->obj;
	int sec = f->sec;
	(void)j;
	if (target < 0) {
		pr_err(obj, "%s: program '%s': call target before the start of section '%s'", obj->name,
		       lc->prog->name, obj->secs[sec].name);
		return -EINVAL;
	}
	int g = func_at(obj, sec, target);
	if (g < 0) {
		pr_err(obj, "%s: program '%s': call target insn %ld of section '%s' is not inside a function",
		       obj->name, lc->prog->name, target, obj->secs[sec].name);
		return -EINVAL;
	}
	size_t gbase;
	int err = place_func(lc, g, &gbase);
	if (err)
		return err;
	*tbase = gbase + (target - obj->funcs[g].off);
	return 0;
}

static int relocate_insn(struct link_ctx *lc, const struct loader_func *f, size_t fbase, size_t j)
{
	struct bpfvm_object *obj = lc->obj;
	size_t sec_insn = f->off + j, ridx;
	const Elf64_Rel *rp = find_relo(obj, f->sec, sec_insn, &ridx);
	struct bpf_insn *in = &lc->out[fbase + j];
	const char *secname = obj->secs[f->sec].name;

	if (is_ldimm64(in) && j + 1 >= f->cnt) {
		pr_err(obj, "%s: program '%s': ld_imm64 at insn %zu of '%s' has no second half", obj->name,
		       lc->prog->name, sec_insn, secname);
		return -EINVAL;
	}
	if (!rp) {
		/* a call to a static function of the same section carries no relocation: imm is relative */
		if ((is_call(in) && in->src_reg == BPF_PSEUDO_CALL) || (is_ldimm64(in) && in->src_reg == BPF_PSEUDO_FUNC)) {
			size_t tb;
			int err = resolve_target(lc, f, j, (long)sec_insn + in->imm + 1, &tb);
			if (err)
				return err;
			in = &lc->out[fbase + j]; /* out may have moved */
			in->imm = (long)tb - (long)(fbase + j) - 1;
		}
		return 0;
	}
	Elf64_Rel rel;
	memcpy(&rel, rp, sizeof(rel));
	const struct elf_sym *s = elf_sym_at(obj, ELF64_R_SYM(rel.r_info));
	size_t shndx = s->sym.st_shndx;
	if (!is_ldimm64(in) && !is_call(in)) {
		pr_err(obj, "%s: section '%s': relocation against '%s' at insn %zu: not a ld_imm64 or call insn (code 0x%x)",
		       obj->name, secname, s->name, sec_insn, in->code);
		return -EINVAL;
	}
	long kcfg = shndx == SHN_UNDEF && is_ldimm64(in) ? kconfig_offset(obj, s->name) : -1;
	if (kcfg >= 0) { /* a __kconfig extern: a value in the .kconfig map */
		in->src_reg = BPF_PSEUDO_MAP_VALUE;
		in->imm = obj->kconfig_map + BPFVM_MAP_FD_BASE;
		in[1].imm = kcfg;
		return 0;
	}
	if (shndx == SHN_UNDEF)
		return core_resolve_extern(obj, lc->prog->name, s->name, GELF_ST_BIND(s->sym.st_info) == STB_WEAK, in);
	if (shndx >= obj->nsecs) {
		pr_err(obj, "%s: section '%s': relocation against '%s' in section #%zu, which does not exist", obj->name,
		       secname, s->name, shndx);
		return -EINVAL;
	}
	const struct elf_sec *ts = &obj->secs[shndx];
	if (is_call(in)) {
		if (in->src_reg != BPF_PSEUDO_CALL || ts->kind != SEC_PROG || s->sym.st_value % 8) {
			pr_err(obj, "%s: program '%s': bad call relocation against '%s' in section '%s'", obj->name,
			       lc->prog->name, s->name, ts->name);
			return -EINVAL;
		}
		const struct loader_func tf = { .sec = shndx };
		size_t tb;
		int err = resolve_target(lc, &tf, j, (long)s->sym.st_value / 8 + in->imm + 1, &tb);
		if (err)
			return err;
		in = &lc->out[fbase + j];
		in->imm = (long)tb - (long)(fbase + j) - 1;
		return 0;
	}
	/* ld_imm64 */
	if (ts->kind == SEC_PROG) {
		const struct loader_func tf = { .sec = shndx };
		long byte = (long)s->sym.st_value + in->imm;
		if (byte % 8) {
			pr_err(obj, "%s: program '%s': function address of '%s' is not instruction-aligned", obj->name,
			       lc->prog->name, s->name);
			return -EINVAL;
		}
		size_t tb;
		int err = resolve_target(lc, &tf, j, byte / 8, &tb);
		if (err)
			return err;
		in = &lc->out[fbase + j];
		in->src_reg = BPF_PSEUDO_FUNC;
		in->imm = (long)tb - (long)(fbase + j) - 1;
		return 0;
	}
	if (ts->kind == SEC_MAPS_BTF || ts->kind == SEC_MAPS_LEGACY) {
		int m = find_map_by_sec_off(obj, shndx, s->sym.st_value);
		if (m < 0) {
			pr_err(obj, "%s: program '%s': relocation against '%s' in '%s' matches no map definition",
			       obj->name, lc->prog->name, s->name, ts->name);
			return -EINVAL;
		}
		in->src_reg = BPF_PSEUDO_MAP_FD;
		in->imm = m + BPFVM_MAP_FD_BASE;
		return 0;
	}
	if (ts->kind == SEC_DATA) {
		int64_t off = (int64_t)in->imm + (int64_t)s->sym.st_value;
		if (off < 0 || (uint64_t)off > ts->size) {
			pr_err(obj, "%s: program '%s': reference to '%s' at offset %lld outside section '%s'", obj->name,
			       lc->prog->name, s->name, (long long)off, ts->name);
			return -EINVAL;
		}
		in->src_reg = BPF_PSEUDO_MAP_VALUE;
		in->imm = ts->map_idx + BPFVM_MAP_FD_BASE;
		in[1].imm = off;
		return 0;
	}
	pr_err(obj, "%s: program '%s': relocation against '%s' in section '%s', which is not a map, data or code section",
	       obj->name, lc->prog->name, s->name, ts->name);
	return -EINVAL;
}

/* func_info and line_info of a placed function, with offsets moved to its place in the program */
static int add_ext_info(struct link_ctx *lc, const struct loader_func *f, size_t fbase)
{
	const struct btf_ext *ext = lc->obj->btf_ext;
	const char *sec = lc->obj->secs[f->sec].name;
	if (!ext)
		return 0;
	const struct btf_ext_sec *s = btf_ext_find(&ext->func_info, sec);
	for (uint32_t i = 0; s && i < s->num; i++) {
		uint32_t rec[2];
		memcpy(rec, s->recs + (size_t)i * ext->func_info.rec_size, 8);
		if (rec[0] != f->off * 8)
			continue;
		struct bpf_func_info *n = realloc(lc->fi, (lc->nfi + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		lc->fi = n;
		lc->fi[lc->nfi++] = (struct bpf_func_info){ .insn_off = fbase, .type_id = rec[1] };
	}
	s = btf_ext_find(&ext->line_info, sec);
	for (uint32_t i = 0; s && i < s->num; i++) {
		uint32_t rec[4];
		memcpy(rec, s->recs + (size_t)i * ext->line_info.rec_size, 16);
		if (rec[0] % 8 || rec[0] / 8 < f->off || rec[0] / 8 >= f->off + f->cnt)
			continue;
		if (lc->nli == lc->cap_li) {
			lc->cap_li = lc->cap_li ? 2 * lc->cap_li : 64;
			struct bpf_line_info *n = realloc(lc->li, lc->cap_li * sizeof(*n));
			if (!n)
				return -ENOMEM;
			lc->li = n;
		}
		lc->li[lc->nli++] = (struct bpf_line_info){ .insn_off = fbase + rec[0] / 8 - f->off,
							    .file_name_off = rec[1], .line_off = rec[2], .line_col = rec[3] };
	}
	return 0;
}

static int relocate_placed(struct link_ctx *lc, size_t k)
{
	const struct loader_func *f = &lc->obj->funcs[lc->placed[k]];
	size_t fbase = lc->base[k];
	int err = 0;
	for (size_t j = 0; !err && j < f->cnt; j++) {
		err = relocate_insn(lc, f, fbase, j);
		if (!err && is_ldimm64(&lc->out[fbase + j]))
			j++;
	}
	return err;
}

/* per func_info record: whether the function returns a scalar (an int of at most 8 bytes or an enum), by BTF */
static uint8_t *func_ret_scalars(const struct bpfvm_object *obj, const struct loader_prog *p)
{
	uint8_t *out = p->func_info_cnt && obj->btf ? calloc(p->func_info_cnt, 1) : NULL;
	for (uint32_t i = 0; out && i < p->func_info_cnt; i++) {
		const struct btf_type *fn = btf_type_by_id(obj->btf, p->func_info[i].type_id);
		const struct btf_type *proto = fn && btf_kind(fn) == BTF_KIND_FUNC ? btf_type_by_id(obj->btf, fn->type) : NULL;
		uint32_t ret = proto && btf_kind(proto) == BTF_KIND_FUNC_PROTO ? btf_skip_mods(obj->btf, proto->type) : 0;
		const struct btf_type *rt = ret ? btf_type_by_id(obj->btf, ret) : NULL;
		out[i] = rt && ((btf_kind(rt) == BTF_KIND_INT && rt->size <= 8) || btf_kind(rt) == BTF_KIND_ENUM ||
				btf_kind(rt) == BTF_KIND_ENUM64);
	}
	return out;
}

static int link_prog(struct bpfvm_object *obj, struct loader_prog *p)
{
	struct link_ctx lc = { .obj = obj, .prog = p };
	size_t base;
	int err = place_func(&lc, p->func_idx, &base);
	free(lc.placed);
	free(lc.base);
	if (err) {
		free(lc.out);
		free(lc.fi);
		free(lc.li);
		return err;
	}
	p->insns = lc.out;
	p->insn_cnt = lc.cnt;
	p->func_info = lc.fi;
	p->func_info_cnt = lc.nfi;
	p->line_info = lc.li;
	p->line_info_cnt = lc.nli;
	p->func_ret_scalar = func_ret_scalars(obj, p); /* NULL without BTF: then nothing is checked */
	return 0;
}

int progs_link(struct bpfvm_object *obj)
{
	int err = check_relos(obj);
	if (err)
		return err;
	size_t n = 0;
	for (size_t i = 0; i < obj->nfuncs; i++)
		n += obj->funcs[i].is_prog;
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	for (size_t i = 0; i < obj->nfuncs; i++) {
		const struct loader_func *f = &obj->funcs[i];
		if (!f->is_prog)
			continue;
		struct loader_prog *p = &obj->progs[obj->nprogs++];
		snprintf(p->name, sizeof(p->name), "%s", f->name);
		p->sec_name = obj->secs[f->sec].name;
		p->func_idx = i;
		const struct sec_def *d = sec_def_find(p->sec_name);
		if (d) {
			p->prog_type = d->prog_type;
			p->expected_attach_type = d->attach_type;
			p->prog_flags = d->prog_flags;
		}
		p->autoload = p->sec_name[0] != '?';
		if ((err = link_prog(obj, p)))
			return err;
	}
	for (size_t i = 0; i < obj->nmaps; i++) /* prog array slots name functions; give their program index */
		for (size_t s = 0; s < obj->maps[i].nslots; s++)
			for (size_t k = 0; k < obj->nprogs; k++)
				if (obj->maps[i].slots[s].func_idx >= 0 &&
				    obj->progs[k].func_idx == obj->maps[i].slots[s].func_idx)
					obj->maps[i].slots[s].prog_idx = k;
	return 0;
}
