/* map_dump.c - an object's maps printed element by element after a run (map_dump.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/map.h"
#include "cli/btf_json.h"
#include "cli/map_dump.h"
#include "maps/map.h"

static const char *const map_type_names[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
	"cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap",
	"sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
	"queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage",
	"bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
};

const char *cli_map_type_name(uint32_t type)
{
	return type < sizeof(map_type_names) / sizeof(map_type_names[0]) ? map_type_names[type] : "unknown";
}

bool cli_map_iterable(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
	printf("%s:", label);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", b[i]);
}

/* a JSON member: the bytes formatted by their BTF type, or bpftool's hex list without one */
static void json_bytes(struct cli_ctx *ctx, const char *name, const struct btf *btf, uint32_t type_id,
		       const uint8_t *b, size_t n)
{
	jsonw_name(ctx->jw, name);
	if (!btf || !type_id || btf_json_value(ctx->jw, btf, type_id, b, n))
		json_hex_bytes(ctx->jw, b, n);
}

void cli_print_elem(struct cli_ctx *ctx, const struct cli_map_desc *d, const uint8_t *key, const uint8_t *val)
{
	struct bpfvm_map *m = d->map;
	uint32_t type = bpfvm_map__type(m), vs = bpfvm_map__value_size(m);
	size_t ks = bpfvm_map__key_size(m), vbuf = bpfvm_map__value_buf_size(m), stride = (vs + 7u) & ~7u;
	if (!ctx->json) {
		if (ks)
			print_hex("key", key, ks);
		print_hex(bpfvm_map_is_percpu(type) ? "  values (per CPU)" : ks ? "  value" : "value", val,
			  bpfvm_map_is_percpu(type) ? vbuf : vs);
		printf("\n");
		return;
	}
	jsonw_start_object(ctx->jw);
	if (ks)
		json_bytes(ctx, "key", d->btf, d->key_type_id, key, ks);
	if (bpfvm_map_is_percpu(type)) { /* bpftool's shape: one {cpu, value} per possible CPU */
		jsonw_name(ctx->jw, "values");
		jsonw_start_array(ctx->jw);
		for (size_t c = 0; c * stride < vbuf; c++) {
			jsonw_start_object(ctx->jw);
			jsonw_uint_field(ctx->jw, "cpu", c);
			json_bytes(ctx, "value", d->btf, d->value_type_id, val + c * stride, vs);
			jsonw_end_object(ctx->jw);
		}
		jsonw_end_array(ctx->jw);
	} else {
		json_bytes(ctx, "value", d->btf, d->value_type_id, val, vs);
	}
	jsonw_end_object(ctx->jw);
}

void cli_dump_map(struct cli_ctx *ctx, const struct cli_map_desc *d)
{
	struct bpfvm_map *m = d->map;
	uint32_t type = bpfvm_map__type(m);
	size_t ks = bpfvm_map__key_size(m), vbuf = bpfvm_map__value_buf_size(m);
	uint8_t *key = calloc(1, ks + 1), *prev = calloc(1, ks + 1), *val = calloc(1, vbuf + 1);
	size_t n = 0;
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "name", d->name);
		jsonw_string_field(ctx->jw, "type", cli_map_type_name(type));
		jsonw_name(ctx->jw, "elements");
		jsonw_start_array(ctx->jw);
	} else {
		printf("map %s (%s):\n", d->name, cli_map_type_name(type));
	}
	bool first = true;
	while (key && prev && val && bpfvm_map__get_next_key(m, first ? NULL : prev, key) == 0) {
		first = false;
		memcpy(prev, key, ks);
		if (bpfvm_map__lookup_elem(m, key, val))
			continue; /* deleted meanwhile */
		n++;
		cli_print_elem(ctx, d, key, val);
	}
	if (ctx->json) {
		jsonw_end_array(ctx->jw);
		jsonw_end_object(ctx->jw);
	} else {
		printf("Found %zu element%s\n", n, n == 1 ? "" : "s");
	}
	free(key);
	free(prev);
	free(val);
}

void cli_dump_maps(struct cli_ctx *ctx, struct bpfvm_object *obj)
{
	struct btf *btf = NULL;
	size_t btf_size;
	const void *raw = bpfvm_object__btf_raw(obj, &btf_size);
	if (raw)
		btf_parse(raw, btf_size, &btf, NULL);
	if (ctx->json) {
		jsonw_name(ctx->jw, "maps");
		jsonw_start_array(ctx->jw);
	}
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		struct bpfvm_object_map_info mi;
		if (bpfvm_object__map_info(obj, i, &mi) || !mi.map || !cli_map_iterable(mi.type))
			continue;
		struct cli_map_desc d = { .map = mi.map, .name = mi.name, .btf = btf, .key_type_id = mi.btf_key_type_id,
					  .value_type_id = mi.btf_value_type_id };
		cli_dump_map(ctx, &d);
	}
	if (ctx->json)
		jsonw_end_array(ctx->jw);
	btf_free(btf);
}
