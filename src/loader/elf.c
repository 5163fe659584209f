/* elf.c - read a BPF ELF object with libelf: sections by kind, symbols, license, BTF, programs and subprograms */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "loader/sec_def.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

static bool has_pfx(const char *s, const char *pfx) { return !strncmp(s, pfx, strlen(pfx)); }

static bool is_data_sec(const char *name)
{
	return !strcmp(name, ".data") || has_pfx(name, ".data.") || !strcmp(name, ".rodata") ||
	       has_pfx(name, ".rodata.") || !strcmp(name, ".bss") || has_pfx(name, ".bss.");
}

const struct elf_sym *elf_sym_at(const struct bpfvm_object *obj, size_t idx)
{
	return idx < obj->nsyms ? &obj->syms[idx] : NULL;
}

static int cmp_sym(const void *a, const void *b, void *arg)
{
	const struct bpfvm_object *obj = arg;
	const struct elf_sym *x = &obj->syms[*(const uint32_t *)a], *y = &obj->syms[*(const uint32_t *)b];
	if (x->sym.st_shndx != y->sym.st_shndx)
		return x->sym.st_shndx < y->sym.st_shndx ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

const struct elf_sym *elf_find_sym(const struct bpfvm_object *obj, size_t shndx, const char *name, int stt)
{
	size_t lo = 0, hi = obj->sym_sorted ? obj->nsyms : 0;
	while (lo < hi) { /* lower bound of (shndx, name) */
		size_t mid = (lo + hi) / 2;
		const struct elf_sym *s = &obj->syms[obj->sym_sorted[mid]];
		if (s->sym.st_shndx < shndx || (s->sym.st_shndx == shndx && strcmp(s->name, name) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < obj->nsyms; lo++) {
		const struct elf_sym *s = &obj->syms[obj->sym_sorted[lo]];
		if (s->sym.st_shndx != shndx || strcmp(s->name, name))
			break;
		if (stt < 0 || GELF_ST_TYPE(s->sym.st_info) == stt)
			return s;
	}
	return NULL;
}

static int collect_syms(struct bpfvm_object *obj, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize != sizeof(Elf64_Sym) || !data->d_buf) {
		pr_err(obj, "%s: .symtab: bad symbol table", obj->name);
		return -EINVAL;
	}
	size_t n = data->d_size / sizeof(Elf64_Sym);
	obj->syms = calloc(n ? n : 1, sizeof(*obj->syms));
	if (!obj->syms)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct elf_sym *s = &obj->syms[i];
		if (!gelf_getsym(data, i, &s->sym)) {
			pr_err(obj, "%s: .symtab: cannot read symbol #%zu", obj->name, i);
			return -EINVAL;
		}
		s->name = elf_strptr(obj->elf, sh->sh_link, s->sym.st_name);
		if (!s->name)
			s->name = "";
	}
	obj->nsyms = n;
	obj->sym_sorted = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!obj->sym_sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		obj->sym_sorted[i] = i;
	qsort_r(obj->sym_sorted, n, sizeof(uint32_t), cmp_sym, obj);
	return 0;
}

static int add_func(struct bpfvm_object *obj, const char *name, int sec, size_t off, size_t cnt, bool is_prog)
{
	if (!(obj->nfuncs & (obj->nfuncs + 1)) || !obj->funcs) {
		struct loader_func *nf = realloc(obj->funcs, (2 * obj->nfuncs + 2) * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		obj->funcs = nf;
	}
	obj->funcs[obj->nfuncs++] = (struct loader_func){ name, sec, off, cnt, is_prog };
	return 0;
}

static int cmp_func(const void *a, const void *b)
{
	const struct loader_func *x = a, *y = b;
	if (x->sec != y->sec)
		return x->sec - y->sec;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* programs and subprograms: one per STT_FUNC symbol of an executable section, as libbpf's add_programs */
static int collect_funcs(struct bpfvm_object *obj)
{
	int err;
	for (size_t si = 1; si < obj->nsecs; si++) {
		struct elf_sec *sec = &obj->secs[si];
		if (sec->kind != SEC_PROG)
			continue;
		if (sec->size % sizeof(struct bpf_insn)) {
			pr_err(obj, "%s: section '%s': size %zu is not a multiple of 8", obj->name, sec->name, sec->size);
			return -EINVAL;
		}
		bool is_text = (int)si == obj->text_sec;
		size_t before = obj->nfuncs;
		/* the section's symbols are contiguous in sym_sorted: find the first, walk while they last */
		size_t lo = 0, hi = obj->nsyms;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (obj->syms[obj->sym_sorted[mid]].sym.st_shndx < si)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < obj->nsyms && obj->syms[obj->sym_sorted[k]].sym.st_shndx == si; k++) {
			size_t i = obj->sym_sorted[k];
			const GElf_Sym *sym = &obj->syms[i].sym;
			if (GELF_ST_TYPE(sym->st_info) != STT_FUNC)
				continue;
			const char *name = obj->syms[i].name;
			if (sym->st_value % 8 || sym->st_size % 8 || sym->st_value > sec->size ||
			    sym->st_size > sec->size - sym->st_value || !sym->st_size) {
				pr_err(obj, "%s: section '%s': function '%s' at offset %llu size %llu is outside the section",
				       obj->name, sec->name, name, (unsigned long long)sym->st_value,
				       (unsigned long long)sym->st_size);
				return -EINVAL;
			}
			if (!name[0]) {
				pr_err(obj, "%s: section '%s': function without a name", obj->name, sec->name);
				return -EINVAL;
			}
			if ((err = add_func(obj, name, si, sym->st_value / 8, sym->st_size / 8, !is_text)))
				return err;
		}
		/* a section without function symbols (hand-written assembly): one program named after it */
		if (obj->nfuncs == before && !is_text && sec->size)
			if ((err = add_func(obj, sec->name, si, 0, sec->size / 8, true)))
				return err;
	}
	if (obj->nfuncs)
		qsort(obj->funcs, obj->nfuncs, sizeof(*obj->funcs), cmp_func);
	for (size_t i = 1; i < obj->nfuncs; i++) {
		const struct loader_func *a = &obj->funcs[i - 1], *b = &obj->funcs[i];
		if (a->sec == b->sec && a->off + a->cnt > b->off) {
			pr_err(obj, "%s: section '%s': functions '%s' and '%s' overlap", obj->name,
			       obj->secs[a->sec].name, a->name, b->name);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * clang leaves DATASEC sizes and variable offsets zero in an object; like libbpf's btf_fixup_datasec(), fill them
 * in from the section headers and the symbol table, so the BTF can be handed to a kernel or a verifier as is.
 */
static int btf_fixup_datasec(struct bpfvm_object *obj)
{
	struct btf *btf = obj->btf;
	for (uint32_t id = 1; id < btf->nr_types; id++) {
		struct btf_type *t = (struct btf_type *)btf->types[id];
		if (btf_kind(t) != BTF_KIND_DATASEC)
			continue;
		const char *name = btf_str(btf, t->name_off);
		const struct elf_sec *sec = NULL;
		for (size_t i = 1; i < obj->nsecs && !sec; i++)
			if (!strcmp(obj->secs[i].name, name))
				sec = &obj->secs[i];
		if (!sec)
			continue; /* e.g. .kconfig, .ksyms: no ELF section */
		size_t shndx = sec - obj->secs;
		t->size = sec->size;
		struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);
		for (uint32_t k = 0; k < btf_vlen(t); k++) {
			const struct btf_type *var = btf_type_by_id(btf, vs[k].type);
			if (!var || btf_kind(var) != BTF_KIND_VAR)
				continue;
			const char *vname = btf_str(btf, var->name_off);
			const struct elf_sym *sym = elf_find_sym(obj, shndx, vname, STT_OBJECT);
			if (sym) {
				if (sym->sym.st_value + vs[k].size > sec->size) {
					pr_err(obj, "%s: .BTF: variable '%s' lies outside section '%s'", obj->name, vname,
					       name);
					return -EINVAL;
				}
				vs[k].offset = sym->sym.st_value;
			}
		}
	}
	return 0;
}

static int classify(struct bpfvm_object *obj, size_t idx, Elf_Scn *scn)
{
	struct elf_sec *sec = &obj->secs[idx];
	GElf_Shdr *sh = &sec->shdr;
	const char *name = sec->name;
	Elf_Data *data = NULL;

	sec->map_idx = -1;
	if (sh->sh_type != SHT_NOBITS && sh->sh_type != SHT_NULL) {
		data = elf_getdata(scn, NULL);
		if (!data && sh->sh_size) {
			pr_err(obj, "%s: section '%s': cannot read data: %s", obj->name, name, elf_errmsg(-1));
			return -EINVAL;
		}
		if (data) {
			sec->data = data->d_buf;
			sec->size = data->d_buf ? data->d_size : 0;
		}
	} else {
		sec->size = sh->sh_size;
	}

	if (sh->sh_type == SHT_SYMTAB) {
		if (obj->symtab_sec) {
			pr_err(obj, "%s: more than one symbol table", obj->name);
			return -EINVAL;
		}
		sec->kind = SEC_SYMTAB;
		obj->symtab_sec = idx;
	} else if (!strcmp(name, "license")) {
		sec->kind = SEC_LICENSE;
		size_t n = sec->size < sizeof(obj->license) - 1 ? sec->size : sizeof(obj->license) - 1;
		if (sec->data)
			memcpy(obj->license, sec->data, n);
		obj->license[n] = '\0';
	} else if (!strcmp(name, "version")) {
		sec->kind = SEC_VERSION;
		if (sec->size != 4 || !sec->data) {
			pr_err(obj, "%s: section 'version': invalid size %zu", obj->name, sec->size);
			return -EINVAL;
		}
		memcpy(&obj->kern_version, sec->data, 4);
	} else if (!strcmp(name, ".BTF")) {
		sec->kind = SEC_BTF;
	} else if (!strcmp(name, ".BTF.ext")) {
		sec->kind = SEC_BTF_EXT;
	} else if (!strcmp(name, ".maps")) {
		sec->kind = SEC_MAPS_BTF;
		if (obj->maps_btf_sec)
			goto dup;
		obj->maps_btf_sec = idx;
	} else if (!strcmp(name, "maps")) {
		sec->kind = SEC_MAPS_LEGACY;
		if (obj->maps_legacy_sec)
			goto dup;
		obj->maps_legacy_sec = idx;
	} else if (sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_EXECINSTR)) {
		if (!sec->size)
			return 0;
		sec->kind = SEC_PROG;
		if (!strcmp(name, ".text")) {
			if (obj->text_sec)
				goto dup;
			obj->text_sec = idx;
		}
		else if (!sec_def_find(name)) {
			pr_err(obj, "%s: section '%s': unknown program section (no SEC() definition matches)",
			       obj->name, name);
			return -EINVAL;
		}
	} else if ((sh->sh_type == SHT_PROGBITS || sh->sh_type == SHT_NOBITS) && is_data_sec(name)) {
		if (sec->size)
			sec->kind = SEC_DATA;
	} else if (sh->sh_type == SHT_REL) {
		sec->kind = SEC_RELO;
		if (sh->sh_entsize != sizeof(Elf64_Rel) || !sec->data || sec->size % sizeof(Elf64_Rel)) {
			pr_err(obj, "%s: section '%s': bad relocation section", obj->name, name);
			return -EINVAL;
		}
	} else if (sh->sh_type == SHT_RELA) {
		pr_err(obj, "%s: section '%s': RELA relocations are not used by BPF objects", obj->name, name);
		return -EINVAL;
	}
	return 0;
dup:
	pr_err(obj, "%s: section '%s' appears twice", obj->name, name);
	return -EINVAL;
}

/* SHT_REL sections: attach to the section they patch; relocations of debug sections are ignored */
static int link_relos(struct bpfvm_object *obj)
{
	for (size_t i = 1; i < obj->nsecs; i++) {
		struct elf_sec *sec = &obj->secs[i];
		if (sec->kind != SEC_RELO)
			continue;
		size_t target = sec->shdr.sh_info;
		if (target == 0 || target >= obj->nsecs) {
			pr_err(obj, "%s: section '%s': relocations for section #%zu which does not exist", obj->name,
			       sec->name, target);
			return -EINVAL;
		}
		if (sec->shdr.sh_link != (size_t)obj->symtab_sec) {
			pr_err(obj, "%s: section '%s': relocations against a table that is not .symtab", obj->name,
			       sec->name);
			return -EINVAL;
		}
		struct elf_sec *t = &obj->secs[target];
		if (t->kind == SEC_PROG || t->kind == SEC_MAPS_BTF) {
			if (t->relo_sec) {
				pr_err(obj, "%s: section '%s' has two relocation sections", obj->name, t->name);
				return -EINVAL;
			}
			t->relo_sec = i;
		}
	}
	return 0;
}

void elf_default_name(struct bpfvm_object *obj, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(obj->name, sizeof(obj->name), "%s", base);
	snprintf(obj->obj_name, sizeof(obj->obj_name), "%s", base);
	char *dot = strchr(obj->obj_name, '.'); /* libbpf cuts the object name at the first dot */
	if (dot && dot != obj->obj_name)
		*dot = '\0';
}

int elf_collect(struct bpfvm_object *obj)
{
	GElf_Ehdr eh;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		pr_err(obj, "%s: libelf initialisation failed", obj->name);
		return -EINVAL;
	}
	obj->elf = elf_memory((char *)obj->image, obj->image_size);
	if (!obj->elf || elf_kind(obj->elf) != ELF_K_ELF || !gelf_getehdr(obj->elf, &eh)) {
		pr_err(obj, "%s: not an ELF file", obj->name);
		return -EINVAL;
	}
	if (gelf_getclass(obj->elf) != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		pr_err(obj, "%s: not a 64-bit little-endian ELF object", obj->name);
		return -EINVAL;
	}
	if (eh.e_type != ET_REL || (eh.e_machine != EM_BPF && eh.e_machine != EM_NONE)) {
		pr_err(obj, "%s: not a BPF relocatable object (e_type %u, e_machine %u)", obj->name, eh.e_type,
		       eh.e_machine);
		return -EINVAL;
	}
	if (elf_getshdrstrndx(obj->elf, &obj->shstrndx) || elf_getshdrnum(obj->elf, &obj->nsecs)) {
		pr_err(obj, "%s: bad section header table: %s", obj->name, elf_errmsg(-1));
		return -EINVAL;
	}
	if (obj->nsecs > 65536 || obj->nsecs < 2) {
		pr_err(obj, "%s: bad number of sections %zu", obj->name, obj->nsecs);
		return -EINVAL;
	}
	obj->secs = calloc(obj->nsecs, sizeof(*obj->secs));
	if (!obj->secs)
		return -ENOMEM;
	for (size_t i = 1; i < obj->nsecs; i++) {
		Elf_Scn *scn = elf_getscn(obj->elf, i);
		struct elf_sec *sec = &obj->secs[i];
		if (!scn || !gelf_getshdr(scn, &sec->shdr)) {
			pr_err(obj, "%s: section #%zu: bad section header", obj->name, i);
			return -EINVAL;
		}
		sec->name = elf_strptr(obj->elf, obj->shstrndx, sec->shdr.sh_name);
		if (!sec->name) {
			pr_err(obj, "%s: section #%zu: name outside the section name table", obj->name, i);
			return -EINVAL;
		}
		if ((err = classify(obj, i, scn)))
			return err;
	}
	if (!obj->symtab_sec) {
		pr_err(obj, "%s: no symbol table (.symtab)", obj->name);
		return -EINVAL;
	}
	Elf_Scn *scn = elf_getscn(obj->elf, obj->symtab_sec);
	if ((err = collect_syms(obj, scn, &obj->secs[obj->symtab_sec].shdr)))
		return err;
	if ((err = link_relos(obj)))
		return err;
	for (size_t i = 1; i < obj->nsecs; i++) {
		struct elf_sec *sec = &obj->secs[i];
		if (sec->kind == SEC_BTF && obj->btf) {
			pr_err(obj, "%s: more than one .BTF section", obj->name);
			return -EINVAL;
		}
		struct bpfvm_log local = { 0 }; /* the parser's reason, reported once with the object's name */
		if (sec->kind == SEC_BTF && (err = btf_parse(sec->data, sec->size, &obj->btf, &local))) {
			pr_err(obj, "%s: %s", obj->name, local.last_error);
			return err;
		}
	}
	if (obj->btf && (err = btf_fixup_datasec(obj)))
		return err;
	for (size_t i = 1; i < obj->nsecs; i++) {
		struct elf_sec *sec = &obj->secs[i];
		if (sec->kind == SEC_BTF_EXT && obj->btf_ext) {
			pr_err(obj, "%s: more than one .BTF.ext section", obj->name);
			return -EINVAL;
		}
		struct bpfvm_log local = { 0 };
		if (sec->kind == SEC_BTF_EXT && obj->btf &&
		    (err = btf_ext_parse(sec->data, sec->size, obj->btf, &obj->btf_ext, &local))) {
			pr_err(obj, "%s: %s", obj->name, local.last_error[0] ? local.last_error : ".BTF.ext: out of memory");
			return err;
		}
	}
	return collect_funcs(obj);
}
