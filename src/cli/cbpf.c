/* cbpf.c - `bpfvm cbpf dump|translate|filter`: tcpdump's filters compiled, printed, translated and run */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "asm/asm.h"
#include "bpfvm/insn.h"
#include "cbpf/cbpf.h"
#include "cbpf/engine.h"
#include "cbpf/expr.h"
#include "cli/cli.h"
#include "hooks/packet_socket.h"
#include "hooks/pcap_file.h"

/* what the commands' options say */
struct cbpf_args {
	enum cbpf_dump_fmt fmt;
	const char *linktype;   /* -y */
	int snaplen;            /* -s */
	const char *prog_file;  /* --cbpf FILE: a classic program as text instead of an expression */
	const char *in;         /* -r */
	const char *out;        /* -w */
	const char *iface;      /* -i */
	long count;             /* -c */
	double timeout;         /* --timeout SEC (live) */
	int engine;             /* --engine */
	bool quiet;             /* -q: no progress bar */
	char expr[4096];        /* the remaining words, joined by spaces, as tcpdump joins them */
};

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct cbpf_args *a)
{
	size_t el = 0;
	a->engine = CBPF_ENGINE_CBPF;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		bool more = i + 1 < argc;
#define NEED_ARG()                                                                                                     \
	do {                                                                                                           \
		if (!more)                                                                                             \
			return p_err(ctx, EXIT_USAGE, "option %s needs an argument", s);                              \
	} while (0)
		if (!strcmp(s, "-d")) {
			a->fmt = CBPF_DUMP_IMAGE;
		} else if (!strcmp(s, "-dd")) {
			a->fmt = CBPF_DUMP_C;
		} else if (!strcmp(s, "-ddd")) {
			a->fmt = CBPF_DUMP_DEC;
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			if (!ctx->json) {
				ctx->json = true;
				ctx->jw = jsonw_new(stdout, false);
			}
		} else if (!strcmp(s, "-q")) {
			a->quiet = true;
		} else if (!strcmp(s, "-y")) {
			NEED_ARG();
			a->linktype = argv[++i];
		} else if (!strcmp(s, "-s")) {
			NEED_ARG();
			a->snaplen = atoi(argv[++i]);
			if (a->snaplen <= 0)
				a->snaplen = CBPF_DEFAULT_SNAPLEN;
		} else if (!strcmp(s, "--cbpf")) {
			NEED_ARG();
			a->prog_file = argv[++i];
		} else if (!strcmp(s, "-r")) {
			NEED_ARG();
			a->in = argv[++i];
		} else if (!strcmp(s, "-w")) {
			NEED_ARG();
			a->out = argv[++i];
		} else if (!strcmp(s, "-i")) {
			NEED_ARG();
			a->iface = argv[++i];
		} else if (!strcmp(s, "-c")) {
			NEED_ARG();
			a->count = strtol(argv[++i], NULL, 0);
			if (a->count <= 0)
				return p_err(ctx, EXIT_USAGE, "invalid packet count %s", argv[i]);
		} else if (!strcmp(s, "--timeout")) {
			NEED_ARG();
			a->timeout = strtod(argv[++i], NULL);
		} else if (!strcmp(s, "--engine")) {
			NEED_ARG();
			a->engine = cbpf_engine_by_name(argv[++i]);
			if (a->engine < 0)
				return p_err(ctx, EXIT_USAGE, "unknown engine '%s' (interp, jit or cbpf)", argv[i]);
		} else if (!strcmp(s, "--")) {
			for (i++; i < argc; i++)
				el += (size_t)snprintf(a->expr + el, el < sizeof(a->expr) ? sizeof(a->expr) - el : 0, "%s%s",
						       el ? " " : "", argv[i]);
		} else if (s[0] == '-' && s[1]) {
			return p_err(ctx, EXIT_USAGE, "unknown option %s", s);
		} else {
			el += (size_t)snprintf(a->expr + el, el < sizeof(a->expr) ? sizeof(a->expr) - el : 0, "%s%s",
					       el ? " " : "", s);
		}
		if (el >= sizeof(a->expr))
			return p_err(ctx, EXIT_USAGE, "filter expression too long");
#undef NEED_ARG
	}
	return EXIT_OK;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *nb = cap < (64u << 20) ? realloc(buf, cap *= 2) : NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = E2BIG;
				break;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* the classic program: from --cbpf FILE (validated), or compiled from the expression */
