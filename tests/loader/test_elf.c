/* test_elf.c - the loader on real objects (test programs, examples, the verifier corpus) and on bad input */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
#include "lib/harness.h"

struct buf {
	uint8_t *p;
	size_t n;
};

static struct buf slurp(const char *path)
{
	struct buf b = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return b;
	fseek(f, 0, SEEK_END);
	b.n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.p = malloc(b.n ? b.n : 1);
	if (fread(b.p, 1, b.n, f) != b.n)
		b.n = 0;
	fclose(f);
	return b;
}

static const char *build_dir(void)
{
	const char *b = getenv("BUILD");
	return b ? b : "build";
}

static struct bpfvm_object *open_path(const char *rel, struct bpfvm_log *log)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bpf/%s", build_dir(), rel);
	BPFVM_OPTS(bpfvm_object_open_opts, o, .log = log);
	return bpfvm_object__open_file(path, &o);
}

static int prog_idx(const struct bpfvm_object *obj, const char *name, struct bpfvm_object_prog_info *pi)
{
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		bpfvm_object__prog_info(obj, i, pi);
		if (!strcmp(pi->name, name))
			return i;
	}
	return -1;
}

static int map_idx(const struct bpfvm_object *obj, const char *name, struct bpfvm_object_map_info *mi)
{
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		bpfvm_object__map_info(obj, i, mi);
		if (!strcmp(mi->name, name) || !strcmp(mi->real_name, name))
			return i;
	}
	return -1;
}

static void test_globals(void)
{
	struct bpfvm_log log = { 0 };
	struct bpfvm_object *obj = open_path("tests/loader/progs/globals_subprog.bpf.o", &log);
	CHECK(obj, "globals: open (%s)", log.last_error);
	if (!obj)
		return;
	struct bpfvm_object_map_info mi;
	CHECK(map_idx(obj, "globals_.rodata", &mi) >= 0 && mi.map_flags == 0x480 && mi.value_size == 4 &&
		      mi.init_data && *(const uint32_t *)mi.init_data == 3,
	      "globals: .rodata map named as libbpf names it, read-only, initial value 3");
	CHECK(map_idx(obj, ".data", &mi) >= 0 && !strcmp(mi.name, "globals_.data") && *(const uint32_t *)mi.init_data == 10,
	      "globals: .data initial value");
	CHECK(map_idx(obj, ".bss", &mi) >= 0 && mi.value_size == 8 && mi.init_data && !*(const uint64_t *)mi.init_data,
	      "globals: .bss is a zeroed array map");
	CHECK(map_idx(obj, ".data.custom", &mi) >= 0 && !strcmp(mi.name, ".data.custom") &&
		      *(const uint32_t *)mi.init_data == 7,
	      "globals: custom .data.custom section keeps its own name");
	struct bpfvm_object_prog_info pi;
	CHECK(prog_idx(obj, "globals", &pi) >= 0 && pi.prog_type == BPF_PROG_TYPE_SOCKET_FILTER, "globals: socket prog");
	/* both subprograms appended: pseudo calls land on exits-terminated functions after the main body */
	int calls = 0, bad = 0, values = 0;
	for (size_t i = 0; i < pi.insn_cnt; i++) {
		const struct bpf_insn *in = &pi.insns[i];
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) {
			long t = (long)i + in->imm + 1;
			calls++;
			bad += t <= (long)i || t >= (long)pi.insn_cnt;
		}
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_MAP_VALUE)
			values++;
	}
	CHECK(calls == 2 && !bad, "globals: 2 subprogram calls resolved inside the program (%d, %d bad)", calls, bad);
	CHECK(values >= 4, "globals: global variable references are map-value LD_IMM64 (%d)", values);
	CHECK(pi.func_info_cnt == 3 && pi.func_info[0].insn_off == 0 && pi.line_info_cnt > 5,
	      "globals: func_info for main + 2 subprograms, line_info moved along");
	CHECK(!strcmp(bpfvm_object__license(obj), "GPL"), "globals: license");
	char line[256] = "";
	int n = pi.line_info_cnt ? bpfvm_object__format_line_info(obj, &pi.line_info[0], line, sizeof(line)) : -1;
	CHECK(n > 0 && !strncmp(line, "; ", 2) && strstr(line, " @ globals_subprog.bpf.c:"),
	      "globals: first line info formats as the kernel log's source line ('%s')", line);
	bpfvm_object__close(obj);
}

