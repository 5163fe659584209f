/* btf_sanitize.c - the object's BTF made acceptable to BPF_BTF_LOAD, as libbpf prepares it: extern kfuncs and
 * ksyms become global, .ksyms/.kconfig DATASECs get a dummy int variable per function and real sizes, unnamed
 * parameters of functions (clang emits them for __naked functions) get a name */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#define BTF_FUNC_GLOBAL_K 1
#define BTF_FUNC_EXTERN_K 2
#define BTF_VAR_GLOBAL_ALLOCATED_K 1
#define BTF_VAR_GLOBAL_EXTERN_K 2

static uint32_t find_int(const struct btf *btf)
{
	for (uint32_t id = 1; id < btf->nr_types; id++)
		if (btf_kind(btf->types[id]) == BTF_KIND_INT && btf->types[id]->size == 4)
			return id;
	return 0;
}

/* a copy of the blob with one more VAR (the dummy ksym) at the end of the types, and an int for it if needed */
static uint8_t *copy_with_var(const struct btf *btf, uint32_t int_id, uint32_t name_off, size_t *size, uint32_t *var_id)
{
	struct btf_header h;
	memcpy(&h, btf->raw, sizeof(h));
	size_t add_int = int_id ? 0 : sizeof(struct btf_type) + 4;
	size_t add = add_int + sizeof(struct btf_type) + sizeof(struct btf_var);
	size_t types_end = h.hdr_len + h.type_off + h.type_len, strs = h.hdr_len + h.str_off;
	if (strs < types_end || !name_off) /* strings before types, or no name to borrow: no dummy */
		add = add_int = 0;
	uint8_t *out = malloc(btf->raw_size + add);
	if (!out)
		return NULL;
	memcpy(out, btf->raw, types_end);
	if (add) {
		uint8_t *p = out + types_end;
		uint32_t next = btf->nr_types;
		if (add_int) {
			struct btf_type it = { .name_off = name_off, .info = BTF_KIND_INT << 24, .size = 4 };
			uint32_t enc = BTF_INT_SIGNED << 24 | 32;
			memcpy(p, &it, sizeof(it));
			memcpy(p + sizeof(it), &enc, 4);
			p += sizeof(it) + 4;
			int_id = next++;
		}
		struct btf_type t = { .name_off = name_off, .info = BTF_KIND_VAR << 24, .type = int_id };
		struct btf_var v = { .linkage = BTF_VAR_GLOBAL_ALLOCATED_K };
		memcpy(p, &t, sizeof(t));
		memcpy(p + sizeof(t), &v, sizeof(v));
		h.type_len += add;
		h.str_off += add;
		*var_id = next;
	}
	memcpy(out + types_end + add, btf->raw + types_end, btf->raw_size - types_end);
	memcpy(out, &h, sizeof(h));
	*size = btf->raw_size + add;
	return out;
}

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int btf_sanitize_for_kernel(const struct btf *in, uint8_t **out_raw, size_t *out_size, struct bpfvm_log *log)
{
	uint32_t int_id = find_int(in), var_id = 0, name_off = 0;
	for (uint32_t id = 1; id < in->nr_types && !name_off; id++)
		if (btf_kind(in->types[id]) == BTF_KIND_FUNC)
			name_off = in->types[id]->name_off; /* any valid identifier serves as the dummy's name */
	size_t size;
	uint8_t *raw = copy_with_var(in, int_id, name_off, &size, &var_id);
	if (!raw)
		return -ENOMEM;
	struct btf *b;
	int err = btf_parse(raw, size, &b, log);
	free(raw);
	if (err)
		return err;
	for (uint32_t id = 1; id < b->nr_types; id++) {
		struct btf_type *t = (struct btf_type *)b->types[id];
		switch (btf_kind(t)) {
		case BTF_KIND_FUNC: {
			if ((t->info & 0xffff) == BTF_FUNC_EXTERN_K)
				t->info = (t->info & ~0xffffu) | BTF_FUNC_GLOBAL_K;
			struct btf_type *proto = (struct btf_type *)btf_type_by_id(b, t->type);
			if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO)
				break;
			struct btf_param *p = (struct btf_param *)(proto + 1);
			for (uint32_t i = 0; i < btf_vlen(proto); i++)
				if (!p[i].name_off && p[i].type)
					p[i].name_off = t->name_off;
			break;
		}
		case BTF_KIND_VAR: {
			struct btf_var *v = (struct btf_var *)(t + 1);
			if (v->linkage == BTF_VAR_GLOBAL_EXTERN_K)
				v->linkage = BTF_VAR_GLOBAL_ALLOCATED_K;
			break;
		}
		case BTF_KIND_DATASEC: {
			const char *name = btf_str(b, t->name_off);
			struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);
			if (!strcmp(name, ".kconfig")) { /* the .kconfig map's layout (kconfig.c) */
				uint32_t *offs = calloc(btf_vlen(t) + 1, sizeof(*offs));
				int64_t sz = offs ? kconfig_layout(b, t, offs) : -ENOMEM;
				for (uint32_t i = 0; sz >= 0 && i < btf_vlen(t); i++) {
					vs[i].offset = offs[i];
					vs[i].size = btf_type_size(b, vs[i].type);
				}
				if (sz >= 0)
					t->size = sz;
				free(offs);
				/* the kernel wants the variables in ascending offsets */
				qsort(vs, btf_vlen(t), sizeof(*vs), cmp_secinfo);
				break;
			}
			if (strcmp(name, ".ksyms"))
				break;
			uint32_t off = 0;
			for (uint32_t i = 0; i < btf_vlen(t); i++) {
				const struct btf_type *vt = btf_type_by_id(b, vs[i].type);
				if (vt && btf_kind(vt) == BTF_KIND_FUNC && var_id)
					vs[i].type = var_id;
				int64_t sz = btf_type_size(b, vs[i].type);
				vs[i].size = sz > 0 ? sz : 4;
				uint32_t align = vs[i].size >= 8 ? 8 : vs[i].size >= 4 ? 4 : vs[i].size >= 2 ? 2 : 1;
				off = (off + align - 1) & ~(align - 1);
				vs[i].offset = off;
				off += vs[i].size;
			}
			t->size = off;
			break;
		}
		}
	}
	*out_raw = b->raw;
	*out_size = b->raw_size;
	b->raw = NULL;
	btf_free(b);
	return 0;
}
