/*
 * The guest's view of its CPU (arch/arm64/cpufeature.c): which features pass,
 * which are hidden, and that the EL2 controls always match what the guest was
 * told (a feature it sees is not trapped; one it does not see is).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/arm64/cpufeature.h"

#define FIELD(shift, v) ((uint64_t)(v) << (shift))

static uint64_t guest_reg(unsigned int enc, uint64_t hw, const struct guest_features *f)
{
	return cpufeature_guest_idreg(enc >> 3, enc & 7, hw, f);
}

/* A Cortex-A57: ARMv8.0, GICv3 sysregs, PMUv3, AArch32 EL0/EL1, 44-bit PA. */
static const struct cpu_id_regs a57 = {
    .pfr0 = FIELD(0, 2) | FIELD(4, 2) | FIELD(8, 2) | FIELD(12, 2) | FIELD(24, 1),
    .dfr0 = FIELD(0, 6) | FIELD(8, 1) | FIELD(12, 5) | FIELD(20, 3) | FIELD(28, 1),
    .mmfr0 = FIELD(0, 4) | FIELD(4, 2),
};

/* A Neoverse-V1-like core: SVE, RAS, PAuth (APA/GPA), AMU, SPE, PMUv3p5, FGT absent. */
static const struct cpu_id_regs v1 = {
    .pfr0 = FIELD(0, 1) | FIELD(4, 1) | FIELD(8, 1) | FIELD(24, 1) | FIELD(28, 1) | FIELD(32, 1) |
            FIELD(44, 1) | FIELD(56, 1),
    .pfr1 = FIELD(0, 0) | FIELD(4, 2),
    .dfr0 = FIELD(0, 8) | FIELD(4, 1) | FIELD(8, 6) | FIELD(32, 1) | FIELD(40, 1),
    .isar1 = FIELD(0, 2) | FIELD(4, 1) | FIELD(24, 1) | FIELD(20, 2),
    .mmfr0 = FIELD(0, 5),
};

/* QEMU's "max" with mte=on: SVE, SME, MTE3, PAuth QARMA3, MOPS, HCX, FGT. */
static const struct cpu_id_regs max = {
    .pfr0 = FIELD(0, 2) | FIELD(4, 2) | FIELD(24, 1) | FIELD(28, 2) | FIELD(32, 1) | FIELD(48, 1),
    .pfr1 = FIELD(0, 1) | FIELD(4, 2) | FIELD(8, 3) | FIELD(24, 2),
    .dfr0 = FIELD(0, 9) | FIELD(8, 8) | FIELD(12, 5),
    .isar1 = FIELD(0, 2) | FIELD(8, 0),
    .isar2 = FIELD(0, 2) | FIELD(8, 1) | FIELD(12, 1) | FIELD(16, 1),
    .mmfr0 = FIELD(0, 5) | FIELD(56, 1),
    .mmfr1 = FIELD(40, 1),
};

static void test_plain_v8_core_gets_no_extras(void **state)
{
	struct guest_features f;
	struct guest_el2_controls c;

	(void)state;
	cpufeature_decide(&a57, true, 44, &f);
	cpufeature_el2_controls(&f, &c);
	assert_false(f.sve || f.pauth || f.mte || f.ras || f.mops);
	assert_true(f.pmu);
	assert_int_equal(c.hcr, HCR_TID3);
	/* SVE and SME trapped; FP/SIMD (bit 10) and CPACR_EL1 (bit 31) are not. */
	assert_int_equal(c.cptr, CPTR_EL2_RES1_BASE | CPTR_EL2_TZ | CPTR_EL2_TSM);
	assert_int_equal(c.cptr & (BIT(10) | BIT(31)), 0);
	/* PMUv3 (8.0): no HPMD, no HCCD, so its PMU accesses trap (EL2 filtered out). */
	assert_int_equal(c.mdcr, MDCR_EL2_TPM | MDCR_EL2_TPMCR);
	/*
	 * EL0 AArch32 stays, EL1 is AArch64 only (HCR_EL2.RW), EL2 is not the
	 * guest's, the GIC is its vGICv3.
	 */
	assert_int_equal(guest_reg(IDREG_AA64PFR0, a57.pfr0, &f),
	                 FIELD(0, 2) | FIELD(4, 1) | FIELD(12, 2) | FIELD(24, 1));
	assert_int_equal(guest_reg(IDREG_AA64DFR0, a57.dfr0, &f), a57.dfr0);
}

