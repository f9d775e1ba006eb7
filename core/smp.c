/*
 * Physical CPUs: the boot CPU is pcpus[0]; the others take the next free
 * index as they come up, in host DT order, so vCPU n can be pinned to pcpu n.
 */
#include "arch/arm64/sysregs.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/setup.h"
#include "core/smp.h"
#include "drivers/gic.h"
#include "drivers/platform.h"
#include "vcpu/vcpu.h"

#define CPU_ON_TIMEOUT_MS 1000

struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = 1;
uint8_t hyp_stacks[NR_CPUS][HYP_STACK_SIZE] __aligned(16);

extern char secondary_entry[];

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

static bool start_cpu(const struct dt_cpu *c, unsigned int id)
{
	long rc;

	if (c->enable != DT_CPU_ENABLE_PSCI) {
		printk("hyp: CPU MPIDR 0x%lx: enable-method not supported by this build; left "
		       "off\n",
		       c->mpidr);
		return false;
	}
	pcpu_init(id, c->mpidr);
	rc = platform_cpu_on(c->mpidr, (uint64_t)secondary_entry, id);
	if (rc) {
		printk("hyp: CPU MPIDR 0x%lx: firmware CPU_ON failed (%ld); left off\n", c->mpidr,
		       rc);
		return false;
	}
	if (!wait_online(id)) {
		printk("hyp: CPU MPIDR 0x%lx: did not come up within %u ms; left off\n", c->mpidr,
		       CPU_ON_TIMEOUT_MS);
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
	printk("hyp: CPU%u up (MPIDR 0x%lx)\n", cpu->id, READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK);
	WRITE_ONCE(cpu->online, true);
	/* Wait until the VMs are built; a CPU no vCPU is pinned to stays here. */
	while (!READ_ONCE(cpu->vcpu))
		wfe();
	vcpu_idle_loop(cpu->vcpu);
}
