/*
 * Physical CPUs: the boot CPU is pcpus[0]; the others take the next free
 * index as they come up, in host DT order, so vCPU n can be pinned to pcpu n.
 */
#include "arch/arm64/cache.h"
#include "arch/arm64/sysregs.h"
#include "arch/arm64/traps.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/setup.h"
#include "core/smp.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "drivers/platform.h"
#include "vcpu/vcpu.h"

#define CPU_ON_TIMEOUT_MS 1000

struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = 1;
uint8_t hyp_stacks[NR_CPUS][HYP_STACK_SIZE] __aligned(16);

extern char secondary_entry[], secondary_spin_entry[];

static void pcpu_init(unsigned int id, uint64_t mpidr)
{
	pcpus[id].id = id;
	pcpus[id].mpidr = mpidr;
	pcpus[id].stack_top = (uint64_t)&hyp_stacks[id][HYP_STACK_SIZE];
}

static bool wait_online(unsigned int id)
{
	uint64_t freq = READ_SYSREG(cntfrq_el0);
	uint64_t deadline = READ_SYSREG(cntpct_el0) + freq / 1000 * CPU_ON_TIMEOUT_MS;

	while (!READ_ONCE(pcpus[id].online)) {
		if (READ_SYSREG(cntpct_el0) > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * Spin-table: the CPU waits in firmware, reading the u64 at cpu-release-addr
 * with its MMU and caches off, and jumps to it once it is non-zero after a
 * WFE. Everything it will read before its MMU is on must be in memory. The
 * release address is in RAM (the firmware's page), which is mapped already.
 */
static long spin_table_release(const struct dt_cpu *c, unsigned int id)
{
	volatile uint64_t *slot = (volatile uint64_t *)c->release_addr;

	dcache_clean_range(&pcpus[id], sizeof(pcpus[id]));
	*slot = (uint64_t)secondary_spin_entry;
	dcache_clean_range((const void *)slot, sizeof(*slot));
	dsb(sy);
	sev();
	return 0;
}

static long start_cpu_firmware(const struct dt_cpu *c, unsigned int id)
{
	switch (c->enable) {
	case DT_CPU_ENABLE_PSCI:
		return platform_cpu_on(c->mpidr, (uint64_t)secondary_entry, id);
	case DT_CPU_ENABLE_SPIN_TABLE:
		return spin_table_release(c, id);
	default:
		return -1;
	}
}

static const char *enable_method_name(enum dt_cpu_enable e)
{
	return e == DT_CPU_ENABLE_PSCI         ? "PSCI"
	       : e == DT_CPU_ENABLE_SPIN_TABLE ? "spin-table"
	                                       : "none";
}

static bool start_cpu(const struct dt_cpu *c, unsigned int id)
{
	long rc;

	if (c->enable == DT_CPU_ENABLE_NONE) {
		printk("hyp: CPU MPIDR 0x%lx: no enable-method; left off\n", c->mpidr);
		return false;
	}
	pcpu_init(id, c->mpidr);
	pcpus[id].spin_table = c->enable == DT_CPU_ENABLE_SPIN_TABLE;
	rc = start_cpu_firmware(c, id);
	if (rc) {
		printk("hyp: CPU MPIDR 0x%lx: %s start failed (%ld); left off\n", c->mpidr,
		       enable_method_name(c->enable), rc);
		return false;
	}
	if (!wait_online(id)) {
		printk("hyp: CPU MPIDR 0x%lx: did not come up within %u ms; left off\n", c->mpidr,
		       CPU_ON_TIMEOUT_MS);
		pcpus[id].mpidr = ~0UL; /* it must not find this slot if it wakes up later */
		return false;
	}
	return true;
}

void smp_boot_secondaries(const struct dt_host *host)
{
	uint64_t boot_mpidr = READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK;

	pcpu_init(0, boot_mpidr);
	pcpus[0].online = true;
	for (unsigned int i = 0; i < host->nr_cpus; i++) {
		const struct dt_cpu *c = &host->cpus[i];

		if (c->mpidr == boot_mpidr)
			continue;
		if (nr_pcpus == NR_CPUS) {
			printk("hyp: more than %u CPUs; the rest stay off\n", NR_CPUS);
			break;
		}
		if (start_cpu(c, nr_pcpus))
			nr_pcpus++;
	}
	printk("hyp: %u of %u CPUs online\n", nr_pcpus, host->nr_cpus);
}

void start_secondary(struct pcpu *cpu)
{
	gic_cpu_init();
	printk("hyp: CPU%u up (MPIDR 0x%lx, %s)\n", cpu->id,
	       READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK, cpu->spin_table ? "spin-table" : "PSCI");
	WRITE_ONCE(cpu->online, true);
	/*
	 * Wait until the VMs are built (vm_build_all() kicks the CPUs it gave a
	 * vCPU); a CPU no vCPU is pinned to sleeps here. Checked with interrupts
	 * masked: a kick that comes after the check still ends the WFI, as a
	 * pending interrupt does even when masked; it is taken just after.
	 */
	local_irq_disable();
	while (!READ_ONCE(cpu->vcpu)) {
		wfi();
		local_irq_enable();
		local_irq_disable();
	}
	vcpu_idle_loop(cpu->vcpu);
}

void smp_do_work(void)
{
	struct pcpu *c = this_cpu();
	struct vcpu *v = c->vcpu;
	unsigned int work;

	if (!__atomic_load_n(&c->work, __ATOMIC_RELAXED)) /* a plain kick */
		return;
	work = __atomic_exchange_n(&c->work, 0, __ATOMIC_ACQUIRE);
	if (!v)
		work = 0; /* every kind of work is about this CPU's vCPU */
	if (work & PCPU_WORK_TRAP_VECTOR)
		traps_count_guest_exits(READ_ONCE(v->vm->counting));
	if (work & PCPU_WORK_SHOW_VCPU)
		vcpu_show_state(v);
	if (work & PCPU_WORK_START_VM)
		vm_start_again(v->vm);
	__atomic_fetch_add(&c->work_done, 1, __ATOMIC_RELEASE);
}

void smp_cpu_work(unsigned int cpu, unsigned int work)
{
	__atomic_fetch_or(&pcpus[cpu].work, work, __ATOMIC_RELEASE);
	dsb(ish); /* the request is visible before the SGI arrives */
	if (cpu == smp_processor_id())
		smp_do_work();
	else
		gic_send_sgi(cpu, SGI_KICK);
}

bool smp_cpu_work_wait(unsigned int cpu, unsigned int work, unsigned int timeout_ms)
{
	struct pcpu *c = &pcpus[cpu];
	unsigned int done = __atomic_load_n(&c->work_done, __ATOMIC_ACQUIRE);
	uint64_t deadline = READ_SYSREG(cntpct_el0) + READ_SYSREG(cntfrq_el0) / 1000 * timeout_ms;

	smp_cpu_work(cpu, work);
	while (__atomic_load_n(&c->work_done, __ATOMIC_ACQUIRE) == done) {
		if (READ_SYSREG(cntpct_el0) > deadline)
			return false;
		cpu_relax();
	}
	return true;
}
