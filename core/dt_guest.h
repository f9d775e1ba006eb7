/* The device tree a guest is booted with, generated from the host's. */
#ifndef CORE_DT_GUEST_H
#define CORE_DT_GUEST_H

#include "core/dt.h"

struct vm;

/*
 * Write @vm's device tree into @buf (@size bytes), starting from @host_fdt.
 * Returns 0, or -1 with @err saying what failed.
 */
int dt_build_guest(const void *host_fdt, const struct vm *vm, void *buf, size_t size,
                   struct dt_error *err);

#endif
