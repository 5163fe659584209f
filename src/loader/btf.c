/* btf.c - parse and bounds-check a BTF blob and .BTF.ext; type lookups the loader and CO-RE need */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "loader/btf.h"

#define BTF_MAX_DEPTH 32 /* as the kernel's MAX_RESOLVE_DEPTH */

/* bytes that follow struct btf_type for each kind (vlen-scaled where it has entries) */
static int64_t kind_extra(const struct btf_type *t)
{
	uint32_t vlen = btf_vlen(t);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: return 4;
	case BTF_KIND_ARRAY: return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: return (int64_t)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM: return (int64_t)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO: return (int64_t)vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR: return 4;
	case BTF_KIND_DATASEC: return (int64_t)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG: return 4;
	case BTF_KIND_ENUM64: return (int64_t)vlen * 12;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG: return 0;
	}
	return -1;
}

static bool id_ok(const struct btf *btf, uint32_t id) { return id < btf->nr_types; }

/* every type id a type refers to must exist, every name offset must be inside the strings */
static int check_type(const struct btf *btf, uint32_t id, const struct btf_type *t, struct bpfvm_log *log)
{
	if (t->name_off >= btf->str_len)
		goto bad_name;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		if (!id_ok(btf, t->type))
			goto bad_ref;
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_members_raw(t);
		if (!id_ok(btf, t->type))
			goto bad_ref;
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			if (!id_ok(btf, p[i].type) || p[i].name_off >= btf->str_len)
				goto bad_ref;
		break;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_members_raw(t);
		if (!id_ok(btf, a->type) || !id_ok(btf, a->index_type))
			goto bad_ref;
		break;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			if (!id_ok(btf, m[i].type) || m[i].name_off >= btf->str_len)
				goto bad_ref;
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_members_raw(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			if (e[i].name_off >= btf->str_len)
				goto bad_name;
		break;
	}
	case BTF_KIND_ENUM64: {
		const uint32_t *e = btf_members_raw(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			if (e[3 * i] >= btf->str_len)
				goto bad_name;
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_members_raw(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			if (!id_ok(btf, v[i].type))
				goto bad_ref;
		break;
	}
	}
	return 0;
bad_name:
	bpfvm_logf(log, ".BTF: type [%u]: name offset out of the string section", id);
	return -EINVAL;
bad_ref:
	bpfvm_logf(log, ".BTF: type [%u]: reference to a type id that does not exist", id);
	return -EINVAL;
}

size_t btf_essential_len(const char *name)
{
	const char *p = strstr(name, "___");
	return p ? (size_t)(p - name) : strlen(name);
}

static uint32_t hash_str(const char *s, size_t len, int kind)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static int build_indexes(struct btf *btf)
{
	uint32_t size = 64;
	while (size < 2 * btf->nr_types)
		size <<= 1;
	btf->idx_name = calloc(size, sizeof(uint32_t));
	btf->idx_ess = calloc(size, sizeof(uint32_t));
	if (!btf->idx_name || !btf->idx_ess)
		return -ENOMEM;
	btf->idx_mask = size - 1;
	for (uint32_t id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf->types[id];
		const char *name = btf_str(btf, t->name_off);
		if (!name[0])
			continue;
		uint32_t h = hash_str(name, strlen(name), btf_kind(t)) & btf->idx_mask;
		while (btf->idx_name[h])
			h = (h + 1) & btf->idx_mask;
		btf->idx_name[h] = id;
		h = hash_str(name, btf_essential_len(name), btf_kind(t)) & btf->idx_mask;
		while (btf->idx_ess[h])
			h = (h + 1) & btf->idx_mask;
		btf->idx_ess[h] = id;
	}
	return 0;
}

int btf_parse(const void *data, size_t size, struct btf **out, struct bpfvm_log *log)
{
	struct btf_header hdr;
	const struct btf_header *h = &hdr;
	struct btf *btf = NULL;
	int err = -EINVAL;

	*out = NULL;
	if (!data)
		size = 0;
	if (size >= sizeof(hdr))
		memcpy(&hdr, data, sizeof(hdr)); /* the blob may sit at any alignment inside the ELF image */
	if (size < sizeof(*h) || h->magic != BTF_MAGIC) {
		bpfvm_logf(log, ".BTF: bad magic or truncated header");
		return -EINVAL;
	}
	if (h->version != BTF_VERSION || h->hdr_len < sizeof(*h) || h->hdr_len > size) {
		bpfvm_logf(log, ".BTF: unsupported version %u or bad header length %u", h->version, h->hdr_len);
		return -EINVAL;
	}
	uint64_t body = size - h->hdr_len;
	if ((uint64_t)h->type_off + h->type_len > body || (uint64_t)h->str_off + h->str_len > body ||
	    (h->type_off & 3) || (h->hdr_len & 3) || h->str_len == 0) {
		bpfvm_logf(log, ".BTF: type or string section outside the blob");
		return -EINVAL;
	}
	btf = calloc(1, sizeof(*btf));
	if (!btf || !(btf->raw = malloc(size)))
		goto nomem;
	memcpy(btf->raw, data, size);
	btf->raw_size = size;
	const uint8_t *base = btf->raw + h->hdr_len;
	btf->strs = (const char *)base + h->str_off;
	btf->str_len = h->str_len;
	if (btf->strs[btf->str_len - 1] != '\0') {
		bpfvm_logf(log, ".BTF: string section is not NUL-terminated");
		goto fail;
	}
	/* first pass: count types and check that each fits */
	uint32_t cap = 64, n = 1;
	btf->types = calloc(cap, sizeof(*btf->types));
	if (!btf->types)
		goto nomem;
	for (uint32_t off = 0; off < h->type_len;) {
		if (h->type_len - off < sizeof(struct btf_type)) {
			bpfvm_logf(log, ".BTF: type [%u] truncated", n);
			goto fail;
		}
		const struct btf_type *t = (const void *)(base + h->type_off + off);
		int64_t extra = kind_extra(t);
		if (extra < 0) {
			bpfvm_logf(log, ".BTF: type [%u]: unknown kind %u", n, btf_kind(t));
			goto fail;
		}
		if (sizeof(*t) + (uint64_t)extra > h->type_len - off) {
			bpfvm_logf(log, ".BTF: type [%u] truncated", n);
			goto fail;
		}
		if (n == cap) {
			const struct btf_type **nt = realloc(btf->types, 2 * cap * sizeof(*nt));
			if (!nt)
				goto nomem;
			btf->types = nt;
			cap *= 2;
		}
		btf->types[n++] = t;
		off += sizeof(*t) + extra;
	}
	btf->nr_types = n;
	for (uint32_t id = 1; id < n; id++)
		if ((err = check_type(btf, id, btf->types[id], log)))
			goto fail;
	if (build_indexes(btf))
		goto nomem;
	*out = btf;
	return 0;
nomem:
	bpfvm_logf(log, ".BTF: out of memory");
	err = -ENOMEM;
fail:
	btf_free(btf);
	return err < 0 ? err : -EINVAL;
}

void btf_free(struct btf *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->idx_name);
	free(btf->idx_ess);
	free(btf->raw);
	free(btf);
}

