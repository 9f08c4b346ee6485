/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/elf.h: the ELF64 structures and constants the x86-64 loader reads
 * (include/uapi/linux/elf.h), and the auxiliary vector entries it writes
 * on the initial stack (include/uapi/linux/auxvec.h,
 * arch/x86/include/uapi/asm/auxvec.h).
 */
#ifndef CVISOR_ABI_ELF_H
#define CVISOR_ABI_ELF_H

#include <stdint.h>

#define LINUX_EI_NIDENT 16
#define LINUX_EI_CLASS 4
#define LINUX_EI_DATA 5
#define LINUX_EI_VERSION 6
#define LINUX_ELFMAG "\177ELF"
#define LINUX_SELFMAG 4
#define LINUX_ELFCLASS64 2
#define LINUX_ELFDATA2LSB 1
#define LINUX_EV_CURRENT 1

#define LINUX_ET_EXEC 2
#define LINUX_ET_DYN 3
#define LINUX_EM_X86_64 62

struct linux_elf64_ehdr {
	uint8_t e_ident[LINUX_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct linux_elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

#define LINUX_PT_NULL 0
#define LINUX_PT_LOAD 1
#define LINUX_PT_DYNAMIC 2
#define LINUX_PT_INTERP 3
#define LINUX_PT_NOTE 4
#define LINUX_PT_PHDR 6
#define LINUX_PT_GNU_STACK 0x6474e551u

#define LINUX_PF_X 0x1
#define LINUX_PF_W 0x2
#define LINUX_PF_R 0x4

/* Auxiliary vector entry types. */
#define LINUX_AT_NULL 0
#define LINUX_AT_IGNORE 1
#define LINUX_AT_EXECFD 2
#define LINUX_AT_PHDR 3
#define LINUX_AT_PHENT 4
#define LINUX_AT_PHNUM 5
#define LINUX_AT_PAGESZ 6
#define LINUX_AT_BASE 7
#define LINUX_AT_FLAGS 8
#define LINUX_AT_ENTRY 9
#define LINUX_AT_NOTELF 10
#define LINUX_AT_UID 11
#define LINUX_AT_EUID 12
#define LINUX_AT_GID 13
#define LINUX_AT_EGID 14
#define LINUX_AT_PLATFORM 15
#define LINUX_AT_HWCAP 16
#define LINUX_AT_CLKTCK 17
#define LINUX_AT_SECURE 23
#define LINUX_AT_BASE_PLATFORM 24
#define LINUX_AT_RANDOM 25
#define LINUX_AT_HWCAP2 26
#define LINUX_AT_RSEQ_FEATURE_SIZE 27
#define LINUX_AT_RSEQ_ALIGN 28
#define LINUX_AT_EXECFN 31
#define LINUX_AT_SYSINFO_EHDR 33
#define LINUX_AT_MINSIGSTKSZ 51

#endif
