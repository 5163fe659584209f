/* json_writer.c - streaming JSON output: escapes strings, places commas, optional indentation */
#include <stdlib.h>

#include "cli/json_writer.h"

#define JSONW_MAX_DEPTH 64

struct json_writer {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSONW_MAX_DEPTH]; /* no element written yet at this depth */
	bool after_name;             /* a name was just written; the value follows without a comma */
};

struct json_writer *jsonw_new(FILE *f, bool pretty)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));
	if (!jw)
		return NULL;
	jw->f = f;
	jw->pretty = pretty;
	jw->first[0] = true;
	return jw;
}

void jsonw_destroy(struct json_writer **jw)
{
	if (!jw || !*jw)
		return;
	fputc('\n', (*jw)->f);
	fflush((*jw)->f);
	free(*jw);
	*jw = NULL;
}

static void indent(struct json_writer *jw)
{
	if (!jw->pretty)
		return;
	fputc('\n', jw->f);
	for (int i = 0; i < jw->depth; i++)
		fputs("    ", jw->f);
}

/* before any value or name: a comma unless first at this depth, or right after a name */
static void separate(struct json_writer *jw)
{
	if (jw->after_name) {
		jw->after_name = false;
		return;
	}
	if (!jw->first[jw->depth])
		fputs(jw->pretty ? "," : ", ", jw->f); /* compact output still reads as the CLI contract shows it */
	jw->first[jw->depth] = false;
	if (jw->depth > 0)
		indent(jw);
}

static void open_(struct json_writer *jw, char c)
{
	separate(jw);
	fputc(c, jw->f);
	if (jw->depth < JSONW_MAX_DEPTH - 1)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void close_(struct json_writer *jw, char c)
{
	bool empty = jw->first[jw->depth];
	if (jw->depth > 0)
		jw->depth--;
	if (!empty)
		indent(jw);
	fputc(c, jw->f);
}

void jsonw_start_object(struct json_writer *jw) { open_(jw, '{'); }
void jsonw_end_object(struct json_writer *jw) { close_(jw, '}'); }
void jsonw_start_array(struct json_writer *jw) { open_(jw, '['); }
void jsonw_end_array(struct json_writer *jw) { close_(jw, ']'); }

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void jsonw_name(struct json_writer *jw, const char *name)
{
	separate(jw);
	put_string(jw->f, name);
	fputs(jw->pretty ? ": " : ": ", jw->f);
	jw->after_name = true;
}

void jsonw_string(struct json_writer *jw, const char *s) { separate(jw); put_string(jw->f, s ? s : ""); }
void jsonw_uint(struct json_writer *jw, uint64_t v) { separate(jw); fprintf(jw->f, "%llu", (unsigned long long)v); }
void jsonw_int(struct json_writer *jw, int64_t v) { separate(jw); fprintf(jw->f, "%lld", (long long)v); }
void jsonw_bool(struct json_writer *jw, bool v) { separate(jw); fputs(v ? "true" : "false", jw->f); }
void jsonw_null(struct json_writer *jw) { separate(jw); fputs("null", jw->f); }
void jsonw_float(struct json_writer *jw, double v) { separate(jw); fprintf(jw->f, "%.6g", v); }

void jsonw_string_field(struct json_writer *jw, const char *name, const char *s) { jsonw_name(jw, name); jsonw_string(jw, s); }
void jsonw_uint_field(struct json_writer *jw, const char *name, uint64_t v) { jsonw_name(jw, name); jsonw_uint(jw, v); }
void jsonw_int_field(struct json_writer *jw, const char *name, int64_t v) { jsonw_name(jw, name); jsonw_int(jw, v); }
void jsonw_bool_field(struct json_writer *jw, const char *name, bool v) { jsonw_name(jw, name); jsonw_bool(jw, v); }
