/* test_kernel_oracle.c - self-test of tests/lib/kernel.c: load, log, test run, SYSCALL ctx, maps, log parsing */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/insn.h"
#include "lib/harness.h"
#include "lib/kernel.h"

static void test_log_parsing(void)
{
	char buf[128];
	const char *log = "0: (b7) r0 = 0\n1: (95) exit\nR0 !read_ok\n\nprocessed 2 insns (limit 1000000) "
			  "max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\nverification time 5 usec\n"
			  "stack depth 0\n";
	CHECK(!strcmp(kernel_log_error_line(log, buf, sizeof(buf)), "R0 !read_ok"), "log_error_line skips stats");
	CHECK(kernel_log_insns_processed(log) == 2, "log_insns_processed");
	CHECK(!strcmp(kernel_log_error_line("", buf, sizeof(buf)), ""), "log_error_line empty log");
	CHECK(!strcmp(kernel_log_error_line("abc", buf, 3), "ab"), "log_error_line truncates");
	CHECK(kernel_log_insns_processed("nothing") == -1, "log_insns_processed absent");
	CHECK(!strcmp(kernel_errno_name(-EACCES), "EACCES"), "errno_name");
}

static void test_load_and_run(void)
{
	const struct bpf_insn ok[] = { BPFVM_MOV64_IMM(0, 42), BPFVM_EXIT() };
	const struct bpf_insn bad[] = { BPFVM_EXIT() };
	char log[65536], line[256];
	unsigned char data[64] = { 0 }, out[256];
	struct kernel_load_opts o = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insns = ok, .insn_cnt = 2,
				      .log_level = 1, .log_buf = log, .log_size = sizeof(log) };
	int fd = kernel_prog_load(&o);

	CHECK(fd >= 0, "load accepted (fd %d)", fd);
	CHECK(kernel_log_insns_processed(log) == 2, "log kept on success");
	if (fd >= 0) {
		struct kernel_run_opts r = { .data_in = data, .data_size_in = sizeof(data), .data_out = out,
					     .data_size_out = sizeof(out), .repeat = 10 };
		int err = kernel_prog_test_run(fd, &r);
		CHECK(err == 0 && r.retval == 42, "test_run retval 42 (err %d retval %u)", err, r.retval);
		CHECK(err == 0 && r.data_size_out == sizeof(data), "test_run data_size_out (%u)", r.data_size_out);
		close(fd);
	}

	o.insns = bad;
	o.insn_cnt = 1;
	fd = kernel_prog_load(&o);
	CHECK(fd == -EACCES, "load rejected with -EACCES (%d)", fd);
	kernel_log_error_line(log, line, sizeof(line));
	CHECK(!strcmp(line, "R0 !read_ok"), "error line 'R0 !read_ok' (got '%s')", line);

	/* log_level 0 with a buffer: silent load, retried with a log on failure */
	o.log_level = 0;
	fd = kernel_prog_load(&o);
	kernel_log_error_line(log, line, sizeof(line));
	CHECK(fd == -EACCES && !strcmp(line, "R0 !read_ok"), "log_level 0 retry fills the log (%d '%s')", fd, line);
	if (fd >= 0)
		close(fd);
}

