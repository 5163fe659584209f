/* core.c - CO-RE relocations (.BTF.ext core_relo) resolved against a target BTF (the running kernel's by default),
 * following libbpf's relocation kinds; instructions that cannot be relocated are poisoned as libbpf does */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

enum core_kind {
	FIELD_BYTE_OFFSET = 0, FIELD_BYTE_SIZE = 1, FIELD_EXISTS = 2, FIELD_SIGNED = 3, FIELD_LSHIFT_U64 = 4,
	FIELD_RSHIFT_U64 = 5, TYPE_ID_LOCAL = 6, TYPE_ID_TARGET = 7, TYPE_EXISTS = 8, TYPE_SIZE = 9,
	ENUMVAL_EXISTS = 10, ENUMVAL_VALUE = 11, TYPE_MATCHES = 12,
};
#define CORE_POISON_IMM 0xbad2310 /* libbpf's marker: the verifier reports "invalid func unknown#195896080" */
#define MAX_SPEC 64

static int parse_elf_btf(struct bpfvm_object *obj, uint8_t *buf, size_t n)
{
	Elf *e = elf_memory((char *)buf, n);
	size_t shstrndx;
	int err = -ENOENT;
	if (!e || elf_getshdrstrndx(e, &shstrndx)) {
		if (e)
			elf_end(e);
		return -EINVAL;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)) || strcmp(name, ".BTF"))
			continue;
		d = elf_getdata(scn, NULL);
		err = d && d->d_buf ? btf_parse(d->d_buf, d->d_size, &obj->target_btf, obj->log) : -EINVAL;
		break;
	}
	elf_end(e);
	return err;
}

static int load_target(struct bpfvm_object *obj)
{
	if (obj->target_btf || obj->target_btf_tried)
		return obj->target_btf ? 0 : -ENOENT;
	obj->target_btf_tried = true;
	const char *path = obj->btf_custom_path ? obj->btf_custom_path : "/sys/kernel/btf/vmlinux";
	FILE *f = fopen(path, "rb");
	if (!f) {
		pr_err(obj, "%s: CO-RE: cannot open target BTF %s", obj->name, path);
		return -ENOENT;
	}
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return -ENOMEM;
	int err;
	if (n >= 4 && !memcmp(buf, "\x7f" "ELF", 4)) /* an ELF file (vmlinux, a .o): its .BTF section */
		err = parse_elf_btf(obj, buf, n);
	else
		err = btf_parse(buf, n, &obj->target_btf, obj->log);
	free(buf);
	if (err)
		pr_err(obj, "%s: CO-RE: target BTF %s is not valid BTF", obj->name, path);
	return err;
}

/* "task_struct___old" and "task_struct" share the essential name "task_struct" */
static bool same_essential(const char *a, const char *b)
{
	size_t la = btf_essential_len(a);
	return la == btf_essential_len(b) && !strncmp(a, b, la);
}

static int parse_access(const char *s, uint32_t *spec, int *n)
{
	*n = 0;
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || *n >= MAX_SPEC)
			return -EINVAL;
		spec[(*n)++] = v;
		s = end;
		if (*s == ':')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return *n ? 0 : -EINVAL;
}

/* find a member by name in a struct/union of the target, descending into anonymous members */
static int find_member(const struct btf *btf, uint32_t id, const char *name, uint32_t *bit_off, uint32_t *mtype,
		       uint32_t *bitsz, int depth)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, id));
	if (!t || (btf_kind(t) != BTF_KIND_STRUCT && btf_kind(t) != BTF_KIND_UNION) || depth > 16)
		return -ENOENT;
	const struct btf_member *m = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf_str(btf, m[i].name_off);
		if (mn[0] && !strcmp(mn, name)) {
			*bit_off = btf_member_bit_offset(t, &m[i]);
			*mtype = m[i].type;
			*bitsz = btf_member_bitfield_size(t, &m[i]);
			return 0;
		}
		if (!mn[0]) {
			uint32_t off;
			if (!find_member(btf, m[i].type, name, &off, mtype, bitsz, depth + 1)) {
				*bit_off = btf_member_bit_offset(t, &m[i]) + off;
				return 0;
			}
		}
	}
	return -ENOENT;
}

