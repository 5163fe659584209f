/* run_events.c - ring buffer records and perf event samples printed after a test run (run_events.h) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/map.h"
#include "cli/run_events.h"

#define PERF_RING_PAGES 8 /* per slot, as a perf_buffer__new(map, 8, ...) */

struct event_print {
	struct cli_ctx *ctx;
	const char *map;
};

/* one record or sample: a text line, or a JSON {"map", ["slot"], "data"} object */
static int print_event(struct event_print *ep, const char *kind, long slot, const void *data, size_t len)
{
	const uint8_t *b = data;
	if (ep->ctx->json) {
		char *hex = malloc(len * 2 + 1);
		if (!hex)
			return -ENOMEM;
		for (size_t i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", b[i]);
		hex[2 * len] = 0;
		jsonw_start_object(ep->ctx->jw);
		jsonw_string_field(ep->ctx->jw, "map", ep->map);
		if (slot >= 0)
			jsonw_uint_field(ep->ctx->jw, "slot", (uint64_t)slot);
		jsonw_string_field(ep->ctx->jw, "data", hex);
		jsonw_end_object(ep->ctx->jw);
		free(hex);
		return 0;
	}
	if (slot >= 0)
		printf("%s %s[%ld]: %zu bytes:", kind, ep->map, slot, len);
	else
		printf("%s %s: %zu bytes:", kind, ep->map, len);
	for (size_t i = 0; i < len; i++)
		printf(" %02x", b[i]);
	printf("\n");
	return 0;
}

static int ringbuf_record(void *arg, const void *data, size_t len)
{
	return print_event(arg, "ringbuf", -1, data, len);
}

static int perf_sample(void *arg, uint32_t slot, const void *data, uint32_t size)
{
	return print_event(arg, "perf", slot, data, size);
}

static void perf_lost(void *arg, uint32_t slot, uint64_t count)
{
	struct event_print *ep = arg;
	if (ep->ctx->json) {
		jsonw_start_object(ep->ctx->jw);
		jsonw_string_field(ep->ctx->jw, "map", ep->map);
		jsonw_uint_field(ep->ctx->jw, "slot", slot);
		jsonw_uint_field(ep->ctx->jw, "lost", count);
		jsonw_end_object(ep->ctx->jw);
	} else {
		printf("perf %s[%u]: lost %llu samples\n", ep->map, slot, (unsigned long long)count);
	}
}

int run_events_open(struct cli_ctx *ctx, struct bpfvm_object *obj)
{
	size_t ring = PERF_RING_PAGES * (size_t)sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		struct bpfvm_object_map_info mi;
		if (bpfvm_object__map_info(obj, i, &mi) || mi.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || !mi.map)
			continue;
		for (uint32_t slot = 0; slot < mi.max_entries; slot++) {
			int err = bpfvm_map__perf_ring(mi.map, slot, ring);
			if (err)
				return p_err(ctx, EXIT_USAGE, "perf map '%s': slot %u: %s", mi.name, slot, strerror(-err));
		}
	}
	return 0;
}

/* every map of one type through consume, inside a JSON array named kind when there is one */
static void print_kind(struct cli_ctx *ctx, struct bpfvm_object *obj, uint32_t type, const char *kind)
{
	bool any = false;
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		struct bpfvm_object_map_info mi;
		if (bpfvm_object__map_info(obj, i, &mi) || mi.type != type || !mi.map)
			continue;
		if (ctx->json && !any) {
			jsonw_name(ctx->jw, kind);
			jsonw_start_array(ctx->jw);
		}
		any = true;
		struct event_print ep = { ctx, mi.name };
		const char *pin = bpfvm_map__pin_path(mi.map);
		uint64_t pending;
		if (type != BPF_MAP_TYPE_RINGBUF)
			bpfvm_perf__consume(mi.map, perf_sample, perf_lost, &ep);
		else if (!pin)
			bpfvm_ringbuf__consume(mi.map, ringbuf_record, &ep);
		else if ((pending = bpfvm_ringbuf__avail_data(mi.map))) /* a pinned ring is left to its consumer */
			fprintf(stderr, "note: ringbuf %s is pinned at %s: its %llu bytes of records stay for `%s map "
				"event_pipe pinned %s`\n", mi.name, pin, (unsigned long long)pending, ctx->argv0, pin);
	}
	if (ctx->json && any)
		jsonw_end_array(ctx->jw);
}

int run_events_ringbuf(struct cli_ctx *ctx, struct bpfvm_map *map, const char *name)
{
	struct event_print ep = { ctx, name };
	return bpfvm_ringbuf__consume(map, ringbuf_record, &ep);
}

void run_events_print(struct cli_ctx *ctx, struct bpfvm_object *obj)
{
	print_kind(ctx, obj, BPF_MAP_TYPE_RINGBUF, "ringbuf");
	print_kind(ctx, obj, BPF_MAP_TYPE_PERF_EVENT_ARRAY, "perf");
}
