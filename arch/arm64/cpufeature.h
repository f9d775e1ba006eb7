/*
 * What a guest sees of its CPU, and the EL2 controls that make it true.
 *
 * A feature the guest is told about must work at EL1 exactly as it would on
 * the bare CPU; a feature it is not told about must trap, so that a guest
 * that uses it anyway gets an undefined instruction and nothing leaks. With
 * HCR_EL2.TID3 set every read of an ID register traps, and the guest reads
 * the hardware's value filtered through an allow-list (unknown fields read as
 * zero, "not implemented"), so a future feature is hidden until this file is
 * taught about it. KVM presents its guests a sanitized view the same way.
 *
 * Everything here is pure: it works on ID register values passed in, and is
 * unit-tested on the host (tests/unit/test_cpufeature.c). Reading the
 * registers and resetting the state of a CPU is arch/arm64/cpu_state.c.
 */
#ifndef ARCH_ARM64_CPUFEATURE_H
#define ARCH_ARM64_CPUFEATURE_H

#include "core/compiler.h"

/* The physical CPU's AArch64 ID registers that decide the guest's features. */
struct cpu_id_regs {
	uint64_t pfr0, pfr1, dfr0, isar1, isar2, mmfr0, mmfr1;
};

/*
 * The PSTATE fields the CPU itself sets on exception entry (Arm ARM,
 * AArch64.TakeException), by what the hardware implements: an exception the
 * hypervisor injects must enter the guest exactly as one the CPU takes.
 */
struct exception_entry_hw {
	bool pan;  /* FEAT_PAN: PAN set unless SCTLR_EL1.SPAN */
	bool ssbs; /* FEAT_SSBS: SSBS from SCTLR_EL1.DSSBS */
	bool mte;  /* FEAT_MTE: TCO set */
	bool nmi;  /* FEAT_NMI: ALLINT set unless SCTLR_EL1.SPINTMASK */
	/* UAO (FEAT_UAO) and BTYPE (FEAT_BTI) are cleared, implemented or not (else RES0). */
};

/* What a vCPU on one physical CPU is given. */
struct guest_features {
	/* Passed to the guest: */
	bool sve;   /* SVE/SVE2, every vector length the hardware has */
	bool pauth; /* pointer authentication, with the guest's own keys */
	bool mte;   /* MTE2 or later: tag storage exists for all RAM */
	bool ras;   /* RAS v1 with no error records (ERR* read as zero) */
	bool mops;  /* memcpy/memset instructions (needs HCRX_EL2.MSCEn) */
	bool pmu;   /* the PMU, all counters, on the guest's own CPU */
	bool gic_v3;
	unsigned int ipa_bits;
	/* Present in the hardware but hidden, so trapped (and reset by no one else): */
	bool sme_hw, amu_hw, spe_hw, trace_hw, tracefilt_hw; /* TRBE needs nothing: E2TB = 0b00 */
	/* EL2 registers that exist and must be programmed: */
	bool hcx_hw;                     /* HCRX_EL2 */
	unsigned int fgt_hw;             /* 0, 1 (FEAT_FGT) or 2 (FEAT_FGT2) */
	unsigned int pmu_ver;            /* ID_AA64DFR0_EL1.PMUVer */
	unsigned int brps, wrps;         /* breakpoints and watchpoints, counted from 1 */
	struct exception_entry_hw entry; /* for injected exceptions (pstate.c) */
};

/* EL2 control values for a vCPU with those features (on top of the base HCR_EL2 flags). */
struct guest_el2_controls {
	uint64_t hcr;  /* extra HCR_EL2 bits: TID3, TERR, APK/API, ATA */
	uint64_t cptr; /* CPTR_EL2 (nVHE layout) */
	uint64_t mdcr; /* MDCR_EL2 without HPMN (the caller adds PMCR_EL0.N) */
	uint64_t hcrx; /* HCRX_EL2, if hcx_hw */
};

/* Decide what the guest gets on a CPU with @id. */
void cpufeature_decide(const struct cpu_id_regs *id, bool gic_v3, unsigned int ipa_bits,
                       struct guest_features *f);

void cpufeature_el2_controls(const struct guest_features *f, struct guest_el2_controls *c);

/*
 * The value the guest reads from the ID register (op0 3, op1 0, CRn 0, @crm,
 * @op2) whose hardware value is @hw. @crm 1-3 are the AArch32 registers
 * (describing AArch32 EL0, passed as they are); 4-7 the AArch64 ones.
 */
