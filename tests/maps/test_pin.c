/* test_pin.c - pinned maps: every pinnable type seen from another process, several processes updating one map at
 * once, pins reused and refused, a lock left by a process that died, files that are not pinned maps */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"
#include "maps/map.h"

static char dir[64];

static const char *pin_path(const char *name)
{
	static char buf[128];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static struct bpfvm_map *create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
				const char *name, bool *reused, int *err)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = type, .key_size = ks, .value_size = vs, .max_entries = max,
		   .map_flags = flags, .name = name);
	*err = bpfvm_map_create_pinned(&attr, pin_path(name), NULL, reused, &m, &log);
	return m;
}

/* run fn in a child process; its exit status (0 = all checks held) */
static int in_child(int (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* the child opens the pin by path, finds what the parent wrote, and writes its own */
struct roundtrip {
	const char *name;
	uint32_t type;
	uint8_t key[8], val[8], key2[8], val2[8];
};

static int child_roundtrip(void *p)
{
	struct roundtrip *r = p;
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	if (bpfvm_map_open_pinned(pin_path(r->name), &m, &log))
		return 10;
	uint8_t out[8 * 1024] = { 0 }, val2[8 * 1024] = { 0 }; /* per-CPU values: a slot per possible CPU */
	bool keyless = bpfvm_map__key_size(m) == 0;
	int rc = 0;
	memcpy(val2, r->val2, sizeof(r->val2));
	if (r->type == BPF_MAP_TYPE_BLOOM_FILTER) {
		rc = bpfvm_map_pop(m, r->val, false) ? 11 : bpfvm_map__update_elem(m, NULL, val2, BPF_ANY) ? 12 : 0;
	} else if (keyless) {
		rc = bpfvm_map__lookup_elem(m, NULL, out) || memcmp(out, r->val, 4) ? 13 :
		     bpfvm_map__update_elem(m, NULL, val2, BPF_ANY)	  ? 14 : 0;
	} else {
		rc = bpfvm_map__lookup_elem(m, r->key, out) || memcmp(out, r->val, 4) ? 15 :
		     bpfvm_map__update_elem(m, r->key2, val2, BPF_ANY)	  ? 16 : 0;
	}
	bpfvm_map__free(m);
	return rc;
}

static void test_types(void)
{
	static const struct {
		uint32_t type, ks, flags;
		const char *name;
	} types[] = {
		{ BPF_MAP_TYPE_ARRAY, 4, 0, "array" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 0, "percpu_array" },
		{ BPF_MAP_TYPE_HASH, 4, 0, "hash" },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 0, "percpu_hash" },
		{ BPF_MAP_TYPE_LRU_HASH, 4, 0, "lru_hash" },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 0, "lru_percpu_hash" },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, BPF_F_NO_PREALLOC, "lpm_trie" },
		{ BPF_MAP_TYPE_QUEUE, 0, 0, "queue" },
		{ BPF_MAP_TYPE_STACK, 0, 0, "stack" },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 0, 0, "bloom_filter" },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		bool reused = true;
		int err;
		struct bpfvm_map *m = create(types[i].type, types[i].ks, 4, 16, types[i].flags, types[i].name, &reused,
					     &err);
		if (!m) {
			t_fail("pin %s: create: %d", types[i].name, err);
			continue;
		}
		struct roundtrip r = { .name = types[i].name, .type = types[i].type,
				       .key = { 1, 0, 0, 0 }, .val = { 7, 7, 7, 7 }, .key2 = { 2, 0, 0, 0 }, .val2 = { 9, 9, 9, 9 } };
		if (types[i].type == BPF_MAP_TYPE_LPM_TRIE) { /* prefixlen 32 over 4 bytes */
			uint8_t k1[8] = { 32, 0, 0, 0, 10, 0, 0, 1 }, k2[8] = { 24, 0, 0, 0, 10, 0, 0, 0 };
			memcpy(r.key, k1, 8);
			memcpy(r.key2, k2, 8);
		}
		size_t vb = bpfvm_map__value_buf_size(m);
		uint8_t *v = calloc(1, vb);
		memcpy(v, r.val, 4);
		bool keyless = types[i].ks == 0;
		int uerr = bpfvm_map__update_elem(m, keyless ? NULL : r.key, v, BPF_ANY);
		int child = uerr ? -1 : in_child(child_roundtrip, &r);
		uint8_t out[8 * 1024] = { 0 };
		bool seen;
		if (types[i].type == BPF_MAP_TYPE_BLOOM_FILTER)
			seen = bpfvm_map_pop(m, r.val2, false) == 0;
		else if (keyless) /* the child pushed val2 after val: a queue gives val first, a stack val2 */
			seen = bpfvm_map__lookup_elem(m, NULL, out) == 0 &&
			       !memcmp(out, types[i].type == BPF_MAP_TYPE_QUEUE ? r.val : r.val2, 4);
		else
			seen = bpfvm_map__lookup_elem(m, r.key2, out) == 0 && !memcmp(out, r.val2, 4);
		CHECK(!reused && !uerr && child == 0 && seen && bpfvm_map__pin_path(m),
		      "pin %s: another process reads what this one wrote and writes what it reads (child %d)",
		      types[i].name, child);
		free(v);
		bpfvm_map__free(m);
	}
}

