# Makefile - builds build/bpfvm, build/libbpfvm.a, build/libbpfvm.so; `make check` runs every test
#
#   make demo       build and run the demo (scripts/demo.sh)
#   make            build the command and the libraries (installs missing Debian packages first, as root)
#   make check      build and run the whole test suite; ends with `N passed, N failed, N skipped`
#   make check SAN=1   the same under ASan+UBSan (in build-san/)
#   make bench      run the benchmarks (bench/), printing ratios
#   make fuzz       build the libFuzzer targets (tests/fuzz/) with clang
#   make install PREFIX=/usr/local
#
# Sources are found by wildcard: a new src/<module>/*.c joins the library, a new tests/<module>/test_*.c
# becomes a test program, a new tests/**/test_*.sh a test script. Nothing here needs editing for that.

CC ?= cc
CLANG_BPF ?= clang-19
PREFIX ?= /usr/local
SAN ?= 0

ifeq ($(SAN),1)
BUILD ?= build-san
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
else
BUILD ?= build
OPT := -O2
LDSAN :=
endif

CFLAGS_BASE := -std=gnu11 -g $(OPT) -Wall -Wextra -Wno-unused-parameter -fPIC -Iinclude -Isrc -Itests $(EXTRA_CFLAGS)
LDLIBS := -lelf -lz -lpcap -lcapstone -lpthread -lm

LIB_SRCS := $(filter-out src/cli/%,$(shell find src -name '*.c' | sort))
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(shell find tests -path tests/fuzz -prune -o -name 'test_*.c' -print | sort)
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)
BPF_SRCS := $(shell find examples tests bench -name '*.bpf.c' 2>/dev/null | sort)
BPF_OBJS := $(BPF_SRCS:%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%)

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all check bench fuzz install clean deps demo
.SECONDARY:
all: $(BUILD)/bpfvm $(BUILD)/libbpfvm.a $(BUILD)/libbpfvm.so $(BPF_OBJS)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(@D)
	@scripts/deps.sh
	@touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -MMD -MP -c $< -o $@

$(BUILD)/libbpfvm.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libbpfvm.so: $(LIB_OBJS)
	$(CC) -shared $(LDSAN) -o $@ $^ $(LDLIBS)

$(BUILD)/bpfvm: $(CLI_OBJS) $(BUILD)/libbpfvm.a
	$(CC) $(LDSAN) -o $@ $(CLI_OBJS) $(BUILD)/libbpfvm.a $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(TESTLIB_OBJS) $(BUILD)/libbpfvm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Itests -o $@ $< $(TESTLIB_OBJS) $(BUILD)/libbpfvm.a $(LDSAN) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(TESTLIB_OBJS) $(BUILD)/libbpfvm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Itests -o $@ $< $(TESTLIB_OBJS) $(BUILD)/libbpfvm.a $(LDSAN) $(LDLIBS)

# BPF C programs: clang's BPF target, v4 ISA, BTF, libbpf's headers
$(BUILD)/bpf/%.bpf.o: %.bpf.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG_BPF) -O2 -g --target=bpf -mcpu=v4 -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -Iinclude \
		-c $< -o $@

demo: all
	@BUILD=$(BUILD) scripts/demo.sh

check: all $(TEST_BINS) $(BENCH_BINS)
	@BUILD=$(BUILD) SAN=$(SAN) tests/run.sh

bench: all $(BENCH_BINS)
	@BUILD=$(BUILD) bench/run.sh

fuzz: | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/bpfvm \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/bpfvm $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libbpfvm.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libbpfvm.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/bpfvm/*.h $(DESTDIR)$(PREFIX)/include/bpfvm/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|'"$$(sed -n 's/.*BPFVM_VERSION "\(.*\)".*/\1/p' include/bpfvm/bpfvm.h)"'|' \
		scripts/bpfvm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bpfvm.pc

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# fuzz-jit: the JIT-vs-interpreter differential on 1,000,000 generated programs (BPFVM_SEED=N replays a run)
FUZZ_JIT_COUNT ?= 1000000
.PHONY: fuzz-jit
fuzz-jit: $(BUILD)/tests/jit/test_jit_vs_interp
	BPFVM_JIT_DIFF_COUNT=$(FUZZ_JIT_COUNT) $(BUILD)/tests/jit/test_jit_vs_interp
# the interpreter-vs-kernel differential at fuzzing scale (tests/diff/test_interp_kernel.c; needs bpf())
.PHONY: fuzz-kernel
fuzz-kernel: all $(BUILD)/tests/diff/test_interp_kernel
	BPFVM_DIFF_COUNT=$${BPFVM_DIFF_COUNT:-100000} $(BUILD)/tests/diff/test_interp_kernel

# fuzz-maps: bpfvm's maps against the kernel's at 100,000 random operations per map type (needs bpf())
.PHONY: fuzz-maps
fuzz-maps: $(BUILD)/tests/diff/test_maps_kernel $(BUILD)/tests/diff/test_fdmaps_kernel
	BPFVM_MAP_OPS=$${BPFVM_MAP_OPS:-100000} $(BUILD)/tests/diff/test_maps_kernel
	BPFVM_MAP_OPS=$${BPFVM_MAP_OPS:-100000} $(BUILD)/tests/diff/test_fdmaps_kernel

# fuzz-verifier-kernel: bpfvm's verifier against the kernel's verdicts on 100,000 generated programs (needs bpf())
.PHONY: fuzz-verifier-kernel
fuzz-verifier-kernel: $(BUILD)/tests/diff/test_verifier_kernel
	BPFVM_VDIFF_COUNT=$${BPFVM_VDIFF_COUNT:-100000} $(BUILD)/tests/diff/test_verifier_kernel

# fuzz-soundness: programs bpfvm's verifier accepts, run strictly checked on random inputs; 2,000,000 generated
# programs give about 1,000,000 accepted ones
.PHONY: fuzz-soundness
fuzz-soundness: $(BUILD)/tests/verifier/test_soundness
	BPFVM_SOUND_COUNT=$${BPFVM_SOUND_COUNT:-2000000} $(BUILD)/tests/verifier/test_soundness

# fuzz-cbpf: 1,000,000 generated (classic program, packet) pairs through the classic interpreter, the translation on
# bpfvm's interpreter and JIT, and libpcap's bpf_filter()
.PHONY: fuzz-cbpf
fuzz-cbpf: $(BUILD)/tests/cbpf/test_xlat
	BPFVM_CBPF_PAIRS=$${BPFVM_CBPF_PAIRS:-1000000} $(BUILD)/tests/cbpf/test_xlat

# tsan: the threaded map test (tests/maps/test_threads.c) with the library built under ThreadSanitizer
TSAN_LIB_SRCS := $(filter-out src/cli/%,$(shell find src -name '*.c' | sort))
.PHONY: tsan
tsan:
	@mkdir -p build-tsan
	$(CC) -std=gnu11 -g -O1 -fsanitize=thread -Iinclude -Isrc -Itests -Wno-unused-parameter \
		-o build-tsan/test_threads tests/maps/test_threads.c tests/lib/harness.c $(TSAN_LIB_SRCS) \
		-lelf -lz -lpcap -lcapstone -lpthread -lm
	build-tsan/test_threads