uint64_t cpufeature_guest_idreg(unsigned int crm, unsigned int op2, uint64_t hw,
                                const struct guest_features *f);

/* ID_AA64MMFR0_EL1.PARange encoding of an address size (32..48 bits). */
unsigned int cpufeature_parange(unsigned int bits);

/* One 4-bit ID register field. */
static inline unsigned int id_field(uint64_t reg, unsigned int shift)
{
	return (unsigned int)((reg >> shift) & 0xf);
}

/* ID register field positions used here (Arm ARM D19.2). */
#define ID_PFR0_EL1       4
#define ID_PFR0_GIC       24
#define ID_PFR0_RAS       28
#define ID_PFR0_SVE       32
#define ID_PFR0_AMU       44
#define ID_PFR1_SSBS      4
#define ID_PFR1_MTE       8
#define ID_PFR1_SME       24
#define ID_PFR1_NMI       36
#define ID_DFR0_DEBUGVER  0
#define ID_DFR0_TRACEVER  4
#define ID_DFR0_PMUVER    8
#define ID_DFR0_BRPS      12
#define ID_DFR0_WRPS      20
#define ID_DFR0_PMSVER    32
#define ID_DFR0_TRACEFILT 40
#define ID_DFR0_TRACEBUF  44
#define ID_ISAR1_APA      4
#define ID_ISAR1_API      8
#define ID_ISAR1_GPA      24
#define ID_ISAR1_GPI      28
#define ID_ISAR2_GPA3     8
#define ID_ISAR2_APA3     12
#define ID_ISAR2_MOPS     16
#define ID_ISAR2_PACFRAC  24
#define ID_MMFR0_PARANGE  0
#define ID_MMFR0_FGT      56
#define ID_MMFR0_ECV      60
#define ID_MMFR1_PAN      20
#define ID_MMFR1_HCX      40

/* ID register encodings (CRm, op2) in the op0 3, op1 0, CRn 0 space. */
#define IDREG(crm, op2) (((crm) << 3) | (op2))
#define IDREG_AA64PFR0  IDREG(4, 0)
#define IDREG_AA64PFR1  IDREG(4, 1)
#define IDREG_AA64PFR2  IDREG(4, 2)
#define IDREG_AA64ZFR0  IDREG(4, 4)
#define IDREG_AA64SMFR0 IDREG(4, 5)
#define IDREG_AA64DFR0  IDREG(5, 0)
#define IDREG_AA64DFR1  IDREG(5, 1)
#define IDREG_AA64ISAR0 IDREG(6, 0)
#define IDREG_AA64ISAR1 IDREG(6, 1)
#define IDREG_AA64ISAR2 IDREG(6, 2)
#define IDREG_AA64MMFR0 IDREG(7, 0)
#define IDREG_AA64MMFR1 IDREG(7, 1)
#define IDREG_AA64MMFR2 IDREG(7, 2)
#define IDREG_AA64MMFR3 IDREG(7, 3)

/* HCR_EL2 bits for features */
#define HCR_TID3 BIT(18) /* trap ID group 3 reads */
#define HCR_TERR BIT(36) /* trap RAS error record registers */
#define HCR_APK  BIT(40) /* pointer authentication keys: not trapped */
#define HCR_API  BIT(41) /* pointer authentication instructions: not trapped */
#define HCR_ATA  BIT(56) /* allocation tags accessible at EL1/EL0 */

/* CPTR_EL2 (nVHE) */
#define CPTR_EL2_RES1_BASE 0x22ffUL /* bits 7:0, 9, 13 */
#define CPTR_EL2_TZ        BIT(8)   /* trap SVE (RES1 without SVE) */
#define CPTR_EL2_TSM       BIT(12)  /* trap SME (RES1 without SME) */
#define CPTR_EL2_TTA       BIT(20)  /* trap trace registers */
#define CPTR_EL2_TAM       BIT(30)  /* trap activity monitors */

/* MDCR_EL2 */
#define MDCR_EL2_TPMCR BIT(5)
#define MDCR_EL2_TPM   BIT(6)
#define MDCR_EL2_TPMS  BIT(14) /* trap the statistical profiling registers */
#define MDCR_EL2_HPMD  BIT(17) /* guest counters do not count at EL2 */
#define MDCR_EL2_TTRF  BIT(19) /* trap the trace filter register */
#define MDCR_EL2_HCCD  BIT(23) /* the cycle counter does not count at EL2 */

/* HCRX_EL2 */
#define HCRX_EL2_MSCEN BIT(11) /* memory copy/set instructions enabled at EL1/EL0 */

#endif
