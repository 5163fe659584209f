/* pin.c - pinned maps: a map whose storage and writers' lock live in a file mapped shared, so that several
 * processes use the same elements at once and the elements outlive the process, as a pin in bpffs does */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log_internal.h"
#include "maps/map.h"

/*
 * The file: this header, the BTF that describes keys and values (optional), then the map's storage block at a page
 * boundary, exactly as the type lays it out in memory (it holds no pointers). The file appears under its name only
 * once complete: it is written under a temporary name and linked into place, so an opener never sees half a map.
 */
#define PIN_MAGIC "BPFVMPIN"
#define PIN_VERSION 1

struct pin_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;
	uint32_t type, key_size, value_size, max_entries, map_flags, nr_cpus;
	uint64_t map_extra;
	char name[16];
	uint64_t btf_off, btf_size;
	uint32_t btf_key_type_id, btf_value_type_id;
	uint64_t data_off, data_size;
	pthread_mutex_t lock; /* process-shared and robust */
};
_Static_assert(offsetof(struct pin_hdr, lock) == BPFVM_PIN_LOCK_OFFSET, "map.h names the lock's place");

struct map_pin {
	void *base;    /* the whole file, mapped shared */
	size_t size;
	size_t mirror; /* the block's tail mapped once more after the file (a ring buffer's data), or 0 */
	char *path;
};

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (n + page - 1) / page * page;
}

/* map the file; the map takes its lock and storage from it. A type with a mirrored tail has its block end the
 * file, so that the mirror follows the block */
static int attach(struct bpfvm_map *m, int fd, size_t size, size_t data_off, const char *path)
{
	size_t mirror = bpfvm_map_mem_mirror(m);
	if (mirror && data_off + m->ops->mem_size(m) != size)
		return -EINVAL;
	void *base = bpfvm_map_block_mirrored(size, mirror, fd, 0);
	if (!base)
		return -errno;
	struct map_pin *pin = calloc(1, sizeof(*pin));
	char *p = strdup(path);
	if (!pin || !p) {
		bpfvm_map_block_unmap(base, size, mirror);
		free(pin);
		free(p);
		return -ENOMEM;
	}
	struct pin_hdr *h = base;
	pin->base = base;
	pin->size = size;
	pin->mirror = mirror;
	pin->path = p;
	m->pin = pin;
	m->lock = &h->lock;
	m->data = (uint8_t *)base + h->data_off;
	return 0;
}

void bpfvm_map_pin_release(struct bpfvm_map *m)
{
	bpfvm_map_block_unmap(m->pin->base, m->pin->size, m->pin->mirror);
	free(m->pin->path);
	free(m->pin);
	m->pin = NULL;
}

/* a new file at path holding m's storage, freshly set up; -EEXIST if path appeared meanwhile */
static int create_file(struct bpfvm_map *m, const char *path, const struct bpfvm_map_pin_btf *btf,
		       struct bpfvm_log *log)
{
	size_t btf_size = btf && btf->data ? btf->size : 0;
	size_t data_off = page_round(sizeof(struct pin_hdr) + btf_size), data_size = m->ops->mem_size(m);
	size_t total = data_off + page_round(data_size);
	size_t n = strlen(path);
	char *tmp = malloc(n + 32);
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		int err = -errno;
		bpfvm_logf(log, "cannot pin at %s: %s", path, strerror(errno));
		free(tmp);
		return err;
	}
	int err = 0;
	if (ftruncate(fd, (off_t)total)) {
		err = -errno;
		bpfvm_logf(log, "cannot pin at %s: %s", path, strerror(errno));
		goto out;
	}
	void *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		bpfvm_logf(log, "cannot map %s: %s", tmp, strerror(errno));
		goto out;
	}
	struct pin_hdr *h = base;
	memcpy(h->magic, PIN_MAGIC, sizeof(h->magic));
	h->version = PIN_VERSION;
	h->hdr_size = sizeof(*h);
	h->type = m->type;
	h->key_size = m->key_size;
	h->value_size = m->value_size;
	h->max_entries = m->max_entries;
	h->map_flags = m->map_flags;
	h->nr_cpus = m->nr_cpus;
	h->map_extra = m->map_extra;
	memcpy(h->name, m->name, sizeof(h->name));
	if (btf_size) {
		h->btf_off = sizeof(*h);
		h->btf_size = btf_size;
		h->btf_key_type_id = btf->key_type_id;
		h->btf_value_type_id = btf->value_type_id;
		memcpy((uint8_t *)base + h->btf_off, btf->data, btf_size);
	}
	h->data_off = data_off;
	h->data_size = data_size;
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&h->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	m->data = (uint8_t *)base + data_off;
	if (m->ops->mem_init)
		m->ops->mem_init(m);
	m->data = NULL;
	munmap(base, total);
	if (link(tmp, path)) { /* into place only now, complete; never over an existing file */
		err = -errno;
		if (errno != EEXIST)
			bpfvm_logf(log, "cannot pin at %s: %s", path, strerror(errno));
		goto out;
	}
	err = attach(m, fd, total, data_off, path);