static void test_sve_pauth_ras_core(void **state)
{
	struct guest_features f;
	struct guest_el2_controls c;
	uint64_t pfr0, dfr0;

	(void)state;
	cpufeature_decide(&v1, true, 48, &f);
	cpufeature_el2_controls(&f, &c);
	assert_true(f.sve && f.pauth && f.ras);
	assert_int_equal(c.cptr & CPTR_EL2_TZ, 0);
	assert_int_equal(c.hcr, HCR_TID3 | HCR_TERR | HCR_API | HCR_APK);
	/* AMU hidden and trapped; SPE and the trace filter trapped; cycles not counted at EL2. */
	assert_true(c.cptr & CPTR_EL2_TAM);
	assert_true(c.cptr & CPTR_EL2_TTA);
	assert_int_equal(c.mdcr, MDCR_EL2_HPMD | MDCR_EL2_HCCD | MDCR_EL2_TPMS | MDCR_EL2_TTRF);

	pfr0 = guest_reg(IDREG_AA64PFR0, v1.pfr0, &f);
	assert_int_equal(id_field(pfr0, ID_PFR0_SVE), 1);
	assert_int_equal(id_field(pfr0, ID_PFR0_RAS), 1);
	assert_int_equal(id_field(pfr0, ID_PFR0_AMU), 0);
	assert_int_equal(id_field(pfr0, 8), 0);  /* EL2 */
	assert_int_equal(id_field(pfr0, 56), 1); /* CSV2 */
	assert_int_equal(guest_reg(IDREG_AA64ISAR1, v1.isar1, &f), v1.isar1);
	dfr0 = guest_reg(IDREG_AA64DFR0, v1.dfr0, &f);
	assert_int_equal(dfr0, FIELD(0, 8) | FIELD(8, 6));
	assert_int_equal(guest_reg(IDREG_AA64ZFR0, 0x0110110000000011UL, &f), 0x0110110000000011UL);
}

static void test_sme_hidden_mte_given_mops_with_hcx(void **state)
{
	struct guest_features f;
	struct guest_el2_controls c;
	uint64_t pfr1, isar2;

	(void)state;
	cpufeature_decide(&max, true, 48, &f);
	cpufeature_el2_controls(&f, &c);
	assert_true(f.sme_hw);
	assert_true(c.cptr & CPTR_EL2_TSM);
	pfr1 = guest_reg(IDREG_AA64PFR1, max.pfr1, &f);
	assert_int_equal(id_field(pfr1, ID_PFR1_SME), 0);
	assert_int_equal(guest_reg(IDREG_AA64SMFR0, ~0UL, &f), 0);
	/* MTE3 with tag storage: given, with allocation tag access. */
	assert_int_equal(id_field(pfr1, ID_PFR1_MTE), 3);
	assert_true(c.hcr & HCR_ATA);
	/* MOPS needs HCRX_EL2.MSCEn, which exists here. */
	assert_true(f.mops);
	assert_int_equal(c.hcrx, HCRX_EL2_MSCEN);
	isar2 = guest_reg(IDREG_AA64ISAR2, max.isar2, &f);
	assert_int_equal(isar2, max.isar2);
	/* QARMA3 alone is pointer authentication too. */
	assert_true(f.pauth);
	assert_true(c.hcr & HCR_API);
	/* ECV: the self-synchronized counter views (1) pass, CNTPOFF (2) is EL2's. */
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR0, FIELD(60, 2), &f), ID_MMFR0_ECV), 1);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR0, FIELD(60, 1), &f), ID_MMFR0_ECV), 1);
	/* FGT is the hypervisor's, never the guest's. */
	assert_int_equal(f.fgt_hw, 1);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR0, max.mmfr0, &f), ID_MMFR0_FGT), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR1, max.mmfr1, &f), ID_MMFR1_HCX), 0);
}