static int load_program(struct cli_ctx *ctx, const struct cbpf_args *a, int dlt, int snaplen,
			struct sock_filter **prog, size_t *len)
{
	struct bpfvm_log log = { 0 };
	int err;
	if (a->prog_file) {
		size_t tl;
		char *text = read_file(a->prog_file, &tl);
		if (!text)
			return p_err(ctx, EXIT_USAGE, "%s: %s", a->prog_file, strerror(errno));
		err = cbpf_parse_text(text, tl, prog, len, &log);
		free(text);
		if (err)
			return p_err(ctx, EXIT_USAGE, "%s: %s", a->prog_file, log.last_error);
		err = cbpf_validate(*prog, *len, CBPF_CHECK_KERNEL, &log);
		if (err) {
			free(*prog);
			*prog = NULL;
			return p_err(ctx, EXIT_USAGE, "%s: invalid classic program: %s", a->prog_file, log.last_error);
		}
		return EXIT_OK;
	}
	err = cbpf_compile(a->expr, dlt, snaplen, prog, len, &log);
	if (err)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error);
	return EXIT_OK;
}

static int dump_json(struct cli_ctx *ctx, const struct sock_filter *prog, size_t len)
{
	char line[256];
	jsonw_start_array(ctx->jw);
	for (size_t i = 0; i < len; i++) {
		cbpf_image(&prog[i], (int)i, line, sizeof(line));
		jsonw_start_object(ctx->jw);
		jsonw_uint_field(ctx->jw, "code", prog[i].code);
		jsonw_uint_field(ctx->jw, "jt", prog[i].jt);
		jsonw_uint_field(ctx->jw, "jf", prog[i].jf);
		jsonw_uint_field(ctx->jw, "k", prog[i].k);
		jsonw_string_field(ctx->jw, "image", line);
		jsonw_end_object(ctx->jw);
	}
	jsonw_end_array(ctx->jw);
	return EXIT_OK;
}

static int linktype_of(struct cli_ctx *ctx, const struct cbpf_args *a, int *dlt)
{
	struct bpfvm_log log = { 0 };
	*dlt = 1; /* DLT_EN10MB, as tcpdump assumes */
	if (a->linktype) {
		*dlt = cbpf_linktype_by_name(a->linktype, &log);
		if (*dlt < 0)
			return p_err(ctx, EXIT_USAGE, "%s", log.last_error);
	}
	return EXIT_OK;
}

static int do_dump(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cbpf_args a = { .fmt = CBPF_DUMP_IMAGE, .snaplen = CBPF_DEFAULT_SNAPLEN };
	struct sock_filter *prog;
	size_t len;
	int dlt, rc = parse_args(ctx, argc, argv, &a);
	if (rc || (rc = linktype_of(ctx, &a, &dlt)) || (rc = load_program(ctx, &a, dlt, a.snaplen, &prog, &len)))
		return rc;
	if (ctx->json)
		dump_json(ctx, prog, len);
	else
		cbpf_dump(stdout, prog, len, a.fmt);
	free(prog);
	return EXIT_OK;
}

/* one eBPF instruction as "(code) dst src off imm", the raw form until the disassembler is linked in */
static int do_translate(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cbpf_args a = { .snaplen = CBPF_DEFAULT_SNAPLEN };
	struct sock_filter *prog;
	struct bpf_insn *ebpf;
	size_t len, cnt;
	struct stat st;
	int dlt, rc = parse_args(ctx, argc, argv, &a);
	if (rc || (rc = linktype_of(ctx, &a, &dlt)))
		return rc;
	if (!a.prog_file && a.expr[0] && !strchr(a.expr, ' ') && stat(a.expr, &st) == 0 && S_ISREG(st.st_mode))
		a.prog_file = a.expr; /* `translate FILE` */
	if ((rc = load_program(ctx, &a, dlt, a.snaplen, &prog, &len)))
		return rc;
	struct bpfvm_log log = { 0 };
	int err = cbpf_to_ebpf(prog, len, &ebpf, &cnt, &log);
	free(prog);
	if (err)
		return p_err(ctx, err == -EOPNOTSUPP ? EXIT_REJECTED : EXIT_USAGE, "%s", log.last_error);
	char line[256];
	if (ctx->json)
		jsonw_start_array(ctx->jw);
	for (size_t i = 0; i < cnt; i++) {
		/* kernel syntax, as the verifier log and `bpftool prog dump xlated` print it */
		bpfvm_disasm_insn(&bpfvm_asm_printer, ebpf, cnt, i, line, sizeof(line));
		if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_uint_field(ctx->jw, "idx", i);
			jsonw_string_field(ctx->jw, "insn", line);
			jsonw_end_object(ctx->jw);
		} else {
			printf("%zu: %s\n", i, line);
		}
	}
	if (ctx->json)
		jsonw_end_array(ctx->jw);
	free(ebpf);
	return EXIT_OK;
}

