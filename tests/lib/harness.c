/* harness.c - PASS/FAIL/SKIP reporting, seeds and counts for the test programs */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/harness.h"

static int n_failed;

static void report(const char *tag, const char *fmt, va_list ap)
{
	printf("%s ", tag);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void t_pass(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("PASS", fmt, ap);
	va_end(ap);
}

void t_fail(const char *fmt, ...)
{
	va_list ap;
	n_failed++;
	va_start(ap, fmt);
	report("FAIL", fmt, ap);
	va_end(ap);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("SKIP", fmt, ap);
	va_end(ap);
}

void t_fail_expr(const char *expr, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	n_failed++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": %s:%d: %s\n", file, line, expr);
	fflush(stdout);
}

int t_failures(void)
{
	return n_failed;
}

int t_done(void)
{
	return n_failed ? 1 : 0;
}

uint64_t t_seed(const char *test_name)
{
	const char *s = getenv("BPFVM_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	if (!seed)
		seed = 1;
	fprintf(stderr, "%s: seed: %llu (replay with BPFVM_SEED=%llu)\n", test_name, (unsigned long long)seed,
		(unsigned long long)seed);
	return seed;
}

long t_env_count(const char *var, long def)
{
	const char *s = getenv(var);
	return s && *s ? strtol(s, NULL, 0) : def;
}

bool t_sanitized(void)
{
	const char *s = getenv("SAN");
	return s && s[0] == '1';
}
