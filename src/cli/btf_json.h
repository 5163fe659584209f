/* btf_json.h - map keys and values as JSON through their BTF types, as `bpftool map dump` formats them */
#ifndef BPFVM_CLI_BTF_JSON_H
#define BPFVM_CLI_BTF_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cli/json_writer.h"
#include "loader/btf.h"

/* Write data (size bytes) as the BTF type id: numbers, enum names, structs as objects, arrays as lists, char
 * arrays as strings. Returns 0, or -EINVAL when the type cannot describe the bytes (the caller prints hex). */
int btf_json_value(struct json_writer *jw, const struct btf *btf, uint32_t type_id, const void *data, size_t size);
/* bytes as bpftool's hex list ["0x01","0x02",...] */
void json_hex_bytes(struct json_writer *jw, const void *data, size_t size);

#endif