static void test_btf_maps(void)
{
	struct bpfvm_log log = { 0 };
	struct bpfvm_object *obj = open_path("tests/loader/progs/maps_btf.bpf.o", &log);
	CHECK(obj, "btf maps: open (%s)", log.last_error);
	if (!obj)
		return;
	struct bpfvm_object_map_info mi, inner;
	CHECK(map_idx(obj, "arr", &mi) >= 0 && mi.type == BPF_MAP_TYPE_ARRAY && mi.key_size == 4 && mi.value_size == 8 &&
		      mi.max_entries == 4 && mi.btf_key_type_id && mi.btf_value_type_id,
	      "btf maps: array from __uint/__type");
	CHECK(map_idx(obj, "outer", &mi) >= 0 && mi.type == BPF_MAP_TYPE_ARRAY_OF_MAPS && mi.inner_map_idx >= 0 &&
		      mi.nslots == 2 && !bpfvm_object__map_info(obj, mi.inner_map_idx, &inner) &&
		      inner.type == BPF_MAP_TYPE_ARRAY && inner.value_size == 4,
	      "btf maps: map-in-map with inner template and 2 initial slots");
	int p = -1;
	struct bpfvm_object_prog_info pi;
	CHECK(map_idx(obj, "jmp", &mi) >= 0 && mi.type == BPF_MAP_TYPE_PROG_ARRAY && mi.nslots == 1 &&
		      mi.slots[0].slot == 1 && (p = mi.slots[0].prog_idx) >= 0 && !bpfvm_object__prog_info(obj, p, &pi) &&
		      !strcmp(pi.name, "tail_target"),
	      "btf maps: prog array slot 1 = tail_target");
	bpfvm_object__close(obj);
}

static void test_sections(void)
{
	char path[512];
	struct bpfvm_log log = { 0 };
	struct bpfvm_object *obj = open_path("tests/loader/progs/multi_prog.bpf.o", &log);
	CHECK(obj, "multi: open (%s)", log.last_error);
	if (!obj)
		return;
	struct bpfvm_object_prog_info pi;
	CHECK(bpfvm_object__prog_cnt(obj) == 4, "multi: 4 programs");
	CHECK(prog_idx(obj, "third", &pi) >= 0 && pi.prog_type == BPF_PROG_TYPE_XDP && pi.expected_attach_type == BPF_XDP,
	      "multi: xdp type and attach type");
	CHECK(prog_idx(obj, "not_autoloaded", &pi) >= 0 && !pi.autoload && !strcmp(pi.sec_name, "?socket"),
	      "multi: SEC(\"?socket\") is not loaded automatically");
	CHECK(!bpfvm_object__find_prog_by_name(obj, "first"), "multi: no runnable program before load");
	CHECK(!bpfvm_object__set_autoload(obj, "not_autoloaded", true) && prog_idx(obj, "not_autoloaded", &pi) >= 0 &&
		      pi.autoload && bpfvm_object__set_autoload(obj, "nope", true) == -ENOENT,
	      "multi: set_autoload");
	int lerr = bpfvm_object__load(obj);
	struct bpfvm_prog *bp = bpfvm_object__find_prog_by_name(obj, "second");
	CHECK(!lerr && bp && bpfvm_object__find_prog_by_name(obj, "not_autoloaded") &&
		      bpfvm_object__set_autoload(obj, "first", false) == -EBUSY && bpfvm_object__load(obj) == -EINVAL,
	      "multi: load makes every autoload program (load %d)", lerr);
	bpfvm_object__close(obj);
	obj = open_path("tests/loader/progs/cgroup_count.bpf.o", &log);
	CHECK(obj && prog_idx(obj, "count_ingress", &pi) >= 0 && pi.prog_type == BPF_PROG_TYPE_CGROUP_SKB &&
		      pi.expected_attach_type == BPF_CGROUP_INET_INGRESS,
	      "cgroup_skb/ingress: type and attach type");
	bpfvm_object__close(obj);
	obj = open_path("tests/loader/progs/core_read.bpf.o", &log);
	CHECK(obj && prog_idx(obj, "core_read", &pi) >= 0, "core: open (%s)", log.last_error);
	if (obj) {
		/* offsets of iphdr.daddr (16) and sizeof saddr (4) come from the kernel's BTF when it is there */
		FILE *f = fopen("/sys/kernel/btf/vmlinux", "r");
		if (f) {
			fclose(f);
			CHECK(pi.insns[0].imm == 16 && pi.insns[2].imm == 4, "core: field offset and size relocated (%d, %d)",
			      pi.insns[0].imm, pi.insns[2].imm);
		} else {
			t_skip("core: no /sys/kernel/btf/vmlinux");
		}
	}
	bpfvm_object__close(obj);
	/* the same object against another target BTF (an ELF object's .BTF): daddr at 28, saddr 2 bytes wide,
	 * tos exists, RINGBUF = 42 */
	char target[512];
	snprintf(target, sizeof(target), "%s/bpf/tests/loader/progs/core_target.bpf.o", build_dir());
	snprintf(path, sizeof(path), "%s/bpf/tests/loader/progs/core_read.bpf.o", build_dir());
	BPFVM_OPTS(bpfvm_object_open_opts, o2, .log = &log, .btf_custom_path = target);
	obj = bpfvm_object__open_file(path, &o2);
	CHECK(obj && prog_idx(obj, "core_read", &pi) >= 0 && pi.insns[0].imm == 28 && pi.insns[2].imm == 2 &&
		      pi.insns[8].imm == 1 && pi.insns[14].imm == 42,
	      "core: relocated against a custom target BTF (%d %d %d %d)", obj ? pi.insns[0].imm : -1,
	      obj ? pi.insns[2].imm : -1, obj ? pi.insns[8].imm : -1, obj ? pi.insns[14].imm : -1);
	bpfvm_object__close(obj);
}

