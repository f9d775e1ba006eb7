/*
 * The hardware side of cpufeature.h: reading this CPU's ID registers,
 * programming the EL2 controls that give a vCPU its features, and clearing
 * every piece of per-CPU guest state a new vCPU must not inherit.
 */
#include "arch/arm64/cpu_state.h"
#include "arch/arm64/sysregs.h"

/*
 * Registers the assembler may not know by name are written by encoding
 * (s3_<op1>_c<CRn>_c<CRm>_<op2>), with their name in a comment.
 */
#define ZCR_LEN_MAX  0xf /* constrained by the hardware to its longest vector */
#define PMCR_N_SHIFT 11

/* arch/arm64/fpsimd.S */
void fpsimd_zero_state(void);
void sve_zero_state(void);

void cpu_read_id_regs(struct cpu_id_regs *id)
{
	id->pfr0 = READ_SYSREG(s3_0_c0_c4_0);
	id->pfr1 = READ_SYSREG(s3_0_c0_c4_1);
	id->dfr0 = READ_SYSREG(s3_0_c0_c5_0);
	id->isar1 = READ_SYSREG(s3_0_c0_c6_1);
	id->isar2 = READ_SYSREG(s3_0_c0_c6_2);
	id->mmfr0 = READ_SYSREG(s3_0_c0_c7_0);
	id->mmfr1 = READ_SYSREG(s3_0_c0_c7_1);
}

