/* btf_json.c - BTF-typed JSON of map contents: bpftool's btf_dumper shapes, bounds-checked against the bytes */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/btf_json.h"

#define MAX_DEPTH 16

void json_hex_bytes(struct json_writer *jw, const void *data, size_t size)
{
	const uint8_t *p = data;
	char b[8];
	jsonw_start_array(jw);
	for (size_t i = 0; i < size; i++) {
		snprintf(b, sizeof(b), "0x%02x", p[i]);
		jsonw_string(jw, b);
	}
	jsonw_end_array(jw);
}

static uint64_t load_uint(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, p, n > 8 ? 8 : n); /* little-endian host, as BPF's own byte order here */
	return v;
}

static int64_t sext(uint64_t v, unsigned bits) { return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits); }

static int dump(struct json_writer *jw, const struct btf *btf, uint32_t id, const uint8_t *p, size_t size,
		uint32_t bit_off, uint32_t bits, int depth);

static int dump_int(struct json_writer *jw, const struct btf_type *t, const uint8_t *p, size_t size, uint32_t bit_off,
		    uint32_t bits)
{
	uint32_t enc = *(const uint32_t *)btf_members_raw(t);
	uint32_t nbits = bits ? bits : BTF_INT_BITS(enc);
	bit_off += BTF_INT_OFFSET(enc);
	size_t need = (bit_off + nbits + 7) / 8;
	if (need > size || nbits > 64) {
		if (t->size == 16 && size >= 16 && !bits && !bit_off) { /* __int128: bpftool prints hex */
			char b[40];
			snprintf(b, sizeof(b), "0x%016llx%016llx", (unsigned long long)load_uint(p + 8, 8),
				 (unsigned long long)load_uint(p, 8));
			jsonw_string(jw, b);
			return 0;
		}
		return -EINVAL;
	}
	uint64_t v = load_uint(p + bit_off / 8, need - bit_off / 8 > 8 ? 8 : need - bit_off / 8) >> (bit_off % 8);
	if (nbits < 64)
		v &= (1ULL << nbits) - 1;
	if (BTF_INT_ENCODING(enc) & BTF_INT_BOOL)
		jsonw_bool(jw, v != 0);
	else if (BTF_INT_ENCODING(enc) & BTF_INT_SIGNED)
		jsonw_int(jw, sext(v, nbits));
	else
		jsonw_uint(jw, v);
	return 0;
}

static bool is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, id));
	return t && btf_kind(t) == BTF_KIND_INT && t->size == 1 &&
	       (BTF_INT_ENCODING(*(const uint32_t *)btf_members_raw(t)) & BTF_INT_CHAR ||
		!strcmp(btf_type_name(btf, t), "char"));
}

static int dump(struct json_writer *jw, const struct btf *btf, uint32_t id, const uint8_t *p, size_t size,
		uint32_t bit_off, uint32_t bits, int depth)
{
	id = btf_skip_mods(btf, id);
	const struct btf_type *t = btf_type_by_id(btf, id);
	if (!t || depth > MAX_DEPTH)
		return -EINVAL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return dump_int(jw, t, p, size, bit_off, bits);
	case BTF_KIND_PTR: {
		char b[24];
		if (size < 8)
			return -EINVAL;
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)load_uint(p, 8));
		jsonw_string(jw, b);
		return 0;
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
		if (t->size > size || t->size > 8 || !t->size)
			return -EINVAL;
		uint64_t v = load_uint(p, t->size);
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			const uint32_t *e = (const uint32_t *)btf_members_raw(t) + i * (btf_kind(t) == BTF_KIND_ENUM ? 2 : 3);
			uint64_t ev = btf_kind(t) == BTF_KIND_ENUM ? (uint32_t)e[1] : ((uint64_t)e[2] << 32 | e[1]);
			if ((t->size < 8 ? v == (ev & ((1ULL << (8 * t->size)) - 1)) : v == ev)) {
				jsonw_string(jw, btf_str(btf, e[0]));
				return 0;
			}
		}
		jsonw_uint(jw, v);
		return 0;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_members_raw(t);
		int64_t esz = btf_type_size(btf, a->type);
		if (esz < 0 || (uint64_t)esz * a->nelems > size)
			return -EINVAL;
		if (is_char(btf, a->type) && a->nelems) { /* a string when it is NUL-terminated text */
			size_t n = strnlen((const char *)p, a->nelems);
			bool text = n < a->nelems;
			for (size_t i = 0; i < n && text; i++)
				text = p[i] >= 0x20 && p[i] < 0x7f;
			if (text) {
				char s[256];
				snprintf(s, sizeof(s), "%.*s", (int)n, (const char *)p);
				jsonw_string(jw, s);
				return 0;
			}
		}
		jsonw_start_array(jw);
		for (uint32_t i = 0; i < a->nelems; i++)
			if (dump(jw, btf, a->type, p + i * esz, esz, 0, 0, depth + 1))
				json_hex_bytes(jw, p + i * esz, esz);
		jsonw_end_array(jw);
		return 0;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		if (t->size > size)
			return -EINVAL;
		jsonw_start_object(jw);
		const struct btf_member *m = btf_members(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			uint32_t off = btf_member_bit_offset(t, &m[i]), bsz = btf_member_bitfield_size(t, &m[i]);
			const char *name = btf_str(btf, m[i].name_off);
			if (off / 8 >= t->size)
				continue;
			if (name[0])
				jsonw_name(jw, name);
			else
				jsonw_name(jw, "");
			if (dump(jw, btf, m[i].type, p + off / 8, t->size - off / 8, off % 8, bsz, depth + 1))
				jsonw_null(jw);
		}
		jsonw_end_object(jw);
		return 0;
	}
	case BTF_KIND_DATASEC: { /* a global data map: its variables by name */
		if (t->size > size)
			return -EINVAL;
		jsonw_start_object(jw);
		const struct btf_var_secinfo *v = btf_members_raw(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			const struct btf_type *var = btf_type_by_id(btf, v[i].type);
			if (!var || (uint64_t)v[i].offset + v[i].size > size)
				continue;
			jsonw_name(jw, btf_type_name(btf, var));
			if (dump(jw, btf, var->type, p + v[i].offset, v[i].size, 0, 0, depth + 1))
				json_hex_bytes(jw, p + v[i].offset, v[i].size);
		}
		jsonw_end_object(jw);
		return 0;
	}
	case BTF_KIND_FLOAT: {
		if (t->size == 8 && size >= 8) {
			double d;
			memcpy(&d, p, 8);
			jsonw_float(jw, d);
			return 0;
		}
		if (t->size == 4 && size >= 4) {
			float f;
			memcpy(&f, p, 4);
			jsonw_float(jw, f);
			return 0;
		}
		return -EINVAL;
	}
	case BTF_KIND_VAR:
		return dump(jw, btf, t->type, p, size, 0, 0, depth + 1);
	}
	return -EINVAL;
}

int btf_json_value(struct json_writer *jw, const struct btf *btf, uint32_t type_id, const void *data, size_t size)
{
	int64_t sz = btf_type_size(btf, type_id);
	if (!btf || !type_id || sz < 0 || (uint64_t)sz > size)
		return -EINVAL;
	return dump(jw, btf, type_id, data, size, 0, 0, 0);
}
