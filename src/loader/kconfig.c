/* kconfig.c - `extern ... __kconfig` variables: a read-only ".kconfig" array map filled as libbpf fills it, from
 * uname (LINUX_KERNEL_VERSION) and the kernel's configuration (/proc/config.gz or /boot/config-RELEASE) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "loader/loader.h"

#define F_RDONLY_PROG 0x80
#define F_MMAPABLE 0x400

static char *read_config(void)
{
	struct utsname u;
	char path[400];
	gzFile f = gzopen("/proc/config.gz", "rb"); /* gzread also reads plain files */
	if (!f && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = gzopen(path, "rb");
	}
	if (!f)
		return NULL;
	size_t cap = 1 << 18, n = 0;
	char *buf = malloc(cap + 1);
	int r;
	while (buf && (r = gzread(f, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, 2 * cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	gzclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* "CONFIG_X=value" -> value (borrowed, up to the newline); "# CONFIG_X is not set" -> "n" */
static const char *config_value(const char *cfg, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	for (const char *p = cfg; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, nl) && p[nl] == '=') {
			const char *v = p + nl + 1, *e = strchr(v, '\n');
			*len = e ? (size_t)(e - v) : strlen(v);
			return v;
		}
		if (!strncmp(p, "# ", 2) && !strncmp(p + 2, name, nl) && !strncmp(p + 2 + nl, " is not set", 11)) {
			*len = 1;
			return "n";
		}
	}
	return NULL;
}

static void put_uint(uint8_t *dst, size_t size, uint64_t v)
{
	memcpy(dst, &v, size > 8 ? 8 : size); /* little-endian */
}

/* one extern's value into dst (size bytes of BTF type id); -ENOENT when unknown */
static int kcfg_value(const char *name, const struct btf *btf, uint32_t type, uint8_t *dst, size_t size,
		      char **cfg, bool *cfg_read)
{
	if (!strcmp(name, "LINUX_KERNEL_VERSION")) {
		struct utsname u;
		unsigned a = 0, b = 0, c = 0;
		if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
			return -ENOENT;
		put_uint(dst, size, (a << 16) + (b << 8) + (c > 255 ? 255 : c));
		return 0;
	}
	if (!strcmp(name, "LINUX_HAS_SYSCALL_WRAPPER") || !strcmp(name, "LINUX_HAS_BPF_COOKIE")) {
		put_uint(dst, size, 1);
		return 0;
	}
	if (strncmp(name, "CONFIG_", 7))
		return -ENOENT;
	if (!*cfg_read) {
		*cfg = read_config();
		*cfg_read = true;
	}
	size_t len;
	const char *v = *cfg ? config_value(*cfg, name, &len) : NULL;
	if (!v)
		return -ENOENT;
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, type));
	if (t && btf_kind(t) == BTF_KIND_ARRAY) { /* char[N]: the quoted string */
		if (len >= 2 && v[0] == '"') {
			v++;
			len -= 2;
		}
		memcpy(dst, v, len < size ? len : size - 1);
		return 0;
	}
	if (len == 1 && (v[0] == 'y' || v[0] == 'n' || v[0] == 'm')) {
		/* bool: y 1, n 0; enum libbpf_tristate: y 1 (TRI_YES), m 2 (TRI_MODULE) */
		put_uint(dst, size, v[0] == 'y' ? 1 : v[0] == 'm' ? 2 : 0);
		return 0;
	}
	char num[64];
	snprintf(num, sizeof(num), "%.*s", (int)(len < 63 ? len : 63), v);
	char *end;
	long long x = strtoll(num, &end, 0);
	if (*end)
		return -EINVAL;
	put_uint(dst, size, (uint64_t)x);
	return 0;
}

/* btf__align_of(): what a variable of this type must be aligned to */
static uint32_t btf_align_of(const struct btf *btf, uint32_t id, int depth)
{
	const struct btf_type *t = btf_type_by_id(btf, btf_skip_mods(btf, id));
	if (!t || depth > 16)
		return 1;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
		return t->size >= 8 ? 8 : t->size ? t->size : 1;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_ARRAY:
		return btf_align_of(btf, ((const struct btf_array *)btf_members_raw(t))->type, depth + 1);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		uint32_t a = 1;
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			uint32_t m = btf_align_of(btf, btf_members(t)[i].type, depth + 1);
			a = m > a ? m : a;
		}
		return a;
	}
	}
	return 1;
}

struct kcfg_ent {
	uint32_t idx, align, size;
	const char *name;
};

