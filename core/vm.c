/*
 * Building VMs from configs/: carve their RAM out of what the hypervisor does
 * not use, map it and their devices in stage 2, load the kernel, write the
 * guest DT, create the vCPUs.
 */
#include "arch/arm64/cache.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/stage2.h"
#include "arch/arm64/sysregs.h"
#include "core/dt_guest.h"
#include "core/irq.h"
#include "core/lib.h"
#include "core/modules.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "drivers/platform.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic_v2.h"
#include "vgic/vgic_v3.h"

#define GUEST_IMAGE_OFFSET MiB(2) /* kernel at RAM base + 2 MiB, like QEMU and U-Boot */
#define GUEST_DTB_MAX      MiB(2) /* booting.rst: a DTB is at most 2 MiB */
#define MAX_VMS            4

static struct vm vms[MAX_VMS];
static unsigned int nr_vms;

/* RAM not used by the hypervisor or a VM yet, in 2 MiB-aligned ranges. */
static struct dt_region free_ram[DT_MAX_MEM_BANKS + DT_MAX_RESERVED + DT_MAX_CPUS + 1];
static unsigned int nr_free_ram;

static unsigned int ipa_bits;

static void free_ram_add(uint64_t start, uint64_t end)
{
	start = ALIGN_UP(start, MiB(2));
	end = ALIGN_DOWN(end, MiB(2));
	if (end > start && nr_free_ram < ARRAY_SIZE(free_ram))
		free_ram[nr_free_ram++] = (struct dt_region){start, end - start};
}

/* Take [start, end), widened to 2 MiB blocks, out of the free ranges. */
static void free_ram_remove(uint64_t start, uint64_t end)
{
	struct dt_region old[ARRAY_SIZE(free_ram)];
	unsigned int n = nr_free_ram;

	if (start == end)
		return;
	start = ALIGN_DOWN(start, MiB(2));
	end = ALIGN_UP(end, MiB(2));
	memcpy(old, free_ram, sizeof(old)); /* a split writes two entries for one read */
	nr_free_ram = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct dt_region r = old[i];
		uint64_t r_end = r.base + r.size;

		if (end <= r.base || start >= r_end) {
			free_ram_add(r.base, r_end);
			continue;
		}
		free_ram_add(r.base, MIN(start, r_end)); /* the part below the hole */
		free_ram_add(MAX(end, r.base), r_end);   /* the part above it */
	}
}

/*
 * Free RAM: every bank, minus the hypervisor's image, the regions the DT
 * reserves (firmware, /memreserve/) and the pages secondary CPUs spin on.
 */
static void free_ram_init(const struct dt_host *host)
{
	for (unsigned int i = 0; i < host->nr_mem; i++)
		free_ram_add(host->mem[i].base, host->mem[i].base + host->mem[i].size);
	free_ram_remove(hyp_image_start(), hyp_image_end());
	for (unsigned int i = 0; i < host->nr_reserved; i++)
		free_ram_remove(host->reserved[i].base,
		                host->reserved[i].base + host->reserved[i].size);
	/* Boot modules stay where the loader put them until they are copied. */
	free_ram_remove(host->modules.kernel.base,
	                host->modules.kernel.base + host->modules.kernel.size);
	free_ram_remove(host->modules.ramdisk.base,
	                host->modules.ramdisk.base + host->modules.ramdisk.size);
	free_ram_remove(host->modules.dtb.base, host->modules.dtb.base + host->modules.dtb.size);
	for (unsigned int i = 0; i < host->nr_cpus; i++) {
		if (host->cpus[i].enable == DT_CPU_ENABLE_SPIN_TABLE)
			free_ram_remove(host->cpus[i].release_addr, host->cpus[i].release_addr + 8);
	}
}

