/* maps_create.c - create an object's maps at load: sizes, inner templates, initial data and slots */
#include <errno.h>

#include "loader/loader.h"

/* TODO(maps merge): bpfvm_map_create() from src/maps/map.h; until then an object with maps cannot load. */
int maps_create(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++)
		if (!obj->maps[i].is_inner) {
			pr_err(obj, "%s: map '%s': map creation is not available in this build yet", obj->name,
			       obj->maps[i].name);
			return -ENOTSUP;
		}
	return 0;
}

void maps_destroy(struct bpfvm_object *obj) { (void)obj; }

int maps_init_slots(struct bpfvm_object *obj) { (void)obj; return 0; }

int loader_map_addr(struct bpfvm_object *obj, int map_idx, uint64_t *addr) { return -ENOTSUP; }

int loader_map_value_addr(struct bpfvm_object *obj, int map_idx, uint32_t off, uint64_t *addr) { return -ENOTSUP; }
