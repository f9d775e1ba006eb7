/*
 * The byte order of a guest's emulated MMIO (arch/arm64/endian.h): which
 * control decides it at EL1, EL0 and AArch32 EL0, and the byte reversal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/arm64/endian.h"

static void test_which_control_decides(void **state)
{
	(void)state;
	assert_false(guest_data_big_endian(PSR_MODE_EL1h, 0));
	assert_true(guest_data_big_endian(PSR_MODE_EL1h, SCTLR_EL1_EE));
	assert_true(guest_data_big_endian(PSR_MODE_EL1t, SCTLR_EL1_EE));
	assert_false(guest_data_big_endian(PSR_MODE_EL1h, SCTLR_EL1_E0E)); /* EL0's only */
	assert_true(guest_data_big_endian(PSR_MODE_EL0t, SCTLR_EL1_E0E));
	assert_false(guest_data_big_endian(PSR_MODE_EL0t, SCTLR_EL1_EE)); /* EL1's only */
	/* AArch32 EL0: CPSR.E (SETEND), whatever SCTLR_EL1 says. */
	assert_true(guest_data_big_endian(PSR_MODE_32 | 0x10 | PSR_AA32_E, 0));
	assert_false(guest_data_big_endian(PSR_MODE_32 | 0x10, SCTLR_EL1_E0E | SCTLR_EL1_EE));
}

static void test_bswap_size(void **state)
{
	(void)state;
	assert_int_equal(bswap_size(0x1122334455667788UL, 1), 0x88);
	assert_int_equal(bswap_size(0x1122334455667788UL, 2), 0x8877);
	assert_int_equal(bswap_size(0x1122334455667788UL, 4), 0x88776655);
	assert_int_equal(bswap_size(0x1122334455667788UL, 8), 0x8877665544332211UL);
	assert_int_equal(bswap_size(bswap_size(0x0100043b, 4), 4), 0x0100043b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_which_control_decides),
	    cmocka_unit_test(test_bswap_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