static void test_reuse(void)
{
	bool reused = false;
	int err;
	struct bpfvm_map *m = create(BPF_MAP_TYPE_HASH, 4, 8, 64, 0, "reuse", &reused, &err);
	uint32_t k = 5;
	uint64_t v = 0x1122334455667788ull, out = 0;
	bpfvm_map__update_elem(m, &k, &v, BPF_ANY);
	bpfvm_map__free(m); /* the process lets go: the file keeps the elements */
	m = create(BPF_MAP_TYPE_HASH, 4, 8, 64, 0, "reuse", &reused, &err);
	CHECK(m && reused && bpfvm_map__lookup_elem(m, &k, &out) == 0 && out == v,
	      "pin reuse: a second create with the same attributes opens the pin and finds its elements");
	bpfvm_map__free(m);

	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 16, .max_entries = 64,
		   .name = "reuse");
	err = bpfvm_map_create_pinned(&attr, pin_path("reuse"), NULL, NULL, &m, &log);
	CHECK(err == -EINVAL && !m && strstr(log.last_error, "value_size"),
	      "pin reuse: a pin of another value_size is refused, naming it (%s)", log.last_error);

	BPFVM_OPTS(bpfvm_map_attr, pa, .type = BPF_MAP_TYPE_PROG_ARRAY, .key_size = 4, .value_size = 4,
		   .max_entries = 4, .name = "pa");
	err = bpfvm_map_create_pinned(&pa, pin_path("pa"), NULL, NULL, &m, &log);
	CHECK(err == -EOPNOTSUPP && access(pin_path("pa"), F_OK) != 0,
	      "pin: a prog_array cannot be pinned (its slots hold this process's programs), and no file is left");
}

/* a ring buffer's records, as the child consumes them: record i is 8 + i % 50 bytes of (uint8_t)(i * 7 + j) */
struct rb_seen {
	int n, bad;
};

static int rb_record(void *ctx, const void *data, size_t len)
{
	struct rb_seen *s = ctx;
	const uint8_t *b = data;
	s->bad += len != 8u + (size_t)(s->n % 50);
	for (size_t j = 0; j < len; j++)
		s->bad += b[j] != (uint8_t)(s->n * 7 + (int)j);
	s->n++;
	return 0;
}

static int child_consume(void *p)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	if (bpfvm_map_open_pinned(p, &m, &log))
		return 10;
	struct rb_seen seen = { 0, 0 };
	int got = bpfvm_ringbuf__consume(m, rb_record, &seen);
	bpfvm_map__free(m);
	return got != 300 || seen.n != 300 || seen.bad ? 11 : 0;
}

/* a pinned ring buffer: this process produces, another consumes; records wrap around the ring's end (the data
 * pages are mapped twice in each process, so a record crossing the end reads on contiguously) */