#define IDREG_CASE(crm, op2)  \
	case IDREG(crm, op2): \
		return READ_SYSREG(s3_0_c0_c##crm##_##op2)
#define IDREG_CASES(crm)    \
	IDREG_CASE(crm, 0); \
	IDREG_CASE(crm, 1); \
	IDREG_CASE(crm, 2); \
	IDREG_CASE(crm, 3); \
	IDREG_CASE(crm, 4); \
	IDREG_CASE(crm, 5); \
	IDREG_CASE(crm, 6); \
	IDREG_CASE(crm, 7)

/*
 * The whole ID space is readable at EL2: the encodings that name no register
 * are reserved and read as zero (Arm ARM D23.3.1), so every case is safe.
 */
uint64_t cpu_read_idreg(unsigned int crm, unsigned int op2)
{
	switch (IDREG(crm, op2)) {
		IDREG_CASES(1);
		IDREG_CASES(2);
		IDREG_CASES(3);
		IDREG_CASES(4);
		IDREG_CASES(5);
		IDREG_CASES(6);
		IDREG_CASES(7);
	default:
		return 0;
	}
}

/* Fine-grained traps all off; their negative-polarity bits (nPIR_EL1, nTPIDR2_EL0, ...)
 * then trap the registers of features the guest is not given. */
static void cpu_clear_fine_grained_traps(const struct guest_features *f)
{
	if (!f->fgt_hw)
		return;
	WRITE_SYSREG(0, s3_4_c1_c1_4); /* HFGRTR_EL2 */
	WRITE_SYSREG(0, s3_4_c1_c1_5); /* HFGWTR_EL2 */
	WRITE_SYSREG(0, s3_4_c1_c1_6); /* HFGITR_EL2 */
	WRITE_SYSREG(0, s3_4_c3_c1_4); /* HDFGRTR_EL2 */
	WRITE_SYSREG(0, s3_4_c3_c1_5); /* HDFGWTR_EL2 */
}

void cpu_load_guest_controls(const struct guest_features *f, const struct guest_el2_controls *c)
{
	uint64_t mdcr = c->mdcr;

	WRITE_SYSREG(c->cptr, cptr_el2);
	isb();
	if (f->sve)
		WRITE_SYSREG(ZCR_LEN_MAX, s3_4_c1_c2_0); /* ZCR_EL2: every vector length */
	/* All PMU counters to the guest (HPMN = PMCR_EL0.N). */
	if (f->pmu)
		mdcr |= (READ_SYSREG(pmcr_el0) >> PMCR_N_SHIFT) & 0x1f;
	WRITE_SYSREG(mdcr, mdcr_el2);
	if (f->hcx_hw)
		WRITE_SYSREG(c->hcrx, s3_4_c1_c2_2); /* HCRX_EL2 */
	cpu_clear_fine_grained_traps(f);
	isb();
}

static void cpu_reset_pauth_keys(void)
{
	WRITE_SYSREG(0, s3_0_c2_c1_0); /* APIAKeyLo_EL1 */
	WRITE_SYSREG(0, s3_0_c2_c1_1);
	WRITE_SYSREG(0, s3_0_c2_c1_2); /* APIBKey */
	WRITE_SYSREG(0, s3_0_c2_c1_3);
	WRITE_SYSREG(0, s3_0_c2_c2_0); /* APDAKey */
	WRITE_SYSREG(0, s3_0_c2_c2_1);
	WRITE_SYSREG(0, s3_0_c2_c2_2); /* APDBKey */
	WRITE_SYSREG(0, s3_0_c2_c2_3);
	WRITE_SYSREG(0, s3_0_c2_c3_0); /* APGAKey */
	WRITE_SYSREG(0, s3_0_c2_c3_1);
}

static void cpu_reset_mte_state(void)
{
	WRITE_SYSREG(0, s3_0_c1_c0_6); /* GCR_EL1 */
	WRITE_SYSREG(0, s3_0_c1_c0_5); /* RGSR_EL1 */
	WRITE_SYSREG(0, s3_0_c5_c6_0); /* TFSR_EL1 */
	WRITE_SYSREG(0, s3_0_c5_c6_1); /* TFSRE0_EL1 */
}

#define DBG_CASE(n)                               \
	case n:                                   \
		WRITE_SYSREG(0, dbgbcr##n##_el1); \
		WRITE_SYSREG(0, dbgbvr##n##_el1); \
		break
#define WP_CASE(n)                                \
	case n:                                   \
		WRITE_SYSREG(0, dbgwcr##n##_el1); \
		WRITE_SYSREG(0, dbgwvr##n##_el1); \
		break

static void cpu_reset_breakpoint(unsigned int n)
{
	switch (n) {
		DBG_CASE(0);
		DBG_CASE(1);
		DBG_CASE(2);
		DBG_CASE(3);
		DBG_CASE(4);
		DBG_CASE(5);
		DBG_CASE(6);
		DBG_CASE(7);
		DBG_CASE(8);
		DBG_CASE(9);
		DBG_CASE(10);
		DBG_CASE(11);
		DBG_CASE(12);
		DBG_CASE(13);
		DBG_CASE(14);
		DBG_CASE(15);
	}
}

static void cpu_reset_watchpoint(unsigned int n)
{
	switch (n) {
		WP_CASE(0);
		WP_CASE(1);
		WP_CASE(2);
		WP_CASE(3);
		WP_CASE(4);
		WP_CASE(5);
		WP_CASE(6);
		WP_CASE(7);
		WP_CASE(8);
		WP_CASE(9);
		WP_CASE(10);
		WP_CASE(11);
		WP_CASE(12);
		WP_CASE(13);
		WP_CASE(14);
		WP_CASE(15);
	}
}

/* The guest owns the debug registers of its CPU: none of its breakpoints outlive it. */
static void cpu_reset_debug_state(const struct guest_features *f)
{
	for (unsigned int i = 0; i < f->brps; i++)
		cpu_reset_breakpoint(i);
	for (unsigned int i = 0; i < f->wrps; i++)
		cpu_reset_watchpoint(i);
	WRITE_SYSREG(0, mdscr_el1);
}

static void cpu_reset_pmu_state(void)
{
	WRITE_SYSREG(0, pmcr_el0);
	WRITE_SYSREG(~0UL, pmcntenclr_el0);
	WRITE_SYSREG(~0UL, pmintenclr_el1);
	WRITE_SYSREG(~0UL, pmovsclr_el0);
	WRITE_SYSREG(0, pmuserenr_el0);
	WRITE_SYSREG(0, pmselr_el0);
	WRITE_SYSREG(0, pmccfiltr_el0);
}

void cpu_reset_guest_state(const struct guest_features *f)
{
	if (f->sve) {
		sve_zero_state();
		WRITE_SYSREG(0, s3_0_c1_c2_0); /* ZCR_EL1 */
	} else {
		fpsimd_zero_state();
	}
	if (f->pauth)
		cpu_reset_pauth_keys();
	if (f->mte)
		cpu_reset_mte_state();
	if (f->sme_hw)
		WRITE_SYSREG(0, s3_3_c13_c0_5); /* TPIDR2_EL0 exists with SME, even hidden */
	if (f->ras)
		WRITE_SYSREG(0, s3_4_c12_c1_1); /* VDISR_EL2: the guest's deferred SError */
	if (f->pmu)
		cpu_reset_pmu_state();
	cpu_reset_debug_state(f);
	isb();
}

/*
 * Stop this CPU for good: interrupts masked, no virtual exception left
 * pending, and the timers it may have armed (the guest's and EL2's) off, so
 * nothing wakes its WFI. WFE would not do: QEMU treats it as a yield, and a
 * halted machine would keep burning a host core per CPU.
 */
void cpu_park(void)
{
	local_irq_disable();
	WRITE_SYSREG(READ_SYSREG(hcr_el2) & ~(HCR_VSE | HCR_VI | HCR_VF), hcr_el2);
	WRITE_SYSREG(0, cntv_ctl_el0);
	WRITE_SYSREG(0, cntp_ctl_el0);
	WRITE_SYSREG(0, cnthp_ctl_el2);
	isb();
	for (;;)
		wfi();
}
