/* SPDX-License-Identifier: Apache-2.0 */
/* bpf_sim.c: see bpf_sim.h. */
#define _GNU_SOURCE
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/bpf_sim.h"

#define BAD 0xffffffffu

uint32_t bpf_sim_run(const struct sock_filter *prog, size_t len,
		     const struct seccomp_data *data)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	const unsigned char *d = (const unsigned char *)data;

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &prog[pc];
		uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
		size_t skip;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k + 4 > sizeof(*data) || i->k % 4)
				return BAD;
			memcpy(&a, d + i->k, 4);
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			a = sizeof(*data);
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = sizeof(*data);
			continue;
		case BPF_LD | BPF_IMM:
			a = i->k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = i->k;
			continue;
		case BPF_LD | BPF_MEM:
			if (i->k >= BPF_MEMWORDS)
				return BAD;
			a = mem[i->k];
			continue;
		case BPF_LDX | BPF_MEM:
			if (i->k >= BPF_MEMWORDS)
				return BAD;
			x = mem[i->k];
			continue;
		case BPF_ST:
			if (i->k >= BPF_MEMWORDS)
				return BAD;
			mem[i->k] = a;
			continue;
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS)
				return BAD;
			mem[i->k] = x;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			if (pc >= len)
				return BAD;
			continue;
		}
		switch (BPF_CLASS(i->code)) {
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV: if (!src) return BAD; a /= src; break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default: return BAD;
			}
			continue;
		case BPF_JMP: {
			int taken;

			switch (BPF_OP(i->code)) {
			case BPF_JEQ: taken = a == src; break;
			case BPF_JGT: taken = a > src; break;
			case BPF_JGE: taken = a >= src; break;
			case BPF_JSET: taken = (a & src) != 0; break;
			default: return BAD;
			}
			skip = taken ? i->jt : i->jf;
			pc += skip;
			if (pc >= len)
				return BAD;
			continue;
		}
		default:
			return BAD;
		}
	}
	return BAD; /* fell off the end */
}

struct sock_filter *bpf_sim_export(void *ctx, size_t *len)
{
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	struct sock_filter *prog = NULL;
	struct stat st;

	if (fd < 0)
		return NULL;
	if (seccomp_export_bpf(ctx, fd) == 0 && fstat(fd, &st) == 0 &&
	    st.st_size > 0 && st.st_size % sizeof(*prog) == 0) {
		prog = malloc((size_t)st.st_size);
		if (prog && pread(fd, prog, (size_t)st.st_size, 0) != st.st_size) {
			free(prog);
			prog = NULL;
		}
		*len = (size_t)st.st_size / sizeof(*prog);
	}
	close(fd);
	return prog;
}
