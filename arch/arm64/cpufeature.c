/* The guest's view of its CPU (cpufeature.h). No system register access: host-testable. */
#include "arch/arm64/cpufeature.h"

#define F(shift) (0xfUL << (shift)) /* one 4-bit field */

/* PMUVer 0xf: an IMPLEMENTATION DEFINED PMU, not PMUv3. */
#define PMUVER_IMPDEF    0xf
#define PMUVER_V3P1      4
#define PMUVER_V3P5      6
#define MTE_MTE2         2
#define RAS_V1           1
#define GIC_SYSREG_V3_0  1
#define EL1_AARCH64_ONLY 1
#define ECV_SELF_SYNC    1

static bool field_present(uint64_t reg, unsigned int shift)
{
	return id_field(reg, shift) != 0;
}

static bool pmu_is_v3(unsigned int ver)
{
	return ver != 0 && ver != PMUVER_IMPDEF;
}

static bool cpu_has_pauth(const struct cpu_id_regs *id)
{
	return field_present(id->isar1, ID_ISAR1_APA) || field_present(id->isar1, ID_ISAR1_API) ||
	       field_present(id->isar1, ID_ISAR1_GPA) || field_present(id->isar1, ID_ISAR1_GPI) ||
	       field_present(id->isar2, ID_ISAR2_APA3) || field_present(id->isar2, ID_ISAR2_GPA3);
}

void cpufeature_decide(const struct cpu_id_regs *id, bool gic_v3, unsigned int ipa_bits,
                       struct guest_features *f)
{
	*f = (struct guest_features){
	    .sve = field_present(id->pfr0, ID_PFR0_SVE),
	    .pauth = cpu_has_pauth(id),
	    /* MTE (value 1) has the instructions but no tag storage: only MTE2 is worth giving. */
	    .mte = id_field(id->pfr1, ID_PFR1_MTE) >= MTE_MTE2,
	    .ras = field_present(id->pfr0, ID_PFR0_RAS),
	    .hcx_hw = field_present(id->mmfr1, ID_MMFR1_HCX),
	    .gic_v3 = gic_v3,
	    .ipa_bits = ipa_bits,
	    .sme_hw = field_present(id->pfr1, ID_PFR1_SME),
	    .amu_hw = field_present(id->pfr0, ID_PFR0_AMU),
	    .spe_hw = field_present(id->dfr0, ID_DFR0_PMSVER),
	    .trace_hw = field_present(id->dfr0, ID_DFR0_TRACEVER),
	    .tracefilt_hw = field_present(id->dfr0, ID_DFR0_TRACEFILT),
	    .fgt_hw = id_field(id->mmfr0, ID_MMFR0_FGT),
	    .pmu_ver = id_field(id->dfr0, ID_DFR0_PMUVER),
	    .brps = id_field(id->dfr0, ID_DFR0_BRPS) + 1,
	    .wrps = id_field(id->dfr0, ID_DFR0_WRPS) + 1,
	    .entry =
		{
		    .pan = field_present(id->mmfr1, ID_MMFR1_PAN),
		    .ssbs = field_present(id->pfr1, ID_PFR1_SSBS),
		    .mte = field_present(id->pfr1, ID_PFR1_MTE),
		    .nmi = field_present(id->pfr1, ID_PFR1_NMI),
		},
	};
	f->pmu = pmu_is_v3(f->pmu_ver);
	/* The MOPS instructions are UNDEFINED at EL1 unless HCRX_EL2.MSCEn is set. */
	f->mops = f->hcx_hw && field_present(id->isar2, ID_ISAR2_MOPS);
}