static const char *const all_objs[] = {
	"tests/loader/progs/globals_subprog.bpf.o", "tests/loader/progs/maps_btf.bpf.o", "tests/loader/progs/xdp_parse.bpf.o",
	"tests/loader/progs/tc_mark.bpf.o", "tests/loader/progs/cgroup_count.bpf.o", "tests/loader/progs/loop_csum.bpf.o",
	"tests/loader/progs/bpf_loop.bpf.o", "tests/loader/progs/hash_ops.bpf.o", "tests/loader/progs/percpu.bpf.o",
	"tests/loader/progs/lru.bpf.o", "tests/loader/progs/lpm.bpf.o", "tests/loader/progs/queue_stack.bpf.o",
	"tests/loader/progs/ringbuf.bpf.o", "tests/loader/progs/bloom.bpf.o", "tests/loader/progs/legacy_maps.bpf.o",
	"tests/loader/progs/rodata_const.bpf.o", "tests/loader/progs/alu_v4.bpf.o", "tests/loader/progs/atomics.bpf.o",
	"tests/loader/progs/core_read.bpf.o", "tests/loader/progs/helpers_misc.bpf.o", "tests/loader/progs/syscall_ctx.bpf.o",
	"tests/loader/progs/raw_tp_args.bpf.o", "tests/loader/progs/ld_abs.bpf.o", "tests/loader/progs/for_each.bpf.o",
	"tests/loader/progs/multi_prog.bpf.o", "tests/loader/progs/deep_calls.bpf.o", "tests/loader/progs/kconfig.bpf.o", "tests/loader/progs/skb_fields.bpf.o", "tests/loader/progs/flow_dissector.bpf.o",
	"examples/packet_counter/packet_counter.bpf.o", "examples/histogram/histogram.bpf.o",
	"examples/ringbuf_events/events.bpf.o", "examples/globals_subprogs/globals.bpf.o",
	"examples/tail_calls/tail_calls.bpf.o",
};
#define NOBJS (sizeof(all_objs) / sizeof(all_objs[0]))