static void test_mte_without_tag_storage_is_hidden(void **state)
{
	struct cpu_id_regs id = max;
	struct guest_features f;
	struct guest_el2_controls c;

	(void)state;
	id.pfr1 = (id.pfr1 & ~FIELD(8, 0xf)) | FIELD(8, 1); /* MTE: instructions only */
	cpufeature_decide(&id, true, 48, &f);
	cpufeature_el2_controls(&f, &c);
	assert_false(f.mte);
	assert_int_equal(c.hcr & HCR_ATA, 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64PFR1, id.pfr1, &f), ID_PFR1_MTE), 0);
}

static void test_mops_without_hcx_is_hidden(void **state)
{
	struct cpu_id_regs id = max;
	struct guest_features f;
	struct guest_el2_controls c;

	(void)state;
	id.mmfr1 = 0;
	cpufeature_decide(&id, true, 48, &f);
	cpufeature_el2_controls(&f, &c);
	assert_false(f.mops);
	assert_int_equal(c.hcrx, 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64ISAR2, id.isar2, &f), ID_ISAR2_MOPS), 0);
}

static void test_parange_is_the_ipa_size_and_gic_the_vgic(void **state)
{
	struct guest_features f;

	(void)state;
	cpufeature_decide(&a57, false, 40, &f);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR0, a57.mmfr0, &f), ID_MMFR0_PARANGE), 2);
	/* A GICv2 guest has no GIC system registers. */
	assert_int_equal(id_field(guest_reg(IDREG_AA64PFR0, a57.pfr0, &f), ID_PFR0_GIC), 0);
	assert_int_equal(cpufeature_parange(32), 0);
	assert_int_equal(cpufeature_parange(36), 1);
	assert_int_equal(cpufeature_parange(42), 3);
	assert_int_equal(cpufeature_parange(44), 4);
	assert_int_equal(cpufeature_parange(48), 5);
}

static void test_no_pmuv3_traps_the_pmu(void **state)
{
	struct cpu_id_regs id = a57;
	struct guest_features f;
	struct guest_el2_controls c;

	(void)state;
	id.dfr0 = (id.dfr0 & ~FIELD(8, 0xf)) | FIELD(8, 0xf); /* IMPLEMENTATION DEFINED PMU */
	cpufeature_decide(&id, true, 44, &f);
	cpufeature_el2_controls(&f, &c);
	assert_false(f.pmu);
	assert_int_equal(c.mdcr, MDCR_EL2_TPM | MDCR_EL2_TPMCR);
	assert_int_equal(id_field(guest_reg(IDREG_AA64DFR0, id.dfr0, &f), ID_DFR0_PMUVER), 0);
}

/*
 * PMUv3p1 (Cortex-A76) has HPMD for the event counters but no HCCD for the
 * cycle counter, and PMUv3p5 has both: only the older one traps its PMU.
 */
