/* maps_sec.c - map definitions: BTF-defined maps in .maps, legacy "maps", and global data sections as array maps */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>

#include "loader/loader.h"

#define MAPS_MAX 4096
#define F_RDONLY_PROG 0x80 /* BPF_F_RDONLY_PROG */
#define F_MMAPABLE 0x400   /* BPF_F_MMAPABLE */

int map_add(struct bpfvm_object *obj, struct loader_map **out)
{
	if (obj->nmaps >= MAPS_MAX) {
		pr_err(obj, "%s: too many maps", obj->name);
		return -E2BIG;
	}
	struct loader_map *nm = realloc(obj->maps, (obj->nmaps + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	obj->maps = nm;
	struct loader_map *m = &obj->maps[obj->nmaps++];
	memset(m, 0, sizeof(*m));
	m->inner_idx = -1;
	m->sec = -1;
	*out = m;
	return 0;
}

int find_map_by_sec_off(const struct bpfvm_object *obj, int sec, size_t off)
{
	for (size_t i = 0; i < obj->nmaps; i++)
		if (obj->maps[i].sec == sec && obj->maps[i].sec_off == off && !obj->maps[i].is_inner)
			return i;
	return -1;
}

/* sizes every map of this type needs (the kernel rejects zero with -EINVAL at creation; we say which map) */
static int check_sizes(struct bpfvm_object *obj, const struct loader_map *m, const char *where)
{
	bool need_key = false, need_value = false;
	switch (m->type) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: case BPF_MAP_TYPE_LPM_TRIE:
		need_key = need_value = true;
		break;
	case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_QUEUE: case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_BLOOM_FILTER:
		need_value = true;
		break;
	}
	if (m->type == BPF_MAP_TYPE_UNSPEC) {
		pr_err(obj, "%s: %s: map '%s': map type is not set", obj->name, where, m->real_name);
		return -EINVAL;
	}
	if (need_key && !m->key_size) {
		pr_err(obj, "%s: %s: map '%s': key_size is zero", obj->name, where, m->real_name);
		return -EINVAL;
	}
	if (need_value && !m->value_size) {
		pr_err(obj, "%s: %s: map '%s': value_size is zero", obj->name, where, m->real_name);
		return -EINVAL;
	}
	bool storage = m->type == BPF_MAP_TYPE_CGROUP_STORAGE || m->type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE ||
		       m->type == BPF_MAP_TYPE_SK_STORAGE || m->type == BPF_MAP_TYPE_INODE_STORAGE ||
		       m->type == BPF_MAP_TYPE_TASK_STORAGE || m->type == 32 /* BPF_MAP_TYPE_CGRP_STORAGE */ ||
		       m->type == BPF_MAP_TYPE_STRUCT_OPS;
	if (!m->max_entries && m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->is_inner && !storage) {
		pr_err(obj, "%s: %s: map '%s': max_entries is zero", obj->name, where, m->real_name);
		return -EINVAL;
	}
	return 0;
}

/* __uint(name, val) is `int (*name)[val]`: the value is the array's element count; __ulong(name, val) is an
 * enum whose one enumerator holds val */
static int get_uint(const struct btf *btf, const struct btf_member *mb, uint32_t *val)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, mb->type));
	if (t && (btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64) && btf_vlen(t) == 1) {
		const uint32_t *e = btf_members_raw(t);
		*val = e[1]; /* low 32 bits (enum64: val_lo32) */
		return 0;
	}
	if (!t || btf_kind(t) != BTF_KIND_PTR)
		return -EINVAL;
	const struct btf_type *a = btf_type_by_id(btf, btf_skip_mods(btf, t->type));
	if (!a || btf_kind(a) != BTF_KIND_ARRAY)
		return -EINVAL;
	*val = ((const struct btf_array *)btf_members_raw(a))->nelems;
	return 0;
}

/* __ulong(name, val): an enum whose one enumerator holds the 64-bit val; __uint works too */
static int get_ulong(const struct btf *btf, const struct btf_member *mb, uint64_t *val)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, mb->type));
	if (t && btf_kind(t) == BTF_KIND_ENUM64 && btf_vlen(t) == 1) {
		const uint32_t *e = btf_members_raw(t);
		*val = (uint64_t)e[2] << 32 | e[1];
		return 0;
	}
	uint32_t v;
	int err = get_uint(btf, mb, &v);
	*val = v;
	return err;
}