out:
	unlink(tmp);
	close(fd);
	free(tmp);
	return err;
}

/* the file at path checked as a pinned map: its header read into *h; -EINVAL with a line in log */
static int read_hdr(int fd, const char *path, struct pin_hdr *h, size_t *size, struct bpfvm_log *log)
{
	struct stat st;
	if (fstat(fd, &st)) {
		bpfvm_logf(log, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(*h) ||
	    pread(fd, h, sizeof(*h), 0) != (ssize_t)sizeof(*h) || memcmp(h->magic, PIN_MAGIC, sizeof(h->magic))) {
		bpfvm_logf(log, "%s: not a pinned bpfvm map", path);
		return -EINVAL;
	}
	*size = (size_t)st.st_size;
	if (h->version != PIN_VERSION || h->hdr_size != sizeof(*h)) {
		bpfvm_logf(log, "%s: pinned map of format %u (header %u bytes); this bpfvm reads format %u", path,
			   h->version, h->hdr_size, PIN_VERSION);
		return -EINVAL;
	}
	if (h->data_off > *size || h->data_size > *size - h->data_off || h->btf_off > *size ||
	    h->btf_size > *size - h->btf_off || (h->btf_size && h->btf_off < sizeof(*h)) ||
	    h->data_off % (uint64_t)sysconf(_SC_PAGESIZE) || !h->nr_cpus || h->nr_cpus > 65536) {
		bpfvm_logf(log, "%s: pinned map header describes sections outside its %zu bytes", path, *size);
		return -EINVAL;
	}
	return 0;
}

/* the map the header describes, checked as map creation checks it, with storage of the size the file holds */
static int map_from_hdr(const struct pin_hdr *h, const char *path, struct bpfvm_map **out, struct bpfvm_log *log)
{
	char name[sizeof(h->name) + 1];
	memcpy(name, h->name, sizeof(h->name));
	name[sizeof(h->name)] = 0;
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = h->type, .key_size = h->key_size, .value_size = h->value_size,
		   .max_entries = h->max_entries, .map_flags = h->map_flags, .name = name, .map_extra = h->map_extra);
	struct bpfvm_map *m;
	int err = bpfvm_map_new(&attr, &m, log);
	if (err) {
		bpfvm_logf(log, "%s: pinned map: %s", path, log ? log->last_error : "bad attributes");
		return -EINVAL;
	}
	m->nr_cpus = h->nr_cpus;
	if (!m->ops->mem_size || h->data_size != m->ops->mem_size(m)) {
		bpfvm_logf(log, "%s: pinned map's storage is %llu bytes, its attributes need %zu", path,
			   (unsigned long long)h->data_size, m->ops->mem_size ? m->ops->mem_size(m) : 0);
		bpfvm_map__free(m);
		return -EINVAL;
	}
	*out = m;
	return 0;
}