static void test_pmu_before_v3p5_traps(void **state)
{
	struct cpu_id_regs id = a57;
	struct guest_features f;
	struct guest_el2_controls c;

	(void)state;
	id.dfr0 = (id.dfr0 & ~FIELD(8, 0xf)) | FIELD(8, 4);
	cpufeature_decide(&id, true, 44, &f);
	cpufeature_el2_controls(&f, &c);
	assert_true(f.pmu);
	assert_int_equal(c.mdcr, MDCR_EL2_TPM | MDCR_EL2_TPMCR | MDCR_EL2_HPMD);
	assert_int_equal(id_field(guest_reg(IDREG_AA64DFR0, id.dfr0, &f), ID_DFR0_PMUVER), 4);

	id.dfr0 = (id.dfr0 & ~FIELD(8, 0xf)) | FIELD(8, 6);
	cpufeature_decide(&id, true, 44, &f);
	cpufeature_el2_controls(&f, &c);
	assert_int_equal(c.mdcr & (MDCR_EL2_TPM | MDCR_EL2_HPMD | MDCR_EL2_HCCD),
	                 MDCR_EL2_HPMD | MDCR_EL2_HCCD);
}

/* What an injected exception does to PSTATE follows the hardware, whether the guest sees it or not.
 */
static void test_exception_entry_follows_the_hardware(void **state)
{
	struct cpu_id_regs id = a57;
	struct guest_features f;

	(void)state;
	cpufeature_decide(&id, true, 44, &f);
	assert_false(f.entry.pan || f.entry.ssbs || f.entry.mte || f.entry.nmi);

	id.mmfr1 |= FIELD(ID_MMFR1_PAN, 3);
	id.pfr1 |= FIELD(ID_PFR1_SSBS, 2) | FIELD(ID_PFR1_MTE, 1) | FIELD(ID_PFR1_NMI, 1);
	cpufeature_decide(&id, true, 44, &f);
	assert_true(f.entry.pan && f.entry.ssbs && f.entry.mte && f.entry.nmi);
	assert_false(f.mte); /* MTE without tag storage is not the guest's, but TCO still exists */
}

/* A field this code does not know (all ones everywhere) is hidden, never passed. */
static void test_unknown_fields_and_registers_read_as_zero(void **state)
{
	struct cpu_id_regs all = {~0UL, ~0UL, ~0UL, ~0UL, ~0UL, ~0UL, ~0UL};
	struct guest_features f;

	(void)state;
	cpufeature_decide(&all, true, 48, &f);
	/* Reserved and hidden registers: PFR2, SMFR0, DFR1, AFR0/1, ISAR3, MMFR3/4. */
	static const unsigned int zero[] = {IDREG(4, 2), IDREG(4, 3), IDREG(4, 5), IDREG(4, 7),
	                                    IDREG(5, 1), IDREG(5, 4), IDREG(5, 5), IDREG(6, 3),
	                                    IDREG(7, 3), IDREG(7, 4), IDREG(7, 7)};
	for (unsigned int i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		assert_int_equal(guest_reg(zero[i], ~0UL, &f), 0);
	/* TME, LS64, SME, NMI, GCS, VH, NV, FWB: hidden. */
	assert_int_equal(id_field(guest_reg(IDREG_AA64ISAR0, ~0UL, &f), 24), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64ISAR1, ~0UL, &f), 60), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64PFR1, ~0UL, &f), 24), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64PFR1, ~0UL, &f), 36), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64PFR1, ~0UL, &f), 44), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR1, ~0UL, &f), 8), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR2, ~0UL, &f), 24), 0);
	assert_int_equal(id_field(guest_reg(IDREG_AA64MMFR2, ~0UL, &f), 40), 0);
	/* RAS is capped at v1: the error records of v1p1 do not exist either. */
	assert_int_equal(id_field(guest_reg(IDREG_AA64PFR0, ~0UL, &f), ID_PFR0_RAS), 1);
	/* AArch32 EL0's registers pass as they are. */
	assert_int_equal(cpufeature_guest_idreg(1, 0, 0x1234, &f), 0x1234);
	assert_int_equal(cpufeature_guest_idreg(3, 2, 0x5678, &f), 0x5678);
}