/* Take @size bytes (0: the largest free range) of physically contiguous RAM. */
static int free_ram_take(uint64_t size, uint64_t *pa, uint64_t *got)
{
	struct dt_region *best = NULL;

	for (unsigned int i = 0; i < nr_free_ram; i++) {
		struct dt_region *r = &free_ram[i];

		if (size ? r->size >= size && (!best || r->size < best->size)
		         : (!best || r->size > best->size))
			best = r;
	}
	if (!best || !best->size)
		return -1;
	*got = size ? size : best->size;
	*pa = best->base;
	best->base += *got;
	best->size -= *got;
	return 0;
}

/*
 * The stage-2 shape for this machine's IPA size (the PA size, so the guest can
 * be given any RAM): the same for every VM.
 */
static struct stage2_geometry vm_stage2_geometry(void)
{
	struct stage2_geometry geo;

	if (stage2_geometry(ipa_bits, mmu_pa_bits(), &geo))
		panic("stage 2: no table geometry for a %u-bit IPA space and %u-bit PAs", ipa_bits,
		      mmu_pa_bits());
	return geo;
}

uint64_t vm_vtcr(void)
{
	return vm_stage2_geometry().vtcr;
}

static void *s2_alloc_table(void)
{
	return page_alloc_zeroed();
}

static uint64_t s2_v2p(const void *p)
{
	return (uint64_t)p; /* the hypervisor is identity mapped */
}

static void *s2_p2v(uint64_t pa)
{
	return (void *)pa;
}

static void vm_init_stage2(struct vm *vm)
{
	struct stage2_geometry geo = vm_stage2_geometry();

	vm->s2 = (struct pagetable){
	    .start_level = geo.start_level,
	    .va_bits = geo.ipa_bits,
	    .alloc_table = s2_alloc_table,
	    .virt_to_phys = s2_v2p,
	    .phys_to_virt = s2_p2v,
	};
	/* Concatenated root tables are aligned to their total size (VTTBR_EL2.BADDR). */
	vm->s2.root = hyp_alloc(geo.root_size, geo.root_size);
	vm->vttbr = ((uint64_t)vm->vmid << 48) | (uint64_t)vm->s2.root;
}

static void vm_map_or_panic(struct vm *vm, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t attrs,
                            const char *what)
{
	if (pt_map(&vm->s2, ipa, pa, size, attrs))
		panic("%s: cannot map %s at IPA 0x%lx (+0x%lx) in stage 2", vm->name, what, ipa,
		      size);
}

static void vm_map_memory(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;

	if (free_ram_take(cfg->ram_size, &vm->ram_pa, &vm->ram_size))
		panic("%s: no free RAM block of 0x%lx bytes", vm->name, cfg->ram_size);
	vm->ram_ipa = cfg->ram_ipa;
	vm_map_or_panic(vm, vm->ram_ipa, vm->ram_pa, vm->ram_size,
	                S2_MEMATTR_NORMAL_WB | S2_AP_RW | PTE_SH_INNER, "RAM");

	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		const struct vm_passthrough *d = &vm->devices[i];
		uint64_t start = ALIGN_DOWN(d->base, PAGE_SIZE);
		uint64_t end = ALIGN_UP(d->base + d->size, PAGE_SIZE);

		vm_map_or_panic(vm, start, start, end - start,
		                S2_MEMATTR_DEVICE_nGnRE | S2_AP_RW | S2_XN, d->dt_path);
	}
}

/* The devices the VM gets: the host's console UART if asked for, then the config's list. */
static void vm_collect_devices(struct vm *vm, const struct dt_host *host)
{
	const struct vm_config *cfg = vm->cfg;

	if (cfg->console_uart) {
		if (host->uart.type == DT_UART_NONE)
			panic("%s: configured to get the console UART, but the host DT names none",
			      vm->name);
		vm->devices[vm->nr_devices++] = (struct vm_passthrough){
		    .dt_path = host->uart.path,
		    .base = host->uart.reg.base,
		    .size = host->uart.reg.size,
		    .irq = host->uart.irq,
		};
	}
	for (unsigned int i = 0; i < cfg->nr_passthrough; i++)
		vm->devices[vm->nr_devices++] = cfg->passthrough[i];
}

