/* maps_create.c - create an object's maps at load: sizes, inner templates, pins, initial data and slots */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfvm/map.h"
#include "loader/loader.h"
#include "maps/map.h"

#define LIBBPF_PIN_BY_NAME 1

/* pinned: declared with LIBBPF_PIN_BY_NAME, or any pinnable map under pin_all_maps except global data (libbpf
 * never pins .data/.rodata/.bss: they belong to one object's build) */
static bool wants_pin(const struct bpfvm_object *obj, const struct loader_map *lm)
{
	if (lm->pinning == LIBBPF_PIN_BY_NAME)
		return true;
	return obj->pin_all_maps && !lm->init_data && lm->real_name[0] != '.' && bpfvm_map_type_pinnable(lm->type);
}

/* the pin directory, made if missing; the reason in log when it cannot be */
static int pin_dir(struct bpfvm_object *obj, char *buf, size_t n, struct bpfvm_log *log)
{
	if (obj->pin_root_path)
		snprintf(buf, n, "%s", obj->pin_root_path);
	else if (geteuid() == 0)
		snprintf(buf, n, "/run/bpfvm");
	else
		snprintf(buf, n, "/tmp/bpfvm-%u", (unsigned)geteuid());
	if (mkdir(buf, 0700) && errno != EEXIST) {
		int err = -errno;
		bpfvm_logf(log, "pin directory %s: %s", buf, strerror(errno));
		return err;
	}
	return 0;
}

static int map_create_pinned(struct bpfvm_object *obj, struct loader_map *lm, const struct bpfvm_map_attr *attr,
			     struct bpfvm_log *log)
{
	char dir[4096], path[4096 + 64];
	int err = pin_dir(obj, dir, sizeof(dir), log);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/%s", dir, lm->name);
	struct bpfvm_map_pin_btf btf = { .key_type_id = lm->btf_key_type_id, .value_type_id = lm->btf_value_type_id };
	btf.data = bpfvm_object__btf_raw(obj, &btf.size);
	bool reused = false;
	err = bpfvm_map_create_pinned(attr, path, &btf, &reused, &lm->map, log);
	if (!err)
		lm->pin_reused = reused;
	return err;
}

int maps_create(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		struct loader_map *lm = &obj->maps[i];
		if (lm->is_inner)
			continue; /* a template: it describes the inner maps, it is not created */
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_map_attr, attr, .type = lm->type, .key_size = lm->key_size, .value_size = lm->value_size,
			   .max_entries = lm->max_entries, .map_flags = lm->map_flags, .name = lm->name,
			   .map_extra = lm->map_extra);
		int err = wants_pin(obj, lm) ? map_create_pinned(obj, lm, &attr, &log) :
						bpfvm_map_create(&attr, &lm->map, &log);
		if (err) {
			pr_err(obj, "%s: map '%s': %s", obj->name, lm->name, log.last_error);
			return err;
		}
		if (lm->spin_lock_off >= 0 && (err = bpfvm_map__set_spin_lock(lm->map, (uint32_t)lm->spin_lock_off))) {
			pr_err(obj, "%s: map '%s': bpf_spin_lock: %s", obj->name, lm->name, strerror(-err));
			return err;
		}
		if (lm->init_data && !lm->pin_reused) { /* .data, .rodata, .kconfig: element 0 holds the section */
			uint32_t zero = 0;
			if ((err = bpfvm_map__update_elem(lm->map, &zero, lm->init_data, BPF_ANY))) {
				pr_err(obj, "%s: map '%s': initial data: error %d", obj->name, lm->name, err);
				return err;
			}
		}
	}
	return 0;
}

void maps_destroy(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		bpfvm_map__free(obj->maps[i].map);
		obj->maps[i].map = NULL;
	}
}

int maps_init_slots(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		struct loader_map *m = &obj->maps[i];
		if (!m->nslots || !m->map)
			continue;
		for (size_t k = 0; k < m->nslots; k++) {
			const struct bpfvm_map_init_slot *s = &m->slots[k];
			if (m->type != BPF_MAP_TYPE_PROG_ARRAY) { /* map-in-map: the slot takes another of the maps */
				struct bpfvm_map *in = s->map_idx >= 0 && (size_t)s->map_idx < obj->nmaps ?
							       obj->maps[s->map_idx].map : NULL;
				int err = in ? bpfvm_map__set_inner(m->map, &s->slot, in, BPF_ANY) : -EINVAL;
				if (err) {
					pr_err(obj, "%s: map '%s': slot %u: %s", obj->name, m->name, s->slot,
					       in ? strerror(-err) : "names a map that is not created");
					return err;
				}
				continue;
			}
			struct bpfvm_prog *p = s->prog_idx >= 0 && (size_t)s->prog_idx < obj->nprogs ?
						       obj->progs[s->prog_idx].prog : NULL;
			if (!p) {
				pr_err(obj, "%s: map '%s': slot %u names a program that is not loaded", obj->name, m->name,
				       s->slot);
				return -EINVAL;
			}
			int err = bpfvm_map__set_prog(m->map, s->slot, p);
			if (err) {
				pr_err(obj, "%s: map '%s': slot %u: %s", obj->name, m->name, s->slot, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

int loader_map_addr(struct bpfvm_object *obj, int map_idx, uint64_t *addr)
{
	if (map_idx < 0 || (size_t)map_idx >= obj->nmaps || !obj->maps[map_idx].map)
		return -EINVAL;
	*addr = (uint64_t)(uintptr_t)obj->maps[map_idx].map;
	return 0;
}

int loader_map_value_addr(struct bpfvm_object *obj, int map_idx, uint32_t off, uint64_t *addr)
{
	uint32_t zero = 0;
	if (map_idx < 0 || (size_t)map_idx >= obj->nmaps || !obj->maps[map_idx].map)
		return -EINVAL;
	struct bpfvm_map *m = obj->maps[map_idx].map;
	void *v = m->type == BPF_MAP_TYPE_ARRAY ? bpfvm_map_lookup_ptr(m, &zero) : NULL;
	if (!v || off >= m->value_size)
		return -EINVAL;
	*addr = (uint64_t)(uintptr_t)v + off;
	return 0;
}