static void test_ringbuf(void)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_RINGBUF, .max_entries = 16384, .name = "rb");
	int err = bpfvm_map_create_pinned(&attr, pin_path("rb"), NULL, NULL, &m, &log);
	if (err) {
		t_fail("pin ringbuf: %s", log.last_error);
		return;
	}
	int produced = 0, rounds = 0, child = 0;
	uint8_t rec[64];
	for (int round = 0; round < 3 && !child; round++, rounds++) { /* 3 x 300 records through a 16 KiB ring */
		for (int i = 0; i < 300; i++, produced++) {
			for (int j = 0; j < 8 + i % 50; j++)
				rec[j] = (uint8_t)(i * 7 + j);
			if (bpfvm_ringbuf_output(m, rec, 8u + (unsigned)(i % 50), 0))
				break;
		}
		child = in_child(child_consume, (void *)pin_path("rb"));
	}
	uint64_t cons = bpfvm_ringbuf_query(m, BPF_RB_CONS_POS), prod = bpfvm_ringbuf_query(m, BPF_RB_PROD_POS);
	CHECK(child == 0 && produced == 900 && cons == prod && prod > 2 * 16384,
	      "pin ringbuf: another process consumes every record this one produced, %d rounds around the ring "
	      "(child %d, produced %d, consumer at %llu of %llu)", rounds, child, produced, (unsigned long long)cons,
	      (unsigned long long)prod);
	bpfvm_map__free(m);
}

/* several processes at once: each inserts and deletes its own keys and adds to a shared counter in place */
#define PROCS 4
#define OPS 20000

static int child_hammer(void *p)
{
	int id = *(int *)p;
	struct bpfvm_map *h, *a;
	struct bpfvm_log log = { 0 };
	if (bpfvm_map_open_pinned(pin_path("shared_hash"), &h, &log) ||
	    bpfvm_map_open_pinned(pin_path("shared_count"), &a, &log))
		return 20;
	int bad = 0;
	uint32_t zero = 0;
	uint64_t *count = bpfvm_map_lookup_ptr(a, &zero); /* as a program holds a value pointer */
	for (uint32_t i = 0; i < OPS; i++) {
		uint32_t k = (uint32_t)id << 24 | (i % 100);
		uint64_t v = i;
		if (i % 3 == 2) /* the key's last operation was an update, unless this is its first */
			bad |= bpfvm_map__delete_elem(h, &k) != (i < 100 ? -ENOENT : 0);
		else if (bpfvm_map__update_elem(h, &k, &v, BPF_ANY))
			bad = 1;
		__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
	}
	bpfvm_map__free(h);
	bpfvm_map__free(a);
	return bad ? 21 : 0;
}

struct hammer_arg {
	int id;
};

static void test_processes(void)
{
	bool reused;
	int err;
	struct bpfvm_map *h = create(BPF_MAP_TYPE_HASH, 4, 8, PROCS * 100, 0, "shared_hash", &reused, &err);
	struct bpfvm_map *a = create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, "shared_count", &reused, &err);
	pid_t pids[PROCS];
	int ids[PROCS];
	fflush(stdout);
	for (int i = 0; i < PROCS; i++) {
		ids[i] = i + 1;
		if ((pids[i] = fork()) == 0)
			_exit(child_hammer(&ids[i]));
	}
	int failed = 0;
	for (int i = 0; i < PROCS; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		failed += !WIFEXITED(st) || WEXITSTATUS(st);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fprintf(stderr, "process %d ended with status 0x%x\n", i, st);
	}
	/* each process ends with i = OPS-1 = 19999: keys i%100 whose last operation (the largest i with that
	 * remainder) was an update are present */
	size_t want = 0;
	for (uint32_t r = 0; r < 100; r++) {
		uint32_t last = r + (OPS - 1 - r) / 100 * 100;
		want += last % 3 != 2;
	}
	size_t n = 0;
	uint32_t key, prev;
	int bad_values = 0;
	for (int first = 1; bpfvm_map__get_next_key(h, first ? NULL : &prev, &key) == 0; first = 0, prev = key) {
		uint64_t v;
		n++;
		bad_values += bpfvm_map__lookup_elem(h, &key, &v) || v != key % (1u << 24) + (OPS - 1 - key % (1u << 24)) / 100 * 100;
	}
	uint32_t zero = 0;
	uint64_t count = 0;
	bpfvm_map__lookup_elem(a, &zero, &count);
	CHECK(!failed && n == want * PROCS && !bad_values && count == (uint64_t)PROCS * OPS,
	      "pin: %d processes updating one hash map at once leave exactly the expected %zu elements (got %zu, "
	      "%d bad values, counter %llu of %d)", PROCS, want * PROCS, n, bad_values, (unsigned long long)count,
	      PROCS * OPS);
	bpfvm_map__free(h);
	bpfvm_map__free(a);
}

