/* btf.h - bpfvm's own BTF and BTF.ext reader: types by id, names, sizes, func/line/CO-RE records */
#ifndef BPFVM_LOADER_BTF_H
#define BPFVM_LOADER_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>

#include "bpfvm/log.h"

/*
 * Why our own parser and not libbpf's btf API: DESIGN.md allows libelf and libbpf's *headers* only, and the
 * loader needs a small part of BTF (sizes, struct members, datasecs, CO-RE lookups) with strict bounds
 * checking of hostile input (the ELF fuzz target feeds it garbage). Every offset and id is checked once at
 * parse time, so the accessors below never read outside the blob.
 */

#ifndef BTF_KIND_ENUM64
#define BTF_KIND_ENUM64 19
#endif
#ifndef BTF_KIND_DECL_TAG
#define BTF_KIND_DECL_TAG 17
#endif
#ifndef BTF_KIND_TYPE_TAG
#define BTF_KIND_TYPE_TAG 18
#endif
#ifndef BTF_KIND_FLOAT
#define BTF_KIND_FLOAT 16
#endif
#define BPFVM_BTF_KIND_MAX 19

struct btf {
	uint8_t *raw;           /* owned copy of the blob */
	size_t raw_size;
	const char *strs;       /* string section */
	uint32_t str_len;
	uint32_t nr_types;      /* ids 1..nr_types-1 are valid; 0 is void */
	const struct btf_type **types; /* [id] */
	/* hash indexes built at parse time (open addressing, ids in id order along each probe sequence): by full
	 * name, and by CO-RE essential name (the name up to a "___flavor" suffix); 0 marks an empty slot */
	uint32_t *idx_name, *idx_ess;
	uint32_t idx_mask;
};

int btf_parse(const void *data, size_t size, struct btf **out, struct bpfvm_log *log);
void btf_free(struct btf *btf);

static inline uint16_t btf_kind(const struct btf_type *t) { return (t->info >> 24) & 0x1f; }
static inline uint16_t btf_vlen(const struct btf_type *t) { return t->info & 0xffff; }
static inline bool btf_kflag(const struct btf_type *t) { return t->info >> 31; }

/* NULL for an id out of range (and for 0, void) */
const struct btf_type *btf_type_by_id(const struct btf *btf, uint32_t id);
/* "" for offset 0 or out of range */
const char *btf_str(const struct btf *btf, uint32_t off);
const char *btf_type_name(const struct btf *btf, const struct btf_type *t);
/* skip typedef/const/volatile/restrict/type_tag; returns the id of the first other type (0 = void) */
uint32_t btf_skip_mods(const struct btf *btf, uint32_t id);
/* the size in bytes of the type (arrays multiplied out), -EINVAL for void/func/unsized, -ELOOP on a cycle */
int64_t btf_type_size(const struct btf *btf, uint32_t id);
/* first type with this name and kind, or 0 (hashed: no linear scans of a 150k-type vmlinux BTF) */
uint32_t btf_find_by_name_kind(const struct btf *btf, const char *name, int kind);
/* the length of a name's CO-RE essential part: "task_struct___old" -> 11 */
size_t btf_essential_len(const char *name);
/* Iterate the types of this kind whose essential name is ess[0..len): start with *pos = 0; returns the next
 * type id in id order, or 0 at the end. */
uint32_t btf_next_by_essential(const struct btf *btf, const char *ess, size_t len, int kind, uint32_t *pos);
/* members of a struct/union, params of a func_proto, entries of enum/datasec: pointer to the first */
static inline const void *btf_members_raw(const struct btf_type *t) { return t + 1; }
static inline const struct btf_member *btf_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}
static inline uint32_t btf_member_bit_offset(const struct btf_type *t, const struct btf_member *m)
{
	return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}
static inline uint32_t btf_member_bitfield_size(const struct btf_type *t, const struct btf_member *m)
{
	return btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
}

/* .BTF.ext: one array of records per ELF section, for func_info, line_info and CO-RE relocations */
struct btf_ext_sec {
	const char *sec_name;
	uint32_t num;
	const uint8_t *recs; /* num records of rec_size bytes */
};
struct btf_ext_info {
	uint32_t rec_size;
	uint32_t nsecs;
	struct btf_ext_sec *secs;
};
struct btf_ext {
	uint8_t *raw;
	size_t raw_size;
	struct btf_ext_info func_info, line_info, core_relo;
};
struct bpfvm_core_relo {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind;
};
/* record layouts as clang emits them (struct bpf_func_info / bpf_line_info of <linux/bpf.h>) */

/* parse .BTF.ext; section names are resolved in btf's strings. */
int btf_ext_parse(const void *data, size_t size, const struct btf *btf, struct btf_ext **out, struct bpfvm_log *log);
void btf_ext_free(struct btf_ext *ext);
const struct btf_ext_sec *btf_ext_find(const struct btf_ext_info *info, const char *sec_name);

#endif
