/*
 * Choosing the VMs of this boot (see vm_def.h). Only descriptions are made
 * here; nothing is allocated or loaded.
 */
#include "core/dt_domains.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/modules.h"
#include "core/printf.h"
#include "core/vm.h"
#include "core/vm_def.h"

static struct vm_config defs[MAX_VMS];
static struct dt_domains domains;

/* The loader's /chosen modules replace the first compiled-in VM's images (as they always did). */
static void vm_def_apply_modules(struct vm_config *cfg, const struct dt_host *host)
{
	const struct dt_modules *m = &host->modules;

	cfg->kernel = (struct guest_image){(const uint8_t *)m->kernel.base,
	                                   (const uint8_t *)(m->kernel.base + m->kernel.size)};
	cfg->initrd = (struct guest_image){(const uint8_t *)m->ramdisk.base,
	                                   (const uint8_t *)(m->ramdisk.base + m->ramdisk.size)};
	cfg->dtb = (struct guest_image){(const uint8_t *)m->dtb.base,
	                                (const uint8_t *)(m->dtb.base + m->dtb.size)};
	if (m->has_bootargs)
		cfg->bootargs = m->bootargs;
}

static unsigned int vm_def_add(const struct vm_config *cfg, unsigned int n)
{
	if (n == MAX_VMS) {
		printk("hyp: %s: refused: more than %u VMs defined\n", cfg->name, MAX_VMS);
		return n;
	}
	defs[n] = *cfg;
	return n + 1;
}

/*
 * One physical UART: a VM gets it only if it is the only VM with a console;
 * otherwise every console is emulated and the hypervisor multiplexes them.
 */
static void vm_def_assign_consoles(unsigned int n)
{
	unsigned int consoles = 0;

	for (unsigned int i = 0; i < n; i++)
		consoles += defs[i].console != VM_CONSOLE_NONE;
	if (consoles <= 1)
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (defs[i].console == VM_CONSOLE_UART) {
			printk("hyp: %s: %u VMs have consoles: it gets an emulated PL011, not the "
			       "UART\n",
			       defs[i].name, consoles);
			defs[i].console = VM_CONSOLE_VPL011;
		}
	}
}

static unsigned int vm_def_from_dt(const struct dt_host *host, const void *fdt, unsigned int n)
{
	int accepted = dt_parse_domains(fdt, host, &vm_configs[0], hyp_image_start(),
	                                hyp_image_end(), &domains);

	for (unsigned int i = 0; i < domains.nr_refused; i++)
		printk("hyp: refused: %s\n", domains.refused[i].msg);
	for (int i = 0; i < accepted; i++)
		n = vm_def_add(&domains.vms[i], n);
	return n;
}

const struct vm_config *vm_define(const struct dt_host *host, const void *fdt, unsigned int *nr)
{
	unsigned int n = 0;

	n = vm_def_from_dt(host, fdt, n);
	if (domains.nr_seen) {
		printk("hyp: %u VM(s) defined by \"xen,domain\" nodes under /chosen\n", n);
		/* Xen's dom0 next to its domUs: the loader's modules are one more VM. */
		if (modules_present(host)) {
			n = vm_def_add(&vm_configs[0], n);
			vm_def_apply_modules(&defs[n - 1], host);
		}
	} else {
		for (unsigned int i = 0; i < nr_vm_configs; i++)
			n = vm_def_add(&vm_configs[i], n);
		if (n && modules_present(host))
			vm_def_apply_modules(&defs[0], host);
	}
	if (!n)
		panic("no VM to run: every VM definition was refused (see above)");
	vm_def_assign_consoles(n);
	*nr = n;
	return defs;
}
