/* strtol.c - bpf_strtol and bpf_strtoul: an integer parsed from a buffer that need not be NUL-terminated */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "helpers/impl.h"
#include "interp/run.h"

#define STRTOX_BASE_MASK 0x1fu

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * The kernel's __bpf_strtoull: leading whitespace, an optional '-', then at most 63 characters parsed in base 8,
 * 10 or 16 (0: "0x" is hexadecimal, a leading '0' octal). Returns the characters consumed, -EINVAL (bad flags,
 * no digits) or -ERANGE (more than 64 bits).
 */
static long parse_u64(const char *buf, size_t buf_len, uint64_t flags, uint64_t *res, bool *negative)
{
	unsigned base = (unsigned)(flags & STRTOX_BASE_MASK);
	size_t pos = 0;
	char str[64];

	if (!buf_len || (flags & ~(uint64_t)STRTOX_BASE_MASK) || (base != 0 && base != 8 && base != 10 && base != 16))
		return -EINVAL;
	while (pos < buf_len && is_space(buf[pos]))
		pos++;
	*negative = pos < buf_len && buf[pos] == '-';
	if (*negative)
		pos++;
	if (pos == buf_len)
		return -EINVAL;
	size_t len = buf_len - pos < sizeof(str) - 1 ? buf_len - pos : sizeof(str) - 1;
	memcpy(str, buf + pos, len);
	str[len] = '\0';
	const char *s = str;
	if (base == 0)
		base = s[0] == '0' ? ((s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16 ? 16 : 8) : 10;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	uint64_t v = 0;
	size_t n = 0;
	bool overflow = false;
	for (; s[n] && digit_value(s[n]) < (int)base; n++) {
		unsigned d = (unsigned)digit_value(s[n]);
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	if (!n)
		return -EINVAL;
	*res = v;
	return (long)(pos + (size_t)(s - str) + n);
}

HELPER(bpf_strtol)
{
	const char *buf = (const char *)(uintptr_t)r1;
	int64_t *out = (int64_t *)(uintptr_t)r4;
	uint64_t v;
	bool neg;

	(void)r5;
	if (!bpfvm_run_helper_access(rc, buf, (size_t)r2, false, "bpf_strtol") ||
	    !bpfvm_run_helper_access(rc, out, sizeof(*out), true, "bpf_strtol"))
		return 0;
	long n = parse_u64(buf, (size_t)r2, r3, &v, &neg);
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (neg ? (int64_t)-v > 0 : (int64_t)v < 0)
		return (uint64_t)(int64_t)-ERANGE;
	*out = neg ? (int64_t)-v : (int64_t)v;
	return (uint64_t)n;
}

HELPER(bpf_strtoul)
{
	const char *buf = (const char *)(uintptr_t)r1;
	uint64_t *out = (uint64_t *)(uintptr_t)r4;
	uint64_t v;
	bool neg;

	(void)r5;
	if (!bpfvm_run_helper_access(rc, buf, (size_t)r2, false, "bpf_strtoul") ||
	    !bpfvm_run_helper_access(rc, out, sizeof(*out), true, "bpf_strtoul"))
		return 0;
	long n = parse_u64(buf, (size_t)r2, r3, &v, &neg);
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (neg)
		return (uint64_t)(int64_t)-EINVAL;
	*out = v;
	return (uint64_t)n;
}