void cpufeature_el2_controls(const struct guest_features *f, struct guest_el2_controls *c)
{
	*c = (struct guest_el2_controls){
	    .hcr = HCR_TID3,
	    /* FP/SIMD free; SME trapped (hidden); SVE trapped unless given. */
	    .cptr = CPTR_EL2_RES1_BASE | CPTR_EL2_TSM | (f->sve ? 0 : CPTR_EL2_TZ),
	};
	if (f->ras)
		c->hcr |= HCR_TERR; /* no error records: the ERR* registers read as zero */
	if (f->pauth)
		c->hcr |= HCR_APK | HCR_API;
	if (f->mte)
		c->hcr |= HCR_ATA;
	if (f->trace_hw)
		c->cptr |= CPTR_EL2_TTA;
	if (f->amu_hw)
		c->cptr |= CPTR_EL2_TAM;

	/*
	 * The guest owns its CPU's PMU, but never counts the hypervisor's own
	 * execution: HPMD and HCCD where the PMU has them; before PMUv3p5 (no
	 * HCCD, and before v3p1 no HPMD) every PMU access traps and its filters
	 * lose NSH (arch/arm64/pmu.c).
	 */
	if (!f->pmu || f->pmu_ver < PMUVER_V3P5)
		c->mdcr |= MDCR_EL2_TPM | MDCR_EL2_TPMCR;
	if (f->pmu && f->pmu_ver >= PMUVER_V3P1)
		c->mdcr |= MDCR_EL2_HPMD;
	if (f->pmu && f->pmu_ver >= PMUVER_V3P5)
		c->mdcr |= MDCR_EL2_HCCD;
	/* E2PB and E2TB stay 0b00: the profiling and trace buffers belong to EL2, EL1 traps. */
	if (f->spe_hw)
		c->mdcr |= MDCR_EL2_TPMS;
	if (f->tracefilt_hw)
		c->mdcr |= MDCR_EL2_TTRF;

	/* Every other HCRX_EL2 enable stays 0, so what it guards (TCR2, LS64, ...) traps. */
	if (f->mops)
		c->hcrx |= HCRX_EL2_MSCEN;
}

unsigned int cpufeature_parange(unsigned int bits)
{
	static const unsigned int sizes[] = {32, 36, 40, 42, 44, 48};

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (bits <= sizes[i])
			return i;
	}
	return ARRAY_SIZE(sizes) - 1;
}

static uint64_t set_field(uint64_t reg, unsigned int shift, unsigned int value)
{
	return (reg & ~F(shift)) | ((uint64_t)value << shift);
}

static uint64_t cap_field(uint64_t reg, unsigned int shift, unsigned int max)
{
	return id_field(reg, shift) > max ? set_field(reg, shift, max) : reg;
}

/*
 * Fields passed through as the hardware has them: each works at EL1 with no
 * help from EL2, or with the help cpufeature_el2_controls() gives. Everything
 * else reads as zero.
 */
/* EL0, EL1, EL3, FP, AdvSIMD, DIT, CSV2, CSV3 (GIC, RAS, SVE: below) */
#define PFR0_PASS  (F(0) | F(4) | F(12) | F(16) | F(20) | F(48) | F(56) | F(60))
/* BT, SSBS, CSV2_frac (MTE, MTE_frac: below) */
#define PFR1_PASS  (F(0) | F(4) | F(32))
#define PFR1_MTE   (F(8) | F(40))
/* DebugVer, PMUVer, BRPs, WRPs, CTX_CMPs, DoubleLock (PMUVer: below) */
#define DFR0_PASS  (F(0) | F(12) | F(20) | F(28) | F(36))
/* Everything but TME (transactional memory, which needs EL2 support) */
#define ISAR0_PASS (GENMASK(63, 4) & ~F(24))
/* DPB, JSCVT, FCMA, LRCPC, FRINTTS, SB, SPECRES, BF16, DGH, I8MM, XS (not LS64) */
#define ISAR1_PASS \
	(F(0) | F(12) | F(16) | F(20) | F(32) | F(36) | F(40) | F(44) | F(48) | F(52) | F(56))
#define ISAR1_PAUTH (F(4) | F(8) | F(24) | F(28))
/* WFxT, RPRES, BC, CLRBHB, PRFMSLC, RPRFM, CSSC, LUT (not the 128-bit system registers) */
#define ISAR2_PASS  (F(0) | F(4) | F(20) | F(28) | F(40) | F(48) | F(52) | F(56))
#define ISAR2_PAUTH (F(8) | F(12) | F(24))
/* ASIDBits, BigEnd, SNSMem, BigEndEL0, TGran16/64/4, TGran*_2, ExS (not FGT; ECV: below) */
#define MMFR0_PASS  (GENMASK(47, 4))
/* HAFDBS, HPDS, LO, PAN, SpecSEI, ETS, AFP, nTLBPA, CMOW, ECBHB (not VMID, VH, XNX, TWED, HCX) */
#define MMFR1_PASS  (F(0) | F(12) | F(16) | F(20) | F(24) | F(36) | F(44) | F(48) | F(56) | F(60))
/* CnP, UAO, LSM, IESB, VARange, CCIDX, ST, AT, IDS, TTL, BBM, E0PD (not NV, FWB, EVT) */
#define MMFR2_PASS \
	(F(0) | F(4) | F(8) | F(12) | F(16) | F(20) | F(28) | F(32) | F(36) | F(48) | F(52) | F(60))

