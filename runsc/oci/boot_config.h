/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot_config.h: an OCI config turned into the Sentry's boot description
 * (sentry/boot/boot.h), in `runsc boot` before it confines itself.
 */
#ifndef CVISOR_OCI_BOOT_CONFIG_H
#define CVISOR_OCI_BOOT_CONFIG_H

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"
#include "sentry/boot/boot.h"

/* Fill cfg (whose fds the caller set) from oci; `gofer_fds` serve the
 * bind mounts in config order. Storage lives as long as oci. */
int oci_boot_config(const struct oci_config *oci, const int *gofer_fds,
		    size_t ngofer_fds, const int stdio[3],
		    struct sentry_config *cfg, runsc_error_t *err);

#endif
