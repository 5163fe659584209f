/* map_dump.h - an object's maps printed element by element after a run (`prog run --dump-maps`), as bpftool's
 * `map dump` prints them: hex bytes, or under -j the keys and values formatted by the object's BTF */
#ifndef BPFVM_CLI_MAP_DUMP_H
#define BPFVM_CLI_MAP_DUMP_H

#include "bpfvm/object.h"
#include "cli/cli.h"

/* "array", "hash", ... for a map type; "unknown" beyond the known ones */
const char *cli_map_type_name(uint32_t type);
/* every element of every map that has elements to iterate; under -j a "maps" member of the open object */
void cli_dump_maps(struct cli_ctx *ctx, struct bpfvm_object *obj);

#endif