/* xorshift64: deterministic "random" ID registers. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * For any CPU: what the guest is told matches how EL2 is set. SVE visible iff
 * not trapped; PAuth visible iff not trapped; MTE visible iff tags accessible;
 * SME and AMU never visible, always trapped when present; MOPS only with
 * MSCEn; PARange never above the IPA size.
 */
static void test_view_and_controls_agree_on_any_cpu(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15UL;

	(void)state;
	for (unsigned int i = 0; i < 20000; i++) {
		struct cpu_id_regs id = {next_random(&seed), next_random(&seed), next_random(&seed),
		                         next_random(&seed), next_random(&seed), next_random(&seed),
		                         next_random(&seed)};
		unsigned int ipa = (unsigned int[]){32, 36, 40, 42, 44, 48}[i % 6];
		struct guest_features f;
		struct guest_el2_controls c;
		uint64_t pfr0, pfr1, isar1, isar2;
		bool pauth_seen;

		cpufeature_decide(&id, i & 1, ipa, &f);
		cpufeature_el2_controls(&f, &c);
		pfr0 = guest_reg(IDREG_AA64PFR0, id.pfr0, &f);
		pfr1 = guest_reg(IDREG_AA64PFR1, id.pfr1, &f);
		isar1 = guest_reg(IDREG_AA64ISAR1, id.isar1, &f);
		isar2 = guest_reg(IDREG_AA64ISAR2, id.isar2, &f);

		assert_int_equal(id_field(pfr0, ID_PFR0_SVE) != 0, !(c.cptr & CPTR_EL2_TZ));
		pauth_seen = id_field(isar1, ID_ISAR1_APA) || id_field(isar1, ID_ISAR1_API) ||
		             id_field(isar1, ID_ISAR1_GPA) || id_field(isar1, ID_ISAR1_GPI) ||
		             id_field(isar2, ID_ISAR2_APA3) || id_field(isar2, ID_ISAR2_GPA3);
		assert_int_equal(pauth_seen, (c.hcr & (HCR_API | HCR_APK)) == (HCR_API | HCR_APK));
		assert_int_equal(id_field(pfr1, ID_PFR1_MTE) >= 2, (c.hcr & HCR_ATA) != 0);
		assert_int_equal(id_field(pfr1, ID_PFR1_MTE) == 1, 0);
		assert_int_equal(id_field(pfr1, ID_PFR1_SME), 0);
		assert_true(c.cptr & CPTR_EL2_TSM);
		assert_int_equal(id_field(pfr0, ID_PFR0_AMU), 0);
		assert_int_equal(f.amu_hw, (c.cptr & CPTR_EL2_TAM) != 0);
		if (id_field(isar2, ID_ISAR2_MOPS))
			assert_true(c.hcrx & HCRX_EL2_MSCEN);
		assert_int_equal(id_field(pfr0, ID_PFR0_RAS) != 0, (c.hcr & HCR_TERR) != 0);
		assert_true(id_field(guest_reg(IDREG_AA64MMFR0, id.mmfr0, &f), ID_MMFR0_PARANGE) <=
		            cpufeature_parange(ipa));
		assert_true(c.hcr & HCR_TID3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_v8_core_gets_no_extras),
	    cmocka_unit_test(test_sve_pauth_ras_core),
	    cmocka_unit_test(test_sme_hidden_mte_given_mops_with_hcx),
	    cmocka_unit_test(test_mte_without_tag_storage_is_hidden),
	    cmocka_unit_test(test_mops_without_hcx_is_hidden),
	    cmocka_unit_test(test_parange_is_the_ipa_size_and_gic_the_vgic),
	    cmocka_unit_test(test_no_pmuv3_traps_the_pmu),
	    cmocka_unit_test(test_pmu_before_v3p5_traps),
	    cmocka_unit_test(test_exception_entry_follows_the_hardware),
	    cmocka_unit_test(test_unknown_fields_and_registers_read_as_zero),
	    cmocka_unit_test(test_view_and_controls_agree_on_any_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
