/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-ins for what the procfs tests link through libsentry.a but never
 * run: the platform (task_alloc.c asks it for the FPU area size). Weak:
 * a build that links the real platform uses it.
 */
#include <stddef.h>

#include "platform/platform.h"

__attribute__((weak)) size_t platform_fpu_size(void)
{
	return 512;
}
