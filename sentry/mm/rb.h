/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rb.h: libbsd's red-black tree macros, with a static variant that works
 * here (libbsd leaves __unused undefined because glibc headers use the
 * name for struct members).
 */
#ifndef CVISOR_MM_RB_H
#define CVISOR_MM_RB_H

#include <bsd/sys/tree.h>

#define MM_RB_GENERATE_STATIC(name, type, field, cmp)                      \
	RB_GENERATE_INTERNAL(name, type, field, cmp,                        \
			     static __attribute__((unused)))

#endif
