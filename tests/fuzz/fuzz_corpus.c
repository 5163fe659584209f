/* fuzz_corpus.c - libFuzzer target: the corpus/verifier record parser and map fixups on arbitrary text */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "verifier/corpus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct corpus_parser p = { .buf = (const char *)data, .len = size };
	struct bpfvm_log log = { 0 };
	struct corpus_record rec;
	int n = 0;

	while (corpus_next(&p, &rec, &log) == 1 && n++ < 64) {
		struct corpus_prog prog;
		if (!corpus_prog_build(&rec, &prog, &log))
			corpus_prog_free(&prog);
		corpus_record_free(&rec);
	}
	return 0;
}
