/*
 * The GICv2 driver over a register file in memory: on QEMU's model (GICD_IIDR
 * 0x43b) a hardware-linked list register is written as a software one with an
 * EOI maintenance interrupt, the vGIC still reads it back as hardware-linked,
 * and the driver ends the physical interrupt with GICC_DIR once the guest has
 * completed it (from the maintenance interrupt, or when it finds the register
 * completed). On any other GICv2 (a GIC-400) the register is the hardware's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/percpu.h"
#include "drivers/gic_ops.h"

#define GICD_IIDR  0x008
#define GICC_DIR   0x1000
#define GICH_VTR   0x004
#define GICH_EISR0 0x020
#define GICH_LR0   0x100

#define LR_HW       (1u << 31)
#define LR_EOI      (1u << 19)
#define LR_STATE(v) (((v) >> 28) & 3)
#define LR_PENDING  1u
#define LR_ACTIVE   2u

#define QEMU_IIDR    0x0000043bu
#define GIC400_IIDR  0x0200143bu
#define NO_DIR_WRITE 0xdeadbeefu

_Thread_local unsigned long unit_tpidr_el2;
struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = 1;

static _Alignas(4096) uint8_t gicd[0x1000], gicc[0x2000], gich[0x1000];

void mmu_map_device(uint64_t pa, uint64_t size)
{
	(void)pa;
	(void)size;
}

void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

int printk(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

static uint32_t *reg(uint8_t *frame, unsigned int offset)
{
	return (uint32_t *)(frame + offset);
}

static uint32_t *lr_reg(unsigned int i)
{
	return reg(gich, GICH_LR0 + 4 * i);
}

/* A CPU interface with 4 list registers on a GIC whose GICD_IIDR is @iidr. */
static void driver_up(uint32_t iidr)
{
	struct dt_gic dt = {
	    .version = 2,
	    .gicd = {(uintptr_t)gicd, sizeof(gicd)},
	    .gicc = {(uintptr_t)gicc, sizeof(gicc)},
	    .gich = {(uintptr_t)gich, sizeof(gich)},
	    .gicv = {0x8040000, 0x2000},
	    .maint_irq = 25,
	};

	unit_tpidr_el2 = (unsigned long)&pcpus[0];
	memset(gicd, 0, sizeof(gicd));
	memset(gicc, 0, sizeof(gicc));
	memset(gich, 0, sizeof(gich));
	*reg(gicd, GICD_IIDR) = iidr;
	*reg(gich, GICH_VTR) = 3;
	gic_v2_ops.init(&dt);
	gic_v2_ops.cpu_init();
	*reg(gicc, GICC_DIR) = NO_DIR_WRITE;
}

static const struct gic_lr timer_lr = {
    .virq = 27, .pirq = 27, .priority = 0xa0, .state = GIC_LR_PENDING, .hw = true};

/* The guest acknowledges and EOIs list register @i: its state goes, its EOI bit stays. */
static void guest_completes(unsigned int i)
{
	*lr_reg(i) &= ~(3u << 28);
	if (*lr_reg(i) & LR_EOI)
		*reg(gich, GICH_EISR0) |= 1u << i;
}

static void test_qemu_hw_lr_is_a_software_one_asking_for_eoi_maintenance(void **state)
{
	struct gic_lr back;

	(void)state;
	driver_up(QEMU_IIDR);
	gic_v2_ops.write_lr(1, &timer_lr);
	assert_int_equal(*lr_reg(1) & LR_HW, 0);
	assert_int_equal(*lr_reg(1) & LR_EOI, LR_EOI);
	assert_int_equal(*lr_reg(1) & 0x3ff, 27);
	assert_int_equal(LR_STATE(*lr_reg(1)), LR_PENDING);
	/* The vGIC reads back what it wrote. */
	gic_v2_ops.read_lr(1, &back);
	assert_true(back.hw);
	assert_int_equal(back.pirq, 27);
	assert_false(back.eoi_irq);
	assert_int_equal(back.state, GIC_LR_PENDING);
	assert_int_equal(*reg(gicc, GICC_DIR), NO_DIR_WRITE);
}