/* __type(name, T) is `T *name`: the pointee's type and size */
static int get_type(const struct btf *btf, const struct btf_member *mb, uint32_t *id, uint32_t *size)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, mb->type));
	if (!t || btf_kind(t) != BTF_KIND_PTR)
		return -EINVAL;
	int64_t sz = btf_type_size(btf, t->type);
	if (sz < 0)
		return -EINVAL;
	*id = t->type;
	*size = sz;
	return 0;
}

static int parse_btf_map_def(struct bpfvm_object *obj, const char *map_name, uint32_t def_id, int depth,
			     int map_idx, uint32_t *values_off);

/* __array(values, struct inner) / __array(values, int (void *)): the inner map template or a prog array */
static int parse_values(struct bpfvm_object *obj, const char *map_name, const struct btf_member *mb, int map_idx,
			int depth)
{
	const struct btf *btf = obj->btf;
	const struct btf_type *a = btf_type_by_id(btf, btf_skip_mods(btf, mb->type));
	if (!a || btf_kind(a) != BTF_KIND_ARRAY)
		goto bad;
	const struct btf_type *p = btf_type_by_id(btf, btf_skip_mods(btf, ((const struct btf_array *)btf_members_raw(a))->type));
	if (!p || btf_kind(p) != BTF_KIND_PTR)
		goto bad;
	uint32_t inner_id = btf_skip_mods(btf, p->type);
	const struct btf_type *inner = btf_type_by_id(btf, inner_id);
	if (!inner)
		goto bad;
	uint32_t type = obj->maps[map_idx].type;
	if (btf_kind(inner) == BTF_KIND_FUNC_PROTO) {
		if (type != BPF_MAP_TYPE_PROG_ARRAY) {
			pr_err(obj, "%s: .maps: map '%s': values of function type need a prog array", obj->name, map_name);
			return -EINVAL;
		}
	} else if (btf_kind(inner) == BTF_KIND_STRUCT) {
		if (type != BPF_MAP_TYPE_ARRAY_OF_MAPS && type != BPF_MAP_TYPE_HASH_OF_MAPS) {
			pr_err(obj, "%s: .maps: map '%s': an inner map definition needs a map-in-map type", obj->name,
			       map_name);
			return -EINVAL;
		}
		if (depth > 0) {
			pr_err(obj, "%s: .maps: map '%s': multi-level inner maps are not supported", obj->name, map_name);
			return -EINVAL;
		}
		struct loader_map *im;
		int err = map_add(obj, &im);
		if (err)
			return err;
		int inner_idx = obj->nmaps - 1;
		im->is_inner = true;
		snprintf(im->real_name, sizeof(im->real_name), "%s.inner", map_name);
		snprintf(im->name, sizeof(im->name), "%s", im->real_name);
		uint32_t dummy;
		if ((err = parse_btf_map_def(obj, im->real_name, inner_id, depth + 1, inner_idx, &dummy)))
			return err;
		obj->maps[map_idx].inner_idx = inner_idx;
	} else {
		goto bad;
	}
	if (obj->maps[map_idx].value_size && obj->maps[map_idx].value_size != 4) {
		pr_err(obj, "%s: .maps: map '%s': value_size must be 4 for map-in-map and prog arrays", obj->name,
		       map_name);
		return -EINVAL;
	}
	obj->maps[map_idx].value_size = 4;
	return 0;
bad:
	pr_err(obj, "%s: .maps: map '%s': 'values' is not an array of pointers to a map definition or function",
	       obj->name, map_name);
	return -EINVAL;
}