/* libbpf's cmp_externs() for kconfig: alignment descending, then size ascending, then name */
static int cmp_kcfg(const void *a, const void *b)
{
	const struct kcfg_ent *x = a, *y = b;
	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Offsets of the .kconfig DATASEC's variables in libbpf's layout (sorted as above, each aligned); returns the
 * total size, or -EINVAL for a variable without a usable type. offs[] has one entry per DATASEC entry.
 */
int64_t kconfig_layout(const struct btf *btf, const struct btf_type *ds, uint32_t *offs)
{
	const struct btf_var_secinfo *vs = btf_members_raw(ds);
	uint32_t n = btf_vlen(ds);
	struct kcfg_ent *e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct btf_type *var = btf_type_by_id(btf, vs[i].type);
		int64_t sz = var && btf_kind(var) == BTF_KIND_VAR ? btf_type_size(btf, var->type) : -1;
		if (btf_kind(var ? var : ds) == BTF_KIND_FUNC) /* a kfunc declared in the wrong section */
			sz = -1;
		if (sz <= 0 || sz > 4096) {
			free(e);
			return -EINVAL;
		}
		e[i] = (struct kcfg_ent){ i, btf_align_of(btf, var->type, 0), sz, btf_type_name(btf, var) };
	}
	qsort(e, n, sizeof(*e), cmp_kcfg);
	uint32_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		off = (off + e[i].align - 1) & ~(e[i].align - 1);
		offs[e[i].idx] = off;
		off += e[i].size;
	}
	free(e);
	return off;
}

int kconfig_collect(struct bpfvm_object *obj)
{
	uint32_t ds_id = btf_find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
	const struct btf_type *ds = btf_type_by_id(obj->btf, ds_id);
	if (!ds || !btf_vlen(ds))
		return 0;
	const struct btf_var_secinfo *vs = btf_members_raw(ds);
	uint32_t n = btf_vlen(ds);
	uint32_t *offs = calloc(n, sizeof(*offs));
	if (!offs)
		return -ENOMEM;
	int64_t size = kconfig_layout(obj->btf, ds, offs);
	if (size < 0) {
		pr_err(obj, "%s: .kconfig: an extern has no usable type", obj->name);
		free(offs);
		return size == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	struct loader_map *m;
	int err = map_add(obj, &m);
	if (err) {
		free(offs);
		return err;
	}
	obj->kconfig_map = obj->nmaps - 1;
	snprintf(m->real_name, sizeof(m->real_name), ".kconfig");
	internal_map_name(obj, ".kconfig", m->name, sizeof(m->name));
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = size ? size : 1;
	m->max_entries = 1;
	m->map_flags = F_RDONLY_PROG | F_MMAPABLE;
	m->btf_value_type_id = ds_id;
	m->init_data = calloc(1, m->value_size);
	obj->kconfig_offs = offs;
	obj->kconfig_n = n;
	if (!m->init_data)
		return -ENOMEM;
	char *cfg = NULL;
	bool cfg_read = false;
	for (uint32_t i = 0; i < n && !err; i++) {
		const struct btf_type *var = btf_type_by_id(obj->btf, vs[i].type);
		const char *name = btf_type_name(obj->btf, var);
		int64_t sz = btf_type_size(obj->btf, var->type);
		int r = kcfg_value(name, obj->btf, var->type, m->init_data + offs[i], sz, &cfg, &cfg_read);
		const struct elf_sym *sym = elf_find_sym(obj, SHN_UNDEF, name, -1);
		bool weak = sym && GELF_ST_BIND(sym->sym.st_info) == STB_WEAK;
		if (r == -EINVAL || (r == -ENOENT && !weak)) { /* a weak unknown extern reads as zero, as in libbpf */
			pr_err(obj, "%s: extern (kcfg) '%s': %s", obj->name, name,
			       r == -EINVAL ? "value is not a number" : "value not found");
			err = -ESRCH;
		}
	}
	free(cfg);
	return err;
}

/* the .kconfig map offset of an extern, or -1 */
long kconfig_offset(const struct bpfvm_object *obj, const char *name)
{
	uint32_t ds_id = btf_find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
	const struct btf_type *ds = btf_type_by_id(obj->btf, ds_id);
	if (!ds || obj->kconfig_map < 0)
		return -1;
	const struct btf_var_secinfo *vs = btf_members_raw(ds);
	for (uint32_t i = 0; i < btf_vlen(ds) && i < obj->kconfig_n; i++)
		if (!strcmp(btf_type_name(obj->btf, btf_type_by_id(obj->btf, vs[i].type)), name))
			return obj->kconfig_offs[i];
	return -1;
}
