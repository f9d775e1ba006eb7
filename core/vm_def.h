/*
 * VM definitions: which VMs this boot runs, as one list of struct vm_config,
 * whatever defined them. Xen's dom0less "xen,domain" nodes under /chosen win;
 * the boot loader's own /chosen modules (Xen's dom0 binding) are the first
 * compiled-in VM's images; with neither, the compiled-in VMs of configs/ run.
 */
#ifndef CORE_VM_DEF_H
#define CORE_VM_DEF_H

#include "core/dt.h"
#include "core/vm_config.h"

/*
 * Decide the VMs of this boot from @host (parsed from @fdt). Returns the
 * definitions (static storage, valid for ever) and their number in @nr.
 * Refused DT domains are reported on the console; the others are kept.
 */
const struct vm_config *vm_define(const struct dt_host *host, const void *fdt, unsigned int *nr);

#endif
