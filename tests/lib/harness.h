/* harness.h - the test protocol: each check prints PASS/FAIL/SKIP lines that tests/run.sh counts */
#ifndef BPFVM_TESTS_HARNESS_H
#define BPFVM_TESTS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Lines, one per test case, on stdout:
 *   PASS name
 *   FAIL name: why
 *   SKIP name: why        (never counted as passed)
 * t_done() prints nothing and returns the exit status: 1 if anything failed.
 */
void t_pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void t_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void t_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int t_done(void);
int t_failures(void);

/* CHECK(cond, "name %d", i): PASS or FAIL (with the condition's text) under that name */
#define CHECK(cond, ...)                                                                                        \
	do {                                                                                                    \
		if (cond)                                                                                       \
			t_pass(__VA_ARGS__);                                                                    \
		else                                                                                            \
			t_fail_expr(#cond, __FILE__, __LINE__, __VA_ARGS__);                                    \
	} while (0)
void t_fail_expr(const char *expr, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The seed of a randomized test: BPFVM_SEED from the environment if set, else the time. Prints
 * "seed: N (replay with BPFVM_SEED=N)" on stderr so any failure can be replayed.
 */
uint64_t t_seed(const char *test_name);

/* xorshift64* generator, deterministic from its state */
static inline uint64_t t_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* a count from the environment (e.g. BPFVM_DIFF_COUNT), else def */
long t_env_count(const char *var, long def);

/* true under SAN=1 (tests shrink exhaustive sweeps) */
bool t_sanitized(void);

#endif
