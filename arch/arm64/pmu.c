/*
 * Trapped PMU accesses, done at EL2 on the guest's behalf (see pmu.h). The
 * numbered registers (PMEVCNTR<n>, PMEVTYPER<n>) are reached through
 * PMSELR_EL0 and PMXEV*, the guest's own PMSELR_EL0 restored afterwards.
 */
#include "arch/arm64/pmu.h"
#include "arch/arm64/sysregs.h"

#define PMCR_N_SHIFT  11
#define PMUVER_V3P4   5
#define PMU_CYCLE_SEL 31 /* PMSELR_EL0.SEL of the cycle counter's filter */

enum pmu_reg {
	PMU_NONE,
	PMU_PMCR,
	PMU_CNTENSET,
	PMU_CNTENCLR,
	PMU_OVSCLR,
	PMU_SWINC,
	PMU_SELR,
	PMU_CEID0,
	PMU_CEID1,
	PMU_CCNTR,
	PMU_XEVTYPER,
	PMU_XEVCNTR,
	PMU_USERENR,
	PMU_OVSSET,
	PMU_INTENSET,
	PMU_INTENCLR,
	PMU_MMIR,
	PMU_EVCNTR,  /* PMEVCNTR<n>_EL0 */
	PMU_EVTYPER, /* PMEVTYPER<n>_EL0, n = 31: PMCCFILTR_EL0 */
};

/* Which PMU register @s names; *@n is the counter of a numbered one. */
static enum pmu_reg pmu_decode(const struct esr_sysreg *s, unsigned int *n)
{
	static const enum pmu_reg c9_el0[3][8] = {
	    {PMU_PMCR, PMU_CNTENSET, PMU_CNTENCLR, PMU_OVSCLR, PMU_SWINC, PMU_SELR, PMU_CEID0,
	     PMU_CEID1},
	    {PMU_CCNTR, PMU_XEVTYPER, PMU_XEVCNTR},
	    {PMU_USERENR, PMU_NONE, PMU_NONE, PMU_OVSSET},
	};

	if (s->op0 != 3)
		return PMU_NONE;
	if (s->op1 == 3 && s->crn == 9 && s->crm >= 12 && s->crm <= 14)
		return c9_el0[s->crm - 12][s->op2];
	if (s->op1 == 0 && s->crn == 9 && s->crm == 14) {
		if (s->op2 == 1)
			return PMU_INTENSET;
		if (s->op2 == 2)
			return PMU_INTENCLR;
		return s->op2 == 6 ? PMU_MMIR : PMU_NONE;
	}
	if (s->op1 == 3 && s->crn == 14 && s->crm >= 8) {
		*n = ((s->crm & 3) << 3) | s->op2;
		return s->crm < 12 ? PMU_EVCNTR : PMU_EVTYPER;
	}
	return PMU_NONE;
}

bool pmu_is_sysreg(const struct esr_sysreg *s)
{
	unsigned int n;

	return pmu_decode(s, &n) != PMU_NONE;
}

static unsigned int pmu_nr_counters(void)
{
	return (READ_SYSREG(pmcr_el0) >> PMCR_N_SHIFT) & 0x1f;
}

/* A counter the PMU has: 0..N-1, or 31 (the cycle counter) where @cycle_ok. */
static bool pmu_counter_exists(unsigned int n, bool cycle_ok)
{
	return n < pmu_nr_counters() || (cycle_ok && n == PMU_CYCLE_SEL);
}

/* PMXEVTYPER / PMXEVCNTR of counter @n, PMSELR_EL0 kept as the guest left it. */
static void pmu_indexed(unsigned int n, bool typer, bool read, uint64_t *val)
{
	uint64_t selr = READ_SYSREG(pmselr_el0);

	WRITE_SYSREG(n, pmselr_el0);
	isb();
	if (typer && read)
		*val = READ_SYSREG(pmxevtyper_el0);
	else if (typer)
		WRITE_SYSREG(*val & ~PMU_FILTER_NSH, pmxevtyper_el0);
	else if (read)
		*val = READ_SYSREG(pmxevcntr_el0);
	else
		WRITE_SYSREG(*val, pmxevcntr_el0);
	WRITE_SYSREG(selr, pmselr_el0);
	isb();
}

/* Registers reached by name. */
#define PMU_RW(reg)                              \
	do {                                     \
		if (read)                        \
			*val = READ_SYSREG(reg); \
		else                             \
			WRITE_SYSREG(*val, reg); \
	} while (0)
#define PMU_RO(reg)                      \
	do {                             \
		if (!read)               \
			return false;    \
		*val = READ_SYSREG(reg); \
	} while (0)

bool pmu_access(const struct esr_sysreg *s, uint64_t *val, unsigned int pmu_ver)
{
	bool read = s->read;
	unsigned int n = 0;

	switch (pmu_decode(s, &n)) {
	case PMU_PMCR:
		PMU_RW(pmcr_el0);
		break;
	case PMU_CNTENSET:
		PMU_RW(pmcntenset_el0);
		break;
	case PMU_CNTENCLR:
		PMU_RW(pmcntenclr_el0);
		break;
	case PMU_OVSCLR:
		PMU_RW(pmovsclr_el0);
		break;
	case PMU_OVSSET:
		PMU_RW(pmovsset_el0);
		break;
	case PMU_SWINC:
		if (read)
			return false; /* write-only */
		WRITE_SYSREG(*val, pmswinc_el0);
		break;
	case PMU_SELR:
		PMU_RW(pmselr_el0);
		break;
	case PMU_CEID0:
		PMU_RO(pmceid0_el0);
		break;
	case PMU_CEID1:
		PMU_RO(pmceid1_el0);
		break;
	case PMU_MMIR:
		if (pmu_ver < PMUVER_V3P4)
			return false; /* PMMIR_EL1 came with PMUv3p4 */
		PMU_RO(s3_0_c9_c14_6);
		break;
	case PMU_CCNTR:
		PMU_RW(pmccntr_el0);
		break;
	case PMU_USERENR:
		PMU_RW(pmuserenr_el0);
		break;
	case PMU_INTENSET:
		PMU_RW(pmintenset_el1);
		break;
	case PMU_INTENCLR:
		PMU_RW(pmintenclr_el1);
		break;
	case PMU_XEVTYPER:
	case PMU_XEVCNTR:
		/* A selected counter that does not exist: CONSTRAINED UNPREDICTABLE, UNDEF here. */
		n = READ_SYSREG(pmselr_el0) & 0x1f;
		if (!pmu_counter_exists(n, s->crm == 13 && s->op2 == 1))
			return false;
		pmu_indexed(n, s->op2 == 1, read, val);
		break;
	case PMU_EVCNTR:
	case PMU_EVTYPER:
		if (!pmu_counter_exists(n, s->crm >= 12))
			return false;
		pmu_indexed(n, s->crm >= 12, read, val);
		break;
	case PMU_NONE:
		return false;
	}
	return true;
}
