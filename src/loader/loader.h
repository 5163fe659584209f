/* loader.h - the loader's internal object: ELF sections, symbols, map descriptors, programs, and the passes */
#ifndef BPFVM_LOADER_LOADER_H
#define BPFVM_LOADER_LOADER_H

#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/object.h"
#include "common/log_internal.h"
#include "loader/btf.h"

#define LOADER_NAME_LEN 64
#define BPF_OBJ_NAME_LEN_K 16 /* the kernel's BPF_OBJ_NAME_LEN */

enum sec_kind {
	SEC_OTHER = 0, /* ignored (debug info, .llvm_addrsig, ...) */
	SEC_PROG,      /* executable: programs or .text subprograms */
	SEC_MAPS_BTF,  /* .maps */
	SEC_MAPS_LEGACY, /* maps */
	SEC_DATA,      /* .data, .data.*, .rodata, .rodata.*, .bss: one array map each */
	SEC_RELO,      /* SHT_REL for one of the above */
	SEC_LICENSE, SEC_VERSION, SEC_BTF, SEC_BTF_EXT, SEC_SYMTAB, SEC_STRTAB,
};

struct elf_sec {
	const char *name;
	GElf_Shdr shdr;
	enum sec_kind kind;
	const uint8_t *data;   /* NULL for NOBITS (.bss) */
	size_t size;
	int map_idx;           /* SEC_DATA: its map; -1 otherwise */
	int relo_sec;          /* the SHT_REL section that patches this one, 0 if none */
	Elf64_Rel *relos;      /* code sections: its relocations sorted by offset (owned) */
	size_t nrelos;
};

struct elf_sym {
	const char *name;
	GElf_Sym sym;
};

/* a function in a program section: a program (entry) or a subprogram */
struct loader_func {
	const char *name;
	int sec;               /* section index */
	size_t off, cnt;       /* in instructions inside the section */
	bool is_prog;
};

struct loader_map {
	char name[LOADER_NAME_LEN];
	char real_name[LOADER_NAME_LEN];
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node;
	uint64_t map_extra;
	uint32_t btf_key_type_id, btf_value_type_id;
	int sec;               /* where it was defined */
	size_t sec_off;        /* .maps / maps: offset of its definition; data sections: 0 */
	uint8_t *init_data;    /* data sections: value_size bytes (owned) */
	int inner_idx;         /* map-in-map: the inner template map (an extra map, not in the ELF), or -1 */
	bool is_inner;         /* an inner template (not created on its own) */
	uint32_t pinning;      /* LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1) */
	bool pin_reused;       /* its pin existed: the elements are the pin's, not the initial ones */
	int32_t spin_lock_off; /* a struct bpf_spin_lock member of the value (BTF), -1 when none */
	int32_t timer_off;     /* a struct bpf_timer member, -1 when none */
	struct bpfvm_map_init_slot *slots;
	size_t nslots;
	struct bpfvm_map *map; /* created at load */
};

struct loader_prog {
	char name[LOADER_NAME_LEN];
	const char *sec_name;
	int func_idx;
	uint32_t prog_type, expected_attach_type, prog_flags;
	bool autoload;
	struct bpf_insn *insns; /* linked: the entry function then appended subprograms */
	size_t insn_cnt;
	struct bpf_func_info *func_info;
	uint32_t func_info_cnt;
	uint8_t *func_ret_scalar; /* per func_info record: the function returns an int or enum (BTF) */
	struct bpf_line_info *line_info;
	uint32_t line_info_cnt;
	struct bpfvm_prog *prog;
};

struct bpfvm_object {
	char name[LOADER_NAME_LEN];     /* in messages: the file's base name ("prog.bpf.o") */
	char obj_name[LOADER_NAME_LEN]; /* libbpf's object name ("prog"): bpfvm_object__name, global data map names */
	char license[128];
	uint32_t kern_version;
	struct bpfvm_log *log;
	char *btf_custom_path;
	char *pin_root_path;   /* NULL: the default (maps_create.c) */
	bool pin_all_maps;