/* a process dies holding the writers' lock: the next writer takes it over */
static int child_die_locked(void *p)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	(void)p;
	if (bpfvm_map_open_pinned(pin_path("reuse"), &m, &log))
		return 30;
	bpfvm_map_lock(m);
	_exit(0); /* without unlocking */
}

static void test_dead_owner(void)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	int child = in_child(child_die_locked, NULL);
	int err = bpfvm_map_open_pinned(pin_path("reuse"), &m, &log);
	uint32_t k = 6;
	uint64_t v = 1;
	int uerr = err ? err : bpfvm_map__update_elem(m, &k, &v, BPF_ANY);
	CHECK(child == 0 && !uerr, "pin: a lock held by a process that died is taken over by the next writer (%d)",
	      uerr);
	if (!err)
		bpfvm_map__free(m);
}

static void write_file(const char *name, const void *b, size_t n)
{
	int fd = open(pin_path(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write(fd, b, n) != (ssize_t)n)
			t_fail("write %s", name);
		close(fd);
	}
}

static void test_bad_files(void)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_log log = { 0 };
	int err = bpfvm_map_open_pinned(pin_path("missing"), &m, &log);
	CHECK(err == -ENOENT && !m, "pin open: a missing file is -ENOENT");

	write_file("text", "hello\n", 6);
	err = bpfvm_map_open_pinned(pin_path("text"), &m, &log);
	CHECK(err == -EINVAL && !m && strstr(log.last_error, "not a pinned bpfvm map"),
	      "pin open: a file that is not a pin is refused (%s)", log.last_error);

	/* a real pin cut short, and one whose header lies about its storage */
	int fd = open(pin_path("reuse"), O_RDONLY);
	uint8_t buf[8192];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 4096) {
		t_fail("pin: cannot read back a pin");
		return;
	}
	write_file("cut", buf, 300);
	err = bpfvm_map_open_pinned(pin_path("cut"), &m, &log);
	CHECK(err == -EINVAL && !m, "pin open: a pin cut short is refused (%s)", log.last_error);
	/* every header word before the lock corrupted in turn (the lock itself is trusted, as shared memory is) */
	for (size_t off = 0; off < BPFVM_PIN_LOCK_OFFSET; off += 4) {
		uint8_t bad[8192];
		memcpy(bad, buf, (size_t)n);
		bad[off] ^= 0x5a;
		bad[off + 1] ^= 0xff;
		write_file("corrupt", bad, (size_t)n);
		err = bpfvm_map_open_pinned(pin_path("corrupt"), &m, &log);
		if (!err) { /* a field that changes nothing checked (a name byte, padding): the map must still work */
			uint32_t k = 5;
			uint64_t v;
			bpfvm_map__lookup_elem(m, &k, &v);
			bpfvm_map__free(m);
			m = NULL;
		}
	}
	t_pass("pin open: a pin with any header word corrupted opens or is refused, never crashes");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/bpfvm-test-pin.XXXXXX");
	if (!mkdtemp(dir)) {
		t_fail("mkdtemp: %s", strerror(errno));
		return t_done();
	}
	test_types();
	test_ringbuf();
	test_reuse();
	test_processes();
	test_dead_owner();
	test_bad_files();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		t_fail("cleanup %s", dir);
	return t_done();
}
