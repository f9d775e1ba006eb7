/*
 * VM construction: from a definition (struct vm_config) to a VM ready to
 * start: its RAM carved out of what no one uses, its stage 2, its kernel,
 * initrd and DT loaded, its vCPUs pinned to CPUs of its own, its vGIC and
 * emulated devices. A definition that cannot be met is refused with a line
 * naming what is missing, before anything is taken for it.
 */
#ifndef CORE_VM_BUILD_H
#define CORE_VM_BUILD_H

#include "core/vm.h"

/*
 * Build the VMs of @defs (@nr of them). Those with explicit vCPU and RAM
 * counts are built first, so a VM asking for "the rest" gets what they left.
 * Returns how many were built.
 */
unsigned int vm_build_all(const struct vm_config *defs, unsigned int nr, const struct dt_host *host,
                          const void *host_fdt);

/* Wipe @vm's RAM and load its kernel, initrd and DT again from its boot source (VM reset). */
void vm_reload(struct vm *vm);

#endif
