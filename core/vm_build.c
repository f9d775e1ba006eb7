/*
 * Building VMs from their definitions: carve their RAM out of what the
 * hypervisor and the other VMs do not use, map it and their devices in stage
 * 2, load the kernel, write the guest DT, create the vCPUs. Every check that
 * a definition can be met comes first, so a refused VM takes nothing.
 */
#include "arch/arm64/cache.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/stage2.h"
#include "arch/arm64/sysregs.h"
#include "core/dt_guest.h"
#include "core/irq.h"
#include "core/hypsvc.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/vm.h"
#include "core/vm_build.h"
#include "core/vm_console.h"
#include "core/vm_plan.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic_v2.h"
#include "vgic/vgic_v3.h"

static unsigned int ipa_bits;

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
	vm_map_or_panic(vm, vm->ram_ipa, vm->ram_pa, vm->ram_size,
	                S2_MEMATTR_NORMAL_WB | S2_AP_RW | PTE_SH_INNER, "RAM");
	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		const struct vm_passthrough *d = &vm->devices[i];
		uint64_t start = ALIGN_DOWN(d->base, PAGE_SIZE);
		uint64_t end = ALIGN_UP(d->base + d->size, PAGE_SIZE);

		vm_map_or_panic(vm, start, start, end - start,
		                S2_MEMATTR_DEVICE_nGnRE | S2_AP_RW | S2_XN, d->dt_path);
	}
	/* Shared memory is RAM like the VM's own, the same cacheable attributes on every side. */
	for (unsigned int i = 0; i < vm->cfg->nr_shm; i++)
		vm_map_or_panic(vm, vm->cfg->shm[i].ipa, vm->shm_pa[i], vm->cfg->shm[i].size,
		                S2_MEMATTR_NORMAL_WB | S2_AP_RW | PTE_SH_INNER, vm->cfg->shm[i].id);
}

static void *vm_ipa_to_hyp(const struct vm *vm, uint64_t ipa)
{
	return (void *)(vm->ram_pa + (ipa - vm->ram_ipa));
}

static void vm_boot_source(struct vm *vm, const void *host_fdt)
{
	const struct vm_config *cfg = vm->cfg;

	vm->src = (struct vm_boot_source){
	    .kernel = cfg->kernel.start,
	    .kernel_size = (size_t)(cfg->kernel.end - cfg->kernel.start),
	    .initrd = cfg->initrd.start,
	    .initrd_size = (size_t)(cfg->initrd.end - cfg->initrd.start),
	    .bootargs = cfg->bootargs,
	    .fdt = cfg->dtb.end > cfg->dtb.start ? (const void *)cfg->dtb.start : host_fdt,
	};
}

/* Copy the kernel to RAM base + 2 MiB, where an arm64 Image expects to run from. */
static void vm_load_kernel(struct vm *vm)
{
	vm->entry_ipa = vm->ram_ipa + GUEST_IMAGE_OFFSET;
	memcpy(vm_ipa_to_hyp(vm, vm->entry_ipa), vm->src.kernel, vm->src.kernel_size);
	/* The guest starts with its MMU and caches off: make the image visible to it. */
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->entry_ipa), vm->src.kernel_size);
}

/* The initrd goes just below the DTB, at the top of RAM, clear of the kernel. */
static void vm_load_initrd(struct vm *vm)
{
	uint64_t size = vm->src.initrd_size;

	vm->initrd_size = size;
	if (!size)
		return;
	vm->initrd_ipa = ALIGN_DOWN(vm->ram_ipa + vm->ram_size - GUEST_DTB_MAX - size, PAGE_SIZE);
	memcpy(vm_ipa_to_hyp(vm, vm->initrd_ipa), vm->src.initrd, size);
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->initrd_ipa), size);
}

static void vm_guest_dt_params(const struct vm *vm, struct dt_guest_params *p)
{
	const struct dt_host *host = vm->host;

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
	    .pmu_irq = VPMU_IRQ_ENABLED ? host->pmu_irq : 0,
	    .bootargs = vm->src.bootargs,
	    .fixed_clock_hz = vm->cfg->fixed_clock_hz,
	    .initrd_start = vm->initrd_ipa,
	    .initrd_end = vm->initrd_ipa + vm->initrd_size,
	};
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		p->vcpu_mpidr[i] = vm->vcpus[i]->vmpidr & MPIDR_AFF_MASK;
	for (unsigned int i = 0; i < vm->nr_devices; i++)
		p->device_paths[p->nr_devices++] = vm->devices[i].dt_path;
	if (vm->cfg->console == VM_CONSOLE_UART)
		p->stdout_path = host->uart.path;
	for (unsigned int i = 0; i < vm->cfg->nr_shm && i < ARRAY_SIZE(p->shm); i++)
		p->shm[p->nr_shm++] =
		    (struct dt_guest_shm){vm->cfg->shm[i].id,
		                          {vm->cfg->shm[i].ipa, vm->cfg->shm[i].size},
		                          HYPSVC_DOORBELL_INTID(i)};
	vm_console_dt_params(vm, p);
}

static int vm_write_dtb(struct vm *vm, struct dt_error *err)
{
	struct dt_guest_params params;

	vm_guest_dt_params(vm, &params);
	vm->dtb_ipa = vm->ram_ipa + vm->ram_size - GUEST_DTB_MAX;
	if (dt_build_guest(vm->src.fdt, &params, vm_ipa_to_hyp(vm, vm->dtb_ipa), GUEST_DTB_MAX,
	                   err))
		return -1;
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->dtb_ipa), GUEST_DTB_MAX);
	return 0;
}