static int parse_btf_map_def(struct bpfvm_object *obj, const char *map_name, uint32_t def_id, int depth,
			     int map_idx, uint32_t *values_off)
{
	const struct btf *btf = obj->btf;
	const struct btf_type *def = btf_type_by_id(btf, btf_skip_mods(btf, def_id));
	if (!def || btf_kind(def) != BTF_KIND_STRUCT) {
		pr_err(obj, "%s: .maps: map '%s': definition is not a struct", obj->name, map_name);
		return -EINVAL;
	}
	const struct btf_member *mb = btf_members(def);
	*values_off = UINT32_MAX;
	for (uint32_t i = 0; i < btf_vlen(def); i++) {
		struct loader_map *m = &obj->maps[map_idx];
		const char *name = btf_str(btf, mb[i].name_off);
		uint32_t v = 0, id = 0;
		int err = 0;
		if (!strcmp(name, "type")) err = get_uint(btf, &mb[i], &m->type);
		else if (!strcmp(name, "max_entries")) err = get_uint(btf, &mb[i], &m->max_entries);
		else if (!strcmp(name, "map_flags")) err = get_uint(btf, &mb[i], &m->map_flags);
		else if (!strcmp(name, "numa_node")) err = get_uint(btf, &mb[i], &m->numa_node);
		else if (!strcmp(name, "map_extra")) err = get_ulong(btf, &mb[i], &m->map_extra);
		else if (!strcmp(name, "pinning")) {
			if (!(err = get_uint(btf, &mb[i], &m->pinning)) && m->pinning > 1) { /* libbpf's check */
				pr_err(obj, "%s: .maps: map '%s': invalid pinning value %u (LIBBPF_PIN_NONE or "
				       "LIBBPF_PIN_BY_NAME)", obj->name, map_name, m->pinning);
				return -EINVAL;
			}
		}
		else if (!strcmp(name, "key_size") || !strcmp(name, "value_size")) {
			uint32_t *dst = name[0] == 'k' ? &m->key_size : &m->value_size;
			if (!(err = get_uint(btf, &mb[i], &v))) {
				if (*dst && *dst != v) {
					pr_err(obj, "%s: .maps: map '%s': conflicting %s %u != %u", obj->name, map_name,
					       name, *dst, v);
					return -EINVAL;
				}
				*dst = v;
			}
		} else if (!strcmp(name, "key") || !strcmp(name, "value")) {
			bool key = name[0] == 'k';
			uint32_t *dst = key ? &m->key_size : &m->value_size;
			if (!(err = get_type(btf, &mb[i], &id, &v))) {
				if (*dst && *dst != v) {
					pr_err(obj, "%s: .maps: map '%s': conflicting %s_size %u != %u", obj->name,
					       map_name, name, *dst, v);
					return -EINVAL;
				}
				*dst = v;
				*(key ? &m->btf_key_type_id : &m->btf_value_type_id) = id;
			}
		} else if (!strcmp(name, "values")) {
			*values_off = btf_member_bit_offset(def, &mb[i]) / 8;
			if ((err = parse_values(obj, map_name, &mb[i], map_idx, depth)))
				return err;
		} else {
			pr_err(obj, "%s: .maps: map '%s': unknown field '%s'", obj->name, map_name, name);
			return -ENOTSUP;
		}
		if (err) {
			pr_err(obj, "%s: .maps: map '%s': field '%s' has an invalid type", obj->name, map_name, name);
			return -EINVAL;
		}
	}
	struct loader_map *m = &obj->maps[map_idx];
	if (m->type == BPF_MAP_TYPE_RINGBUF || m->type == 31 /* BPF_MAP_TYPE_USER_RINGBUF */) {
		/* libbpf's adjust_ringbuf_sz(): the smallest power-of-2 multiple of the page size that holds it */
		uint64_t page = sysconf(_SC_PAGESIZE), sz = page;
		while (sz < m->max_entries && sz < (1ull << 31))
			sz <<= 1;
		m->max_entries = sz;
	}
	if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->max_entries) {
		long n = sysconf(_SC_NPROCESSORS_CONF); /* libbpf sizes a perf event array to the CPU count */
		m->max_entries = n > 0 ? n : 1;
	}
	return check_sizes(obj, m, ".maps");
}

struct values_init {
	int map_idx;
	size_t off, size;
	uint32_t values_off;
};

