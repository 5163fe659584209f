/* object.c - the public object API: open (parse + relocate), load (maps + verify + runnable programs), find, close */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/loader.h"

#define OBJ_MAX_SIZE (256u << 20)

/* libbpf's OPTS_VALID: a larger struct than we know is fine only if its unknown tail is zero */
static bool opts_valid(const void *opts, size_t known)
{
	if (!opts)
		return true;
	size_t sz = *(const size_t *)opts;
	if (sz < sizeof(size_t))
		return false;
	for (size_t i = known; i < sz; i++)
		if (((const uint8_t *)opts)[i])
			return false;
	return true;
}

/* the bytes this library knows, with the tail padding of its own struct (which initialisers need not zero) */
#define OPTS_KNOWN(TYPE)                                                                                         \
	((offsetof(struct TYPE, TYPE##__last_field) + sizeof(((struct TYPE *)0)->TYPE##__last_field) +                 \
	  _Alignof(struct TYPE) - 1) & ~(_Alignof(struct TYPE) - 1))
#define OPTS_HAS(opts, TYPE, field)                                                                             \
	((opts) && (opts)->sz >= offsetof(struct TYPE, field) + sizeof((opts)->field))
#define OPTS_GET(opts, TYPE, field, def) (OPTS_HAS(opts, TYPE, field) ? (opts)->field : (def))

static struct bpfvm_object *open_image(uint8_t *image, size_t size, const char *name_hint,
				       const struct bpfvm_object_open_opts *opts)
{
	int err;
	if (!opts_valid(opts, OPTS_KNOWN(bpfvm_object_open_opts))) {
		free(image);
		errno = EINVAL;
		return NULL;
	}
	struct bpfvm_object *obj = calloc(1, sizeof(*obj));
	if (!obj) {
		free(image);
		errno = ENOMEM;
		return NULL;
	}
	obj->image = image;
	obj->kconfig_map = -1;
	obj->image_size = size;
	obj->log = OPTS_GET(opts, bpfvm_object_open_opts, log, NULL);
	const char *oname = OPTS_GET(opts, bpfvm_object_open_opts, object_name, NULL);
	if (oname) {
		snprintf(obj->name, sizeof(obj->name), "%s", oname);
		snprintf(obj->obj_name, sizeof(obj->obj_name), "%s", oname);
	} else {
		elf_default_name(obj, name_hint);
	}
	const char *btf_path = OPTS_GET(opts, bpfvm_object_open_opts, btf_custom_path, NULL);
	if (btf_path && !(obj->btf_custom_path = strdup(btf_path))) {
		err = -ENOMEM;
		goto fail;
	}
	const char *pin_root = OPTS_GET(opts, bpfvm_object_open_opts, pin_root_path, NULL);
	if (pin_root && !(obj->pin_root_path = strdup(pin_root))) {
		err = -ENOMEM;
		goto fail;
	}
	obj->pin_all_maps = OPTS_GET(opts, bpfvm_object_open_opts, pin_all_maps, false);
	if ((err = elf_collect(obj)) || (err = maps_collect(obj)) || (err = progs_link(obj)))
		goto fail;
	return obj;
fail:
	if (err == -ENOMEM)
		pr_err(obj, "%s: out of memory", obj->name);
	bpfvm_object__close(obj);
	errno = -err;
	return NULL;
}

struct bpfvm_object *bpfvm_object__open_mem(const void *buf, size_t size, const struct bpfvm_object_open_opts *opts)
{
	if (!buf || !size || size > OBJ_MAX_SIZE) {
		bpfvm_logf(OPTS_GET(opts, bpfvm_object_open_opts, log, NULL), "object in memory: bad size %zu", size);
		errno = EINVAL;
		return NULL;
	}
	uint8_t *image = malloc(size);
	if (!image) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(image, buf, size);
	return open_image(image, size, "mem", opts);
}

struct bpfvm_object *bpfvm_object__open_file(const char *path, const struct bpfvm_object_open_opts *opts)
{
	struct bpfvm_log *log = OPTS_GET(opts, bpfvm_object_open_opts, log, NULL);
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;
		bpfvm_logf(log, "%s: %s", path, fd < 0 ? strerror(e) : "not a regular file");
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > OBJ_MAX_SIZE) {
		bpfvm_logf(log, "%s: %s", path, st.st_size ? "file too large" : "empty file");
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	uint8_t *image = malloc(st.st_size);
	size_t n = 0;
	while (image && n < (size_t)st.st_size) {
		ssize_t r = read(fd, image + n, st.st_size - n);
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	if (!image || n != (size_t)st.st_size) {
		bpfvm_logf(log, "%s: read error", path);
		free(image);
		errno = image ? EIO : ENOMEM;
		return NULL;
	}
	return open_image(image, n, path, opts);
}

void bpfvm_object__close(struct bpfvm_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nprogs; i++) {
		struct loader_prog *p = &obj->progs[i];
		prog_unload(p);
		free(p->insns);
		free(p->func_info);
		free(p->func_ret_scalar);
		free(p->line_info);
	}
	free(obj->progs);
	maps_destroy(obj);
	for (size_t i = 0; i < obj->nmaps; i++) {
		free(obj->maps[i].init_data);
		free(obj->maps[i].slots);
	}
	free(obj->maps);
	free(obj->kconfig_offs);
	free(obj->funcs);
	for (size_t i = 0; obj->secs && i < obj->nsecs; i++)
		free(obj->secs[i].relos);
	free(obj->syms);
	free(obj->sym_sorted);
	free(obj->secs);
	btf_ext_free(obj->btf_ext);
	btf_free(obj->btf);
	free(obj->btf_kernel);
	btf_free(obj->target_btf);
	if (obj->elf)
		elf_end(obj->elf);
	free(obj->image);
	free(obj->btf_custom_path);
	free(obj->pin_root_path);
	free(obj);
}

int bpfvm_object__load(struct bpfvm_object *obj)
{
	int err;
	if (!obj)
		return -EINVAL;
	if (obj->loaded) {
		pr_err(obj, "%s: object already loaded", obj->name);
		return -EINVAL;
	}
	if ((err = maps_create(obj)))
		return err;
	for (size_t i = 0; i < obj->nprogs; i++) {
		struct loader_prog *p = &obj->progs[i];
		if (!p->autoload)
			continue;
		if ((err = prog_load(obj, p)))
			return err;
	}
	if ((err = maps_init_slots(obj)))
		return err;
	obj->loaded = true;
	return 0;
}

int bpfvm_object__set_autoload(struct bpfvm_object *obj, const char *name, bool autoload)
{
	for (size_t i = 0; obj && name && i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name)) {
			if (obj->loaded)
				return -EBUSY;
			obj->progs[i].autoload = autoload;
			return 0;
		}
	return -ENOENT;
}