struct field_res {
	uint64_t bit_off;
	uint32_t type;     /* field type id (target or local) */
	uint32_t bitsz;
};

/* walk the local access spec over the local type, and the same names over a target candidate */
static int walk_spec(const struct btf *lb, uint32_t lroot, const struct btf *tb, uint32_t troot, const uint32_t *spec,
		     int n, struct field_res *lres, struct field_res *tres)
{
	int64_t lsz = btf_type_size(lb, lroot), tsz = btf_type_size(tb, troot);
	if (lsz < 0 || tsz < 0)
		return -EINVAL;
	uint32_t lid = lroot, tid = troot;
	uint64_t loff = spec[0] * 8ull * lsz, toff = spec[0] * 8ull * tsz;
	uint32_t lbits = 0, tbits = 0;
	for (int i = 1; i < n; i++) {
		const struct btf_type *lt = btf_type_by_id(lb, btf_skip_mods(lb, lid));
		const struct btf_type *tt = btf_type_by_id(tb, btf_skip_mods(tb, tid));
		if (!lt || !tt)
			return -EINVAL;
		if (btf_kind(lt) == BTF_KIND_STRUCT || btf_kind(lt) == BTF_KIND_UNION) {
			if (spec[i] >= btf_vlen(lt))
				return -EINVAL;
			const struct btf_member *m = &btf_members(lt)[spec[i]];
			const char *name = btf_str(lb, m->name_off);
			uint32_t tb_off, tmtype, tbs;
			loff += btf_member_bit_offset(lt, m);
			lbits = btf_member_bitfield_size(lt, m);
			lid = m->type;
			if (!name[0] && i + 1 < n) {
				/* an anonymous member on the way: as libbpf, only named members are matched; the
				 * target stays at the enclosing struct and find_member() searches its anonymous
				 * members for the next name, wherever they are */
				continue;
			}
			if (!name[0]) { /* the access ends at an anonymous member: the target must have the same shape */
				if (btf_kind(tt) != btf_kind(lt) || spec[i] >= btf_vlen(tt))
					return -ENOENT;
				const struct btf_member *tm = &btf_members(tt)[spec[i]];
				toff += btf_member_bit_offset(tt, tm);
				tbits = btf_member_bitfield_size(tt, tm);
				tid = tm->type;
				continue;
			}
			if (find_member(tb, tid, name, &tb_off, &tmtype, &tbs, 0))
				return -ENOENT;
			toff += tb_off;
			tbits = tbs;
			tid = tmtype;
		} else if (btf_kind(lt) == BTF_KIND_ARRAY) {
			if (btf_kind(tt) != BTF_KIND_ARRAY)
				return -ENOENT;
			const struct btf_array *la = btf_members_raw(lt), *ta = btf_members_raw(tt);
			int64_t les = btf_type_size(lb, la->type), tes = btf_type_size(tb, ta->type);
			if (les < 0 || tes < 0)
				return -EINVAL;
			loff += spec[i] * 8ull * les;
			toff += spec[i] * 8ull * tes;
			lid = la->type;
			tid = ta->type;
			lbits = tbits = 0;
		} else {
			return -EINVAL;
		}
	}
	*lres = (struct field_res){ loff, lid, lbits };
	*tres = (struct field_res){ toff, tid, tbits };
	return 0;
}

static bool type_signed(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, id));
	if (!t)
		return false;
	if (btf_kind(t) == BTF_KIND_INT)
		return (*(const uint32_t *)btf_members_raw(t) >> 24) & BTF_INT_SIGNED;
	if (btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64)
		return btf_kflag(t);
	return false;
}

/* libbpf's bitfield shift computation for little-endian loads */
static void bitfield_shifts(uint64_t bit_off, uint32_t bitsz, uint32_t type_size, uint64_t *lshift, uint64_t *rshift)
{
	uint32_t byte_sz = type_size ? type_size : 1;
	uint64_t byte_off = bit_off / 8 / byte_sz * byte_sz;
	while (bit_off + bitsz - byte_off * 8 > byte_sz * 8 && byte_sz < 8) {
		byte_sz *= 2;
		byte_off = bit_off / 8 / byte_sz * byte_sz;
	}
	*lshift = 64 - (bit_off + bitsz - byte_off * 8);
	*rshift = 64 - bitsz;
}