static void *vm_ipa_to_hyp(const struct vm *vm, uint64_t ipa)
{
	return (void *)(vm->ram_pa + (ipa - vm->ram_ipa));
}

/*
 * What the VM boots: the images linked in through configs/, or, for the first
 * VM, the modules the boot loader passed under /chosen (they win).
 */
struct vm_boot_source {
	const uint8_t *kernel;
	size_t kernel_size;
	const uint8_t *initrd;
	size_t initrd_size;
	const char *bootargs;
	const void *fdt; /* the DT the guest's is generated from */
};

static void vm_boot_source(const struct vm *vm, const struct dt_host *host, const void *host_fdt,
                           struct vm_boot_source *src)
{
	const struct vm_config *cfg = vm->cfg;
	const struct dt_modules *m = &host->modules;

	*src = (struct vm_boot_source){
	    .kernel = cfg->kernel.start,
	    .kernel_size = (size_t)(cfg->kernel.end - cfg->kernel.start),
	    .initrd = cfg->initrd.start,
	    .initrd_size = (size_t)(cfg->initrd.end - cfg->initrd.start),
	    .bootargs = cfg->bootargs,
	    .fdt = host_fdt,
	};
	if (vm->id != 0 || !modules_present(host))
		return;
	src->kernel = (const uint8_t *)m->kernel.base;
	src->kernel_size = m->kernel.size;
	src->initrd = (const uint8_t *)m->ramdisk.base;
	src->initrd_size = m->ramdisk.size;
	if (m->has_bootargs)
		src->bootargs = m->bootargs;
	if (m->dtb.size)
		src->fdt = (const void *)m->dtb.base;
}

/* Copy the kernel to RAM base + 2 MiB, where an arm64 Image expects to run from. */
static void vm_load_kernel(struct vm *vm, const struct vm_boot_source *src)
{
	if (!src->kernel_size)
		panic("%s: no kernel: none linked in (GUEST=none) and no \"multiboot,kernel\" "
		      "module under /chosen",
		      vm->name);
	if (GUEST_IMAGE_OFFSET + src->kernel_size + GUEST_DTB_MAX > vm->ram_size)
		panic("%s: kernel image of %zu bytes does not fit in %lu MiB of RAM", vm->name,
		      src->kernel_size, vm->ram_size >> 20);
	vm->entry_ipa = vm->ram_ipa + GUEST_IMAGE_OFFSET;
	memcpy(vm_ipa_to_hyp(vm, vm->entry_ipa), src->kernel, src->kernel_size);
	/* The guest starts with its MMU and caches off: make the image visible to it. */
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->entry_ipa), src->kernel_size);
}

/* The initrd goes just below the DTB, at the top of RAM, clear of the kernel. */
static void vm_load_initrd(struct vm *vm, const struct vm_boot_source *src)
{
	uint64_t size = src->initrd_size;
	uint64_t kernel_end = vm->entry_ipa + src->kernel_size;

	if (!size)
		return;
	vm->initrd_size = size;
	vm->initrd_ipa = ALIGN_DOWN(vm->ram_ipa + vm->ram_size - GUEST_DTB_MAX - size, PAGE_SIZE);
	/* Linux's Image also needs room for its BSS after the file: keep a wide berth. */
	if (size > vm->ram_size || vm->initrd_ipa < kernel_end + MiB(32))
		panic("%s: initrd of %lu bytes does not fit above the kernel in %lu MiB of RAM",
		      vm->name, size, vm->ram_size >> 20);
	memcpy(vm_ipa_to_hyp(vm, vm->initrd_ipa), src->initrd, size);
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->initrd_ipa), size);
}