/* .rel.maps: initial slots of __array(values) maps, pointing at other maps or at programs */
static int collect_map_inits(struct bpfvm_object *obj, const struct values_init *vi, size_t nvi)
{
	const struct elf_sec *ms = &obj->secs[obj->maps_btf_sec];
	if (!ms->relo_sec)
		return 0;
	const struct elf_sec *rs = &obj->secs[ms->relo_sec];
	size_t n = rs->size / sizeof(Elf64_Rel);
	for (size_t r = 0; r < n; r++) {
		Elf64_Rel rel;
		memcpy(&rel, rs->data + r * sizeof(rel), sizeof(rel));
		const struct elf_sym *s = elf_sym_at(obj, ELF64_R_SYM(rel.r_info));
		if (!s) {
			pr_err(obj, "%s: %s: relocation #%zu: symbol index out of range", obj->name, rs->name, r);
			return -EINVAL;
		}
		const struct values_init *v = NULL;
		for (size_t i = 0; i < nvi; i++)
			if (rel.r_offset >= vi[i].off && rel.r_offset < vi[i].off + vi[i].size)
				v = &vi[i];
		if (!v || v->values_off == UINT32_MAX || rel.r_offset < v->off + v->values_off ||
		    (rel.r_offset - v->off - v->values_off) % 8) {
			pr_err(obj, "%s: %s: relocation against '%s' at offset %llu is not inside a map's values",
			       obj->name, rs->name, s->name, (unsigned long long)rel.r_offset);
			return -EINVAL;
		}
		struct loader_map *m = &obj->maps[v->map_idx];
		struct bpfvm_map_init_slot slot = { (rel.r_offset - v->off - v->values_off) / 8, -1, -1, -1 };
		if (slot.slot >= m->max_entries) {
			pr_err(obj, "%s: .maps: map '%s': initial value for slot %u beyond max_entries %u", obj->name,
			       m->real_name, slot.slot, m->max_entries);
			return -EINVAL;
		}
		if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
			for (size_t f = 0; f < obj->nfuncs; f++)
				if (obj->funcs[f].sec == s->sym.st_shndx && obj->funcs[f].off * 8 == s->sym.st_value &&
				    obj->funcs[f].is_prog)
					slot.func_idx = f;
			if (slot.func_idx < 0) {
				pr_err(obj, "%s: .maps: map '%s': slot %u refers to '%s', which is not a program",
				       obj->name, m->real_name, slot.slot, s->name);
				return -EINVAL;
			}
		} else {
			slot.map_idx = s->sym.st_shndx == obj->maps_btf_sec ?
					       find_map_by_sec_off(obj, obj->maps_btf_sec, s->sym.st_value) : -1;
			if (slot.map_idx < 0) {
				pr_err(obj, "%s: .maps: map '%s': slot %u refers to '%s', which is not a map", obj->name,
				       m->real_name, slot.slot, s->name);
				return -EINVAL;
			}
		}
		struct bpfvm_map_init_slot *ns = realloc(m->slots, (m->nslots + 1) * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		m->slots = ns;
		m->slots[m->nslots++] = slot;
	}
	return 0;
}

static int collect_btf_maps(struct bpfvm_object *obj)
{
	if (!obj->maps_btf_sec)
		return 0;
	if (!obj->btf) {
		pr_err(obj, "%s: section '.maps' needs BTF, and the object has no .BTF", obj->name);
		return -EINVAL;
	}
	uint32_t ds_id = btf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
	const struct btf_type *ds = btf_type_by_id(obj->btf, ds_id);
	if (!ds) {
		pr_err(obj, "%s: .maps: no DATASEC '.maps' in BTF", obj->name);
		return -EINVAL;
	}
	const struct btf_var_secinfo *vs = btf_members_raw(ds);
	struct values_init *vi = calloc(btf_vlen(ds) + 1, sizeof(*vi));
	int err = 0;
	size_t nvi = 0;
	if (!vi)
		return -ENOMEM;
	for (uint32_t i = 0; i < btf_vlen(ds); i++) {
		const struct btf_type *var = btf_type_by_id(obj->btf, vs[i].type);
		if (!var || btf_kind(var) != BTF_KIND_VAR) {
			pr_err(obj, "%s: .maps: entry #%u is not a variable", obj->name, i);
			err = -EINVAL;
			break;
		}
		const char *name = btf_type_name(obj->btf, var);
		/* clang leaves DATASEC offsets zero in objects (libbpf fixes them up): the symbol has the truth */
		const struct elf_sym *sym = elf_find_sym(obj, obj->maps_btf_sec, name, STT_OBJECT);
		if (!sym) {
			pr_err(obj, "%s: .maps: map '%s' has no symbol in section '.maps'", obj->name, name);
			err = -EINVAL;
			break;
		}
		uint64_t off = sym->sym.st_value, size = sym->sym.st_size;
		if (off + size > obj->secs[obj->maps_btf_sec].size || off + size < off) {
			pr_err(obj, "%s: .maps: map '%s' lies outside the section", obj->name, name);
			err = -EINVAL;
			break;
		}
		struct loader_map *m;
		if ((err = map_add(obj, &m)))
			break;
		int idx = obj->nmaps - 1;
		snprintf(m->name, sizeof(m->name), "%s", name);
		snprintf(m->real_name, sizeof(m->real_name), "%s", name);
		m->sec = obj->maps_btf_sec;
		m->sec_off = off;
		vi[nvi] = (struct values_init){ idx, off, size, UINT32_MAX };
		if ((err = parse_btf_map_def(obj, name, var->type, 0, idx, &vi[nvi].values_off)))
			break;
		nvi++;
	}
	if (!err)
		err = collect_map_inits(obj, vi, nvi);
	free(vi);
	return err;
}