static void test_qemu_maintenance_ends_the_completed_physical_interrupt(void **state)
{
	struct gic_lr back;

	(void)state;
	driver_up(QEMU_IIDR);
	gic_v2_ops.write_lr(
	    0, &(struct gic_lr){
		   .virq = 30, .pirq = 30, .priority = 0xa0, .state = GIC_LR_ACTIVE, .hw = true});
	gic_v2_ops.write_lr(2, &timer_lr);
	guest_completes(2);
	gic_v2_ops.maintenance();
	assert_int_equal(*reg(gicc, GICC_DIR), 27);
	assert_int_equal(*lr_reg(2), 0); /* and with it the EOI maintenance request */
	/* The one still active is left alone. */
	assert_int_equal(LR_STATE(*lr_reg(0)), LR_ACTIVE);
	gic_v2_ops.read_lr(2, &back);
	assert_int_equal(back.state, 0);
	gic_v2_ops.read_lr(0, &back);
	assert_true(back.hw);
	assert_int_equal(back.pirq, 30);
	assert_int_equal(back.state, GIC_LR_ACTIVE);
}

static void test_qemu_completed_register_found_by_read_is_ended_once(void **state)
{
	struct gic_lr back;

	(void)state;
	driver_up(QEMU_IIDR);
	gic_v2_ops.write_lr(3, &timer_lr);
	guest_completes(3);
	gic_v2_ops.read_lr(3, &back); /* a sync before the maintenance interrupt was taken */
	assert_int_equal(back.state, 0);
	assert_int_equal(*reg(gicc, GICC_DIR), 27);
	assert_int_equal(*lr_reg(3), 0);
	*reg(gicc, GICC_DIR) = NO_DIR_WRITE;
	gic_v2_ops.maintenance();
	gic_v2_ops.read_lr(3, &back);
	assert_int_equal(*reg(gicc, GICC_DIR), NO_DIR_WRITE);
}

static void test_qemu_completed_register_rewritten_still_ends_it(void **state)
{
	(void)state;
	driver_up(QEMU_IIDR);
	gic_v2_ops.write_lr(1, &timer_lr);
	guest_completes(1);
	gic_v2_ops.write_lr(
	    1, &(struct gic_lr){.virq = 40, .priority = 0xa0, .state = GIC_LR_PENDING});
	assert_int_equal(*reg(gicc, GICC_DIR), 27);
	assert_int_equal(*lr_reg(1) & (LR_HW | LR_EOI), 0);
	assert_int_equal(*lr_reg(1) & 0x3ff, 40);
}

static void test_qemu_pending_register_replaced_ends_nothing(void **state)
{
	(void)state;
	driver_up(QEMU_IIDR);
	gic_v2_ops.write_lr(1, &timer_lr);
	/* Evicted before the guest took it: the vGIC ends the physical one if it must. */
	gic_v2_ops.write_lr(1, &(struct gic_lr){0});
	assert_int_equal(*reg(gicc, GICC_DIR), NO_DIR_WRITE);
	assert_int_equal(*lr_reg(1), 0);
	gic_v2_ops.maintenance();
	assert_int_equal(*reg(gicc, GICC_DIR), NO_DIR_WRITE);
}

static void test_qemu_vcpu_reset_ends_a_completed_one(void **state)
{
	(void)state;
	driver_up(QEMU_IIDR);
	gic_v2_ops.write_lr(0, &timer_lr);
	guest_completes(0);
	gic_v2_ops.vcpu_if_reset();
	assert_int_equal(*reg(gicc, GICC_DIR), 27);
	assert_int_equal(*lr_reg(0), 0);
}

static void test_gic400_hw_lr_is_the_hardwares(void **state)
{
	struct gic_lr back;

	(void)state;
	driver_up(GIC400_IIDR);
	gic_v2_ops.write_lr(1, &timer_lr);
	assert_int_equal(*lr_reg(1) & LR_HW, LR_HW);
	assert_int_equal(*lr_reg(1) & LR_EOI, 0); /* bit 19 is part of the physical INTID */
	assert_int_equal((*lr_reg(1) >> 10) & 0x3ff, 27);
	guest_completes(1); /* the GIC deactivated the physical one itself */
	gic_v2_ops.maintenance();
	gic_v2_ops.read_lr(1, &back);
	assert_int_equal(back.state, 0);
	assert_int_equal(*reg(gicc, GICC_DIR), NO_DIR_WRITE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_hw_lr_is_a_software_one_asking_for_eoi_maintenance),
	    cmocka_unit_test(test_qemu_maintenance_ends_the_completed_physical_interrupt),
	    cmocka_unit_test(test_qemu_completed_register_found_by_read_is_ended_once),
	    cmocka_unit_test(test_qemu_completed_register_rewritten_still_ends_it),
	    cmocka_unit_test(test_qemu_pending_register_replaced_ends_nothing),
	    cmocka_unit_test(test_qemu_vcpu_reset_ends_a_completed_one),
	    cmocka_unit_test(test_gic400_hw_lr_is_the_hardwares),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
