/* json_writer.h - a small streaming JSON writer for -j output */
#ifndef BPFVM_CLI_JSON_WRITER_H
#define BPFVM_CLI_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

struct json_writer *jsonw_new(FILE *f, bool pretty);
void jsonw_destroy(struct json_writer **jw); /* flushes a final newline */
void jsonw_start_object(struct json_writer *jw);
void jsonw_end_object(struct json_writer *jw);
void jsonw_start_array(struct json_writer *jw);
void jsonw_end_array(struct json_writer *jw);
void jsonw_name(struct json_writer *jw, const char *name);
void jsonw_string(struct json_writer *jw, const char *s);
void jsonw_uint(struct json_writer *jw, uint64_t v);
void jsonw_int(struct json_writer *jw, int64_t v);
void jsonw_bool(struct json_writer *jw, bool v);
void jsonw_null(struct json_writer *jw);
void jsonw_float(struct json_writer *jw, double v);
/* name + value shorthands */
void jsonw_string_field(struct json_writer *jw, const char *name, const char *s);
void jsonw_uint_field(struct json_writer *jw, const char *name, uint64_t v);
void jsonw_int_field(struct json_writer *jw, const char *name, int64_t v);
void jsonw_bool_field(struct json_writer *jw, const char *name, bool v);

#endif
