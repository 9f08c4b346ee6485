/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/xattr.h: extended attribute limits and namespace prefixes
 * (<linux/limits.h>, <linux/xattr.h>).
 *
 * Guest ABI only: no host includes.
 */
#ifndef CVISOR_ABI_XATTR_H
#define CVISOR_ABI_XATTR_H

#define LINUX_XATTR_NAME_MAX 255    /* bytes of a name, without NUL */
#define LINUX_XATTR_SIZE_MAX 65536  /* bytes of a value */
#define LINUX_XATTR_LIST_MAX 65536  /* bytes of a listxattr buffer */

#define LINUX_XATTR_USER_PREFIX "user."
#define LINUX_XATTR_TRUSTED_PREFIX "trusted."
#define LINUX_XATTR_SECURITY_PREFIX "security."
#define LINUX_XATTR_SYSTEM_PREFIX "system."
#define LINUX_XATTR_NAME_CAPS "security.capability"

#endif