	uint8_t *image;        /* owned copy of the file */
	size_t image_size;
	Elf *elf;
	size_t shstrndx;
	struct elf_sec *secs;
	size_t nsecs;
	struct elf_sym *syms;
	size_t nsyms;
	uint32_t *sym_sorted;  /* symbol indexes sorted by (section, name, index): elf_find_sym() */
	int symtab_sec, text_sec, maps_btf_sec, maps_legacy_sec;

	struct btf *btf;
	uint8_t *btf_kernel;    /* sanitized copy for BPF_BTF_LOAD, made on first request */
	size_t btf_kernel_size;
	struct btf_ext *btf_ext;
	struct btf *target_btf; /* CO-RE target, loaded on first need */
	bool target_btf_tried;

	int kconfig_map;        /* the .kconfig map's index, or -1 */
	uint32_t *kconfig_offs; /* per .kconfig DATASEC entry: its offset in the map */
	uint32_t kconfig_n;

	struct loader_func *funcs;
	size_t nfuncs;
	struct loader_map *maps;
	size_t nmaps;
	struct loader_prog *progs;
	size_t nprogs;
	bool loaded;
};

#define pr_err(obj, ...) bpfvm_logf((obj)->log, __VA_ARGS__)

/* elf.c */
int elf_collect(struct bpfvm_object *obj);
void elf_default_name(struct bpfvm_object *obj, const char *path);
const struct elf_sym *elf_sym_at(const struct bpfvm_object *obj, size_t idx);
/* the first symbol (lowest index) of section shndx named name, of ELF type stt (-1: any); NULL if none */
const struct elf_sym *elf_find_sym(const struct bpfvm_object *obj, size_t shndx, const char *name, int stt);
/* btf_sanitize.c: a malloc'd copy of the BTF as BPF_BTF_LOAD accepts it */
int btf_sanitize_for_kernel(const struct btf *in, uint8_t **out_raw, size_t *out_size, struct bpfvm_log *log);
/* maps_sec.c */
int maps_collect(struct bpfvm_object *obj);
int map_add(struct bpfvm_object *obj, struct loader_map **out);
void internal_map_name(const struct bpfvm_object *obj, const char *real, char *out, size_t out_sz);
/* kconfig.c */
int kconfig_collect(struct bpfvm_object *obj);
int64_t kconfig_layout(const struct btf *btf, const struct btf_type *ds, uint32_t *offs);
long kconfig_offset(const struct bpfvm_object *obj, const char *name);
/* reloc.c */
int progs_link(struct bpfvm_object *obj);
int find_map_by_sec_off(const struct bpfvm_object *obj, int sec, size_t off);
/* core.c */
int core_resolve_extern(struct bpfvm_object *obj, const char *prog, const char *name, bool weak, struct bpf_insn *in);
int core_relocate_func(struct bpfvm_object *obj, const struct loader_func *f, struct bpf_insn *insns);
/* maps_create.c */
int maps_create(struct bpfvm_object *obj);
void maps_destroy(struct bpfvm_object *obj);
int maps_init_slots(struct bpfvm_object *obj);
int loader_map_addr(struct bpfvm_object *obj, int map_idx, uint64_t *addr);
int loader_map_value_addr(struct bpfvm_object *obj, int map_idx, uint32_t off, uint64_t *addr);
/* prog_verify.c: bpfvm's verifier on one program with the object's maps and kfuncs; `how` gives the log settings
 * and stats (its program fields are filled in here) */
struct bpfvm_verify_opts;
int loader_verify_prog(const struct bpfvm_object *obj, const struct loader_prog *p, const struct bpfvm_verify_opts *how);

/* prog_load.c: verify one program, resolve its map references to pointers, make the runnable program */
int prog_load(struct bpfvm_object *obj, struct loader_prog *p);
void prog_unload(struct loader_prog *p);

#endif