/* SEC("maps"): struct bpf_map_def { type, key_size, value_size, max_entries, map_flags } per symbol */
static int collect_legacy_maps(struct bpfvm_object *obj)
{
	if (!obj->maps_legacy_sec)
		return 0;
	const struct elf_sec *sec = &obj->secs[obj->maps_legacy_sec];
	size_t nr = 0;
	for (size_t i = 0; i < obj->nsyms; i++)
		if (obj->syms[i].sym.st_shndx == obj->maps_legacy_sec && GELF_ST_TYPE(obj->syms[i].sym.st_info) != STT_SECTION)
			nr++;
	if (!nr || sec->size % nr || sec->size / nr < 20 || !sec->data) {
		pr_err(obj, "%s: section 'maps': size %zu does not hold %zu map definitions", obj->name, sec->size, nr);
		return -EINVAL;
	}
	size_t def_sz = sec->size / nr;
	for (size_t i = 0; i < obj->nsyms; i++) {
		const struct elf_sym *s = &obj->syms[i];
		if (s->sym.st_shndx != obj->maps_legacy_sec || GELF_ST_TYPE(s->sym.st_info) == STT_SECTION)
			continue;
		if (s->sym.st_value % def_sz || s->sym.st_value + def_sz > sec->size) {
			pr_err(obj, "%s: section 'maps': map '%s' is not at a definition boundary", obj->name, s->name);
			return -EINVAL;
		}
		struct loader_map *m;
		int err = map_add(obj, &m);
		if (err)
			return err;
		uint32_t def[5];
		memcpy(def, sec->data + s->sym.st_value, sizeof(def));
		snprintf(m->name, sizeof(m->name), "%s", s->name);
		snprintf(m->real_name, sizeof(m->real_name), "%s", s->name);
		m->sec = obj->maps_legacy_sec;
		m->sec_off = s->sym.st_value;
		m->type = def[0], m->key_size = def[1], m->value_size = def[2], m->max_entries = def[3];
		m->map_flags = def[4];
		if ((err = check_sizes(obj, m, "maps")))
			return err;
	}
	return 0;
}

/* libbpf's internal_map_name(): object-name prefix + section name, at most 15 characters, sanitized */
void internal_map_name(const struct bpfvm_object *obj, const char *real, char *out, size_t out_sz)
{
	int sfx_len = strlen(real) > 7 ? (int)strlen(real) : 7;
	if (sfx_len >= BPF_OBJ_NAME_LEN_K)
		sfx_len = BPF_OBJ_NAME_LEN_K - 1;
	int pfx_len = 0;
	if (!strchr(real + 1, '.')) {
		pfx_len = BPF_OBJ_NAME_LEN_K - sfx_len - 1;
		if ((size_t)pfx_len > strlen(obj->obj_name))
			pfx_len = strlen(obj->obj_name);
	}
	snprintf(out, out_sz < BPF_OBJ_NAME_LEN_K ? out_sz : BPF_OBJ_NAME_LEN_K, "%.*s%.*s", pfx_len, obj->obj_name,
		 sfx_len, real);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
}

