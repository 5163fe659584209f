/* fuzz_btf.c - libFuzzer target: parse any bytes as BTF (and the tail as .BTF.ext), then walk every type */
#include <stddef.h>
#include <stdint.h>

#include "loader/btf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btf *btf;
	struct bpfvm_log log = { 0 };
	if (btf_parse(data, size, &btf, &log))
		return 0;
	/* whatever follows the blob the header describes is parsed as .BTF.ext against it */
	const struct btf_header *h = (const void *)btf->raw;
	size_t split = (size_t)h->hdr_len + h->str_off + h->str_len;
	if ((size_t)h->hdr_len + h->type_off + h->type_len > split)
		split = (size_t)h->hdr_len + h->type_off + h->type_len;
	volatile int64_t sum = 0;
	for (uint32_t id = 0; id <= btf->nr_types; id++) {
		const struct btf_type *t = btf_type_by_id(btf, id);
		sum += btf_type_size(btf, id) + btf_skip_mods(btf, id);
		if (!t)
			continue;
		sum += btf_type_name(btf, t)[0];
		if (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION)
			for (uint32_t k = 0; k < btf_vlen(t); k++)
				sum += btf_str(btf, btf_members(t)[k].name_off)[0] + btf_member_bit_offset(t, &btf_members(t)[k]);
	}
	sum += btf_find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	for (uint32_t id = 1; id < btf->nr_types && id < 64; id++) { /* the hash indexes agree with the types */
		const struct btf_type *t = btf_type_by_id(btf, id);
		const char *name = btf_type_name(btf, t);
		uint32_t found = btf_find_by_name_kind(btf, name, btf_kind(t)), pos = 0, n = 0, e;
		if (name[0] && (!found || found > id))
			__builtin_trap();
		while ((e = btf_next_by_essential(btf, name, btf_essential_len(name), btf_kind(t), &pos)) && n++ < 100000)
			sum += e;
	}
	struct btf_ext *ext;
	if (!btf_ext_parse(data + split, size - split, btf, &ext, &log)) {
		for (uint32_t i = 0; i < ext->line_info.nsecs; i++)
			for (uint32_t r = 0; r < ext->line_info.secs[i].num; r++)
				sum += ext->line_info.secs[i].recs[r * ext->line_info.rec_size];
		btf_ext_free(ext);
	}
	btf_free(btf);
	return 0;
}
