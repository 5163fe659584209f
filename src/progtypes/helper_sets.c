/* helper_sets.c - which helpers each program type may call: observed from a live Linux 6.18 kernel (root,
 * CAP_BPF + CAP_PERFMON) by loading `call ID; r0 = 0; exit` for every helper id and program type, and recording
 * which loads did not end in "program of this type cannot use helper" (tracing uses kprobe's set) */
#include <stdbool.h>
#include <stdint.h>

#include "progtypes/progtype.h"

static const struct {
	uint32_t prog_type;
	uint64_t ids[4]; /* bit n: helper id n */
} helper_sets[] = {
	{ 1, { 0x0080c4280643d1eeULL, 0x2d6f260063810010ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 88 helpers */
	{ 2, { 0x008024280a43d1feULL, 0x296f260063810008ULL, 0x8073fe307630207cULL, 0x00000000000f0fecULL } }, /* 81 helpers */
	{ 3, { 0x0085cfeff7ffffeeULL, 0x3d6f7e1fe3f98034ULL, 0x80779e397fb03ffcULL, 0x00000000000ffffdULL } }, /* 139 helpers */
	{ 4, { 0x0085cfeff7ffffeeULL, 0x3d6f7e1fe3f98034ULL, 0x80779e397fb03ffcULL, 0x00000000000ffffdULL } }, /* 139 helpers */
	{ 5, { 0x008024280a43d1feULL, 0x296f260063810008ULL, 0x8073fe307630207cULL, 0x00000000000f0fecULL } }, /* 81 helpers */
	{ 6, { 0x00c8142812c3d1eeULL, 0x296f661863f10022ULL, 0xf0779e3976303f7cULL, 0x00000000000ffffcULL } }, /* 104 helpers */
	{ 7, { 0x018024280a43d1feULL, 0x29ef260063810008ULL, 0x8073fe307630207cULL, 0x00000000000f0fecULL } }, /* 83 helpers */
	{ 8, { 0x0080c4280643d1eeULL, 0x2d6f3e0fe3fb8010ULL, 0x80779e3176303f7fULL, 0x00000000000f0ffcULL } }, /* 103 helpers */
	{ 9, { 0x008044280243d1eeULL, 0x2d6f2e0063830000ULL, 0x8c739e317630207cULL, 0x00000000000f0fecULL } }, /* 82 helpers */
	{ 10, { 0x008004ae1743d1eeULL, 0x296f260063810200ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 90 helpers */
	{ 11, { 0x008004ae1743d1eeULL, 0x296f260063810000ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 89 helpers */
	{ 12, { 0x00800fee77f3ffeeULL, 0x296f260063810200ULL, 0x80779e3176303ffcULL, 0x00000000000f0ffcULL } }, /* 104 helpers */
	{ 13, { 0x0aa244280243d1eeULL, 0x2d6f3e0163830040ULL, 0x80779e317631ff7cULL, 0x00000000000f0ffcULL } }, /* 97 helpers */
	{ 14, { 0x0094cce80643d3eeULL, 0x296f260863f10100ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 97 helpers */
	{ 15, { 0x008004280243d1eeULL, 0x296f260063830000ULL, 0x80739e307630207cULL, 0x00000000000f0fecULL } }, /* 76 helpers */
	{ 16, { 0xf08004280243d1eeULL, 0x2d6f3e006f810080ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 93 helpers */
	{ 17, { 0x008024280a43d1feULL, 0x296f260063810008ULL, 0x8073fe307630207cULL, 0x00000000000f0fecULL } }, /* 81 helpers */
	{ 18, { 0x028244280243d1eeULL, 0x2d6f3e0863f30001ULL, 0x8c779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 97 helpers */
	{ 19, { 0x008004ae1743d1eeULL, 0x296f260063811c00ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 92 helpers */
	{ 21, { 0x008044280443d1eeULL, 0x296f260063850010ULL, 0x80739e317630207cULL, 0x00000000000f0fecULL } }, /* 79 helpers */
	{ 22, { 0x008004280443d1eeULL, 0x296f260063810000ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 83 helpers */
	{ 23, { 0x008004280243d1eeULL, 0x296f27e063830000ULL, 0x80739e317630207cULL, 0x00000000000f0fecULL } }, /* 81 helpers */
	{ 24, { 0x008024280a43d1feULL, 0x296f260063810008ULL, 0x8073fe307630207cULL, 0x00000000000f0fecULL } }, /* 81 helpers */
	{ 30, { 0x008004280243d1eeULL, 0x396f260063c10000ULL, 0x80779e3176303f7cULL, 0x00000000000f0ffcULL } }, /* 85 helpers */
	{ 31, { 0x008064280a43d1feULL, 0x2b6fbe0063810008ULL, 0x907fbff476383f7cULL, 0x00000000000f0ffcULL } }, /* 99 helpers */
};

int progtype_helper_allowed(uint32_t prog_type, int32_t func_id)
{
	if (prog_type == 26 /* BPF_PROG_TYPE_TRACING */)
		prog_type = 2; /* BPF_PROG_TYPE_KPROBE */
	if (func_id < 0 || func_id >= 256)
		return 0;
	for (unsigned i = 0; i < sizeof(helper_sets) / sizeof(helper_sets[0]); i++)
		if (helper_sets[i].prog_type == prog_type)
			return (int)((helper_sets[i].ids[func_id / 64] >> (func_id % 64)) & 1);
	return -1; /* not observed: the type's own rule decides */
}
