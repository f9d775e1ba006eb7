/*
 * PSTATE on exception entry (arch/arm64/pstate.c), field by field, against
 * AArch64.TakeException in the Arm ARM: what is kept, what is set, what is
 * cleared, and what SCTLR_EL1 decides; for CPUs with and without each
 * feature, from AArch64 EL0/EL1 and from AArch32 EL0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/arm64/pstate.h"
#include "arch/arm64/regs.h"

static const struct exception_entry_hw v80 = {0}; /* Cortex-A57: none of them */
static const struct exception_entry_hw all = {.pan = true, .ssbs = true, .mte = true, .nmi = true};

/* Linux's SCTLR_EL1: SPAN clear (PAN on entry), DSSBS clear, SPINTMASK clear. */
#define SCTLR_LINUX 0x3050198dUL

static void test_mode_and_masks(void **state)
{
	static const uint64_t from[] = {PSR_MODE_EL0t, PSR_MODE_EL1t, PSR_MODE_EL1h,
	                                PSR_MODE_32 | 0x10 /* AArch32 USR */};

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t p = pstate_exception_entry(from[i], SCTLR_LINUX, &v80);

		assert_int_equal(p & PSR_MODE_MASK, PSR_MODE_EL1h);
		assert_int_equal(p & PSR_MODE_32, 0);
		assert_int_equal(p & PSR_DAIF, PSR_DAIF);
	}
	/* Nothing of an ARMv8.0 CPU's entry state is left but the flags. */
	assert_int_equal(pstate_exception_entry(~0UL, SCTLR_LINUX, &v80),
	                 PSR_NZCV | PSR_DIT | PSR_DAIF | PSR_MODE_EL1h);
}

static void test_flags_and_dit_kept(void **state)
{
	(void)state;
	for (uint64_t nzcv = 0; nzcv < 16; nzcv++) {
		uint64_t p = pstate_exception_entry(nzcv << 28, SCTLR_LINUX, &all);

		assert_int_equal(p & PSR_NZCV, nzcv << 28);
	}
	assert_true(pstate_exception_entry(PSR_DIT | PSR_MODE_EL0t, 0, &all) & PSR_DIT);
	assert_false(pstate_exception_entry(PSR_MODE_EL0t, 0, &all) & PSR_DIT);
	/* AArch32 SPSR: DIT is bit 24 there too. */
	assert_true(pstate_exception_entry(PSR_DIT | PSR_MODE_32, 0, &all) & PSR_DIT);
}

static void test_pan(void **state)
{
	(void)state;
	/* SPAN clear: PAN set on entry, whatever it was (the Linux case). */
	assert_true(pstate_exception_entry(PSR_MODE_EL0t, SCTLR_LINUX, &all) & PSR_PAN);
	assert_true(pstate_exception_entry(PSR_MODE_EL1h, 0, &all) & PSR_PAN);
	/* SPAN set: PAN kept as it was. */
	assert_false(pstate_exception_entry(PSR_MODE_EL1h, SCTLR_EL1_SPAN, &all) & PSR_PAN);
	assert_true(pstate_exception_entry(PSR_PAN | PSR_MODE_EL1h, SCTLR_EL1_SPAN, &all) &
	            PSR_PAN);
	/* AArch32 EL0: PAN is bit 22 of its SPSR as well. */
	assert_true(pstate_exception_entry(PSR_PAN | PSR_MODE_32, SCTLR_EL1_SPAN, &all) & PSR_PAN);
	/* No FEAT_PAN: the bit is RES0. */
	assert_false(pstate_exception_entry(PSR_MODE_EL1h, 0, &v80) & PSR_PAN);
}

static void test_ssbs_from_dssbs(void **state)
{
	(void)state;
	assert_true(pstate_exception_entry(0, SCTLR_EL1_DSSBS, &all) & PSR_SSBS);
	assert_false(pstate_exception_entry(PSR_SSBS, 0, &all) & PSR_SSBS);
	assert_false(pstate_exception_entry(0, SCTLR_EL1_DSSBS, &v80) & PSR_SSBS);
	/* AArch32's SSBS is bit 23 (AArch64's UAO): neither survives. */
	assert_false(pstate_exception_entry(BIT(23) | PSR_MODE_32, 0, &all) & (PSR_SSBS | PSR_UAO));
}

static void test_tco_with_mte(void **state)
{
	(void)state;
	assert_true(pstate_exception_entry(PSR_MODE_EL0t, 0, &all) & PSR_TCO);
	assert_false(pstate_exception_entry(PSR_TCO, 0, &v80) & PSR_TCO);
}

static void test_allint_from_spintmask(void **state)
{
	(void)state;
	assert_true(pstate_exception_entry(0, 0, &all) & PSR_ALLINT);
	assert_false(pstate_exception_entry(PSR_ALLINT, SCTLR_EL1_SPINTMASK, &all) & PSR_ALLINT);
	assert_false(pstate_exception_entry(0, 0, &v80) & PSR_ALLINT);
}

static void test_cleared_fields(void **state)
{
	const uint64_t dirty = PSR_UAO | PSR_SS | PSR_IL | PSR_BTYPE | PSR_MODE_EL1h;

	(void)state;
	assert_int_equal(
	    pstate_exception_entry(dirty, 0, &all) & (PSR_UAO | PSR_SS | PSR_IL | PSR_BTYPE), 0);
	/* AArch32 Q, IT, GE, E and T are not AArch64 fields: gone too. */
	assert_int_equal(pstate_exception_entry(0x0e0ffe30UL | PSR_MODE_32, SCTLR_EL1_SPAN, &v80),
	                 PSR_DAIF | PSR_MODE_EL1h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode_and_masks),
	    cmocka_unit_test(test_flags_and_dit_kept),
	    cmocka_unit_test(test_pan),
	    cmocka_unit_test(test_ssbs_from_dssbs),
	    cmocka_unit_test(test_tco_with_mte),
	    cmocka_unit_test(test_allint_from_spintmask),
	    cmocka_unit_test(test_cleared_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