static void vm_guest_dt_params(const struct vm *vm, const struct dt_host *host,
                               const struct vm_boot_source *src, struct dt_guest_params *p)
{
	*p = (struct dt_guest_params){
	    .ram = {vm->ram_ipa, vm->ram_size},
	    .nr_vcpus = vm->nr_vcpus,
	    .psci_method = vm->cfg->psci_conduit == SMCCC_CONDUIT_SMC ? "smc" : "hvc",
	    .gic_version = vm->vgic.version,
	    .gicd = {vm->vgic.gicd_base,
	             vm->vgic.version == 3 ? VGIC_V3_GICD_SIZE : VGIC_V2_GICD_SIZE},
	    .gicc = {vm->vgic.gicc_base, VGIC_V2_GICC_SIZE},
	    .gicr = {vm->vgic.gicr_base, (uint64_t)vm->nr_vcpus * VGIC_V3_GICR_STRIDE},
	    .gic_maint_irq = host->gic.maint_irq,
	    .timer = host->timer,
	    .bootargs = src->bootargs,
	    .fixed_clock_hz = vm->cfg->fixed_clock_hz,
	    .initrd_start = vm->initrd_ipa,
	    .initrd_end = vm->initrd_ipa + vm->initrd_size,
	};
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		p->vcpu_mpidr[i] = vm->vcpus[i]->vmpidr & MPIDR_AFF_MASK;
	for (unsigned int i = 0; i < vm->nr_devices; i++)
		p->device_paths[p->nr_devices++] = vm->devices[i].dt_path;
	if (vm->cfg->console_uart)
		p->stdout_path = host->uart.path;
}

static void vm_write_dtb(struct vm *vm, const struct dt_host *host,
                         const struct vm_boot_source *src)
{
	struct dt_guest_params params;
	struct dt_error err;

	vm_guest_dt_params(vm, host, src, &params);
	vm->dtb_ipa = vm->ram_ipa + vm->ram_size - GUEST_DTB_MAX;
	if (dt_build_guest(src->fdt, &params, vm_ipa_to_hyp(vm, vm->dtb_ipa), GUEST_DTB_MAX, &err))
		panic("%s: cannot build its device tree: %s", vm->name, err.msg);
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->dtb_ipa), GUEST_DTB_MAX);
}

/*
 * The virtual GIC sits where the host's is. Its distributor (and GICv3
 * redistributors) trap; a GICv2 guest's CPU interface is the GICV frame.
 */
static void vm_init_vgic(struct vm *vm, const struct dt_host *host)
{
	const struct dt_gic *g = &host->gic;

	vgic_dist_init(vm, g->version, gic_nr_lrs());
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vgic_cpu_reset(vm->vcpus[i]);
	if (g->version == 3)
		vgic_v3_init(vm, g->gicd.base, g->gicr.base);
	else
		vgic_v2_init(vm, g->gicd.base, g->gicc.base, g->gicv.base);
	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		if (vm->devices[i].irq)
			irq_assign_to_vm(vm->devices[i].irq, vm);
	}
}

/* The physical CPU vCPU @i is pinned to: it must exist and be nobody else's. */
static unsigned int vm_claim_pcpu(struct vm *vm, unsigned int i)
{
	unsigned int p = vm->cfg->pcpus[i];

	if (p >= nr_pcpus)
		panic("%s: vCPU %u is pinned to CPU%u, but only %u CPUs are online", vm->name, i, p,
		      nr_pcpus);
	if (pcpus[p].vcpu)
		panic("%s: vCPU %u is pinned to CPU%u, which already runs a vCPU", vm->name, i, p);
	return p;
}