/* value of one relocation against the target; -ENOENT: no matching target (exists-kinds give 0) */
static int core_calc(struct bpfvm_object *obj, const struct bpfvm_core_relo *r, uint64_t *val)
{
	const struct btf *lb = obj->btf, *tb = obj->target_btf;
	uint32_t spec[MAX_SPEC];
	int n, err;
	const struct btf_type *lt = btf_type_by_id(lb, r->type_id);
	const char *access = btf_str(lb, r->access_str_off);

	if (r->kind == TYPE_ID_LOCAL) {
		*val = r->type_id;
		return 0;
	}
	if (!lt || parse_access(access, spec, &n)) {
		pr_err(obj, "%s: CO-RE: bad relocation (type [%u], access '%s')", obj->name, r->type_id, access);
		return -EINVAL;
	}
	uint32_t lroot = btf_skip_mods(lb, r->type_id);
	const struct btf_type *lroot_t = btf_type_by_id(lb, lroot);
	if (!lroot_t)
		return -EINVAL;
	const char *lname = btf_type_name(lb, lroot_t);
	int found = -ENOENT;
	uint32_t pos = 0;
	for (uint32_t id; (id = btf_next_by_essential(tb, lname, btf_essential_len(lname), btf_kind(lroot_t), &pos));) {
		const struct btf_type *tt = tb->types[id];
		switch (r->kind) {
		case TYPE_ID_TARGET: *val = id; return 0;
		case TYPE_EXISTS: case TYPE_MATCHES: *val = 1; return 0;
		case TYPE_SIZE: {
			int64_t sz = btf_type_size(tb, id);
			if (sz < 0)
				continue;
			*val = sz;
			return 0;
		}
		case ENUMVAL_EXISTS: case ENUMVAL_VALUE: {
			if (btf_kind(lroot_t) != BTF_KIND_ENUM || spec[0] >= btf_vlen(lroot_t))
				return -EINVAL;
			const char *en = btf_str(lb, ((const struct btf_enum *)btf_members_raw(lroot_t))[spec[0]].name_off);
			const struct btf_enum *te = btf_members_raw(tt);
			for (uint32_t k = 0; k < btf_vlen(tt); k++)
				if (same_essential(btf_str(tb, te[k].name_off), en)) {
					*val = r->kind == ENUMVAL_EXISTS ? 1 : (uint64_t)(int64_t)te[k].val;
					return 0;
				}
			continue;
		}
		default: {
			struct field_res lres, tres;
			err = walk_spec(lb, lroot, tb, id, spec, n, &lres, &tres);
			if (err == -ENOENT)
				continue;
			if (err)
				return err;
			int64_t tsz = btf_type_size(tb, tres.type);
			switch (r->kind) {
			case FIELD_BYTE_OFFSET:
				if (tres.bitsz) {
					uint32_t bs = tsz > 0 ? tsz : 1;
					*val = tres.bit_off / 8 / bs * bs;
				} else {
					*val = tres.bit_off / 8;
				}
				return 0;
			case FIELD_BYTE_SIZE: *val = tsz > 0 ? tsz : 0; return 0;
			case FIELD_EXISTS: *val = 1; return 0;
			case FIELD_SIGNED: *val = type_signed(tb, tres.type); return 0;
			case FIELD_LSHIFT_U64: case FIELD_RSHIFT_U64: {
				uint64_t ls, rs;
				uint32_t bits = tres.bitsz ? tres.bitsz : (tsz > 0 ? tsz * 8 : 8);
				bitfield_shifts(tres.bit_off, bits, tsz > 0 ? tsz : 1, &ls, &rs);
				*val = r->kind == FIELD_LSHIFT_U64 ? ls : rs;
				return 0;
			}
			default:
				return -EINVAL;
			}
		}
		}
	}
	if (r->kind == FIELD_EXISTS || r->kind == TYPE_EXISTS || r->kind == ENUMVAL_EXISTS || r->kind == TYPE_MATCHES) {
		*val = 0;
		return 0;
	}
	return found;
}

static void poison(struct bpf_insn *in, bool ldimm64)
{
	*in = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = CORE_POISON_IMM };
	if (ldimm64)
		in[1] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
}