/* BPF_PROG_TYPE_SYSCALL: sleepable, ctx written back into ctx_in */
static void test_syscall_ctx(void)
{
	const struct bpf_insn prog[] = {
		BPFVM_LD_IMM64(2, 0x1122334455667788ULL),
		BPFVM_STX_MEM(BPF_DW, 1, 2, 8),
		BPFVM_LDX_MEM(BPF_DW, 3, 1, 0),
		BPFVM_ALU64_IMM(BPF_ADD, 3, 1),
		BPFVM_STX_MEM(BPF_DW, 1, 3, 0),
		BPFVM_MOV64_IMM(0, 7),
		BPFVM_EXIT(),
	};
	char log[65536], line[256];
	uint64_t ctx[2] = { 41, 0 };
	struct kernel_load_opts o = { .prog_type = BPF_PROG_TYPE_SYSCALL, .prog_flags = BPF_F_SLEEPABLE,
				      .insns = prog, .insn_cnt = sizeof(prog) / sizeof(prog[0]),
				      .log_buf = log, .log_size = sizeof(log) };
	int fd = kernel_prog_load(&o);

	kernel_log_error_line(log, line, sizeof(line));
	CHECK(fd >= 0, "syscall prog loads (%d %s)", fd, line);
	if (fd < 0)
		return;
	struct kernel_run_opts r = { .ctx_in = ctx, .ctx_size_in = sizeof(ctx) };
	int err = kernel_prog_test_run(fd, &r);
	CHECK(err == 0 && r.retval == 7, "syscall test_run retval (err %d retval %u)", err, r.retval);
	CHECK(ctx[0] == 42 && ctx[1] == 0x1122334455667788ULL, "syscall ctx written back into ctx_in");

	/* what 6.18's bpf_prog_test_run_syscall() refuses: ctx_out, repeat, a ctx smaller than the program reads */
	uint64_t out[2];
	struct kernel_run_opts bad = { .ctx_in = ctx, .ctx_size_in = sizeof(ctx), .ctx_out = out,
				       .ctx_size_out = sizeof(out) };
	CHECK(kernel_prog_test_run(fd, &bad) == -EINVAL, "syscall test_run refuses ctx_out");
	bad = (struct kernel_run_opts){ .ctx_in = ctx, .ctx_size_in = sizeof(ctx), .repeat = 2 };
	CHECK(kernel_prog_test_run(fd, &bad) == -EINVAL, "syscall test_run refuses repeat");
	bad = (struct kernel_run_opts){ .ctx_in = ctx, .ctx_size_in = 8 };
	CHECK(kernel_prog_test_run(fd, &bad) == -EINVAL, "syscall test_run refuses a ctx smaller than it reads");
	close(fd);

	o.prog_flags = 0;
	fd = kernel_prog_load(&o);
	kernel_log_error_line(log, line, sizeof(line));
	CHECK(fd == -EINVAL && !strcmp(line, "Syscall programs can only be sleepable"),
	      "syscall prog without BPF_F_SLEEPABLE refused (%d '%s')", fd, line);
	if (fd >= 0)
		close(fd);
}

static void test_maps(void)
{
	uint32_t k, nk, v;
	int fd = kernel_map_create(BPF_MAP_TYPE_HASH, 4, 4, 8, 0);

	CHECK(fd >= 0, "map create (%d)", fd);
	if (fd < 0)
		return;
	k = 1, v = 100;
	CHECK(kernel_map_update(fd, &k, &v, BPF_ANY) == 0, "map update");
	CHECK(kernel_map_update(fd, &k, &v, BPF_NOEXIST) == -EEXIST, "map update NOEXIST -EEXIST");
	v = 0;
	CHECK(kernel_map_lookup(fd, &k, &v) == 0 && v == 100, "map lookup");
	CHECK(kernel_map_get_next_key(fd, NULL, &nk) == 0 && nk == 1, "map get_next_key first");
	CHECK(kernel_map_get_next_key(fd, &k, &nk) == -ENOENT, "map get_next_key last -ENOENT");
	v = 0;
	CHECK(kernel_map_lookup_and_delete(fd, &k, &v) == 0 && v == 100, "map lookup_and_delete");
	CHECK(kernel_map_lookup(fd, &k, &v) == -ENOENT, "map lookup missing -ENOENT");
	v = 5;
	kernel_map_update(fd, &k, &v, BPF_ANY);
	CHECK(kernel_map_delete(fd, &k) == 0 && kernel_map_delete(fd, &k) == -ENOENT, "map delete");
	close(fd);
	CHECK(kernel_map_create(BPF_MAP_TYPE_ARRAY, 3, 4, 1, 0) == -EINVAL, "array map with key_size 3 -EINVAL");
}

int main(void)
{
	char why[128];

	test_log_parsing();
	if (!kernel_bpf_available(why, sizeof(why))) {
		t_skip("kernel oracle: %s", why);
		return t_done();
	}
	test_load_and_run();
	test_syscall_ctx();
	test_maps();
	return t_done();
}