static struct vm *vm_create(const struct vm_config *cfg, const struct dt_host *host,
                            const void *host_fdt)
{
	struct vm *vm = &vms[nr_vms];
	struct vm_boot_source src;

	vm->id = nr_vms;
	vm->vmid = (uint16_t)(nr_vms + 1); /* VMID 0 is left unused */
	vm->name = cfg->name;
	vm->cfg = cfg;
	nr_vms++;

	if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > VM_MAX_VCPUS || cfg->nr_vcpus > nr_pcpus)
		panic("%s: %u vCPUs configured, but %u physical CPUs are online", vm->name,
		      cfg->nr_vcpus, nr_pcpus);

	vm_boot_source(vm, host, host_fdt, &src);
	vm_collect_devices(vm, host);
	vm_init_stage2(vm);
	vm_map_memory(vm);
	vm_load_kernel(vm, &src);
	vm_load_initrd(vm, &src);
	vm->nr_vcpus = cfg->nr_vcpus;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i] = vcpu_create(vm, i, vm_claim_pcpu(vm, i));
	vm_init_vgic(vm, host);
	vm_write_dtb(vm, host, &src);

	printk("hyp: %s: %u vCPU(s), RAM IPA 0x%lx-0x%lx at PA 0x%lx, kernel at 0x%lx, DTB at "
	       "0x%lx\n",
	       vm->name, vm->nr_vcpus, vm->ram_ipa, vm->ram_ipa + vm->ram_size - 1, vm->ram_pa,
	       vm->entry_ipa, vm->dtb_ipa);
	return vm;
}

/* One line for the user: what this CPU's address size gives every VM's stage 2. */
static void vm_print_stage2(void)
{
	static const unsigned int parange_bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned int parange = READ_SYSREG(id_aa64mmfr0_el1) & 0xf;
	struct stage2_geometry geo = vm_stage2_geometry();

	printk("hyp: stage 2: CPU PA size %u bits, %u-bit IPAs, walks from level %u, %u root "
	       "table%s\n",
	       parange < ARRAY_SIZE(parange_bits) ? parange_bits[parange] : 0, geo.ipa_bits,
	       geo.start_level, geo.root_tables, geo.root_tables == 1 ? "" : "s");
}

struct vm *vm_create_all(const struct dt_host *host, const void *host_fdt)
{
	ipa_bits = mmu_pa_bits();
	vm_print_stage2();
	free_ram_init(host);
	if (nr_vm_configs == 0 || nr_vm_configs > MAX_VMS)
		panic("configs/: %u VMs defined, this build supports 1 to %u", nr_vm_configs,
		      MAX_VMS);
	for (unsigned int i = 0; i < nr_vm_configs; i++)
		vm_create(&vm_configs[i], host, host_fdt);
	/* Secondary CPUs wait for their vCPU pointer: it is set now. */
	dsb(ish);
	sev();
	return &vms[0];
}

void vm_start(struct vm *vm)
{
	printk("hyp: starting %s\n", vm->name);
	vcpu_start(vm->vcpus[0], vm->entry_ipa, vm->dtb_ipa);
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if ((vm->vcpus[i]->vmpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return vm->vcpus[i];
	}
	return NULL;
}

bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size)
{
	return ipa >= vm->ram_ipa && size <= vm->ram_size &&
	       ipa - vm->ram_ipa <= vm->ram_size - size;
}

void vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size, mmio_handler_fn handler,
                      void *priv)
{
	if (vm->nr_mmio == VM_MAX_MMIO)
		panic("%s: too many emulated MMIO regions", vm->name);
	vm->mmio[vm->nr_mmio++] = (struct mmio_region){base, size, handler, priv};
}

const struct mmio_region *vm_find_mmio(struct vm *vm, uint64_t ipa)
{
	for (unsigned int i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_region *r = &vm->mmio[i];

		if (ipa >= r->base && ipa - r->base < r->size)
			return r;
	}
	return NULL;
}

bool vm_emulate_mmio(struct vcpu *v, struct mmio_access *acc)
{
	const struct mmio_region *r = vm_find_mmio(v->vm, acc->ipa);

	return r && r->handler(v, acc, r->priv);
}

void vm_system_off(struct vm *vm)
{
	if (!vm->cfg->owns_machine) {
		vm_log(vm, "hyp: %s asked to power the machine off; it may not\n", vm->name);
		return;
	}
	printk("hyp: %s powered off: system off\n", vm->name);
	platform_system_off();
}

void vm_system_reset(struct vm *vm)
{
	if (!vm->cfg->owns_machine) {
		vm_log(vm, "hyp: %s asked to reset the machine; it may not\n", vm->name);
		return;
	}
	printk("hyp: %s asked for a reset: system reset\n", vm->name);
	platform_system_reset();
}
