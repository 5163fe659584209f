# fuzz.mk - libFuzzer targets: one binary per tests/fuzz/fuzz_*.c, with every library source (src/ but src/cli/)
# compiled in, built with clang -fsanitize=fuzzer,address,undefined into build-fuzz/. Run: build-fuzz/fuzz_elf CORPUS
# (-fno-sanitize=function: JIT images are called through function pointers and carry no type signature before
# their entry, which clang's check would read)
CLANG_FUZZ ?= clang-19
FUZZ_BUILD ?= build-fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_SRCS := $(filter-out src/cli/%,$(shell find src -name '*.c' | sort))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize=function -Iinclude -Isrc -Itests \
	-Wno-unused-parameter
FUZZ_LDLIBS := -lelf -lz -lpcap -lcapstone -lpthread -lm

all: $(FUZZ_BINS)

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(@D)
	$(CLANG_FUZZ) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS) $(FUZZ_LDLIBS)
