/*
 * The guest's PMU never counts the hypervisor (a timing side channel into
 * EL2): vCPU 0 sets its cycle counter and event counter 0 (CPU_CYCLES) to
 * count at EL2 only (filter P=1, U=1, NSH=1) and makes 200 HVCs: both must
 * read 0, as on a CPU without EL2. The same counters set to count at EL1
 * over 20,000 NOPs must count, or the first result proves nothing.
 *
 * Its overflow interrupt (the guest DT's /pmu: PPI 23 on QEMU virt) reaches
 * the guest: the cycle counter is started just short of wrapping, and its
 * interrupt must come once; clearing the overflow flag ends it. A DT with no
 * /pmu (a host whose PMU interrupt the hypervisor does not give) says so.
 */
#include "fdt.h"
#include "fdt_prop.h"
#include "smccc.h"
#include "sysreg.h"
#include "testguest.h"

#define PMCR_E        (1UL << 0)
#define PMCR_P        (1UL << 1) /* reset the event counters */
#define PMCR_C        (1UL << 2) /* reset the cycle counter */
#define PMCR_N(pmcr)  (((pmcr) >> 11) & 0x1f)
#define FILTER_P      (1UL << 31) /* do not count at EL1 */
#define FILTER_U      (1UL << 30) /* do not count at EL0 */
#define FILTER_NSH    (1UL << 27) /* count at EL2 */
#define EV_CPU_CYCLES 0x11
#define CYCLE_COUNTER (1UL << 31)
#define PMU_HVCS      200
#define PMU_NOPS      20000
#define PMU_PRIORITY  0x80
#define PMU_WRAP_IN   0x1000UL /* cycles before the 32-bit cycle counter wraps */

static unsigned int pmu_intid; /* from the DT's /pmu, 0 if it has none */

void tg_pmu_find(unsigned long dtb)
{
	unsigned int len = 0;
	const uint8_t *irq = fdt_path_prop(dtb, "/pmu", "interrupts", &len);

	/* <GIC_PPI n flags> */
	if (irq && len >= 12 && fdt_be32(irq) == 1)
		pmu_intid = 16 + fdt_be32(irq + 4);
}

struct pmu_counts {
	unsigned long cycles, events;
};

/* Count with @filter around @work; the event counter only if the PMU has one. */
static struct pmu_counts pmu_count(unsigned long filter, bool event, void (*work)(void))
{
	struct pmu_counts n = {0, 0};

	write_sysreg(pmccfiltr_el0, filter);
	if (event)
		write_sysreg(pmevtyper0_el0, filter | EV_CPU_CYCLES);
	write_sysreg(pmcntenset_el0, CYCLE_COUNTER | (event ? 1UL : 0));
	write_sysreg(pmcr_el0, PMCR_E | PMCR_P | PMCR_C);
	isb();
	work();
	write_sysreg(pmcr_el0, 0);
	isb();
	n.cycles = read_sysreg(pmccntr_el0);
	if (event)
		n.events = read_sysreg(pmevcntr0_el0);
	write_sysreg(pmcntenclr_el0, ~0UL);
	write_sysreg(pmccfiltr_el0, 0);
	isb();
	return n;
}

static void hvcs(void)
{
	for (unsigned int i = 0; i < PMU_HVCS; i++)
		smccc_hvc(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
}

static void nops(void)
{
	for (unsigned int i = 0; i < PMU_NOPS; i++)
		__asm__ volatile("nop");
}

void test_pmu_el2(void)
{
	unsigned long ver = (read_sysreg(s3_0_c0_c5_0) >> 8) & 0xf; /* ID_AA64DFR0_EL1.PMUVer */
	struct pmu_counts el2, el1;
	bool event;

	if (ver == 0 || ver == 0xf) {
		pass_detail("pmu-el2", "no PMUv3 shown to the guest");
		return;
	}
	event = PMCR_N(read_sysreg(pmcr_el0)) >= 1;
	el2 = pmu_count(FILTER_P | FILTER_U | FILTER_NSH, event, hvcs);
	el1 = pmu_count(FILTER_U, event, nops);
	if (el2.cycles || el2.events)
		fail("pmu-el2",
		     "counting at EL2 only over %u HVCs: %lu cycles, %lu CPU_CYCLES "
		     "events (PMUVer %lu): the guest counts the hypervisor",
		     PMU_HVCS, el2.cycles, el2.events, ver);
	else if (!el1.cycles || (event && !el1.events))
		fail("pmu-el2",
		     "counting at EL1 over %u NOPs: %lu cycles, %lu events: the counters "
		     "do not count at all",
		     PMU_NOPS, el1.cycles, el1.events);
	else
		pass_detail("pmu-el2",
		            "PMUVer %lu: 0 cycles at EL2 over %u HVCs, %lu at EL1 over "
		            "%u NOPs",
		            ver, PMU_HVCS, el1.cycles, PMU_NOPS);
}

static bool pmu_shown(unsigned long *ver)
{
	*ver = (read_sysreg(s3_0_c0_c5_0) >> 8) & 0xf; /* ID_AA64DFR0_EL1.PMUVer */
	return *ver != 0 && *ver != 0xf;
}

/* In the IRQ handler: the overflow interrupt is a level, so clear the flag before the EOI. */
bool pmu_irq_stop(unsigned int intid)
{
	if (!pmu_intid || intid != pmu_intid)
		return false;
	write_sysreg(pmcntenclr_el0, CYCLE_COUNTER);
	write_sysreg(pmovsclr_el0, CYCLE_COUNTER);
	isb();
	return true;
}

void test_pmu_irq(void)
{
	unsigned long ver;
	char buf[64];

	if (!pmu_shown(&ver)) {
		pass_detail("pmu-irq", "no PMUv3 shown to the guest");
		return;
	}
	if (!pmu_intid) {
		pass_detail("pmu-irq", "no /pmu node: its interrupt is not given");
		return;
	}
	tg_gic_set_priority(pmu_intid, PMU_PRIORITY);
	tg_gic_enable(pmu_intid);
	irq_log_reset();
	write_sysreg(pmovsclr_el0, ~0UL);
	write_sysreg(pmccfiltr_el0, 0);
	write_sysreg(pmintenset_el1, CYCLE_COUNTER);
	write_sysreg(pmccntr_el0, 0xffffffffUL - PMU_WRAP_IN); /* PMCR.LC 0: wraps at 2^32 */
	write_sysreg(pmcntenset_el0, CYCLE_COUNTER);
	write_sysreg(pmcr_el0, PMCR_E);
	isb();
	irq_wait(1, IRQ_TIMEOUT_MS);
	write_sysreg(pmcr_el0, 0);
	write_sysreg(pmintenclr_el1, ~0UL);
	write_sysreg(pmcntenclr_el0, ~0UL);
	write_sysreg(pmovsclr_el0, ~0UL);
	isb();
	tg_gic_disable(pmu_intid);
	if (irqs.count != 1 || irqs.intid[0] != pmu_intid) {
		fail("pmu-irq", "cycle counter overflow: handled %s, expected INTID %u once",
		     irq_log_str(buf, sizeof(buf)), pmu_intid);
		return;
	}
	pass_detail("pmu-irq", "PMUVer %lu, INTID %u", ver, pmu_intid);
}