static void test_open_all(void)
{
	for (size_t i = 0; i < NOBJS; i++) {
		struct bpfvm_log log = { 0 };
		struct bpfvm_object *obj = open_path(all_objs[i], &log);
		CHECK(obj && bpfvm_object__prog_cnt(obj) > 0, "open %s (%s)", all_objs[i], obj ? "" : log.last_error);
		bpfvm_object__close(obj);
	}
}

/* ---- bad input: every case fails with one error line naming what is wrong, never crashes ---- */

static int elf_sec_off(const struct buf *b, const char *name, size_t *off, size_t *size)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)b->p, b->n);
	size_t shstrndx;
	int found = -1;
	if (!e || elf_getshdrstrndx(e, &shstrndx))
		return -1;
	for (Elf_Scn *s = NULL; (s = elf_nextscn(e, s));) {
		GElf_Shdr sh;
		gelf_getshdr(s, &sh);
		const char *n = elf_strptr(e, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name)) {
			*off = sh.sh_offset;
			*size = sh.sh_size;
			found = 0;
		}
	}
	elf_end(e);
	return found;
}

static void expect_bad(const char *name, const struct buf *b, const char *want)
{
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log, .object_name = "bad");
	struct bpfvm_object *obj = bpfvm_object__open_mem(b->p, b->n, &o);
	int e = errno;
	if (obj) {
		t_fail("bad input %s: accepted", name);
		bpfvm_object__close(obj);
		return;
	}
	CHECK(e > 0 && log.last_error[0] && (!want || strstr(log.last_error, want)) && !strchr(log.last_error, '\n'),
	      "bad input %s: '%s'", name, log.last_error);
}

static void test_bad_input(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bpf/tests/loader/progs/maps_btf.bpf.o", build_dir());
	struct buf orig = slurp(path), b;
	if (!orig.n) {
		t_fail("bad input: cannot read %s", path);
		return;
	}
	size_t off, size;
	/* truncated files */
	static const size_t cuts[] = { 0, 3, 16, 63, 64, 200, 1000 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		b = (struct buf){ malloc(orig.n), cuts[i] };
		memcpy(b.p, orig.p, orig.n);
		char nm[64];
		snprintf(nm, sizeof(nm), "truncated to %zu bytes", cuts[i]);
		if (cuts[i] == 0) {
			struct bpfvm_log log = { 0 };
			BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log);
			CHECK(!bpfvm_object__open_mem(b.p, 0, &o) && errno == EINVAL && log.last_error[0], "bad input %s", nm);
		} else {
			expect_bad(nm, &b, NULL);
		}
		free(b.p);
	}
	b = (struct buf){ malloc(orig.n), orig.n - orig.n / 3 };
	memcpy(b.p, orig.p, orig.n);
	expect_bad("truncated by a third", &b, NULL);
	free(b.p);
	/* corrupted BTF magic */
	b = (struct buf){ malloc(orig.n), orig.n };
	memcpy(b.p, orig.p, orig.n);
	if (!elf_sec_off(&b, ".BTF", &off, &size)) {
		b.p[off] ^= 0xff;
		expect_bad("bad BTF magic", &b, ".BTF");
		memcpy(b.p, orig.p, orig.n);
		uint32_t huge = 0x7fffffff; /* type_len */
		memcpy(b.p + off + 12, &huge, 4);
		expect_bad("BTF type section past the end", &b, ".BTF");
	} else {
		t_fail("bad input: no .BTF in %s", path);
	}
	/* relocation outside its section */
	memcpy(b.p, orig.p, orig.n);
	if (!elf_sec_off(&b, ".relsocket", &off, &size) && size >= 16) {
		uint64_t r_off = 1 << 20;
		memcpy(b.p + off, &r_off, 8);
		expect_bad("relocation outside the section", &b, "outside the section");
		memcpy(b.p, orig.p, orig.n);
		uint64_t info;
		memcpy(&info, b.p + off + 8, 8);
		info = (info & 0xffffffffull) | (0xfffffull << 32); /* symbol index beyond .symtab */
		memcpy(b.p + off + 8, &info, 8);
		expect_bad("relocation against a missing symbol", &b, "symbol");
	} else {
		t_fail("bad input: no .relsocket in %s", path);
	}
	free(b.p);
	free(orig.p);

	/* unknown program section: rename "socket" to "sockez" in the section name table */
	snprintf(path, sizeof(path), "%s/bpf/tests/loader/progs/loop_csum.bpf.o", build_dir());
	orig = slurp(path);
	b = (struct buf){ malloc(orig.n), orig.n };
	memcpy(b.p, orig.p, orig.n);
	if (!elf_sec_off(&b, ".strtab", &off, &size)) {
		for (size_t i = off; i + 7 < off + size; i++)
			if (!memcmp(b.p + i, "socket", 7))
				memcpy(b.p + i, "sockez", 7);
		expect_bad("unknown section", &b, "unknown program section");
	}
	free(b.p);
	free(orig.p);

	/* zero-size map definitions: a legacy map with value_size 0 */
	snprintf(path, sizeof(path), "%s/bpf/tests/loader/progs/legacy_maps.bpf.o", build_dir());
	orig = slurp(path);
	b = (struct buf){ malloc(orig.n), orig.n };
	memcpy(b.p, orig.p, orig.n);
	if (!elf_sec_off(&b, "maps", &off, &size) && size >= 20) {
		memset(b.p + off + 8, 0, 4);
		expect_bad("legacy map with value_size 0", &b, "map 'counters': value_size is zero");
		memcpy(b.p, orig.p, orig.n);
		memset(b.p + off + 12, 0, 4);
		expect_bad("legacy map with max_entries 0", &b, "map 'counters': max_entries is zero");
	} else {
		t_fail("bad input: no maps section in %s", path);
	}
	free(b.p);
	free(orig.p);

	/* not ELF at all */
	uint8_t junk[256];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = i * 37;
	b = (struct buf){ junk, sizeof(junk) };
	expect_bad("random bytes", &b, "not an ELF file");
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log);
	CHECK(!bpfvm_object__open_file("/nonexistent/x.o", &o) && errno == ENOENT && strstr(log.last_error, "x.o"),
	      "bad input: missing file is ENOENT naming it");
	CHECK(!bpfvm_object__open_file("/tmp", &o) && errno == EINVAL, "bad input: a directory");
}