/* attributes that must agree for a pinned map to be reused (libbpf's map_is_reuse_compat) */
static int check_reuse(const struct pin_hdr *h, const struct bpfvm_map *m, const char *path, struct bpfvm_log *log)
{
	const char *what = h->type != m->type		  ? "type"
			   : h->key_size != m->key_size	  ? "key_size"
			   : h->value_size != m->value_size   ? "value_size"
			   : h->max_entries != m->max_entries ? "max_entries"
			   : h->map_flags != m->map_flags	  ? "map_flags"
			   : h->map_extra != m->map_extra	  ? "map_extra"
			   : h->nr_cpus != m->nr_cpus	  ? "number of CPUs"
							  : NULL;
	if (!what)
		return 0;
	bpfvm_logf(log, "the map pinned at %s differs in %s", path, what);
	return -EINVAL;
}

/* the type's check of its block, under the writers' lock: other processes may be changing it */
static bool storage_valid(struct bpfvm_map *m)
{
	if (!m->ops->mem_valid)
		return true;
	bpfvm_map_lock(m);
	bool ok = m->ops->mem_valid(m);
	bpfvm_map_unlock(m);
	return ok;
}

static int open_file(const char *path, struct bpfvm_map **out, const struct bpfvm_map *want, struct bpfvm_log *log)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;
		if (errno != ENOENT || !want)
			bpfvm_logf(log, "%s: %s", path, strerror(errno));
		return err;
	}
	struct pin_hdr h;
	size_t size = 0;
	struct bpfvm_map *m = NULL;
	int err = read_hdr(fd, path, &h, &size, log);
	if (!err && want)
		err = check_reuse(&h, want, path, log);
	if (!err)
		err = map_from_hdr(&h, path, &m, log);
	if (!err && (err = attach(m, fd, size, h.data_off, path))) {
		bpfvm_logf(log, "%s: cannot map: %s", path, strerror(-err));
		bpfvm_map__free(m);
	} else if (!err && !storage_valid(m)) {
		bpfvm_logf(log, "%s: pinned map's storage does not match its attributes", path);
		bpfvm_map__free(m);
		err = -EINVAL;
	}
	close(fd);
	if (err)
		return err;
	if ((err = bpfvm_map_publish(m)))
		return err;
	*out = m;
	return 0;
}

int bpfvm_map_open_pinned(const char *path, struct bpfvm_map **out, struct bpfvm_log *log)
{
	*out = NULL;
	return open_file(path, out, NULL, log);
}

int bpfvm_map_create_pinned(const struct bpfvm_map_attr *attr, const char *path, const struct bpfvm_map_pin_btf *btf,
			    bool *reused, struct bpfvm_map **out, struct bpfvm_log *log)
{
	*out = NULL;
	struct bpfvm_map *m;
	int err = bpfvm_map_new(attr, &m, log);
	if (err)
		return err;
	if (!m->ops->mem_size) {
		bpfvm_logf(log, "map type %u cannot be pinned: its elements are not bytes in memory", m->type);
		bpfvm_map__free(m);
		return -EOPNOTSUPP;
	}
	/* an existing pin is reused; a new one is created, unless another process links its own first */
	for (int tries = 0; tries < 3; tries++) {
		if ((err = open_file(path, out, m, log)) != -ENOENT)
			break;
		if ((err = create_file(m, path, btf, log)) != -EEXIST)
			break;
	}
	if (reused)
		*reused = *out != NULL;
	if (*out || err) {
		bpfvm_map__free(m);
		return err;
	}
	if ((err = bpfvm_map_publish(m)))
		return err;
	*out = m;
	return 0;
}

const char *bpfvm_map__pin_path(const struct bpfvm_map *map)
{
	return map->pin ? map->pin->path : NULL;
}

const void *bpfvm_map__pin_btf(const struct bpfvm_map *map, size_t *size, uint32_t *key_type_id,
			       uint32_t *value_type_id)
{
	const struct pin_hdr *h = map->pin ? map->pin->base : NULL;
	if (!h || !h->btf_size)
		return NULL;
	*size = h->btf_size;
	*key_type_id = h->btf_key_type_id;
	*value_type_id = h->btf_value_type_id;
	return (const uint8_t *)h + h->btf_off;
}
