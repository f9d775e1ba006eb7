/* List register encodings of both GIC versions (drivers/gic_lr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "drivers/gic.h"

/* GICv3 ICH_LR<n>_EL2: vINTID[31:0] pINTID[44:32] Priority[55:48] Group[60] HW[61] State[63:62] */
static void test_v3_software_lr(void **state)
{
	struct gic_lr lr = {.virq = 27, .priority = 0xa0, .state = GIC_LR_PENDING, .group1 = true};
	struct gic_lr back;

	(void)state;
	assert_int_equal(gic_v3_lr_encode(&lr), 0x50a000000000001bUL);
	gic_v3_lr_decode(0x50a000000000001bUL, &back);
	assert_int_equal(back.virq, 27);
	assert_int_equal(back.priority, 0xa0);
	assert_int_equal(back.state, GIC_LR_PENDING);
	assert_true(back.group1);
	assert_false(back.hw);
	assert_int_equal(back.pirq, 0);
}

static void test_v3_hw_lr(void **state)
{
	struct gic_lr lr = {.virq = 33,
	                    .pirq = 33,
	                    .priority = 0x80,
	                    .state = GIC_LR_PENDING | GIC_LR_ACTIVE,
	                    .hw = true,
	                    .group1 = true};
	struct gic_lr back;
	uint64_t v = gic_v3_lr_encode(&lr);

	(void)state;
	assert_int_equal(v, 0xf080002100000021UL);
	gic_v3_lr_decode(v, &back);
	assert_true(back.hw);
	assert_int_equal(back.pirq, 33);
	assert_int_equal(back.state, GIC_LR_PENDING | GIC_LR_ACTIVE);
	/* pINTID is 13 bits: higher bits do not leak into other fields. */
	lr.pirq = 0xffff;
	assert_int_equal((gic_v3_lr_encode(&lr) >> 32) & 0xffff, 0x1fff);
}

/* GICv2 GICH_LR<n>: VirtualID[9:0] PhysicalID/CPUID[19:10] Priority[27:23] State[29:28]
 * Grp1[30] HW[31]; the priority keeps only its top 5 bits. */
static void test_v2_software_sgi_lr(void **state)
{
	struct gic_lr lr = {.virq = 5, .priority = 0xa8, .state = GIC_LR_PENDING, .source = 3};
	struct gic_lr back;
	uint32_t v = gic_v2_lr_encode(&lr);

	(void)state;
	assert_int_equal(v, (5u) | (3u << 10) | ((0xa8u >> 3) << 23) | (1u << 28));
	gic_v2_lr_decode(v, &back);
	assert_int_equal(back.virq, 5);
	assert_int_equal(back.source, 3);
	assert_int_equal(back.priority, 0xa8);
	assert_false(back.hw);
	/* The low 3 priority bits do not exist in GICv2 list registers. */
	lr.priority = 0xaf;
	gic_v2_lr_decode(gic_v2_lr_encode(&lr), &back);
	assert_int_equal(back.priority, 0xa8);
}

static void test_v2_hw_lr(void **state)
{
	struct gic_lr lr = {.virq = 27,
	                    .pirq = 27,
	                    .priority = 0,
	                    .state = GIC_LR_ACTIVE,
	                    .hw = true,
	                    .group1 = true,
	                    .source = 7};
	struct gic_lr back;
	uint32_t v = gic_v2_lr_encode(&lr);

	(void)state;
	assert_int_equal(v, 27u | (27u << 10) | (2u << 28) | (1u << 30) | (1u << 31));
	gic_v2_lr_decode(v, &back);
	assert_true(back.hw);
	assert_true(back.group1);
	assert_int_equal(back.pirq, 27);
	assert_int_equal(back.source, 0); /* a hw LR has no CPUID field */
	assert_int_equal(back.state, GIC_LR_ACTIVE);
}

/* The EOI maintenance bit: bit 19 (GICv2) and bit 41 (GICv3), software interrupts only. */
static void test_eoi_maintenance_bit(void **state)
{
	struct gic_lr lr = {.virq = 1, .state = GIC_LR_ACTIVE, .source = 2, .eoi_irq = true};
	struct gic_lr back;

	(void)state;
	assert_int_equal(gic_v2_lr_encode(&lr) & (1u << 19), 1u << 19);
	gic_v2_lr_decode(gic_v2_lr_encode(&lr), &back);
	assert_true(back.eoi_irq);
	assert_int_equal(gic_v3_lr_encode(&lr) & (1UL << 41), 1UL << 41);
	gic_v3_lr_decode(gic_v3_lr_encode(&lr), &back);
	assert_true(back.eoi_irq);
	/* In a hw list register those bits are the physical INTID's. */
	lr.hw = true;
	lr.pirq = 27;
	assert_int_equal(gic_v2_lr_encode(&lr) & (1u << 19), 0);
	assert_int_equal(gic_v3_lr_encode(&lr) & (1UL << 41), 0);
	lr.eoi_irq = false;
	lr.hw = false;
	assert_int_equal(gic_v2_lr_encode(&lr) & (1u << 19), 0);
	assert_int_equal(gic_v3_lr_encode(&lr) & (1UL << 41), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v3_software_lr),      cmocka_unit_test(test_v3_hw_lr),
	    cmocka_unit_test(test_v2_software_sgi_lr),  cmocka_unit_test(test_v2_hw_lr),
	    cmocka_unit_test(test_eoi_maintenance_bit),
	};
	return cmocka_run_group_tests_name("gic_lr", tests, NULL, NULL);
}