/* a progress bar on stderr when it is a terminal, redrawn at most every 100 ms */
struct progress {
	bool on;
	struct timespec last;
};

static void progress_update(struct progress *p, const struct pcapf_reader *r, bool final)
{
	if (!p->on)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
	if (!final && ms < 100)
		return;
	p->last = now;
	long long size = pcapf_file_size(r), pos = pcapf_file_pos(r);
	int pct = final ? 100 : size > 0 && pos >= 0 ? (int)(pos * 100 / size) : 0;
	char bar[41];
	memset(bar, '#', (size_t)pct * 40 / 100);
	memset(bar + pct * 40 / 100, ' ', 40 - (size_t)pct * 40 / 100);
	bar[40] = '\0';
	fprintf(stderr, "\r[%s] %3d%% %llu packets", bar, pct, (unsigned long long)pcapf_count(r));
	if (final)
		fputc('\n', stderr);
}

/* packets filtered per batch (cbpf_filter__run_batch) by `cbpf filter -r` */
#define FILTER_BATCH 64

static int filter_file(struct cli_ctx *ctx, struct cbpf_args *a)
{
	struct bpfvm_log log = { 0 };
	struct pcapf_reader *r = pcapf_open(a->in, &log);
	if (!r)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error);
	struct sock_filter *prog = NULL;
	size_t len;
	struct pcapf_writer *w = NULL;
	struct cbpf_filter *f = NULL;
	int dlt = pcapf_linktype(r), rc = load_program(ctx, a, dlt, pcapf_snaplen(r), &prog, &len);
	if (rc)
		goto out;
	f = cbpf_filter__new(prog, len, (enum cbpf_engine)a->engine, &log);
	if (!f) {
		rc = p_err(ctx, errno == ENOTSUP ? EXIT_USAGE : EXIT_REJECTED, "%s", log.last_error);
		goto out;
	}
	if (cbpf_filter__pcap_semantics(f))
		fprintf(stderr, "note: the kernel would refuse this program (%s); running it with libpcap's semantics\n",
			log.last_error);
	if (a->out && !(w = pcapf_create(a->out, dlt, pcapf_snaplen(r), &log))) {
		rc = p_err(ctx, EXIT_USAGE, "%s", log.last_error);
		goto out;
	}
	struct progress prog_bar = { .on = !a->quiet && !ctx->json && isatty(STDERR_FILENO) };
	clock_gettime(CLOCK_MONOTONIC, &prog_bar.last);
	uint64_t matched = 0, tick = 0;
	struct pcapf_pkt pkts[FILTER_BATCH];
	struct cbpf_skb skbs[FILTER_BATCH];
	uint32_t keep[FILTER_BATCH];
	int got = 1;
	while (got == 1) {
		/* a batch of records; one libpcap returned ends it (its buffer is reused by the next read) */
		size_t n = 0, failed;
		while (n < FILTER_BATCH && (got = pcapf_next(r, &pkts[n])) == 1) {
			cbpf_skb_init(&skbs[n], dlt, pkts[n].data, pkts[n].caplen, pkts[n].len);
			if (!pkts[n++].mapped)
				break;
		}
		int err = n ? cbpf_filter__run_batch(f, skbs, n, keep, &failed) : 0;
		if (err) {
			rc = p_err(ctx, EXIT_REJECTED, "packet index %llu: run failed (%d)",
				   (unsigned long long)(pcapf_count(r) - n + failed), err);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (keep[i]) {
				matched++;
				if (w)
					pcapf_write(w, &pkts[i], keep[i]);
			}
		if (pcapf_count(r) >> 16 != tick) {
			tick = pcapf_count(r) >> 16;
			progress_update(&prog_bar, r, false);
		}
	}
	progress_update(&prog_bar, r, true);
	if (got < 0) {
		rc = p_err(ctx, EXIT_USAGE, "%s", log.last_error);
		goto out;
	}
	if (w) {
		int err = pcapf_finish(w, &log);
		w = NULL;
		if (err) {
			rc = p_err(ctx, EXIT_USAGE, "%s", log.last_error);
			goto out;
		}
	}
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_uint_field(ctx->jw, "packets", pcapf_count(r));
		jsonw_uint_field(ctx->jw, "matched", matched);
		jsonw_string_field(ctx->jw, "engine", cbpf_engine_name((enum cbpf_engine)a->engine));
		jsonw_end_object(ctx->jw);
	} else {
		printf("matched %llu of %llu packets\n", (unsigned long long)matched,
		       (unsigned long long)pcapf_count(r));
	}
