/*
 * The boot CPU's path: early console, copy the DTB, MMU on, read the host DT,
 * map RAM and devices, start the other CPUs, define and build the VMs, start them.
 */
#include "arch/arm64/mmu.h"
#include "arch/arm64/sysregs.h"
#include "core/console.h"
#include "core/dt.h"
#include "core/irq.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/modules.h"
#include "core/printf.h"
#include "core/psci.h"
#include "core/setup.h"
#include "core/smp.h"
#include "core/vm.h"
#include "core/vm_build.h"
#include "core/vm_def.h"
#include "drivers/gic.h"
#include "drivers/platform.h"
#include "vcpu/vcpu.h"

#define HOST_FDT_MAX MiB(2)

static uint64_t host_fdt[HOST_FDT_MAX / 8];
static struct dt_host host;

void boot_wrong_el(unsigned int el)
{
	console_init_early();
	printk("\nhyp: entered at EL%u, but the hypervisor must be started at EL2.\n", el);
	printk("hyp: (QEMU: -M virt,virtualization=on; a boot loader must not drop to EL1.)\n");
	printk("hyp: parking this CPU.\n");
	__asm__ volatile("msr daifset, #0xf"); /* no vector of ours is installed at EL1 */
	for (;;)
		__asm__ volatile("wfi");
}

/*
 * Copy the DTB into the image before the MMU is on, so it cannot be overwritten
 * by a guest's RAM later and needs no mapping of its own. With the MMU off all
 * memory is Device: 64-bit aligned accesses only (booting.rst asks the loader
 * for an 8-byte aligned DTB).
 */
static const void *boot_copy_fdt(uint64_t pa)
{
	const uint64_t *src = (const uint64_t *)pa;
	uint32_t size;

	if (!pa || !IS_ALIGNED(pa, 8))
		panic("no device tree: x0 = 0x%lx at entry (the loader must pass an 8-byte "
		      "aligned DTB)",
		      pa);
	size = dt_blob_size(src);
	if (!size)
		panic("no device tree at 0x%lx: bad magic 0x%08x (expected 0xd00dfeed)", pa,
		      __builtin_bswap32(*(const volatile uint32_t *)pa));
	if (size > HOST_FDT_MAX)
		panic("device tree at 0x%lx is %u bytes, more than the %lu this build accepts", pa,
		      size, HOST_FDT_MAX);
	for (uint32_t i = 0; i < ALIGN_UP(size, 8) / 8; i++)
		host_fdt[i] = src[i];
	return host_fdt;
}

static void setup_console(void)
{
	if (host.uart.type != DT_UART_PL011) {
		printk("hyp: no PL011 in /chosen stdout-path; keeping the early console\n");
		return;
	}
	mmu_map_device(host.uart.reg.base, host.uart.reg.size);
	console_set_uart(host.uart.reg.base);
}

static void print_banner(void)
{
	static const char *const enable_names[] = {"none", "psci", "spin-table"};

	printk("hyp: machine: %s\n", host.model[0] ? host.model : "(no model)");
	for (unsigned int i = 0; i < host.nr_mem; i++)
		printk("hyp: RAM: bank %u 0x%lx-0x%lx (%lu MiB)\n", i, host.mem[i].base,
		       host.mem[i].base + host.mem[i].size - 1, host.mem[i].size >> 20);
	printk("hyp: CPUs: %u, enable-method %s, firmware PSCI %s\n", host.nr_cpus,
	       enable_names[host.cpus[0].enable], dt_psci_method_name(host.psci));
	if (host.gic.version == 3)
		printk("hyp: GIC: v3 (%s), GICD 0x%lx, GICR 0x%lx, maintenance INTID %u\n",
		       host.gic.compatible, host.gic.gicd.base, host.gic.gicr.base,
		       host.gic.maint_irq);
	else
		printk("hyp: GIC: v2 (%s), GICD 0x%lx, GICC 0x%lx, GICH 0x%lx, GICV 0x%lx, "
		       "maintenance INTID %u\n",
		       host.gic.compatible, host.gic.gicd.base, host.gic.gicc.base,
		       host.gic.gich.base, host.gic.gicv.base, host.gic.maint_irq);
	if (host.uart.type == DT_UART_PL011)
		printk("hyp: UART: PL011 at 0x%lx, INTID %u (%s)\n", host.uart.reg.base,
		       host.uart.irq, host.uart.path);
	printk("hyp: timer: INTIDs EL1 phys %u, virt %u, EL2 phys %u; %lu Hz\n",
	       host.timer.phys_irq, host.timer.virt_irq, host.timer.hyp_irq,
	       READ_SYSREG(cntfrq_el0));
}

/* Modules the boot loader passed under /chosen: report them, refuse bad ones. */
static void setup_modules(void)
{
	const struct dt_modules *m = &host.modules;
	struct dt_error err;

	if (!modules_present(&host))
		return;
	printk("hyp: module kernel at 0x%lx (%lu bytes)%s%s%s\n", m->kernel.base, m->kernel.size,
	       m->has_bootargs ? ", bootargs \"" : "", m->has_bootargs ? m->bootargs : "",
	       m->has_bootargs ? "\"" : "");
	if (m->ramdisk.size)
		printk("hyp: module ramdisk at 0x%lx (%lu bytes)\n", m->ramdisk.base,
		       m->ramdisk.size);
	if (m->dtb.size)
		printk("hyp: module device-tree at 0x%lx (%lu bytes)\n", m->dtb.base, m->dtb.size);
	if (modules_check(&host, hyp_image_start(), hyp_image_end(), &err))
		panic("%s", err.msg);
}

/* One option of the hypervisor's command line. */
static void setup_option(const char *word)
{
	if (!strcmp(word, "trace=psci"))
		psci_set_trace(true);
	else
		printk("hyp: option \"%s\" is unknown: ignored\n", word);
}

/* The hypervisor's options (/chosen "xen,xen-bootargs"): words separated by spaces. */
static void setup_options(void)
{
	const char *p = host.hyp_bootargs;
	char word[sizeof(host.hyp_bootargs)];

	if (!*p)
		return;
	printk("hyp: options: %s\n", p);
	while (*p) {
		size_t n = 0;

		while (*p == ' ')
			p++;
		while (p[n] && p[n] != ' ')
			n++;
		if (n) {
			memcpy(word, p, n);
			word[n] = '\0';
			setup_option(word);
		}
		p += n;
	}
}

void start_hyp(uint64_t dtb_pa)
{
	const struct vm_config *defs;
	const void *fdt;
	struct dt_error err;
	unsigned int nr_defs;

	console_init_early();
	printk("\nhyp: minimal ARM64 hypervisor (%s build), at EL2, image 0x%lx-0x%lx\n",
	       PLATFORM_NAME, hyp_image_start(), hyp_image_end());
	fdt = boot_copy_fdt(dtb_pa);
	mmu_init_boot();
	console_enable_locking();

	if (dt_parse_host(fdt, &host, &err))
		panic("host device tree: %s", err.msg);
	setup_console();
	for (unsigned int i = 0; i < host.nr_mem; i++)
		mmu_map_ram(host.mem[i].base, host.mem[i].size);
	print_banner();
	setup_options();
	setup_modules();

	platform_init(&host);
	irq_init(&host);
	gic_init(&host.gic);
	smp_boot_secondaries(&host);
	gic_cpu_init();

	defs = vm_define(&host, fdt, &nr_defs);
	if (!vm_build_all(defs, nr_defs, &host, fdt))
		panic("no VM could be built: every definition was refused (see above)");
	vm_start_all();
}
