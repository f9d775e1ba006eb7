/*
 * struct cpu_user_regs against the offsets arch/arm64/entry.S uses: the
 * generated asm-offsets.h must agree with the C layout as the host compiler
 * sees it, and the layout must keep the invariants the assembly's stp/ldp
 * pairs rely on. Only regs.h and asm-offsets.h are included: the rest of the
 * arch headers use AArch64 inline assembly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/arm64/regs.h"
#include "asm-offsets.h"

#define UREGS_OFF(m) offsetof(struct cpu_user_regs, m)

static void test_offsets_match_struct(void **state)
{
	(void)state;
	assert_int_equal(UREGS_X0, UREGS_OFF(x[0]));
	assert_int_equal(UREGS_LR, UREGS_OFF(x[30]));
	assert_int_equal(UREGS_SP, UREGS_OFF(sp));
	assert_int_equal(UREGS_PC, UREGS_OFF(pc));
	assert_int_equal(UREGS_CPSR, UREGS_OFF(cpsr));
	assert_int_equal(UREGS_ESR, UREGS_OFF(esr));
	assert_int_equal(UREGS_SIZE, sizeof(struct cpu_user_regs));
}

static void test_frame_layout(void **state)
{
	(void)state;
	/* The exception entry keeps SP 16-byte aligned after `sub sp, sp, #UREGS_SIZE`. */
	assert_int_equal(UREGS_SIZE % 16, 0);
	/* x0 starts the frame, so `stp x0, x1, [sp, #UREGS_X0]` is at sp. */
	assert_int_equal(UREGS_X0, 0);
	/* LDP/STP take a signed 7-bit immediate scaled by 8, [-512, 504]: the pairs at
	 * x28, x30 and pc must be reachable. */
	assert_true(UREGS_X0 + 28 * 8 <= 504);
	assert_true(UREGS_LR <= 504);
	assert_true(UREGS_PC <= 504);
	assert_int_equal(UREGS_LR % 8, 0);
	assert_int_equal(UREGS_PC % 8, 0);
	/* `str x23, [sp, #UREGS_ESR]`: unsigned 12-bit immediate scaled by 8. */
	assert_int_equal(UREGS_ESR % 8, 0);
	assert_true(UREGS_ESR <= 4095 * 8);
	/* `sub sp, sp, #UREGS_SIZE`: unsigned 12-bit immediate. */
	assert_true(UREGS_SIZE <= 4095);
	/* The frame holds exactly the saved state plus padding. */
	assert_true(UREGS_ESR + 8 <= UREGS_SIZE);
	assert_true(UREGS_SIZE - (UREGS_ESR + 8) < 16);
}

static void test_pair_adjacency(void **state)
{
	(void)state;
	/* x[n] 8 bytes apart: stp x0, x1 ... stp x28, x29 each store one pair. */
	for (unsigned int n = 0; n < 31; n++)
		assert_int_equal(UREGS_OFF(x[n]), UREGS_X0 + 8 * n);
	assert_int_equal(sizeof(((struct cpu_user_regs *)0)->x[0]), 8);
	/* Pairs starting on an even register are 16-byte aligned. */
	for (unsigned int n = 0; n < 30; n += 2)
		assert_int_equal(UREGS_OFF(x[n]) % 16, 0);
	/* stp x30, <sp>, [sp, #UREGS_LR] */
	assert_int_equal(UREGS_SP, UREGS_LR + 8);
	/* stp <elr>, <spsr>, [sp, #UREGS_PC] */
	assert_int_equal(UREGS_CPSR, UREGS_PC + 8);
	/* The fields after x30 follow in the order entry.S saves them. */
	assert_int_equal(UREGS_PC, UREGS_SP + 8);
	assert_int_equal(UREGS_ESR, UREGS_CPSR + 8);
}

static void test_psr_el(void **state)
{
	(void)state;
	assert_int_equal(psr_el(PSR_MODE_EL0t), 0);
	assert_int_equal(psr_el(PSR_MODE_EL1t), 1);
	assert_int_equal(psr_el(PSR_MODE_EL1h), 1);
	assert_int_equal(psr_el(PSR_MODE_EL2t), 2);
	assert_int_equal(psr_el(PSR_MODE_EL2h), 2);
	assert_int_equal(psr_el(0xc), 3); /* EL3t */
	assert_int_equal(psr_el(0xd), 3); /* EL3h */

	/* Architectural values of the mode field */
	assert_int_equal(PSR_MODE_EL0t, 0x0);
	assert_int_equal(PSR_MODE_EL1t, 0x4);
	assert_int_equal(PSR_MODE_EL1h, 0x5);
	assert_int_equal(PSR_MODE_EL2t, 0x8);
	assert_int_equal(PSR_MODE_EL2h, 0x9);
	assert_int_equal(PSR_DAIF, 0x3c0);

	/* The other PSTATE bits do not change the EL: a guest's SPSR after an exception
	 * entry at EL1h with DAIF masked, and with NZCV set. */
	assert_int_equal(psr_el(PSR_MODE_EL1h | PSR_DAIF), 1);
	assert_int_equal(psr_el(0x3c5), 1);
	assert_int_equal(psr_el(0xf00003c4UL), 1);
	assert_int_equal(psr_el(0xf0000000UL | PSR_DAIF), 0);
	assert_int_equal(psr_el(~0UL & ~PSR_MODE_MASK), 0);
	assert_int_equal(psr_el(~0UL & ~(3UL << 2)), 0);
	assert_int_equal(psr_el(0xffffffff000003c9UL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offsets_match_struct),
	    cmocka_unit_test(test_frame_layout),
	    cmocka_unit_test(test_pair_adjacency),
	    cmocka_unit_test(test_psr_el),
	};
	return cmocka_run_group_tests_name("regs", tests, NULL, NULL);
}