/* seeded random corruption of every object: open either works or fails cleanly (ASan/UBSan watch the rest) */
static void test_corruption(void)
{
	uint64_t st = t_seed("loader corruption");
	long rounds = t_env_count("BPFVM_CORRUPT_COUNT", t_sanitized() ? 40 : 150);
	long opened = 0, failed = 0, silent = 0;
	for (size_t i = 0; i < NOBJS; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/bpf/%s", build_dir(), all_objs[i]);
		struct buf orig = slurp(path);
		if (!orig.n)
			continue;
		uint8_t *p = malloc(orig.n);
		for (long r = 0; r < rounds; r++) {
			memcpy(p, orig.p, orig.n);
			int flips = 1 + t_rand(&st) % 8;
			for (int k = 0; k < flips; k++)
				p[t_rand(&st) % orig.n] ^= 1u << (t_rand(&st) % 8);
			struct bpfvm_log log = { 0 };
			BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log);
			struct bpfvm_object *obj = bpfvm_object__open_mem(p, orig.n, &o);
			if (obj) {
				opened++;
				for (size_t j = 0; j < bpfvm_object__prog_cnt(obj); j++) {
					struct bpfvm_object_prog_info pi;
					bpfvm_object__prog_info(obj, j, &pi);
				}
				bpfvm_object__close(obj);
			} else {
				failed++;
				if (!log.last_error[0] && !silent++)
					fprintf(stderr, "silent rejection: %s round %ld errno %d\n", all_objs[i], r, errno);
			}
		}
		free(p);
		free(orig.p);
	}
	CHECK(silent == 0, "corruption: %ld opened, %ld rejected, %ld rejected without a reason", opened, failed, silent);
}

int main(void)
{
	test_globals();
	test_btf_maps();
	test_sections();
	test_open_all();
	test_bad_input();
	test_corruption();
	return t_done();
}