out:
	pcapf_finish(w, NULL);
	cbpf_filter__free(f);
	free(prog);
	pcapf_close(r);
	return rc;
}

static volatile sig_atomic_t live_stop;

static void on_signal(int sig)
{
	(void)sig;
	live_stop = 1;
}

static int filter_live(struct cli_ctx *ctx, struct cbpf_args *a)
{
	struct bpfvm_log log = { 0 };
	struct sock_filter *prog;
	size_t len;
	int rc = load_program(ctx, a, 1 /* DLT_EN10MB */, CBPF_DEFAULT_SNAPLEN, &prog, &len);
	if (rc)
		return rc;
	struct cbpf_filter *f = cbpf_filter__new(prog, len, (enum cbpf_engine)a->engine, &log);
	free(prog);
	if (!f)
		return p_err(ctx, errno == ENOTSUP ? EXIT_USAGE : EXIT_REJECTED, "%s", log.last_error);
	struct pktsock *s = pktsock_open(a->iface, &log);
	if (!s) {
		cbpf_filter__free(f);
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error);
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	uint64_t seen = 0, matched = 0;
	fprintf(stderr, "listening on %s, link-type EN10MB (Ethernet), filtered in bpfvm (%s)\n", a->iface,
		cbpf_engine_name((enum cbpf_engine)a->engine));
	while (!live_stop && (!a->count || (long)matched < a->count)) {
		int wait = 200;
		if (a->timeout > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			double el = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
			if (el >= a->timeout)
				break;
		}
		struct cbpf_skb skb;
		int64_t sec, usec;
		int got = pktsock_next(s, &skb, &sec, &usec, wait);
		if (got < 0) {
			rc = p_err(ctx, EXIT_USAGE, "%s", log.last_error);
			break;
		}
		if (got == 0)
			continue;
		seen++;
		uint32_t keep;
		if (cbpf_filter__run(f, &skb, &keep) || !keep)
			continue;
		matched++;
		char line[256];
		struct tm tm;
		time_t t = (time_t)sec;
		localtime_r(&t, &tm);
		pkt_summary(skb.data, skb.caplen, skb.len, line, sizeof(line));
		printf("%02d:%02d:%02d.%06lld %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)usec, line);
		fflush(stdout);
	}
	if (!rc)
		printf("matched %llu of %llu packets\n", (unsigned long long)matched, (unsigned long long)seen);
	pktsock_close(s);
	cbpf_filter__free(f);
	return rc;
}

static int do_filter(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cbpf_args a = { .snaplen = CBPF_DEFAULT_SNAPLEN };
	int rc = parse_args(ctx, argc, argv, &a);
	if (rc)
		return rc;
	if (!a.in == !a.iface)
		return p_err(ctx, EXIT_USAGE, "filter needs one of -r FILE or -i IFACE");
	return a.in ? filter_file(ctx, &a) : filter_live(ctx, &a);
}

static int do_help(struct cli_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s cbpf dump [-d|-dd|-ddd] [-y LINKTYPE] [-s SNAPLEN] { EXPR | --cbpf FILE } [-j]\n"
		"       %1$s cbpf translate [-y LINKTYPE] { EXPR | FILE | --cbpf FILE } [-j]\n"
		"       %1$s cbpf filter { EXPR | --cbpf FILE } -r IN.pcap [-w OUT.pcap] [--engine ENGINE] [-q] [-j]\n"
		"       %1$s cbpf filter { EXPR | --cbpf FILE } -i IFACE [-c COUNT] [--timeout SEC] [--engine ENGINE]\n"
		"       ENGINE := { interp | jit | cbpf }\n"
		"       FILE: a classic program as tcpdump -ddd (or -dd) prints it\n",
		ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "dump", do_dump },
	{ "compile", do_dump },
	{ "translate", do_translate },
	{ "filter", do_filter },
	{ 0 },
};

int do_cbpf(struct cli_ctx *ctx, int argc, char **argv)
{
	ctx->object = "cbpf";
	return cmd_select(ctx, cmds, argc, argv, do_help);
}
