/*
 * Boot modules (Xen's multiboot binding, parsed into struct dt_modules): the
 * checks that make a wrong boot script stop with a line naming the module and
 * the problem, instead of a guest that dies mysteriously.
 */
#ifndef CORE_MODULES_H
#define CORE_MODULES_H

#include "core/dt.h"

/*
 * Check @host's modules: each lies inside one RAM bank, clear of the
 * hypervisor image [hyp_start, hyp_end) and of the other modules; the kernel
 * is an arm64 Image, the device tree a DTB that fits its module. Reads the
 * modules' first bytes, so RAM must be mapped. Returns 0 or -1 with @err set.
 */
int modules_check(const struct dt_host *host, uint64_t hyp_start, uint64_t hyp_end,
                  struct dt_error *err);

/* The same checks for @mods, one VM's modules (a "xen,domain" node's children). */
int modules_check_set(const struct dt_host *host, const struct dt_modules *mods, uint64_t hyp_start,
                      uint64_t hyp_end, struct dt_error *err);

/* Whether the boot loader passed a kernel module. */
static inline bool modules_present(const struct dt_host *host)
{
	return host->modules.kernel.size != 0;
}

#endif
