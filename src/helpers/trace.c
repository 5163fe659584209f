/* trace.c - bpf_trace_printk (6), bpf_snprintf (165), bpf_trace_vprintk (177): the kernel's format rules */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helpers/impl.h"
#include "interp/run.h"

#define MAX_BPRINTF_BUF 1024    /* the kernel's output buffer for bpf_trace_printk/vprintk */
#define MAX_BPRINTF_VARARGS 12  /* bpf_trace_vprintk, bpf_snprintf */
#define MAX_STR_ARG 512         /* bytes a %s argument may copy */

/* an output buffer that counts what would have been written, as vsnprintf does */
struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void out_put(struct outbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
}

static void out_fmt(struct outbuf *o, const char *spec, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(struct outbuf *o, const char *spec, ...)
{
	char tmp[MAX_STR_ARG + 64];
	va_list ap;
	va_start(ap, spec);
	int n = vsnprintf(tmp, sizeof(tmp), spec, ap);
	va_end(ap);
	if (n > 0)
		out_put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* a NUL-terminated string from program memory (at most max-1 bytes); "" where the run may not read it */
static void fetch_str(const struct bpfvm_run_ctx *rc, uint64_t ptr, char *dst, size_t max)
{
	const char *p = (const char *)(uintptr_t)ptr;
	size_t i = 0;
	if (p)
		for (; i + 1 < max && bpfvm_run_mem_ok(rc, p + i, 1, false) && p[i]; i++)
			dst[i] = p[i];
	dst[i] = 0;
}

static bool is_fmt_end(char c) { return !c || isspace((unsigned char)c) || ispunct((unsigned char)c); }

/*
 * Check fmt (fmt_len bytes including its NUL) as bpf_bprintf_prepare does and format it with args into o.
 * Returns 0 or -EINVAL: a character that is neither printable nor space, more conversions than nargs, or a
 * conversion outside %d %i %u %x %X (with l/ll), %s %c %%, %p %pK %px %ps %pS %pB %pks %pus %pi4 %pI4 %pi6 %pI6.
 * The flags 0 + - space and a width are allowed before the conversion, a precision is not.
 */
static int bprintf(const struct bpfvm_run_ctx *rc, const char *fmt, size_t fmt_len, const uint64_t *args,
		   int nargs, struct outbuf *o)
{
	int spec_no = 0;
	for (size_t i = 0; i < fmt_len && fmt[i]; i++) {
		unsigned char c = (unsigned char)fmt[i];
		if ((!isprint(c) && !isspace(c)) || !isascii(c))
			return -EINVAL;
	}
	/* a dry pass validates everything before anything is printed, as the kernel prepares before printing */
	for (int pass = 0; pass < 2; pass++) {
		spec_no = 0;
		for (size_t i = 0; fmt[i];) {
			if (fmt[i] != '%') {
				if (pass)
					out_put(o, &fmt[i], 1);
				i++;
				continue;
			}
			if (fmt[i + 1] == '%') {
				if (pass)
					out_put(o, "%", 1);
				i += 2;
				continue;
			}
			if (spec_no >= nargs)
				return -EINVAL;
			uint64_t arg = args[spec_no];
			size_t start = i++;
			while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
				i++;
			if (fmt[i] >= '1' && fmt[i] <= '9')
				while (fmt[i] >= '0' && fmt[i] <= '9')
					i++;
			char spec[32];
			size_t flen = i - start; /* "%-08" */
			if (flen > 16)
				return -EINVAL;
			memcpy(spec, fmt + start, flen);
			if (fmt[i] == 'p') {
				char n1 = fmt[i + 1], n2 = n1 ? fmt[i + 2] : 0;
				if (is_fmt_end(n1) || n1 == 'K' || n1 == 'x' || n1 == 's' || n1 == 'S' || n1 == 'B') {
					/* kernel pointers: printed as the raw value (the kernel hashes %p/%pK) */
					i += is_fmt_end(n1) ? 1 : 2;
					if (n1 == 's' || n1 == 'S' || n1 == 'B') {
						strcpy(spec + flen, "s");
						char a[24];
						snprintf(a, sizeof(a), "0x%llx", (unsigned long long)arg);
						if (pass)
							out_fmt(o, spec, a);
					} else {
						strcpy(spec + flen, "016llx");
						if (pass)
							out_fmt(o, spec, (unsigned long long)arg);
					}
				} else if ((n1 == 'k' || n1 == 'u') && n2 == 's') {
					i += 3;
					if (!is_fmt_end(fmt[i]))
						return -EINVAL;
					goto string;
				} else if ((n1 == 'i' || n1 == 'I') && (n2 == '4' || n2 == '6')) {
					i += 3;
					uint8_t ip[16] = { 0 };
					size_t n = n2 == '4' ? 4 : 16;
					const uint8_t *p = (const uint8_t *)(uintptr_t)arg;
					bool ok = p && bpfvm_run_mem_ok(rc, p, n, false);
					if (ok)
						memcpy(ip, p, n);
					char a[64] = "";
					size_t k = 0;
					for (size_t j = 0; j < n; j++) {
						if (n == 4)
							k += (size_t)snprintf(a + k, sizeof(a) - k, n1 == 'I' ? "%s%u" : "%s%03u",
									      j ? "." : "", ip[j]);
						else
							k += (size_t)snprintf(a + k, sizeof(a) - k, "%s%02x",
									      n1 == 'I' && j && !(j & 1) ? ":" : "", ip[j]);
					}
					strcpy(spec + flen, "s");
					if (pass)
						out_fmt(o, spec, a);
				} else {
					return -EINVAL;
				}
			} else if (fmt[i] == 's') {
				i++;
				if (!is_fmt_end(fmt[i]))
					return -EINVAL;
			string:
				if (pass) {
					char s[MAX_STR_ARG];
					fetch_str(rc, arg, s, sizeof(s));
					strcpy(spec + flen, "s");
					out_fmt(o, spec, s);
				}
			} else if (fmt[i] == 'c') {
				i++;
				strcpy(spec + flen, "c");
				if (pass)
					out_fmt(o, spec, (int)(char)arg);
			} else {
				int longs = 0;
				while (fmt[i] == 'l' && longs < 2)
					longs++, i++;
				char conv = fmt[i];
				if (conv != 'd' && conv != 'i' && conv != 'u' && conv != 'x' && conv != 'X')
					return -EINVAL;
				i++;
				snprintf(spec + flen, sizeof(spec) - flen, "%s%c", longs ? "ll" : "", conv);
				if (pass) {
					bool sgn = conv == 'd' || conv == 'i';
					/* an int-sized conversion takes the low 32 bits, as the kernel's bin_args do */
					if (longs && sgn)
						out_fmt(o, spec, (long long)arg);
					else if (longs)
						out_fmt(o, spec, (unsigned long long)arg);
					else if (sgn)
						out_fmt(o, spec, (int)(int32_t)arg);
					else
						out_fmt(o, spec, (unsigned)(uint32_t)arg);
				}
			}
			spec_no++;
		}
	}
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
	return 0;
}

/* the format string: fmt_len bytes of program memory that must contain a NUL */
static int get_fmt(struct bpfvm_run_ctx *rc, uint64_t fmt, uint64_t fmt_len, const char **out, const char *helper)
{
	const char *f = (const char *)(uintptr_t)fmt;
	if (!f || !fmt_len || fmt_len > (1u << 20))
		return -EINVAL;
	if (!bpfvm_run_helper_access(rc, f, fmt_len, false, helper))
		return -EFAULT;
	if (!memchr(f, 0, fmt_len))
		return -EINVAL;
	*out = f;
	return 0;
}

static uint64_t emit_trace(struct bpfvm_run_ctx *rc, const char *fmt, size_t fmt_len, const uint64_t *args, int n)
{
	char buf[MAX_BPRINTF_BUF];
	struct outbuf o = { buf, sizeof(buf), 0 };
	int err = bprintf(rc, fmt, fmt_len, args, n, &o);
	if (err)
		return (uint64_t)(int64_t)err;
	if (rc->trace)
		rc->trace(rc->trace_arg, buf, strlen(buf));
	return o.len;
}

/* long bpf_trace_printk(const char *fmt, u32 fmt_size, ...): up to 3 arguments */
HELPER(bpf_trace_printk)
{
	const char *fmt;
	uint64_t args[3] = { r3, r4, r5 };
	if (get_fmt(rc, r1, (uint32_t)r2, &fmt, "bpf_trace_printk"))
		return (uint64_t)(int64_t)-EINVAL;
	return emit_trace(rc, fmt, (uint32_t)r2, args, 3);
}

/* the u64 argument array of bpf_trace_vprintk and bpf_snprintf: a multiple of 8 bytes, at most 12 arguments */
static int get_args(struct bpfvm_run_ctx *rc, uint64_t data, uint64_t data_len, uint64_t *args, int *n,
		    const char *helper)
{
	const void *p = (const void *)(uintptr_t)data;
	if (data_len % 8 || data_len / 8 > MAX_BPRINTF_VARARGS || (data_len && !p))
		return -EINVAL;
	if (data_len && !bpfvm_run_helper_access(rc, p, data_len, false, helper))
		return -EFAULT;
	memcpy(args, p, data_len);
	*n = (int)(data_len / 8);
	return 0;
}

/* long bpf_trace_vprintk(const char *fmt, u32 fmt_size, const void *data, u32 data_len) */
HELPER(bpf_trace_vprintk)
{
	(void)r5;
	const char *fmt;
	uint64_t args[MAX_BPRINTF_VARARGS];
	int n = 0;
	if (get_fmt(rc, r1, (uint32_t)r2, &fmt, "bpf_trace_vprintk") ||
	    get_args(rc, r3, (uint32_t)r4, args, &n, "bpf_trace_vprintk"))
		return (uint64_t)(int64_t)-EINVAL;
	return emit_trace(rc, fmt, (uint32_t)r2, args, n);
}

/* long bpf_snprintf(char *str, u32 str_size, const char *fmt, u64 *data, u32 data_len): length + 1 (the NUL) */
HELPER(bpf_snprintf)
{
	char *str = (char *)(uintptr_t)r1;
	uint32_t size = (uint32_t)r2;
	const char *fmt = (const char *)(uintptr_t)r3;
	uint64_t args[MAX_BPRINTF_VARARGS];
	int n = 0;
	(void)r5;
	if (!fmt || (size && !str))
		return (uint64_t)(int64_t)-EINVAL;
	if (size && !bpfvm_run_helper_access(rc, str, size, true, "bpf_snprintf"))
		return (uint64_t)(int64_t)-EFAULT;
	size_t fl = 0;
	while (bpfvm_run_mem_ok(rc, fmt + fl, 1, false) && fmt[fl] && fl < (1u << 20))
		fl++;
	if (!bpfvm_run_helper_access(rc, fmt + fl, 1, false, "bpf_snprintf") || fmt[fl])
		return (uint64_t)(int64_t)-EINVAL;
	if (get_args(rc, (uint64_t)(uintptr_t)r4, (uint32_t)r5, args, &n, "bpf_snprintf"))
		return (uint64_t)(int64_t)-EINVAL;
	struct outbuf o = { str, size, 0 };
	int err = bprintf(rc, fmt, fl + 1, args, n, &o);
	if (err)
		return (uint64_t)(int64_t)err;
	return o.len + 1;
}
