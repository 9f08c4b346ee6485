/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_sim.h: a classic-BPF interpreter for seccomp programs, so tests can
 * check "syscall, args -> action" rows against the exported filter without
 * trusting libseccomp's compiler (after libseccomp's own simulator tests).
 */
#ifndef CVISOR_TEST_BPF_SIM_H
#define CVISOR_TEST_BPF_SIM_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* Run `prog` on `data`; returns the SECCOMP_RET_* value, or 0xffffffff
 * for a malformed program (bad opcode, jump or load out of range). */
uint32_t bpf_sim_run(const struct sock_filter *prog, size_t len,
		     const struct seccomp_data *data);

/* Export a libseccomp context's BPF into a malloc'ed array. */
struct sock_filter *bpf_sim_export(void *scmp_ctx, size_t *len);

#endif
