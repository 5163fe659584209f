/* prog_verify.c - an object's program through bpfvm's verifier, with what BPF_PROG_LOAD would be given */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/verifier.h"
#include "loader/btf.h"
#include "loader/loader.h"

/* the object's maps as the verifier sees them, indexed by LD_IMM64 "fd" (BPFVM_MAP_FD_BASE + map index) */
static struct bpfvm_map_info *map_infos(const struct bpfvm_object *obj, size_t *cnt)
{
	size_t n = bpfvm_object__map_cnt(obj);
	struct bpfvm_map_info *maps = calloc(BPFVM_MAP_FD_BASE + n, sizeof(*maps));
	if (!maps)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct bpfvm_object_map_info mi, in;
		struct bpfvm_map_info *m = &maps[BPFVM_MAP_FD_BASE + i];
		if (bpfvm_object__map_info(obj, i, &mi))
			continue;
		*m = (struct bpfvm_map_info){ .type = mi.type, .key_size = mi.key_size, .value_size = mi.value_size,
					      .max_entries = mi.max_entries, .map_flags = mi.map_flags,
					      .spin_lock_off = mi.spin_lock_off, .timer_off = mi.timer_off };
		if (mi.inner_map_idx >= 0 && !bpfvm_object__map_info(obj, (size_t)mi.inner_map_idx, &in)) {
			m->inner_map_type = in.type;
			m->inner_key_size = in.key_size;
			m->inner_value_size = in.value_size;
			m->inner_max_entries = in.max_entries;
		}
	}
	*cnt = BPFVM_MAP_FD_BASE + n;
	return maps;
}

/*
 * The loader leaves a kfunc call's imm as the callee's BTF id in the target (vmlinux) BTF, what BPF_PROG_LOAD
 * takes; the verifier knows kfuncs by name: a copy of the program with each such imm an index into names[].
 */
static struct bpf_insn *kfuncs_by_name(const struct bpfvm_object *obj, const struct loader_prog *p,
				       const char **names, size_t *n_names, size_t max_names)
{
	struct bpf_insn *out = malloc(p->insn_cnt * sizeof(*out));
	if (!out)
		return NULL;
	memcpy(out, p->insns, p->insn_cnt * sizeof(*out));
	*n_names = 0;
	for (size_t i = 0; i < p->insn_cnt; i++) {
		if (out[i].code != (BPF_JMP | BPF_CALL) || out[i].src_reg != BPF_PSEUDO_KFUNC_CALL)
			continue;
		const struct btf_type *t = obj->target_btf ? btf_type_by_id(obj->target_btf, (uint32_t)out[i].imm) : NULL;
		const char *name = t ? btf_type_name(obj->target_btf, t) : NULL;
		size_t k = 0;
		while (name && k < *n_names && strcmp(names[k], name))
			k++;
		if (name && k == *n_names && *n_names < max_names)
			names[(*n_names)++] = name;
		out[i].imm = name && k < *n_names ? (int32_t)k : -1;
	}
	return out;
}

int loader_verify_prog(const struct bpfvm_object *obj, const struct loader_prog *p, const struct bpfvm_verify_opts *how)
{
	const char *kfuncs[64];
	size_t n_kfuncs = 0, map_cnt = 0;
	struct bpfvm_map_info *maps = map_infos(obj, &map_cnt);
	struct bpf_insn *insns = maps ? kfuncs_by_name(obj, p, kfuncs, &n_kfuncs, 64) : NULL;
	int err = -ENOMEM;

	if (insns) {
		struct bpfvm_verify_opts o = *how;
		o.sz = sizeof(o);
		o.prog_type = p->prog_type;
		o.expected_attach_type = p->expected_attach_type;
		o.prog_flags = p->prog_flags;
		o.maps = maps;
		o.map_cnt = map_cnt;
		o.kfunc_names = kfuncs;
		o.kfunc_cnt = n_kfuncs;
		o.func_info = p->func_info;
		o.func_info_cnt = p->func_info_cnt;
		o.func_ret_scalar = p->func_ret_scalar;
		err = bpfvm_verify(insns, p->insn_cnt, &o);
	}
	free(insns);
	free(maps);
	return err;
}

int bpfvm_object__verify_prog(const struct bpfvm_object *obj, const char *name, const struct bpfvm_verify_opts *opts)
{
	if (!obj || !name || !opts || opts->sz < offsetof(struct bpfvm_verify_opts, stats) + sizeof(opts->stats))
		return -EINVAL;
	for (size_t i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return loader_verify_prog(obj, &obj->progs[i], opts);
	return -ENOENT;
}