static int patch(struct bpfvm_object *obj, struct bpf_insn *in, bool has_next, uint64_t val, uint32_t idx)
{
	uint8_t cls = BPF_CLASS(in->code);
	if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(in->code) == BPF_K) {
		in->imm = (int32_t)val;
	} else if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
		if ((int64_t)val > INT16_MAX) {
			pr_err(obj, "%s: CO-RE: insn #%u: offset %llu does not fit", obj->name, idx, (unsigned long long)val);
			return -ERANGE;
		}
		in->off = val;
	} else if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && has_next) {
		in[0].imm = (uint32_t)val;
		in[1].imm = val >> 32;
	} else {
		pr_err(obj, "%s: CO-RE: insn #%u (code 0x%x) cannot be relocated", obj->name, idx, in->code);
		return -EINVAL;
	}
	return 0;
}

int core_relocate_func(struct bpfvm_object *obj, const struct loader_func *f, struct bpf_insn *insns)
{
	if (!obj->btf_ext || !obj->btf_ext->core_relo.nsecs)
		return 0;
	const struct btf_ext_info *info = &obj->btf_ext->core_relo;
	const struct btf_ext_sec *s = btf_ext_find(info, obj->secs[f->sec].name);
	for (uint32_t i = 0; s && i < s->num; i++) {
		struct bpfvm_core_relo r;
		memcpy(&r, s->recs + (size_t)i * info->rec_size, sizeof(r));
		if (r.insn_off % 8 || r.insn_off / 8 < f->off || r.insn_off / 8 >= f->off + f->cnt)
			continue;
		uint32_t idx = r.insn_off / 8 - f->off;
		struct bpf_insn *in = &insns[idx];
		bool ldimm64 = in->code == (BPF_LD | BPF_IMM | BPF_DW) && idx + 1 < f->cnt;
		uint64_t val;
		int err = 0;
		if (r.kind != TYPE_ID_LOCAL)
			err = load_target(obj);
		if (!err)
			err = core_calc(obj, &r, &val);
		if (err == -ENOENT) {
			poison(in, ldimm64); /* as libbpf: the verifier rejects the program only if this insn is reachable */
			continue;
		}
		if (err) {
			pr_err(obj, "%s: CO-RE: relocation #%u of section '%s' (kind %u, type [%u], access '%s') is malformed",
			       obj->name, i, obj->secs[f->sec].name, r.kind, r.type_id, btf_str(obj->btf, r.access_str_off));
			return err;
		}
		if ((err = patch(obj, in, ldimm64, val, r.insn_off / 8)))
			return err;
	}
	return 0;
}

#define POISON_CALL_KFUNC_BASE 2002000000 /* libbpf's marker for an unresolved weak kfunc */
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif

/*
 * extern symbols: kfunc calls (`extern int bpf_foo(...) __ksym;`) and typed kernel variables (`__ksym`) are
 * resolved to their BTF ids in the target BTF, as libbpf does for vmlinux (modules' BTF is not searched).
 * .kconfig externs and typeless ksyms are not supported.
 */
int core_resolve_extern(struct bpfvm_object *obj, const char *prog, const char *name, bool weak, struct bpf_insn *in)
{
	bool call = in->code == (BPF_JMP | BPF_CALL);
	uint32_t id = 0;
	if (!load_target(obj))
		id = btf_find_by_name_kind(obj->target_btf, name, call ? BTF_KIND_FUNC : BTF_KIND_VAR);
	if (call) {
		if (!id && !weak) {
			pr_err(obj, "%s: program '%s': extern (func ksym) '%s': not found in kernel BTF", obj->name, prog,
			       name);
			return -ESRCH;
		}
		in->src_reg = id ? BPF_PSEUDO_KFUNC_CALL : 0;
		in->off = 0;
		in->imm = id ? (int32_t)id : POISON_CALL_KFUNC_BASE;
		return 0;
	}
	if (!id) {
		pr_err(obj, "%s: program '%s': extern '%s' is not supported (not a typed ksym of the kernel BTF)",
		       obj->name, prog, name);
		return -ENOTSUP;
	}
	in[0].src_reg = BPF_PSEUDO_BTF_ID;
	in[0].imm = id;
	in[1].imm = 0;
	return 0;
}