const char *bpfvm_object__name(const struct bpfvm_object *obj) { return obj ? obj->obj_name : NULL; }
const char *bpfvm_object__license(const struct bpfvm_object *obj) { return obj ? obj->license : NULL; }

struct bpfvm_prog *bpfvm_object__find_prog_by_name(const struct bpfvm_object *obj, const char *name)
{
	for (size_t i = 0; obj && name && i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name)) {
			if (!obj->progs[i].prog)
				break;
			return obj->progs[i].prog;
		}
	errno = ENOENT;
	return NULL;
}

struct bpfvm_map *bpfvm_object__find_map_by_name(const struct bpfvm_object *obj, const char *name)
{
	for (size_t i = 0; obj && name && i < obj->nmaps; i++) {
		const struct loader_map *m = &obj->maps[i];
		if (!m->is_inner && m->map && (!strcmp(m->name, name) || !strcmp(m->real_name, name)))
			return m->map;
	}
	errno = ENOENT;
	return NULL;
}

size_t bpfvm_object__prog_cnt(const struct bpfvm_object *obj) { return obj ? obj->nprogs : 0; }

int bpfvm_object__prog_info(const struct bpfvm_object *obj, size_t idx, struct bpfvm_object_prog_info *info)
{
	if (!obj || idx >= obj->nprogs || !info)
		return -EINVAL;
	const struct loader_prog *p = &obj->progs[idx];
	*info = (struct bpfvm_object_prog_info){
		.name = p->name, .sec_name = p->sec_name, .prog_type = p->prog_type,
		.expected_attach_type = p->expected_attach_type, .prog_flags = p->prog_flags, .autoload = p->autoload,
		.insns = p->insns, .insn_cnt = p->insn_cnt, .func_info = p->func_info,
		.func_info_cnt = p->func_info_cnt, .func_ret_scalar = p->func_ret_scalar, .line_info = p->line_info, .line_info_cnt = p->line_info_cnt,
		.prog = p->prog,
	};
	return 0;
}