static uint64_t guest_pfr0(uint64_t hw, const struct guest_features *f)
{
	uint64_t v = hw & PFR0_PASS;

	/* EL1 is AArch64 only (HCR_EL2.RW); EL0 may still run AArch32 where the CPU can. */
	v = set_field(v, ID_PFR0_EL1, EL1_AARCH64_ONLY);

	/* The guest's GIC CPU interface is the vGIC's: system registers only with a GICv3. */
	v = set_field(v, ID_PFR0_GIC, f->gic_v3 ? GIC_SYSREG_V3_0 : 0);
	if (f->ras)
		v = set_field(v, ID_PFR0_RAS, RAS_V1);
	if (f->sve)
		v |= hw & F(ID_PFR0_SVE);
	return v;
}

static uint64_t guest_pfr1(uint64_t hw, const struct guest_features *f)
{
	return (hw & PFR1_PASS) | (f->mte ? hw & PFR1_MTE : 0);
}

static uint64_t guest_dfr0(uint64_t hw, const struct guest_features *f)
{
	return (hw & DFR0_PASS) | (f->pmu ? hw & F(ID_DFR0_PMUVER) : 0);
}

static uint64_t guest_isar1(uint64_t hw, const struct guest_features *f)
{
	return hw & (ISAR1_PASS | (f->pauth ? ISAR1_PAUTH : 0));
}

static uint64_t guest_isar2(uint64_t hw, const struct guest_features *f)
{
	return hw & (ISAR2_PASS | (f->pauth ? ISAR2_PAUTH : 0) | (f->mops ? F(ID_ISAR2_MOPS) : 0));
}

static uint64_t guest_mmfr0(uint64_t hw, const struct guest_features *f)
{
	/* The guest's physical address space is its IPA space. */
	uint64_t v = (hw & MMFR0_PASS) | (hw & F(ID_MMFR0_PARANGE)) | (hw & F(ID_MMFR0_ECV));

	v = cap_field(v, ID_MMFR0_PARANGE, cpufeature_parange(f->ipa_bits));
	/*
	 * ECV 1, the self-synchronized counter reads (CNTVCTSS_EL0, CNTPCTSS_EL0),
	 * works at EL1 as CNTHCTL_EL2 is set; ECV 2 adds CNTPOFF_EL2, which is ours.
	 */
	return cap_field(v, ID_MMFR0_ECV, ECV_SELF_SYNC);
}

uint64_t cpufeature_guest_idreg(unsigned int crm, unsigned int op2, uint64_t hw,
                                const struct guest_features *f)
{
	if (crm >= 1 && crm <= 3)
		return hw; /* AArch32 EL0's features */
	switch (IDREG(crm, op2)) {
	case IDREG_AA64PFR0:
		return guest_pfr0(hw, f);
	case IDREG_AA64PFR1:
		return guest_pfr1(hw, f);
	case IDREG_AA64ZFR0:
		return f->sve ? hw : 0;
	case IDREG_AA64DFR0:
		return guest_dfr0(hw, f);
	case IDREG_AA64ISAR0:
		return hw & ISAR0_PASS;
	case IDREG_AA64ISAR1:
		return guest_isar1(hw, f);
	case IDREG_AA64ISAR2:
		return guest_isar2(hw, f);
	case IDREG_AA64MMFR0:
		return guest_mmfr0(hw, f);
	case IDREG_AA64MMFR1:
		return hw & MMFR1_PASS;
	case IDREG_AA64MMFR2:
		return hw & MMFR2_PASS;
	default:
		/* PFR2, SMFR0, DFR1, AFR*, ISAR3, MMFR3/4 and the reserved encodings. */
		return 0;
	}
}