const struct btf_type *btf_type_by_id(const struct btf *btf, uint32_t id)
{
	return btf && id && id < btf->nr_types ? btf->types[id] : NULL;
}

const char *btf_str(const struct btf *btf, uint32_t off)
{
	return btf && off < btf->str_len ? btf->strs + off : "";
}

const char *btf_type_name(const struct btf *btf, const struct btf_type *t)
{
	return t ? btf_str(btf, t->name_off) : "";
}

uint32_t btf_skip_mods(const struct btf *btf, uint32_t id)
{
	for (int depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		const struct btf_type *t = btf_type_by_id(btf, id);
		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

int64_t btf_type_size(const struct btf *btf, uint32_t id)
{
	uint64_t mult = 1;
	for (int depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		const struct btf_type *t = btf_type_by_id(btf, id);
		if (!t)
			return -EINVAL;
		switch (btf_kind(t)) {
		case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
		case BTF_KIND_DATASEC: case BTF_KIND_FLOAT: case BTF_KIND_ENUM64:
			if (mult * t->size > UINT32_MAX)
				return -E2BIG;
			return mult * t->size;
		case BTF_KIND_PTR:
			return mult * 8;
		case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR:
			id = t->type;
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = btf_members_raw(t);
			mult *= a->nelems;
			if (mult > UINT32_MAX)
				return -E2BIG;
			id = a->type;
			break;
		}
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

uint32_t btf_find_by_name_kind(const struct btf *btf, const char *name, int kind)
{
	if (!btf || !btf->idx_name || !name[0])
		return 0;
	size_t len = strlen(name);
	for (uint32_t h = hash_str(name, len, kind) & btf->idx_mask; btf->idx_name[h]; h = (h + 1) & btf->idx_mask) {
		const struct btf_type *t = btf->types[btf->idx_name[h]];
		if (btf_kind(t) == kind && !strcmp(btf_str(btf, t->name_off), name))
			return btf->idx_name[h];
	}
	return 0;
}

uint32_t btf_next_by_essential(const struct btf *btf, const char *ess, size_t len, int kind, uint32_t *pos)
{
	if (!btf || !btf->idx_ess || !len)
		return 0;
	/* *pos is 0 before the first call, then 1 + the slot of the last match */
	uint32_t h = *pos ? *pos & btf->idx_mask : hash_str(ess, len, kind) & btf->idx_mask;
	for (; btf->idx_ess[h]; h = (h + 1) & btf->idx_mask) {
		const struct btf_type *t = btf->types[btf->idx_ess[h]];
		const char *name = btf_str(btf, t->name_off);
		if (btf_kind(t) == kind && btf_essential_len(name) == len && !strncmp(name, ess, len)) {
			*pos = h + 1; /* never 0; (mask + 1) & mask wraps to slot 0 */
			return btf->idx_ess[h];
		}
	}
	return 0;
}

/* .BTF.ext header as clang writes it (tools/lib/bpf/libbpf_internal.h's struct btf_ext_header) */
struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len; /* present when hdr_len covers them */
};

static int ext_info_parse(const uint8_t *base, uint64_t avail, uint32_t off, uint32_t len, uint32_t min_rec,
			  const struct btf *btf, struct btf_ext_info *info, const char *what, struct bpfvm_log *log)
{
	if (!len)
		return 0;
	if ((uint64_t)off + len > avail || len < 4 || (off & 3)) {
		bpfvm_logf(log, ".BTF.ext: %s outside the section", what);
		return -EINVAL;
	}
	const uint8_t *p = base + off, *end = p + len;
	memcpy(&info->rec_size, p, 4);
	p += 4;
	if (info->rec_size < min_rec || (info->rec_size & 3) || info->rec_size > 256) {
		bpfvm_logf(log, ".BTF.ext: %s: bad record size %u", what, info->rec_size);
		return -EINVAL;
	}
	uint32_t cap = 0;
	while (p < end) {
		uint32_t hdr[2];
		if (end - p < 8) {
			bpfvm_logf(log, ".BTF.ext: %s: truncated section header", what);
			return -EINVAL;
		}
		memcpy(hdr, p, 8);
		p += 8;
		if ((uint64_t)hdr[1] * info->rec_size > (uint64_t)(end - p) || hdr[0] >= btf->str_len) {
			bpfvm_logf(log, ".BTF.ext: %s: records outside the section", what);
			return -EINVAL;
		}
		if (info->nsecs == cap) {
			cap = cap ? 2 * cap : 8;
			struct btf_ext_sec *ns = realloc(info->secs, cap * sizeof(*ns));
			if (!ns)
				return -ENOMEM;
			info->secs = ns;
		}
		info->secs[info->nsecs++] = (struct btf_ext_sec){ btf_str(btf, hdr[0]), hdr[1], p };
		p += (size_t)hdr[1] * info->rec_size;
	}
	return 0;
}

int btf_ext_parse(const void *data, size_t size, const struct btf *btf, struct btf_ext **out, struct bpfvm_log *log)
{
	struct btf_ext_hdr h = { 0 };
	int err;

	*out = NULL;
	if (size < 24 || !data) {
		bpfvm_logf(log, ".BTF.ext: truncated header");
		return -EINVAL;
	}
	memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
	if (h.magic != BTF_MAGIC || h.version != BTF_VERSION || h.hdr_len < 24 || h.hdr_len > size) {
		bpfvm_logf(log, ".BTF.ext: bad magic, version or header length");
		return -EINVAL;
	}
	if (h.hdr_len < sizeof(h))
		h.core_relo_off = h.core_relo_len = 0;
	struct btf_ext *ext = calloc(1, sizeof(*ext));
	if (!ext || !(ext->raw = malloc(size))) {
		free(ext);
		return -ENOMEM;
	}
	memcpy(ext->raw, data, size);
	ext->raw_size = size;
	const uint8_t *base = ext->raw + h.hdr_len;
	uint64_t avail = size - h.hdr_len;
	if ((err = ext_info_parse(base, avail, h.func_info_off, h.func_info_len, 8, btf, &ext->func_info,
				  "func_info", log)) ||
	    (err = ext_info_parse(base, avail, h.line_info_off, h.line_info_len, 16, btf, &ext->line_info,
				  "line_info", log)) ||
	    (err = ext_info_parse(base, avail, h.core_relo_off, h.core_relo_len, 16, btf, &ext->core_relo,
				  "core_relo", log))) {
		btf_ext_free(ext);
		return err;
	}
	*out = ext;
	return 0;
}

void btf_ext_free(struct btf_ext *ext)
{
	if (!ext)
		return;
	free(ext->func_info.secs);
	free(ext->line_info.secs);
	free(ext->core_relo.secs);
	free(ext->raw);
	free(ext);
}

const struct btf_ext_sec *btf_ext_find(const struct btf_ext_info *info, const char *sec_name)
{
	for (uint32_t i = 0; i < info->nsecs; i++)
		if (!strcmp(info->secs[i].sec_name, sec_name))
			return &info->secs[i];
	return NULL;
}