const char *bpfvm_object__btf_str(const struct bpfvm_object *obj, uint32_t off)
{
	return obj && obj->btf && off < obj->btf->str_len ? obj->btf->strs + off : NULL;
}

size_t bpfvm_object__map_cnt(const struct bpfvm_object *obj) { return obj ? obj->nmaps : 0; }

int bpfvm_object__map_idx_by_fd(const struct bpfvm_object *obj, int fd)
{
	long idx = (long)fd - BPFVM_MAP_FD_BASE;
	return obj && idx >= 0 && (size_t)idx < obj->nmaps && !obj->maps[idx].is_inner ? idx : -1;
}

int bpfvm_object__map_info(const struct bpfvm_object *obj, size_t idx, struct bpfvm_object_map_info *info)
{
	if (!obj || idx >= obj->nmaps || !info)
		return -EINVAL;
	const struct loader_map *m = &obj->maps[idx];
	*info = (struct bpfvm_object_map_info){
		.name = m->name, .real_name = m->real_name, .type = m->type, .key_size = m->key_size,
		.value_size = m->value_size, .max_entries = m->max_entries, .map_flags = m->map_flags,
		.btf_key_type_id = m->btf_key_type_id, .btf_value_type_id = m->btf_value_type_id,
		.map_extra = m->map_extra, .init_data = m->init_data, .inner_map_idx = m->inner_idx,
		.is_inner_template = m->is_inner, .slots = m->slots, .nslots = m->nslots,
		.map = m->map, .spin_lock_off = m->spin_lock_off, .timer_off = m->timer_off,
	};
	return 0;
}

const void *bpfvm_object__btf_raw(const struct bpfvm_object *cobj, size_t *size)
{
	struct bpfvm_object *obj = (struct bpfvm_object *)cobj; /* the sanitized copy is made once, on demand */
	if (size)
		*size = 0;
	if (!obj || !obj->btf)
		return NULL;
	if (!obj->btf_kernel && btf_sanitize_for_kernel(obj->btf, &obj->btf_kernel, &obj->btf_kernel_size, obj->log))
		return NULL;
	if (size)
		*size = obj->btf_kernel_size;
	return obj->btf_kernel;
}

int bpfvm_object__format_line_info(const struct bpfvm_object *obj, const struct bpf_line_info *li, char *buf,
				   size_t size)
{
	const char *line = li ? bpfvm_object__btf_str(obj, li->line_off) : NULL;
	const char *file = li ? bpfvm_object__btf_str(obj, li->file_name_off) : NULL;
	if (!line || !file)
		return -EINVAL;
	while (*line == ' ' || *line == '\t')
		line++;
	const char *base = strrchr(file, '/');
	/* mirrors verbose_linfo(): "; %s @ %s:%d", BPF_LINE_INFO_LINE_NUM is line_col >> 10 */
	return snprintf(buf, size, "; %s @ %s:%u", line, base ? base + 1 : file, li->line_col >> 10);
}
