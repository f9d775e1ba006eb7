/*
 * VMs defined at boot by Xen's dom0less binding (docs/misc/arm/device-tree/
 * booting.txt in Xen): nodes under /chosen with compatible "xen,domain",
 *
 *   domU1 {
 *       compatible = "xen,domain";
 *       #address-cells = <2>; #size-cells = <2>;
 *       cpus = <2>;
 *       memory = <0 0x60000>;          // KiB: 384 MiB
 *       vpl011;                        // an emulated PL011 console
 *       module@4a000000 {
 *           compatible = "multiboot,kernel", "multiboot,module";
 *           reg = <0 0x4a000000 0 0x2000000>;
 *           bootargs = "console=ttyAMA0";
 *       };
 *       module@4c000000 { compatible = "multiboot,ramdisk", "multiboot,module"; ... };
 *       module@4e000000 { compatible = "multiboot,device-tree", "multiboot,module"; ... };
 *   };
 *
 * each parsed into a struct vm_config. The partial device tree's /passthrough
 * children (xen,reg = <paddr size gaddr>, xen,path, interrupts) become the
 * VM's passthrough devices; its guest DT is still built from the host DT.
 * A node that cannot be met is refused with a sentence naming the node and
 * the property; the others are kept. Host-testable: libfdt and plain reads.
 */
#ifndef CORE_DT_DOMAINS_H
#define CORE_DT_DOMAINS_H

#include "core/dt.h"
#include "core/vm_config.h"

#define DT_MAX_DOMAINS  4
#define DT_MAX_REFUSED  6
#define DT_BOOTARGS_MAX 256

struct dt_domains {
	struct vm_config vms[DT_MAX_DOMAINS]; /* the accepted ones, in DT order */
	unsigned int nr;
	unsigned int nr_seen; /* "xen,domain" nodes found, accepted or not */
	struct dt_error refused[DT_MAX_REFUSED];
	unsigned int nr_refused;
	/* Storage the vms[] point into (names, command lines, module extents). */
	char names[DT_MAX_DOMAINS][VM_NAME_MAX];
	char bootargs[DT_MAX_DOMAINS][DT_BOOTARGS_MAX];
	struct dt_modules modules[DT_MAX_DOMAINS];
};

/*
 * Parse every "xen,domain" node of @fdt into @out. @host is the parsed host
 * DT (RAM banks, the loader's own modules); @defaults supplies what the
 * binding does not say (IPA of RAM, PSCI conduit, fixed clocks). Modules
 * must lie in RAM, clear of [hyp_start, hyp_end), of the loader's modules and
 * of every other domain's. Reads the modules' first bytes (RAM must be
 * mapped). Returns the number accepted (out->nr).
 */
int dt_parse_domains(const void *fdt, const struct dt_host *host, const struct vm_config *defaults,
                     uint64_t hyp_start, uint64_t hyp_end, struct dt_domains *out);

#endif