static int collect_data_maps(struct bpfvm_object *obj)
{
	for (size_t i = 1; i < obj->nsecs; i++) {
		struct elf_sec *sec = &obj->secs[i];
		if (sec->kind != SEC_DATA)
			continue;
		if (sec->size > UINT32_MAX / 2) {
			pr_err(obj, "%s: section '%s': too large for a global data map", obj->name, sec->name);
			return -E2BIG;
		}
		struct loader_map *m;
		int err = map_add(obj, &m);
		if (err)
			return err;
		sec->map_idx = obj->nmaps - 1;
		snprintf(m->real_name, sizeof(m->real_name), "%s", sec->name);
		internal_map_name(obj, sec->name, m->name, sizeof(m->name));
		m->type = BPF_MAP_TYPE_ARRAY;
		m->key_size = 4;
		m->value_size = sec->size;
		m->max_entries = 1;
		m->map_flags = F_MMAPABLE | (!strncmp(sec->name, ".rodata", 7) ? F_RDONLY_PROG : 0);
		m->sec = i;
		m->btf_value_type_id = btf_find_by_name_kind(obj->btf, sec->name, BTF_KIND_DATASEC);
		m->init_data = calloc(1, sec->size);
		if (!m->init_data)
			return -ENOMEM;
		if (sec->data && sec->shdr.sh_type != SHT_NOBITS)
			memcpy(m->init_data, sec->data, sec->size);
	}
	return 0;
}

/* the byte offset of the one top-level member of struct type id whose type is `struct NAME`: -1 when none, -2
 * when there are several (the kernel's btf_parse_fields: one bpf_spin_lock, one bpf_timer per value) */
static int32_t special_field(const struct btf *btf, uint32_t id, const char *name)
{
	const struct btf_type *t = id ? btf_type_by_id(btf, btf_skip_mods(btf, id)) : NULL;
	if (!t || btf_kind(t) != BTF_KIND_STRUCT)
		return -1;
	int32_t off = -1;
	const struct btf_member *mb = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *mt = btf_type_by_id(btf, btf_skip_mods(btf, mb[i].type));
		if (!mt || btf_kind(mt) != BTF_KIND_STRUCT || strcmp(btf_type_name(btf, mt), name))
			continue;
		if (off >= 0)
			return -2;
		off = (int32_t)(btf_member_bit_offset(t, &mb[i]) / 8);
	}
	return off;
}

/* spin locks and timers in map values, and the map types that may hold them (map_check_btf) */
static int collect_special_fields(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		struct loader_map *m = &obj->maps[i];
		m->spin_lock_off = m->timer_off = -1;
		if (!obj->btf || !m->btf_value_type_id)
			continue;
		m->spin_lock_off = special_field(obj->btf, m->btf_value_type_id, "bpf_spin_lock");
		m->timer_off = special_field(obj->btf, m->btf_value_type_id, "bpf_timer");
		if (m->spin_lock_off == -2 || m->timer_off == -2) {
			pr_err(obj, "%s: map '%s': more than one %s in its value", obj->name, m->name,
			       m->spin_lock_off == -2 ? "bpf_spin_lock" : "bpf_timer");
			return -EINVAL;
		}
		bool lock_ok = m->type == BPF_MAP_TYPE_HASH || m->type == BPF_MAP_TYPE_ARRAY ||
			       m->type == BPF_MAP_TYPE_CGROUP_STORAGE || m->type == BPF_MAP_TYPE_SK_STORAGE ||
			       m->type == BPF_MAP_TYPE_INODE_STORAGE || m->type == BPF_MAP_TYPE_TASK_STORAGE ||
			       m->type == 32 /* BPF_MAP_TYPE_CGRP_STORAGE */;
		if (m->spin_lock_off >= 0 && !lock_ok) {
			pr_err(obj, "%s: map '%s': a bpf_spin_lock is only allowed in hash and array maps (and local "
			       "storage)", obj->name, m->name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

int maps_collect(struct bpfvm_object *obj)
{
	int err;
	if ((err = collect_btf_maps(obj)) || (err = collect_legacy_maps(obj)) || (err = collect_data_maps(obj)) ||
	    (obj->btf && (err = kconfig_collect(obj))) || (err = collect_special_fields(obj)))
		return err;
	return 0;
}