/*
 * Nothing of a VM's last life reaches its next: all its RAM is zeroed (and
 * cleaned to the point of coherency, as the guest starts with its caches off)
 * before the images are copied in again.
 */
static void vm_wipe_ram(struct vm *vm)
{
	void *ram = vm_ipa_to_hyp(vm, vm->ram_ipa);

	memset(ram, 0, vm->ram_size);
	dcache_clean_range(ram, vm->ram_size);
}

void vm_reload(struct vm *vm)
{
	struct dt_error err;

	vm_wipe_ram(vm);
	vm_load_kernel(vm);
	vm_load_initrd(vm);
	/* Built once already from the same inputs: it cannot fail now. */
	if (vm_write_dtb(vm, &err))
		panic("%s: cannot build its device tree again: %s", vm->name, err.msg);
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

/* From an accepted plan on: nothing refuses, the VM gets its slot and its resources. */
static struct vm *vm_build(const struct vm_plan *plan, const struct dt_host *host,
                           const void *host_fdt)
{
	const struct vm_config *cfg = plan->cfg;
	struct vm *vm = vm_new(cfg);
	struct dt_error err;
	char cpus[VM_CPU_LIST_MAX];

	if (!vm)
		panic("%s: no VM slot left (at most %u VMs)", cfg->name, MAX_VMS);
	vm->host = host;
	vm->ram_pa = plan->ram_pa;
	vm->ram_size = plan->ram_size;
	vm->ram_ipa = cfg->ram_ipa;
	vm->nr_vcpus = plan->nr_vcpus;
	vm->nr_devices = plan->nr_devices;
	memcpy(vm->devices, plan->devices, sizeof(vm->devices));
	memcpy(vm->shm_pa, plan->shm_pa, sizeof(vm->shm_pa));
	vm_boot_source(vm, host_fdt);
	vm_init_stage2(vm);
	vm_map_memory(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i] = vcpu_create(vm, i, plan->pcpu[i]);
	vm_init_vgic(vm, host);
	vm_console_attach(vm);
	vm_load_kernel(vm);
	vm_load_initrd(vm);
	if (vm_write_dtb(vm, &err))
		panic("%s: cannot build its device tree: %s", vm->name, err.msg);

	vm_cpu_list(cpus, sizeof(cpus), plan->pcpu, plan->nr_vcpus);
	printk("hyp: %s: %u vCPU(s) on CPU%s, RAM IPA 0x%lx-0x%lx at PA 0x%lx (%lu MiB), "
	       "kernel at 0x%lx, DTB at 0x%lx, console %s\n",
	       vm->name, vm->nr_vcpus, cpus, vm->ram_ipa, vm->ram_ipa + vm->ram_size - 1,
	       vm->ram_pa, vm->ram_size >> 20, vm->entry_ipa, vm->dtb_ipa,
	       cfg->console == VM_CONSOLE_UART     ? "the UART"
	       : cfg->console == VM_CONSOLE_VPL011 ? "emulated PL011"
	                                           : "none");
	for (unsigned int i = 0; i < cfg->nr_shm; i++)
		printk("hyp: %s: shared memory \"%s\" at IPA 0x%lx-0x%lx, PA 0x%lx (%lu MiB), %s\n",
		       vm->name, cfg->shm[i].id, cfg->shm[i].ipa,
		       cfg->shm[i].ipa + cfg->shm[i].size - 1, vm->shm_pa[i],
		       cfg->shm[i].size >> 20, cfg->shm[i].owner ? "its owner" : "borrowed");
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

/* One line for the user: how the machine's RAM is shared out before the VMs take theirs. */
static void vm_print_ram_share(const struct vm_machine *m)
{
	uint64_t free = vm_machine_free_ram(m);
	uint64_t other = m->ram_total - free - MIN(m->hyp_kept, m->ram_total - free);

	printk("hyp: RAM: %lu MiB; the hypervisor keeps %lu MiB (its image, with any guest images "
	       "linked in), firmware and boot modules %lu MiB; %lu MiB free for VMs\n",
	       m->ram_total >> 20, m->hyp_kept >> 20, other >> 20, free >> 20);
}

static struct vm_machine machine;
static struct vm_plan plans[MAX_VMS];

unsigned int vm_build_all(const struct vm_config *defs, unsigned int nr, const struct dt_host *host,
                          const void *host_fdt)
{
	unsigned int built = 0;

	ipa_bits = mmu_pa_bits();
	vm_print_stage2();
	nr = MIN(nr, (unsigned int)MAX_VMS);
	vm_machine_init(&machine, host, nr_pcpus, hyp_image_start(), hyp_image_end(), defs, nr);
	vm_print_ram_share(&machine);
	vm_plan_all(&machine, defs, nr, plans);
	for (unsigned int i = 0; i < nr; i++) {
		if (plans[i].why[0]) {
			printk("hyp: %s: refused: %s\n", defs[i].name, plans[i].why);
			continue;
		}
		vm_build(&plans[i], host, host_fdt);
		built++;
	}
	if (built && built < nr)
		printk("hyp: %u of %u VMs built; the refused ones do not start\n", built, nr);
	/* Secondary CPUs sleep until their vCPU pointer is set: it is now. */
	dsb(ish);
	for (unsigned int p = 1; p < nr_pcpus; p++) {
		if (pcpus[p].vcpu)
			gic_send_sgi(p, SGI_KICK);
	}
	return built;
}
