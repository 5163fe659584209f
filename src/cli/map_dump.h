/* map_dump.h - an object's maps printed element by element after a run (`prog run --dump-maps`), as bpftool's
 * `map dump` prints them: hex bytes, or under -j the keys and values formatted by the object's BTF */
#ifndef BPFVM_CLI_MAP_DUMP_H
#define BPFVM_CLI_MAP_DUMP_H

#include "bpfvm/object.h"
#include "cli/cli.h"

struct btf;

/* a map as printed: its name and the BTF (may be NULL) that formats its keys and values under -j */
struct cli_map_desc {
	struct bpfvm_map *map;
	const char *name;
	const struct btf *btf;
	uint32_t key_type_id, value_type_id;
};

/* maps whose elements are bytes behind keys (the others hold programs, maps, records, or nothing to list) */
bool cli_map_iterable(uint32_t type);
/* one element: `key: 01 00  value: 02 00` (no key for queues and stacks), or a JSON {key, value} object */
void cli_print_elem(struct cli_ctx *ctx, const struct cli_map_desc *d, const uint8_t *key, const uint8_t *val);
/* every element of one map, then `Found N elements`; under -j one {name, type, elements} object */
void cli_dump_map(struct cli_ctx *ctx, const struct cli_map_desc *d);
/* "array", "hash", ... for a map type; "unknown" beyond the known ones */
const char *cli_map_type_name(uint32_t type);
/* every element of every map that has elements to iterate; under -j a "maps" member of the open object */
void cli_dump_maps(struct cli_ctx *ctx, struct bpfvm_object *obj);

#endif
