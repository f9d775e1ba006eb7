/*
 * The vGIC's interrupt state, injection and list-register manager
 * (vgic/vgic.c), and the interrupt registers every frame shares
 * (vgic/vgic_mmio.c), on the host (arm64_asm_shim.h makes their spinlock and
 * smp_processor_id() work). The GIC driver is a fake: each pCPU has its own
 * list registers (4 by default, like QEMU's), and underflow requests, SGIs,
 * deactivations and SPI routing are recorded. The "guest" acks and EOIs by
 * changing the state of its list registers, as the hardware would.
 *
 * One fake VM: 2 vCPUs on pCPUs 0 and 1, vGICv3, distributor enabled. The
 * test runs on pCPU 0 unless it says otherwise.
 *
 * The last four tests are regressions of bugs these tests found: guest MMIO
 * writes to the state of an interrupt held in a list register, and a guest
 * making every SPI pending at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/percpu.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"
#include "fake_gic.h"
#include "vgic/vgic_mmio.h"

#define NR_TEST_VCPUS 2
#define DEFAULT_LRS   4

/* The fake machine ------------------------------------------------------- */

_Thread_local unsigned long unit_tpidr_el2; /* this thread's pCPU (arm64_asm_shim.h) */
struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = NR_CPUS;

static struct vm vm;
static struct vcpu vcpu_store[NR_TEST_VCPUS];
static struct vcpu *vcpus[NR_TEST_VCPUS];

static const struct vgic_irq_window private_win = {0, VGIC_NR_PRIVATE};
static const struct vgic_irq_window spi_win = {VGIC_NR_PRIVATE, VGIC_NR_IRQS};

/* Fixture ------------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(vcpu_store, 0, sizeof(vcpu_store));
	memset(lrs, 0, sizeof(lrs));
	memset(&rec, 0, sizeof(rec));
	panic_jb_armed = false;
	nr_lrs = DEFAULT_LRS;
	for (unsigned int i = 0; i < NR_CPUS; i++)
		pcpus[i] = (struct pcpu){.id = i, .mpidr = i, .online = true};
	vm.name = "test";
	vm.vgic.lock = (spinlock_t)SPINLOCK_INIT;
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		vcpus[i] = &vcpu_store[i];
		*vcpus[i] = (struct vcpu){
		    .id = i,
		    .vm = &vm,
		    .vmpidr = BIT(31) | i,
		    .pcpu = i,
		    .power = VCPU_ON,
		};
		vm.vcpus[i] = vcpus[i];
		pcpus[i].vcpu = vcpus[i];
	}
	vm.nr_vcpus = NR_TEST_VCPUS;
	run_on(0);
	vgic_dist_init(&vm, 3, nr_lrs);
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++)
		vgic_cpu_reset(vcpus[i]);
	vm.vgic.grp_en = VGIC_GRP0_EN | VGIC_GRP1_EN;
	return 0;
}

/* Helpers ------------------------------------------------------------------ */

static struct vgic_irq *irq_of(unsigned int vcpu, uint32_t intid)
{
	struct vgic_irq *irq = vgic_get_irq(vcpus[vcpu], intid);

	assert_non_null(irq);
	return irq;
}

/* Make @intid (of @vcpu, for a private one) deliverable at @priority. */
static struct vgic_irq *prep(unsigned int vcpu, uint32_t intid, uint8_t priority)
{
	struct vgic_irq *irq = irq_of(vcpu, intid);

	irq->priority = priority;
	irq->enabled = true;
	return irq;
}

static bool on_ap_list(const struct vcpu *v, const struct vgic_irq *irq)
{
	for (unsigned int i = 0; i < v->vgic.nr_ap; i++) {
		if (v->vgic.ap_list[i] == irq)
			return true;
	}
	return false;
}

/* The list register of @v's pCPU holding @intid, or -1. */
static int lr_of(const struct vcpu *v, uint32_t intid)
{
	for (unsigned int i = 0; i < nr_lrs; i++) {
		const struct gic_lr *lr = &lrs[v->pcpu][i];

		if (lr->state && lr->virq == intid)
			return (int)i;
	}
	return -1;
}

static struct gic_lr *lr_for(const struct vcpu *v, uint32_t intid)
{
	int i = lr_of(v, intid);

	assert_true(i >= 0);
	return &lrs[v->pcpu][i];
}

static unsigned int nr_valid_lrs(const struct vcpu *v)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_lrs; i++)
		n += lrs[v->pcpu][i].state != 0;
	return n;
}

/* The vGIC's bookkeeping agrees with the list registers. */
static void assert_consistent(const struct vcpu *v)
{
	const struct vgic_cpu *c = &v->vgic;

	for (unsigned int i = 0; i < VGIC_MAX_LRS; i++) {
		const struct gic_lr *lr = &lrs[v->pcpu][i];

		if (!(c->lr_used & (1u << i))) {
			assert_null(c->lr_irq[i]);
			if (i < nr_lrs)
				assert_int_equal(lr->state, 0);
			continue;
		}
		assert_true(i < nr_lrs);
		assert_non_null(c->lr_irq[i]);
		assert_int_equal(c->lr_irq[i]->lr, i);
		assert_true(c->lr_irq[i]->queued);
		assert_true(on_ap_list(v, c->lr_irq[i]));
		assert_int_equal(lr->virq, c->lr_irq[i]->intid);
		assert_int_not_equal(lr->state, 0);
		if (lr->hw)
			assert_int_not_equal(lr->state, GIC_LR_PENDING | GIC_LR_ACTIVE);
		for (unsigned int k = 0; k < i; k++)
			assert_ptr_not_equal(c->lr_irq[k], c->lr_irq[i]);
	}
	for (unsigned int i = 0; i < c->nr_ap; i++) {
		assert_true(c->ap_list[i]->queued);
		for (unsigned int k = 0; k < i; k++)
			assert_ptr_not_equal(c->ap_list[k], c->ap_list[i]);
	}
}

/* Before entering @v, on its pCPU. */
static void sync(struct vcpu *v)
{
	unsigned long caller = unit_tpidr_el2;

	run_on(v->pcpu);
	vgic_sync_lrs(v);
	unit_tpidr_el2 = caller;
	assert_consistent(v);
}

/* The guest acknowledges @intid: pending -> active. */
static void guest_ack(const struct vcpu *v, uint32_t intid)
{
	struct gic_lr *lr = lr_for(v, intid);

	assert_int_equal(lr->state, GIC_LR_PENDING);
	lr->state = GIC_LR_ACTIVE;
}

/* The guest EOIs (and deactivates) the active instance of @intid. */
static void guest_eoi(const struct vcpu *v, uint32_t intid)
{
	struct gic_lr *lr = lr_for(v, intid);

	assert_true(lr->state & GIC_LR_ACTIVE);
	lr->state &= (uint8_t)~GIC_LR_ACTIVE;
}

static void guest_complete(const struct vcpu *v, uint32_t intid)
{
	guest_ack(v, intid);
	guest_eoi(v, intid);
}

/* The frame the accesses below go to: its interrupt registers, in window mmio_win. */
static const struct vgic_irq_window *mmio_win;
static bool mmio_ok;

static bool irq_regs_access(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	mmio_ok = vgic_mmio_irq_regs(v, mmio_win, (uint32_t)offset, acc);
	return mmio_ok;
}

static bool irq_regs_plain(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	(void)v, (void)offset, (void)acc;
	return false; /* no register without state: all go to irq_regs_access */
}

static const struct vgic_frame irq_regs_frame = {"test", irq_regs_plain, irq_regs_access};

/* A guest access to an interrupt register, as vgic_v3.c makes it. */
static bool mmio(struct vcpu *v, const struct vgic_irq_window *win, uint32_t offset,
                 unsigned int size, bool write, uint64_t *data)
{
	struct mmio_access acc = {
	    .ipa = 0x08000000 + offset,
	    .size = size,
	    .write = write,
	    .data = write ? *data : 0xdeadbeefdeadbeefUL,
	};
	unsigned long caller = unit_tpidr_el2;

	run_on(v->pcpu);
	mmio_win = win;
	mmio_ok = false;
	vgic_mmio_frame_access(v, &acc, 0x08000000, &irq_regs_frame);
	unit_tpidr_el2 = caller;
	if (!write)
		*data = acc.data;
	return mmio_ok;
}

static void write_reg(struct vcpu *v, const struct vgic_irq_window *win, uint32_t offset,
                      unsigned int size, uint64_t val)
{
	assert_true(mmio(v, win, offset, size, true, &val));
}

static uint64_t read_reg(struct vcpu *v, const struct vgic_irq_window *win, uint32_t offset,
                         unsigned int size)
{
	uint64_t val = 0;

	assert_true(mmio(v, win, offset, size, false, &val));
	return val;
}

static unsigned int total_kicks(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_CPUS; i++)
		n += rec.kicks[i];
	return n;
}

/* Distributor state and injection ------------------------------------------- */

static void test_init_state(void **state)
{
	(void)state;
	assert_int_equal(vm.vgic.version, 3);
	assert_int_equal(vm.vgic.nr_lrs, DEFAULT_LRS);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
			struct vgic_irq *irq = irq_of(v, i);

			assert_int_equal(irq->intid, i);
			assert_int_equal(irq->target, v);
			assert_int_equal(irq->edge, i < GIC_NR_SGIS);
			assert_int_equal(irq->lr, -1);
			assert_false(irq->enabled || irq->pending || irq->active || irq->queued);
		}
	}
	for (uint32_t i = VGIC_NR_PRIVATE; i < VGIC_NR_IRQS; i++) {
		struct vgic_irq *irq = irq_of(0, i);

		assert_ptr_equal(irq, irq_of(1, i)); /* shared */
		assert_int_equal(irq->intid, i);
		assert_int_equal(irq->target, 0);
		assert_false(irq->edge);
		assert_int_equal(irq->lr, -1);
	}
	/* More list registers than the vGIC tracks: it uses what it can. */
	vgic_dist_init(&vm, 3, 64);
	assert_int_equal(vm.vgic.nr_lrs, VGIC_MAX_LRS);
}

static void test_get_irq_bounds(void **state)
{
	(void)state;
	assert_ptr_equal(vgic_get_irq(vcpus[0], 0), &vcpus[0]->vgic.private_irqs[0]);
	assert_ptr_equal(vgic_get_irq(vcpus[1], 31), &vcpus[1]->vgic.private_irqs[31]);
	assert_ptr_equal(vgic_get_irq(vcpus[1], 32), &vm.vgic.spis[0]);
	assert_ptr_equal(vgic_get_irq(vcpus[0], VGIC_NR_IRQS - 1), &vm.vgic.spis[VGIC_NR_SPIS - 1]);
	assert_null(vgic_get_irq(vcpus[0], VGIC_NR_IRQS));
	assert_null(vgic_get_irq(vcpus[0], 1019));
	assert_null(vgic_get_irq(vcpus[0], GIC_SPURIOUS));
	assert_null(vgic_get_irq(vcpus[0], 0xffffffff));
}

static void test_inject_out_of_range_ignored(void **state)
{
	static const uint32_t bad[] = {VGIC_NR_IRQS, 1019, GIC_SPURIOUS, 0x10000, 0xffffffff};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		vgic_inject(vcpus[0], bad[i]);
		vgic_inject_hw(vcpus[1], bad[i]);
	}
	assert_int_equal(vcpus[0]->vgic.nr_ap + vcpus[1]->vgic.nr_ap, 0);
	assert_int_equal(rec.sgis, 0);
}

/* One interrupt through a list register ------------------------------------- */

static void test_inject_sgi_to_lr(void **state)
{
	struct vgic_irq *irq = prep(0, 1, 0x80);
	struct gic_lr *lr;

	(void)state;
	vgic_inject(vcpus[0], 1);
	assert_true(irq->pending);
	assert_true(irq->queued);
	assert_true(on_ap_list(vcpus[0], irq));
	assert_int_equal(rec.sgis, 0); /* its own CPU: no kick */

	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 1);
	lr = lr_for(vcpus[0], 1);
	assert_int_equal(lr->virq, 1);
	assert_int_equal(lr->state, GIC_LR_PENDING);
	assert_int_equal(lr->priority, 0x80);
	assert_true(lr->group1); /* GICv3: group 1, whatever IGROUPR says */
	assert_false(lr->hw);
	assert_int_equal(irq->lr, lr_of(vcpus[0], 1));
	assert_int_equal(rec.underflow_calls, 0);
	assert_int_equal(vcpus[0]->vgic.nr_overflows, 0);
	/* Nothing on the other vCPU. */
	assert_int_equal(nr_valid_lrs(vcpus[1]), 0);
	assert_int_equal(vcpus[1]->vgic.nr_ap, 0);
}

static void test_ack_and_eoi(void **state)
{
	struct vgic_irq *irq = prep(0, 1, 0x80);

	(void)state;
	vgic_inject(vcpus[0], 1);
	sync(vcpus[0]);

	guest_ack(vcpus[0], 1);
	sync(vcpus[0]);
	assert_true(irq->active);
	assert_false(irq->pending);
	assert_int_equal(lr_for(vcpus[0], 1)->state, GIC_LR_ACTIVE); /* stays while active */
	assert_int_equal(vcpus[0]->vgic.nr_eois, 0);

	guest_eoi(vcpus[0], 1);
	sync(vcpus[0]);
	assert_false(irq->active);
	assert_false(irq->pending);
	assert_int_equal(irq->lr, -1);
	assert_false(irq->queued);
	assert_int_equal(vcpus[0]->vgic.lr_used, 0);
	assert_int_equal(vcpus[0]->vgic.nr_ap, 0);
	assert_int_equal(vcpus[0]->vgic.nr_eois, 1);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
}

static void test_sync_with_nothing_in_flight(void **state)
{
	(void)state;
	sync(vcpus[0]);
	assert_int_equal(rec.lr_reads + rec.lr_writes + rec.underflow_calls, 0);

	/* Also after a completed interrupt: the next sync has nothing to do. */
	prep(0, 2, 0x10);
	vgic_inject(vcpus[0], 2);
	sync(vcpus[0]);
	guest_complete(vcpus[0], 2);
	sync(vcpus[0]);
	rec.lr_reads = rec.lr_writes = 0;
	sync(vcpus[0]);
	assert_int_equal(rec.lr_reads + rec.lr_writes + rec.underflow_calls, 0);
}

/* More interrupts than list registers ---------------------------------------- */

static const uint32_t ov_ids[] = {2, 3, 5, 8, 16, 20, 27};
static const uint8_t ov_prios[] = {0x70, 0x10, 0x60, 0x30, 0x50, 0x20, 0x40};

static void assert_in_lrs(const struct vcpu *v, const uint32_t *ids, unsigned int n)
{
	assert_int_equal(nr_valid_lrs(v), n);
	for (unsigned int i = 0; i < n; i++) {
		assert_true(lr_of(v, ids[i]) >= 0);
		assert_int_equal(vgic_get_irq((struct vcpu *)v, ids[i])->lr, lr_of(v, ids[i]));
	}
}

static void test_lr_overflow_and_refill(void **state)
{
	struct vgic_cpu *c = &vcpus[0]->vgic;
	uint32_t enable = 0;

	(void)state;
	/* Priorities and enables as the guest sets them, through its redistributor. */
	for (unsigned int i = 0; i < ARRAY_SIZE(ov_ids); i++) {
		write_reg(vcpus[0], &private_win, GICD_IPRIORITYR + ov_ids[i], 1, ov_prios[i]);
		enable |= 1u << ov_ids[i];
	}
	write_reg(vcpus[0], &private_win, GICD_ISENABLER, 4, enable);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ISENABLER, 4), 0x0811012c);
	for (unsigned int i = 0; i < ARRAY_SIZE(ov_ids); i++)
		vgic_inject(vcpus[0], ov_ids[i]);
	assert_int_equal(c->nr_ap, 7);

	/* The 4 most urgent: 3 (0x10), 20 (0x20), 8 (0x30), 27 (0x40). */
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){3, 20, 8, 27}, 4);
	assert_int_equal(lr_for(vcpus[0], 3)->priority, 0x10);
	assert_int_equal(lr_for(vcpus[0], 27)->priority, 0x40);
	assert_int_equal(rec.underflow_calls, 1);
	assert_true(rec.underflow[0]);
	assert_true(c->underflow);
	assert_int_equal(c->nr_overflows, 1);
	for (unsigned int i = 0; i < ARRAY_SIZE(ov_ids); i++)
		assert_true(irq_of(0, ov_ids[i])->pending);

	/* The guest completes two: the next two by priority follow. */
	guest_complete(vcpus[0], 3);
	guest_complete(vcpus[0], 20);
	sync(vcpus[0]);
	assert_int_equal(c->nr_eois, 2);
	assert_in_lrs(vcpus[0], (const uint32_t[]){8, 27, 16, 5}, 4);
	assert_int_equal(c->nr_overflows, 2); /* 2 is still waiting */
	assert_true(c->underflow);
	assert_int_equal(rec.underflow_calls, 1); /* already requested */
	assert_false(irq_of(0, 3)->pending || irq_of(0, 3)->queued);

	/* One more completes: everything fits, no more underflow interrupt. */
	guest_complete(vcpus[0], 8);
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){27, 16, 5, 2}, 4);
	assert_int_equal(rec.underflow_calls, 2);
	assert_false(rec.underflow[0]);
	assert_false(c->underflow);
	assert_int_equal(c->nr_overflows, 2);

	for (unsigned int i = 0; i < 4; i++)
		guest_complete(vcpus[0], (const uint32_t[]){27, 16, 5, 2}[i]);
	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
	assert_int_equal(c->nr_ap, 0);
	assert_int_equal(c->nr_eois, 7);
	assert_int_equal(rec.underflow_calls, 2);
}

/* 4..7 at 0x40..0x70, pending in the list registers of vCPU 0. */
static void fill_lrs_with_pending(void)
{
	for (uint32_t i = 4; i < 8; i++) {
		prep(0, i, (uint8_t)(i * 0x10));
		vgic_inject(vcpus[0], i);
	}
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){4, 5, 6, 7}, 4);
	assert_int_equal(rec.underflow_calls, 0);
}

static void test_urgent_irq_evicts_least_urgent_pending(void **state)
{
	int lr4, lr5, lr6, lr7;

	(void)state;
	fill_lrs_with_pending();
	lr4 = lr_of(vcpus[0], 4);
	lr5 = lr_of(vcpus[0], 5);
	lr6 = lr_of(vcpus[0], 6);
	lr7 = lr_of(vcpus[0], 7);

	prep(0, 9, 0x10);
	vgic_inject(vcpus[0], 9);
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){9, 4, 5, 6}, 4);
	/* The others did not move; 9 took 7's place. */
	assert_int_equal(lr_of(vcpus[0], 4), lr4);
	assert_int_equal(lr_of(vcpus[0], 5), lr5);
	assert_int_equal(lr_of(vcpus[0], 6), lr6);
	assert_int_equal(lr_of(vcpus[0], 9), lr7);
	/* 7 waits, still pending, for the underflow interrupt. */
	assert_int_equal(irq_of(0, 7)->lr, -1);
	assert_true(irq_of(0, 7)->pending);
	assert_true(on_ap_list(vcpus[0], irq_of(0, 7)));
	assert_true(rec.underflow[0]);
	assert_int_equal(vcpus[0]->vgic.nr_overflows, 1);

	/* Once 9 is done, 7 comes back. */
	guest_complete(vcpus[0], 9);
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){4, 5, 6, 7}, 4);
	assert_false(rec.underflow[0]);
	assert_int_equal(lr_for(vcpus[0], 7)->state, GIC_LR_PENDING);
}

static void test_active_irqs_never_evicted(void **state)
{
	int lr6, lr7;

	(void)state;
	fill_lrs_with_pending();
	/* The guest is handling the two least urgent. */
	guest_ack(vcpus[0], 6);
	guest_ack(vcpus[0], 7);
	lr6 = lr_of(vcpus[0], 6);
	lr7 = lr_of(vcpus[0], 7);

	prep(0, 9, 0x10);
	prep(0, 10, 0x20);
	vgic_inject(vcpus[0], 9);
	vgic_inject(vcpus[0], 10);
	sync(vcpus[0]);
	/* 4 and 5, pending and less urgent than 9 and 10, make room; 6 and 7 stay. */
	assert_in_lrs(vcpus[0], (const uint32_t[]){6, 7, 9, 10}, 4);
	assert_int_equal(lr_of(vcpus[0], 6), lr6);
	assert_int_equal(lr_of(vcpus[0], 7), lr7);
	assert_int_equal(lr_for(vcpus[0], 6)->state, GIC_LR_ACTIVE);
	assert_int_equal(lr_for(vcpus[0], 7)->state, GIC_LR_ACTIVE);
	assert_true(irq_of(0, 4)->pending && irq_of(0, 4)->lr == -1);
	assert_true(irq_of(0, 5)->pending && irq_of(0, 5)->lr == -1);
	assert_true(rec.underflow[0]);

	/* All four active: nothing can go, however urgent. */
	guest_ack(vcpus[0], 9);
	guest_ack(vcpus[0], 10);
	prep(0, 11, 0x00);
	vgic_inject(vcpus[0], 11);
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){6, 7, 9, 10}, 4);
	for (unsigned int i = 0; i < nr_lrs; i++)
		assert_int_equal(lrs[0][i].state, GIC_LR_ACTIVE);
	assert_int_equal(irq_of(0, 11)->lr, -1);
	assert_true(rec.underflow[0]);

	/* One EOI frees one register: the most urgent waiting one takes it. */
	guest_eoi(vcpus[0], 7);
	sync(vcpus[0]);
	assert_in_lrs(vcpus[0], (const uint32_t[]){6, 9, 10, 11}, 4);
	assert_int_equal(lr_of(vcpus[0], 11), lr7);
	assert_true(rec.underflow[0]); /* 4 and 5 still wait */
}

static void test_disabled_irq_waits_for_enable(void **state)
{
	struct vgic_irq *irq = irq_of(0, 1);

	(void)state;
	irq->priority = 0x40;
	vgic_inject(vcpus[0], 1);
	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
	assert_true(irq->pending && !irq->queued); /* queued again once enabled */
	/* Not wanting a list register is not an overflow. */
	assert_int_equal(rec.underflow_calls, 0);
	assert_int_equal(vcpus[0]->vgic.nr_overflows, 0);

	write_reg(vcpus[0], &private_win, GICD_ISENABLER, 4, BIT(1));
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 1)->state, GIC_LR_PENDING);

	/* Disabled again while pending in a list register: it leaves, still pending. */
	write_reg(vcpus[0], &private_win, GICD_ICENABLER, 4, BIT(1));
	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
	assert_true(irq->pending && !irq->queued); /* queued again once enabled */
	assert_int_equal(irq->lr, -1);

	write_reg(vcpus[0], &private_win, GICD_ISENABLER, 4, BIT(1));
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 1)->state, GIC_LR_PENDING);
}

static void test_distributor_disabled(void **state)
{
	struct vgic_irq *irq = prep(0, 1, 0x40);

	(void)state;
	prep(0, 2, 0x50);
	vgic_inject(vcpus[0], 2);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 2);

	vm.vgic.grp_en = 0;
	vgic_inject(vcpus[0], 1);
	sync(vcpus[0]);
	/* Nothing pending is delivered; what the guest is handling stays. */
	assert_int_equal(lr_of(vcpus[0], 1), -1);
	assert_true(irq->pending);
	assert_int_equal(lr_for(vcpus[0], 2)->state, GIC_LR_ACTIVE);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 1);

	/* Switching the distributor on (as GICD_CTLR does) queues what waited. */
	vgic_lock(&vm);
	vm.vgic.grp_en = VGIC_GRP0_EN | VGIC_GRP1_EN;
	vgic_requeue_all_locked(&vm);
	vgic_unlock(&vm);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 1)->state, GIC_LR_PENDING);
}

/* Hardware interrupts --------------------------------------------------------- */

static void test_hw_irq(void **state)
{
	struct vgic_irq *irq = prep(0, 27, 0x20);
	struct gic_lr *lr;

	(void)state;
	vgic_inject_hw(vcpus[0], 27);
	assert_true(irq->hw);
	assert_int_equal(irq->hwintid, 27);
	sync(vcpus[0]);
	lr = lr_for(vcpus[0], 27);
	assert_true(lr->hw);
	assert_int_equal(lr->pirq, 27);
	assert_int_equal(lr->virq, 27);
	assert_int_equal(lr->state, GIC_LR_PENDING);

	guest_ack(vcpus[0], 27);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 27)->state, GIC_LR_ACTIVE);

	/* Injected again while active: the GIC owns the active state, so never P+A in a hw LR. */
	vgic_inject_hw(vcpus[0], 27);
	sync(vcpus[0]);
	assert_true(irq->pending && irq->active);
	lr = lr_for(vcpus[0], 27);
	assert_true(lr->hw);
	assert_int_equal(lr->state, GIC_LR_ACTIVE);

	/*
	 * The guest's EOI deactivates the physical one: not counted as a software
	 * EOI. The instance that could not share the register is still pending: it
	 * comes next (a folded list register never takes away a pending state it
	 * did not hold).
	 */
	lr->state = 0;
	sync(vcpus[0]);
	assert_int_equal(vcpus[0]->vgic.nr_eois, 0);
	assert_int_equal(rec.deactivates, 0);
	assert_false(irq->active);
	assert_int_equal(lr_for(vcpus[0], 27)->state, GIC_LR_PENDING);
	guest_complete(vcpus[0], 27);
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], 27), -1);
	assert_false(irq->pending || irq->active);

	/* A hw SPI, same thing. */
	prep(0, 40, 0x30);
	vgic_inject_hw(vcpus[0], 40);
	sync(vcpus[0]);
	lr = lr_for(vcpus[0], 40);
	assert_true(lr->hw);
	assert_int_equal(lr->pirq, 40);
}

static void test_route_hw(void **state)
{
	struct vgic_irq *irq = prep(0, 44, 0x30);

	(void)state;
	vgic_route_hw(&vm, irq); /* not hw */
	assert_int_equal(rec.routes, 0);
	irq->hw = true;
	irq->hwintid = 44;
	irq->target = 1;
	vgic_route_hw(&vm, irq);
	assert_int_equal(rec.routes, 1);
	assert_int_equal(rec.route_intid, 44);
	assert_int_equal(rec.route_pcpu, 1);
	/* Private interrupts are not routed. */
	irq = prep(1, 27, 0x30);
	irq->hw = true;
	irq->hwintid = 27;
	vgic_route_hw(&vm, irq);
	assert_int_equal(rec.routes, 1);
}

/* Between vCPUs ------------------------------------------------------------- */

static void test_spi_to_other_vcpu_kicks(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x30);

	(void)state;
	irq->target = 1;
	vgic_inject(vcpus[0], 40); /* from vCPU 0, on pCPU 0 */
	assert_true(on_ap_list(vcpus[1], irq));
	assert_false(on_ap_list(vcpus[0], irq));
	assert_int_equal(rec.kicks[1], 1);
	assert_int_equal(rec.sgis, 1);
	assert_int_equal(rec.not_kick, 0);

	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 40)->state, GIC_LR_PENDING);
	assert_int_equal(nr_valid_lrs(vcpus[1]), 1);

	/* On vCPU 1's own pCPU: no kick. */
	run_on(1);
	vgic_inject(vcpus[1], 40);
	run_on(0);
	assert_int_equal(rec.sgis, 1);

	/* A target that does not exist means vCPU 0. */
	irq = prep(0, 41, 0x30);
	irq->target = 5;
	vgic_inject(vcpus[1], 41);
	assert_true(on_ap_list(vcpus[0], irq));
	assert_int_equal(rec.sgis, 1);
}

static void test_sgi_to_other_vcpu_kicks(void **state)
{
	struct vgic_irq *irq = prep(1, 3, 0x30);

	(void)state;
	vgic_inject(vcpus[1], 3); /* vCPU 0 (pCPU 0) sends SGI 3 to vCPU 1 */
	assert_true(on_ap_list(vcpus[1], irq));
	assert_int_equal(vcpus[0]->vgic.nr_ap, 0);
	assert_false(irq_of(0, 3)->pending);
	assert_int_equal(rec.kicks[1], 1);
	assert_int_equal(total_kicks(), 1);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 3)->state, GIC_LR_PENDING);
	assert_int_equal(lr_of(vcpus[0], 3), -1);
}

static void test_repend_edge_while_active(void **state)
{
	struct vgic_irq *irq;
	struct vgic_cpu *c = &vcpus[0]->vgic;

	(void)state;
	/* SPI 41 edge-triggered (ICFGR2, field 9). */
	write_reg(vcpus[0], &spi_win, GICD_ICFGR + 8, 4, 2u << 18);
	irq = prep(0, 41, 0x30);
	assert_true(irq->edge);

	vgic_inject(vcpus[0], 41);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 41);
	vgic_inject(vcpus[0], 41); /* fires again while the guest handles it */
	assert_true(irq->repend);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 41)->state, GIC_LR_PENDING | GIC_LR_ACTIVE);
	assert_true(irq->pending && irq->active);
	assert_false(irq->repend);

	/* EOI of the first: the second is still there. */
	guest_eoi(vcpus[0], 41);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 41)->state, GIC_LR_PENDING);
	assert_true(irq->pending);
	assert_false(irq->active);

	guest_complete(vcpus[0], 41);
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], 41), -1);
	assert_false(irq->pending || irq->active || irq->queued);
	assert_int_equal(c->nr_eois, 1);
	assert_int_equal(c->nr_ap, 0);

	/* Injected twice before the guest sees it: one pending interrupt. */
	vgic_inject(vcpus[0], 41);
	vgic_inject(vcpus[0], 41);
	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 1);
	assert_int_equal(c->nr_ap, 1);
}

static void test_retarget_queued_spi(void **state)
{
	struct vgic_irq *irq = prep(0, 42, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 42);
	assert_true(on_ap_list(vcpus[0], irq));
	assert_int_equal(rec.sgis, 0);

	vgic_lock(&vm);
	vgic_retarget_locked(&vm, irq, 1);
	vgic_unlock(&vm);
	assert_int_equal(irq->target, 1);
	assert_false(on_ap_list(vcpus[0], irq));
	assert_true(on_ap_list(vcpus[1], irq));
	assert_int_equal(vcpus[0]->vgic.nr_ap, 0);
	assert_int_equal(rec.kicks[1], 1);
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], 42), -1);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 42)->state, GIC_LR_PENDING);

	/* A target that does not exist means vCPU 0. */
	irq = prep(0, 43, 0x30);
	irq->target = 1;
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, irq, 7);
	vgic_unlock(&vm);
	assert_int_equal(irq->target, 0);
	assert_false(irq->queued); /* not pending: nothing to move */
}

static void test_retarget_spi_in_lr_stays(void **state)
{
	struct vgic_irq *irq = prep(0, 43, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 43);
	sync(vcpus[0]);
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, irq, 1);
	vgic_unlock(&vm);
	/* It finishes where it is. */
	assert_int_equal(irq->target, 1);
	assert_true(on_ap_list(vcpus[0], irq));
	assert_false(on_ap_list(vcpus[1], irq));
	assert_int_equal(rec.sgis, 0);
	guest_complete(vcpus[0], 43);
	sync(vcpus[0]);
	assert_false(irq->queued);
	/* The next one goes to the new target. */
	vgic_inject(vcpus[0], 43);
	assert_true(on_ap_list(vcpus[1], irq));
	assert_int_equal(rec.kicks[1], 1);
}

static void test_cpu_reset_clears_everything(void **state)
{
	struct vgic_cpu *c = &vcpus[0]->vgic;
	struct vgic_irq *spi = prep(0, 40, 0x05);

	(void)state;
	for (uint32_t i = 1; i < 6; i++) {
		prep(0, i, (uint8_t)(0x10 * i));
		irq_of(0, i)->group1 = true;
		vgic_inject(vcpus[0], i);
	}
	prep(0, 20, 0x20);
	vgic_inject(vcpus[0], 20);
	vgic_inject(vcpus[0], 40);
	prep(1, 1, 0x10);
	vgic_inject(vcpus[1], 1);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 40);
	sync(vcpus[0]);
	assert_true(c->underflow);
	assert_int_not_equal(c->lr_used, 0);
	assert_true(spi->lr >= 0);

	vgic_cpu_reset(vcpus[0]);
	assert_int_equal(c->nr_ap, 0);
	assert_int_equal(c->lr_used, 0);
	assert_false(c->underflow);
	for (unsigned int i = 0; i < VGIC_MAX_LRS; i++)
		assert_null(c->lr_irq[i]);
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
		struct vgic_irq *irq = irq_of(0, i);

		assert_int_equal(irq->intid, i);
		assert_int_equal(irq->target, 0);
		assert_int_equal(irq->priority, 0);
		assert_int_equal(irq->edge, i < GIC_NR_SGIS);
		assert_int_equal(irq->lr, -1);
		assert_false(irq->enabled || irq->pending || irq->active || irq->queued ||
		             irq->hw || irq->repend);
		assert_true(irq->group1); /* GICv3: Group 1 out of reset, as KVM */
	}
	/* An SPI leaves the list but keeps its distributor state. */
	assert_false(spi->queued);
	assert_int_equal(spi->lr, -1);
	assert_true(spi->enabled);
	/* The other vCPU is untouched. */
	assert_true(irq_of(1, 1)->pending && irq_of(1, 1)->queued);
	assert_int_equal(vcpus[1]->vgic.nr_ap, 1);
	/* Reset vCPU 1 too: it keeps its own id as target. */
	vgic_cpu_reset(vcpus[1]);
	assert_int_equal(irq_of(1, 5)->target, 1);
	assert_int_equal(vcpus[1]->vgic.nr_ap, 0);
}

static void test_v2_group_and_source(void **state)
{
	struct vgic_irq *irq;

	(void)state;
	vgic_dist_init(&vm, 2, DEFAULT_LRS);
	vgic_cpu_reset(vcpus[0]); /* its private interrupts in the GICv2 reset state */
	irq = prep(0, 1, 0x40);
	irq->sgi_source = 1;
	vgic_inject(vcpus[0], 1);
	sync(vcpus[0]);
	assert_false(lr_for(vcpus[0], 1)->group1); /* GICv2: IGROUPR decides */
	assert_int_equal(lr_for(vcpus[0], 1)->source, 1);
	guest_complete(vcpus[0], 1);
	sync(vcpus[0]);

	write_reg(vcpus[0], &private_win, GICD_IGROUPR, 4, BIT(1));
	vgic_inject(vcpus[0], 1);
	sync(vcpus[0]);
	assert_true(lr_for(vcpus[0], 1)->group1);
}

/* Interrupt registers (vgic_mmio.c) ------------------------------------------- */

static void test_mmio_enable_words(void **state)
{
	(void)state;
	write_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4, 4, 0xffffffff);
	for (uint32_t i = 32; i < 64; i++)
		assert_true(irq_of(0, i)->enabled);
	assert_false(irq_of(0, 64)->enabled);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4, 4), 0xffffffff);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ICENABLER + 4, 4), 0xffffffff);

	write_reg(vcpus[0], &spi_win, GICD_ICENABLER + 4, 4, 0x0000ffff);
	for (uint32_t i = 32; i < 64; i++)
		assert_int_equal(irq_of(0, i)->enabled, i >= 48);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4, 4), 0xffff0000);
	/* Zero bits change nothing. */
	write_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4, 4, 0);
	write_reg(vcpus[0], &spi_win, GICD_ICENABLER + 4, 4, 0);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4, 4), 0xffff0000);
	/* The last SPI register. */
	write_reg(vcpus[0], &spi_win, GICD_ISENABLER + 28, 4, 0x80000000);
	assert_true(irq_of(0, 255)->enabled);

	/* Private interrupts are per vCPU. */
	write_reg(vcpus[1], &private_win, GICD_ISENABLER, 4, 0x0000ffff);
	assert_int_equal(read_reg(vcpus[1], &private_win, GICD_ISENABLER, 4), 0x0000ffff);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ISENABLER, 4), 0);
}

static void test_mmio_priority(void **state)
{
	(void)state;
	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 40, 1, 0xa0);
	assert_int_equal(irq_of(0, 40)->priority, 0xa0);
	assert_int_equal(irq_of(0, 39)->priority, 0);
	assert_int_equal(irq_of(0, 41)->priority, 0);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 40, 1), 0xa0);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 40, 4), 0xa0);

	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 44, 4, 0x11223344);
	assert_int_equal(irq_of(0, 44)->priority, 0x44);
	assert_int_equal(irq_of(0, 45)->priority, 0x33);
	assert_int_equal(irq_of(0, 46)->priority, 0x22);
	assert_int_equal(irq_of(0, 47)->priority, 0x11);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 44, 4), 0x11223344);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 45, 1), 0x33);

	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 48, 2, 0xbeef);
	assert_int_equal(irq_of(0, 48)->priority, 0xef);
	assert_int_equal(irq_of(0, 49)->priority, 0xbe);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 48, 2), 0xbeef);

	/* Private: per vCPU. */
	write_reg(vcpus[1], &private_win, GICD_IPRIORITYR + 16, 1, 0x80);
	assert_int_equal(irq_of(1, 16)->priority, 0x80);
	assert_int_equal(irq_of(0, 16)->priority, 0);

	/* A new priority reaches a list register at the next sync. */
	prep(0, 45, 0x33);
	vgic_inject(vcpus[0], 45);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 45)->priority, 0x33);
	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 45, 1, 0x90);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 45)->priority, 0x90);
}

static void test_mmio_icfgr(void **state)
{
	(void)state;
	/* SGIs are edge, always. */
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ICFGR, 4), 0xaaaaaaaa);
	write_reg(vcpus[0], &private_win, GICD_ICFGR, 4, 0);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ICFGR, 4), 0xaaaaaaaa);
	for (uint32_t i = 0; i < GIC_NR_SGIS; i++)
		assert_true(irq_of(0, i)->edge);
	/* PPIs: level until configured; only the upper bit of each field counts. */
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ICFGR + 4, 4), 0);
	write_reg(vcpus[0], &private_win, GICD_ICFGR + 4, 4, 0xffffffff);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ICFGR + 4, 4), 0xaaaaaaaa);
	assert_true(irq_of(0, 16)->edge);
	assert_false(irq_of(1, 16)->edge);
	/* SPIs. */
	write_reg(vcpus[0], &spi_win, GICD_ICFGR + 8, 4, 0x2);
	assert_true(irq_of(0, 32)->edge);
	assert_false(irq_of(0, 33)->edge);
	write_reg(vcpus[0], &spi_win, GICD_ICFGR + 8, 4, 0x1);
	assert_false(irq_of(0, 32)->edge);
	write_reg(vcpus[0], &spi_win, GICD_ICFGR + 8, 4, 0x8);
	assert_true(irq_of(0, 33)->edge);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ICFGR + 8, 4), 0x8);
}

static void test_mmio_ispendr_queues(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x50);

	(void)state;
	write_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4, 4, BIT(40 - 32));
	assert_true(irq->pending);
	assert_true(on_ap_list(vcpus[0], irq));
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4, 4), BIT(8));
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ICPENDR + 4, 4), BIT(8));
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 40)->state, GIC_LR_PENDING);

	/* Disabled: pending, not queued anywhere until enabled, not delivered. */
	irq = irq_of(0, 41);
	irq->target = 1;
	write_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4, 4, BIT(41 - 32));
	assert_true(irq->pending);
	assert_false(on_ap_list(vcpus[1], irq));
	assert_false(on_ap_list(vcpus[0], irq));
	sync(vcpus[1]);
	assert_int_equal(nr_valid_lrs(vcpus[1]), 0);

	/* Private, through a vCPU's own frame. */
	prep(1, 5, 0x10);
	write_reg(vcpus[1], &private_win, GICD_ISPENDR, 4, BIT(5));
	assert_true(irq_of(1, 5)->pending);
	assert_false(irq_of(0, 5)->pending);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 5)->state, GIC_LR_PENDING);

	/* ICPENDR of a queued (not yet delivered) one: gone at the next sync. */
	write_reg(vcpus[0], &spi_win, GICD_ICPENDR + 4, 4, BIT(41 - 32));
	assert_false(irq->pending);
	sync(vcpus[1]);
	assert_false(irq->queued);
	assert_int_equal(rec.deactivates, 0); /* software interrupts have nothing to deactivate */

	/* ISACTIVER / ICACTIVER read back. */
	write_reg(vcpus[0], &spi_win, GICD_ISACTIVER + 4, 4, BIT(50 - 32));
	assert_true(irq_of(0, 50)->active);
	assert_true(irq_of(0, 50)->queued);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ICACTIVER + 4, 4), BIT(18));
	write_reg(vcpus[0], &spi_win, GICD_ICACTIVER + 4, 4, BIT(50 - 32));
	assert_false(irq_of(0, 50)->active);
	assert_int_equal(rec.deactivates, 0);
}

static void test_mmio_clear_hw_deactivates(void **state)
{
	struct vgic_irq *irq = irq_of(0, 50); /* disabled: stays out of the list registers */

	(void)state;
	vgic_inject_hw(vcpus[0], 50);
	sync(vcpus[0]);
	assert_int_equal(irq->lr, -1);
	assert_true(irq->pending && irq->hw);

	/* The guest drops it by hand: the physical interrupt must be able to fire again. */
	write_reg(vcpus[0], &spi_win, GICD_ICPENDR + 4, 4, BIT(50 - 32));
	assert_false(irq->pending);
	assert_int_equal(rec.deactivates, 1);
	assert_int_equal(rec.deactivated, 50);
	sync(vcpus[0]);
	assert_false(irq->queued);

	write_reg(vcpus[0], &spi_win, GICD_ISACTIVER + 4, 4, BIT(50 - 32));
	assert_int_equal(rec.deactivates, 1);
	write_reg(vcpus[0], &spi_win, GICD_ICACTIVER + 4, 4, BIT(50 - 32));
	assert_int_equal(rec.deactivates, 2);
	assert_int_equal(rec.deactivated, 50);

	/* Still pending after ICACTIVER: not yet. */
	vgic_inject_hw(vcpus[0], 50);
	write_reg(vcpus[0], &spi_win, GICD_ISACTIVER + 4, 4, BIT(50 - 32));
	write_reg(vcpus[0], &spi_win, GICD_ICACTIVER + 4, 4, BIT(50 - 32));
	assert_int_equal(rec.deactivates, 2);
	write_reg(vcpus[0], &spi_win, GICD_ICPENDR + 4, 4, BIT(50 - 32));
	assert_int_equal(rec.deactivates, 3);

	/* In a list register, the guest's EOI deactivates it: not the emulation. */
	prep(0, 52, 0x20);
	vgic_inject_hw(vcpus[0], 52);
	sync(vcpus[0]);
	assert_true(irq_of(0, 52)->lr >= 0);
	write_reg(vcpus[0], &spi_win, GICD_ICPENDR + 4, 4, BIT(52 - 32));
	assert_int_equal(rec.deactivates, 3);

	/* A hw PPI through the redistributor frame. */
	vgic_inject_hw(vcpus[1], 27);
	write_reg(vcpus[1], &private_win, GICD_ICPENDR, 4, BIT(27));
	assert_int_equal(rec.deactivates, 4);
	assert_int_equal(rec.deactivated, 27);
}

static void test_mmio_group(void **state)
{
	(void)state;
	write_reg(vcpus[1], &private_win, GICD_IGROUPR, 4, 0);
	write_reg(vcpus[0], &private_win, GICD_IGROUPR, 4, 0xffffffff);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_IGROUPR, 4), 0xffffffff);
	assert_true(irq_of(0, 31)->group1);
	assert_false(irq_of(1, 31)->group1); /* banked */
	write_reg(vcpus[0], &private_win, GICD_IGROUPR, 4, 0x0000ffff);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_IGROUPR, 4), 0x0000ffff);
	/* IGRPMODR: single security state, reads as zero, writes ignored. */
	write_reg(vcpus[0], &private_win, GICD_IGRPMODR, 4, 0xffffffff);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_IGRPMODR, 4), 0);
}

static void test_mmio_window_and_sizes(void **state)
{
	uint64_t val = 0;
	static const uint32_t not_irq_regs[] = {GICD_CTLR,      GICD_TYPER,           0x07c,
	                                        GICD_ITARGETSR, GICD_IGRPMODR + 0x80, 0xe00,
	                                        GICD_SGIR,      GICD_IROUTER,         GICD_PIDR2};

	(void)state;
	/* Outside the window: reads as zero, writes ignored. */
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ISENABLER + 4, 4), 0);
	write_reg(vcpus[0], &private_win, GICD_ISENABLER + 4, 4, 0xffffffff);
	assert_false(irq_of(0, 32)->enabled);
	write_reg(vcpus[0], &spi_win, GICD_ISENABLER, 4, 0xffffffff);
	assert_false(irq_of(0, 0)->enabled);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISENABLER, 4), 0);
	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 28, 4, 0xffffffff); /* 28-31 */
	assert_int_equal(irq_of(0, 31)->priority, 0);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 28, 4), 0);
	/* Beyond the last SPI this vGIC has. */
	write_reg(vcpus[0], &spi_win, GICD_ISENABLER + 32, 4, 0xffffffff);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISENABLER + 32, 4), 0);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ISPENDR + 0x7c, 4), 0);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 1016, 4), 0);
	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 1019, 1, 0xff);
	assert_int_equal(read_reg(vcpus[0], &spi_win, GICD_ICFGR + 0xfc, 4), 0);

	/* Bit-per-interrupt registers: word accesses only. */
	static const uint32_t bit_regs[] = {GICD_IGROUPR,   GICD_ISENABLER, GICD_ICENABLER,
	                                    GICD_ISPENDR,   GICD_ICPENDR,   GICD_ISACTIVER,
	                                    GICD_ICACTIVER, GICD_ICFGR,     GICD_IGRPMODR};

	for (unsigned int i = 0; i < ARRAY_SIZE(bit_regs); i++) {
		val = 0xff;
		assert_false(mmio(vcpus[0], &spi_win, bit_regs[i] + 4, 1, true, &val));
		assert_false(mmio(vcpus[0], &spi_win, bit_regs[i] + 4, 2, true, &val));
		assert_false(mmio(vcpus[0], &spi_win, bit_regs[i] + 4, 1, false, &val));
		assert_false(mmio(vcpus[0], &spi_win, bit_regs[i] + 4, 8, false, &val));
	}
	for (uint32_t i = 32; i < 40; i++)
		assert_false(irq_of(0, i)->enabled || irq_of(0, i)->pending ||
		             irq_of(0, i)->active);
	/* Wider than a word: refused everywhere. */
	assert_false(mmio(vcpus[0], &spi_win, GICD_IPRIORITYR + 32, 8, false, &val));
	/* Not an interrupt register at all. */
	for (unsigned int i = 0; i < ARRAY_SIZE(not_irq_regs); i++)
		assert_false(mmio(vcpus[0], &spi_win, not_irq_regs[i], 4, false, &val));
}

/* Known bugs: these fail today (see the report) -------------------------------- */

/* ISPENDR for an interrupt the guest is handling (active in an LR) is lost. */
static void test_ispendr_on_active_lr_irq_kept(void **state)
{
	struct vgic_irq *irq = prep(0, 41, 0x30);

	(void)state;
	irq->edge = true;
	vgic_inject(vcpus[0], 41);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 41);
	write_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4, 4, BIT(41 - 32));
	assert_true(irq->pending);
	sync(vcpus[0]);
	/* Expected: pending and active, as vgic_inject() would have made it. */
	assert_true(irq->pending);
	assert_int_equal(lr_for(vcpus[0], 41)->state, GIC_LR_PENDING | GIC_LR_ACTIVE);
}

/* ICPENDR for an interrupt pending in an LR does not take it back. */
static void test_icpendr_on_pending_lr_irq_withdrawn(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[0]);
	write_reg(vcpus[0], &spi_win, GICD_ICPENDR + 4, 4, BIT(40 - 32));
	sync(vcpus[0]);
	assert_false(irq->pending);
	assert_int_equal(lr_of(vcpus[0], 40), -1);
}

/* ICACTIVER for an interrupt active in an LR does not deactivate it. */
static void test_icactiver_on_active_lr_irq_deactivated(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 40);
	write_reg(vcpus[0], &spi_win, GICD_ICACTIVER + 4, 4, BIT(40 - 32));
	sync(vcpus[0]);
	assert_false(irq->active);
	assert_int_equal(lr_of(vcpus[0], 40), -1);
}

/*
 * A guest making every SPI pending (disabled, then enabled) must not take the
 * hypervisor down: they wait, and go out 4 at a time, most urgent first.
 */
static void test_ispendr_all_spis_no_panic(void **state)
{
	(void)state;
	panic_jb_armed = true;
	if (setjmp(panic_jb) == 0) {
		for (uint32_t reg = 1; reg < VGIC_NR_IRQS / 32; reg++)
			write_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4 * reg, 4, 0xffffffff);
		for (uint32_t reg = 1; reg < VGIC_NR_IRQS / 32; reg++)
			write_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4 * reg, 4, 0xffffffff);
		vgic_sync_lrs(vcpus[0]);
	} else {
		/* The lock was held: the machine would be gone, the test cannot go on. */
		vm.vgic.lock = (spinlock_t)SPINLOCK_INIT;
	}
	panic_jb_armed = false;
	assert_int_equal(rec.panics, 0);
	assert_int_equal(vcpus[0]->vgic.nr_ap, VGIC_NR_SPIS);
	assert_int_equal(__builtin_popcount(vcpus[0]->vgic.lr_used), 4);
	assert_true(vcpus[0]->vgic.underflow);
}

/*
 * Injected again while active in a list register, then folded twice before
 * a refill (an MMIO trap folds, the return to the guest folds again): the
 * register never held the new pending state, so neither fold may drop it
 * (found by tests/fuzz/fuzz_vgic_v2).
 */
static void test_repend_survives_two_folds(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 40);
	vgic_inject(vcpus[0], 40);
	read_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4, 4); /* fold 1 */
	assert_true(irq->pending && irq->active);
	sync(vcpus[0]); /* fold 2, then the refill */
	assert_true(irq->pending && irq->active);
	assert_int_equal(lr_for(vcpus[0], 40)->state, GIC_LR_PENDING | GIC_LR_ACTIVE);
	guest_eoi(vcpus[0], 40);
	guest_ack(vcpus[0], 40);
	guest_eoi(vcpus[0], 40);
	sync(vcpus[0]);
	assert_false(irq->pending || irq->active);
	assert_int_equal(vcpus[0]->vgic.nr_eois, 1);
}

/*
 * vCPU 0 clears the pending state of vCPU 1's hw PPI through vCPU 1's
 * redistributor: the physical PPI is banked on vCPU 1's pCPU, so that CPU
 * deactivates it, at its next sync; pCPU 0's own PPI is left alone (found by
 * tests/fuzz/fuzz_vgic_v3).
 */
static void test_mmio_clear_other_vcpus_hw_ppi(void **state)
{
	struct vgic_irq *irq = irq_of(1, 27); /* disabled: stays out of the list registers */
	struct mmio_access acc = {.size = 4, .write = true, .data = BIT(27)};

	(void)state;
	run_on(1);
	vgic_inject_hw(vcpus[1], 27);
	run_on(0);
	vgic_lock(&vm);
	assert_true(vgic_mmio_irq_regs(vcpus[1], &private_win, GICD_ICPENDR, &acc));
	vgic_unlock(&vm);
	assert_false(irq->pending);
	assert_int_equal(rec.deactivates, 0);
	assert_int_equal(rec.kicks[1], 1);
	sync(vcpus[1]);
	assert_int_equal(rec.deactivates, 1);
	assert_int_equal(rec.deactivated, 27);
	assert_int_equal(vcpus[1]->vgic.hw_deactivate, 0);
}

/* The guest clears the active state of a hw SPI it holds in a list register: no EOI will come. */
static void test_mmio_clear_hw_in_lr_deactivates(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x30);

	(void)state;
	vgic_inject_hw(vcpus[0], 40);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 40);
	write_reg(vcpus[0], &spi_win, GICD_ICACTIVER + 4, 4, BIT(40 - 32));
	assert_int_equal(rec.deactivates, 0); /* still in its list register */
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], 40), -1);
	assert_false(irq->active || irq->pending);
	assert_int_equal(rec.deactivates, 1);
	assert_int_equal(rec.deactivated, 40);
}

/*
 * An SPI routed to vCPU 1 while vCPU 0 holds it in a list register finishes
 * there; pending again, it goes to vCPU 1, not back into vCPU 0's registers
 * (found by tests/fuzz/fuzz_vgic_v2).
 */
static void test_retargeted_spi_moves_when_its_lr_frees(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[0]);
	guest_ack(vcpus[0], 40);
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, irq, 1);
	vgic_unlock(&vm);
	assert_true(on_ap_list(vcpus[0], irq)); /* still in vCPU 0's register */
	vgic_inject(vcpus[0], 40);
	guest_eoi(vcpus[0], 40);
	rec.kicks[1] = 0;
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], 40), -1);
	assert_false(on_ap_list(vcpus[0], irq));
	assert_true(on_ap_list(vcpus[1], irq));
	assert_int_equal(rec.kicks[1], 1);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 40)->state, GIC_LR_PENDING);
}

/* @v turns off on its own pCPU (vcpu_power_off). */
static void cpu_off(struct vcpu *v)
{
	unsigned long caller = unit_tpidr_el2;

	run_on(v->pcpu);
	vgic_cpu_off(v);
	unit_tpidr_el2 = caller;
}

/*
 * A pending SPI in the list register of a vCPU that turns off (Linux moved it
 * to vCPU 1 first) goes to its new target at once, not at the next CPU_ON.
 */
static void test_cpu_off_hands_lr_spis_to_their_target(void **state)
{
	struct vgic_irq *irq = prep(0, 43, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 43);
	sync(vcpus[0]);
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, irq, 1);
	vgic_unlock(&vm);
	assert_int_equal(lr_of(vcpus[0], 43), 0); /* still in vCPU 0's register */
	rec.kicks[1] = 0;
	cpu_off(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
	assert_int_equal(rec.if_resets, 1);
	assert_false(on_ap_list(vcpus[0], irq));
	assert_true(on_ap_list(vcpus[1], irq));
	assert_int_equal(rec.kicks[1], 1);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 43)->state, GIC_LR_PENDING);
}

/* What the guest finished before CPU_OFF is not delivered again; what it injected again is. */
static void test_cpu_off_keeps_only_what_is_pending(void **state)
{
	struct vgic_irq *done = prep(0, 44, 0x30), *again = prep(0, 45, 0x30);

	(void)state;
	vgic_inject(vcpus[0], 44);
	vgic_inject(vcpus[0], 45);
	sync(vcpus[0]);
	guest_complete(vcpus[0], 44);
	guest_ack(vcpus[0], 45);
	vgic_inject(vcpus[0], 45); /* pending again while active in its register */
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, done, 1);
	vgic_retarget_locked(&vm, again, 1);
	vgic_unlock(&vm);
	cpu_off(vcpus[0]);
	assert_false(done->pending || done->queued);
	assert_false(again->active); /* the guest that handled it is gone */
	assert_true(again->pending);
	assert_true(on_ap_list(vcpus[1], again));
	assert_false(on_ap_list(vcpus[1], done));
	sync(vcpus[1]);
	assert_int_equal(lr_of(vcpus[1], 44), -1);
	assert_int_equal(lr_for(vcpus[1], 45)->state, GIC_LR_PENDING);
}

/* Groups ------------------------------------------------------------------- */

/*
 * Group 0 and Group 1 are apart: each has its own distributor enable, and
 * the list register says which group (a Group 0 interrupt is the guest's
 * FIQ on a GICv3, and never comes through ICC_IAR1_EL1).
 */
static void test_groups_apart(void **state)
{
	struct vgic_irq *g0 = prep(0, 3, 0x40), *g1 = prep(0, 4, 0x40);

	(void)state;
	write_reg(vcpus[0], &private_win, GICD_IGROUPR, 4, ~BIT(3));
	assert_false(g0->group1);
	assert_true(g1->group1);
	vm.vgic.grp_en = VGIC_GRP1_EN; /* Group 0 off */
	vgic_inject(vcpus[0], 3);
	vgic_inject(vcpus[0], 4);
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], 3), -1);
	assert_true(g0->pending);
	assert_true(lr_for(vcpus[0], 4)->group1);
	guest_complete(vcpus[0], 4);

	/* Group 0 on, Group 1 off: the other way round. */
	vgic_inject(vcpus[0], 4);
	vgic_lock(&vm);
	vm.vgic.grp_en = VGIC_GRP0_EN;
	vgic_requeue_all_locked(&vm);
	vgic_unlock(&vm);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 3)->state, GIC_LR_PENDING);
	assert_false(lr_for(vcpus[0], 3)->group1);
	assert_int_equal(lr_of(vcpus[0], 4), -1);
	assert_true(g1->pending);
}

/* Level interrupts with a sampled line (the timers) ------------------------ */

#define TIMER_PPI 27

/* Each pCPU's timer outputs, as the sampler reads them on that pCPU. */
static bool timer_line[NR_CPUS][VGIC_NR_PRIVATE];
static unsigned int line_reads;

static bool fake_line(uint32_t intid)
{
	line_reads++;
	return timer_line[smp_processor_id()][intid];
}

/* vCPU @vcpu's timer fired: line high, the hypervisor took it and injected it. */
static struct vgic_irq *timer_fires(unsigned int vcpu)
{
	memset(timer_line, 0, sizeof(timer_line));
	vgic_map_level(vcpus[vcpu], TIMER_PPI, fake_line);
	timer_line[vcpus[vcpu]->pcpu][TIMER_PPI] = true;
	vgic_inject_hw(vcpus[vcpu], TIMER_PPI);
	return irq_of(vcpu, TIMER_PPI);
}

/* The guest disables (or masks) its timer while the interrupt waits in a list register. */
static void test_level_drop_takes_it_out_of_its_lr(void **state)
{
	struct vgic_irq *irq = prep(0, TIMER_PPI, 0x20);

	(void)state;
	timer_fires(0);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], TIMER_PPI)->state, GIC_LR_PENDING);
	assert_true(lr_for(vcpus[0], TIMER_PPI)->hw);

	/* Still high at the next exit: nothing changes. */
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], TIMER_PPI)->state, GIC_LR_PENDING);
	assert_int_equal(rec.deactivates, 0);

	timer_line[0][TIMER_PPI] = false;
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), -1);
	assert_false(irq->pending || irq->active || irq->queued);
	/* No EOI will come: the physical PPI is deactivated, so the timer can fire again. */
	assert_int_equal(rec.deactivates, 1);
	assert_int_equal(rec.deactivated, TIMER_PPI);
}

/* Disabled in the distributor, it waits in software state: the guest reads ISPENDR0. */
static void test_level_drop_in_software_state(void **state)
{
	struct vgic_irq *irq = irq_of(0, TIMER_PPI); /* not enabled */

	(void)state;
	timer_fires(0);
	sync(vcpus[0]);
	assert_true(irq->pending && irq->lr < 0);
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ISPENDR, 4) & BIT(TIMER_PPI),
	                 BIT(TIMER_PPI));

	timer_line[0][TIMER_PPI] = false;
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ISPENDR, 4) & BIT(TIMER_PPI), 0);
	assert_int_equal(rec.deactivates, 1);
	assert_int_equal(rec.deactivated, TIMER_PPI);

	/* Enabling it later delivers nothing: it is no longer pending. */
	write_reg(vcpus[0], &private_win, GICD_ISENABLER, 4, BIT(TIMER_PPI));
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), -1);
}

/* More interrupts than list registers: the timer waits in the ap list, behind SGIs. */
static void test_level_drop_while_overflowed(void **state)
{
	struct vgic_irq *irq = prep(0, TIMER_PPI, 0xf0);

	(void)state;
	for (uint32_t sgi = 1; sgi <= nr_lrs; sgi++) {
		prep(0, sgi, 0x10);
		vgic_inject(vcpus[0], sgi);
	}
	timer_fires(0);
	sync(vcpus[0]);
	assert_true(irq->queued && irq->lr < 0);
	assert_true(rec.underflow[0]);

	timer_line[0][TIMER_PPI] = false;
	sync(vcpus[0]);
	assert_false(irq->pending || irq->queued);
	assert_int_equal(rec.deactivates, 1);
	assert_false(rec.underflow[0]); /* nothing waits any more */
	for (uint32_t sgi = 1; sgi <= nr_lrs; sgi++)
		guest_complete(vcpus[0], sgi);
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), -1);
}

/* Once acknowledged, the interrupt is the guest's: the line no longer matters. */
static void test_level_drop_leaves_active_alone(void **state)
{
	struct vgic_irq *irq = prep(0, TIMER_PPI, 0x20);

	(void)state;
	timer_fires(0);
	sync(vcpus[0]);
	guest_ack(vcpus[0], TIMER_PPI);
	timer_line[0][TIMER_PPI] = false; /* the handler reprograms the timer */
	sync(vcpus[0]);
	assert_true(irq->active);
	assert_int_equal(lr_for(vcpus[0], TIMER_PPI)->state, GIC_LR_ACTIVE);
	assert_int_equal(rec.deactivates, 0);
	guest_eoi(vcpus[0], TIMER_PPI); /* the GIC deactivates the physical one */
	sync(vcpus[0]);
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), -1);
	assert_int_equal(rec.deactivates, 0);
}

/* GICD_ISPENDR latches a level interrupt pending, whatever its line, until cleared or acked. */
static void test_level_pend_latch(void **state)
{
	struct vgic_irq *irq = prep(0, TIMER_PPI, 0x20);

	(void)state;
	vgic_map_level(vcpus[0], TIMER_PPI, fake_line);
	memset(timer_line, 0, sizeof(timer_line));
	write_reg(vcpus[0], &private_win, GICD_ISPENDR, 4, BIT(TIMER_PPI));
	sync(vcpus[0]);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], TIMER_PPI)->state, GIC_LR_PENDING);
	guest_complete(vcpus[0], TIMER_PPI);
	sync(vcpus[0]);
	assert_false(irq->pending || irq->pend_latch);

	write_reg(vcpus[0], &private_win, GICD_ISPENDR, 4, BIT(TIMER_PPI));
	write_reg(vcpus[0], &private_win, GICD_ICPENDR, 4, BIT(TIMER_PPI));
	assert_false(irq->pending || irq->pend_latch);
}

/* The exit's sync, and the direct path -------------------------------------- */

/*
 * A return to @v's guest as leave_hypervisor_to_guest() makes it; whether it
 * synced (read or wrote a list register: every sync here has one in use).
 */
static bool guest_entry(struct vcpu *v)
{
	unsigned long caller = unit_tpidr_el2;
	unsigned int accesses = rec.lr_reads + rec.lr_writes;
	bool busy;

	run_on(v->pcpu);
	busy = vgic_cpu_busy(&v->vgic);
	vgic_sync_before_entry(v);
	unit_tpidr_el2 = caller;
	return busy && !v->vgic.need_sync && rec.lr_reads + rec.lr_writes > accesses;
}

/* An exit after nothing changed syncs nothing: the guest's EOIs are read back later. */
static void test_exit_syncs_only_after_a_change(void **state)
{
	struct vgic_irq *irq = prep(0, 2, 0x10);

	(void)state;
	assert_false(vgic_cpu_busy(&vcpus[0]->vgic));
	vgic_inject(vcpus[0], 2);
	assert_true(vcpus[0]->vgic.need_sync);
	assert_true(guest_entry(vcpus[0]));
	assert_int_equal(lr_for(vcpus[0], 2)->state, GIC_LR_PENDING);
	assert_false(vgic_cpu_busy(&vcpus[0]->vgic));

	/* The guest completes it: its register still says "used" until something looks. */
	guest_complete(vcpus[0], 2);
	rec.lr_reads = rec.lr_writes = 0;
	assert_false(guest_entry(vcpus[0]));
	assert_int_equal(rec.lr_reads + rec.lr_writes, 0);
	assert_int_equal(irq->lr, 0);
	assert_int_equal(lr_of(vcpus[0], 2), -1);

	/* A GIC read folds it back, takes it off the ap list, and owes no sync. */
	assert_int_equal(read_reg(vcpus[0], &private_win, GICD_ISACTIVER, 4) & BIT(2), 0);
	assert_int_equal(irq->lr, -1);
	assert_int_equal(vcpus[0]->vgic.nr_eois, 1);
	assert_false(irq->pending || irq->active || irq->queued);
	assert_false(vgic_cpu_busy(&vcpus[0]->vgic));

	/* Read, then injected again before the exit: queued again, the exit places it. */
	vgic_inject(vcpus[0], 2);
	sync(vcpus[0]);
	guest_complete(vcpus[0], 2);
	read_reg(vcpus[0], &private_win, GICD_ISACTIVER, 4);
	vgic_inject(vcpus[0], 2);
	assert_true(guest_entry(vcpus[0]));
	assert_int_equal(lr_for(vcpus[0], 2)->state, GIC_LR_PENDING);
	guest_complete(vcpus[0], 2);

	/* Injected again while its register still holds the last, completed, instance. */
	vgic_inject(vcpus[0], 2);
	sync(vcpus[0]);
	guest_complete(vcpus[0], 2);
	vgic_inject(vcpus[0], 2);
	assert_true(guest_entry(vcpus[0]));
	assert_int_equal(lr_for(vcpus[0], 2)->state, GIC_LR_PENDING);
}

/* A state write whose own access's fold just freed the interrupt's register still syncs. */
static void test_state_write_after_its_fold_freed_the_lr(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x10);

	(void)state;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[0]);
	guest_complete(vcpus[0], 40);
	write_reg(vcpus[0], &spi_win, GICD_ISACTIVER + 4, 4, BIT(40 - 32));
	assert_true(irq->active && irq->queued && irq->lr < 0);
	assert_true(vcpus[0]->vgic.need_sync);
	assert_true(guest_entry(vcpus[0]));
	assert_int_equal(lr_for(vcpus[0], 40)->state, GIC_LR_ACTIVE);
}

/* An SPI routed away while in a register: a GIC read releases it; injected, it moves on. */
static void test_moved_spi_released_by_a_read_moves_when_injected(void **state)
{
	struct vgic_irq *irq = prep(0, 40, 0x10);

	(void)state;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[0]);
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, irq, 1); /* as a GICD_IROUTER write */
	vgic_unlock(&vm);
	sync(vcpus[0]);
	sync(vcpus[1]);
	assert_true(on_ap_list(vcpus[0], irq)); /* still in vCPU 0's register */
	guest_complete(vcpus[0], 40);
	read_reg(vcpus[0], &spi_win, GICD_ISPENDR + 4, 4);
	assert_int_equal(irq->lr, -1);
	assert_true(vgic_cpu_busy(&vcpus[0]->vgic)); /* its ap list must let it go */

	vgic_inject(vcpus[0], 40);
	guest_entry(vcpus[0]);
	assert_false(on_ap_list(vcpus[0], irq));
	assert_true(guest_entry(vcpus[1]));
	assert_int_equal(lr_for(vcpus[1], 40)->state, GIC_LR_PENDING);
	assert_int_equal(lr_of(vcpus[0], 40), -1);
}

/* A guest write to an interrupt's configuration: whoever holds it syncs; the distributor's, all. */
static void test_gic_write_syncs_whom_it_concerns(void **state)
{
	(void)state;
	prep(1, 40, 0x10)->target = 1;
	vgic_inject(vcpus[0], 40);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 40)->state, GIC_LR_PENDING);
	assert_false(vgic_cpu_busy(&vcpus[0]->vgic) || vgic_cpu_busy(&vcpus[1]->vgic));

	/* vCPU 0 disables the SPI pending in vCPU 1's register: vCPU 1 must withdraw it. */
	write_reg(vcpus[0], &spi_win, GICD_ICENABLER + 4, 4, BIT(40 - 32));
	assert_false(vcpus[0]->vgic.need_sync);
	assert_true(vcpus[1]->vgic.need_sync);
	assert_true(guest_entry(vcpus[1]));
	assert_int_equal(lr_of(vcpus[1], 40), -1);
	assert_int_equal(nr_valid_lrs(vcpus[1]), 0);

	/* A priority written while it waits in an ap list: its target re-sorts. */
	write_reg(vcpus[0], &spi_win, GICD_ISENABLER + 4, 4, BIT(40 - 32));
	assert_true(guest_entry(vcpus[1]));
	write_reg(vcpus[0], &spi_win, GICD_IPRIORITYR + 40, 1, 0x30);
	assert_true(vcpus[1]->vgic.need_sync);
	assert_true(guest_entry(vcpus[1]));
	assert_int_equal(lr_for(vcpus[1], 40)->priority, 0x30);

	/* Routed to no vCPU (GICv2 ITARGETSR 0) while pending there: it leaves the register. */
	guest_complete(vcpus[1], 40);
	vgic_inject(vcpus[0], 40);
	assert_true(guest_entry(vcpus[1]));
	assert_int_equal(lr_for(vcpus[1], 40)->state, GIC_LR_PENDING);
	vgic_lock(&vm);
	vgic_retarget_locked(&vm, vgic_get_irq(vcpus[0], 40), VGIC_NO_TARGET);
	vgic_unlock(&vm);
	assert_true(guest_entry(vcpus[1]));
	assert_int_equal(lr_of(vcpus[1], 40), -1);

	/* The distributor's enables: every vCPU. */
	vgic_lock(&vm);
	vgic_dist_enables_written_locked(&vm);
	vgic_unlock(&vm);
	assert_true(vcpus[0]->vgic.need_sync && vcpus[1]->vgic.need_sync);
}

/* The timer's interrupt for the vCPU running here goes straight into a list register. */
static void test_hw_ppi_direct_to_lr(void **state)
{
	struct vgic_irq *irq = prep(0, TIMER_PPI, 0x20);
	struct gic_lr *lr;

	(void)state;
	rec.lr_writes = 0;
	timer_fires(0);
	assert_int_equal(rec.lr_writes, 1);
	lr = lr_for(vcpus[0], TIMER_PPI);
	assert_int_equal(lr->state, GIC_LR_PENDING);
	assert_true(lr->hw);
	assert_int_equal(lr->pirq, TIMER_PPI);
	assert_int_equal(lr->priority, 0x20);
	assert_true(irq->queued && irq->pending);
	assert_false(vcpus[0]->vgic.need_sync);
	assert_int_equal(vcpus[0]->vgic.nr_injected, 1);
	assert_int_equal(total_kicks(), 0);
	assert_consistent(vcpus[0]);

	/* Its own exit need not read the line: it just fired. A later one reads it: high. */
	line_reads = 0;
	assert_false(guest_entry(vcpus[0]));
	assert_int_equal(line_reads, 0);
	assert_false(guest_entry(vcpus[0]));
	assert_int_equal(line_reads, 1);

	/* Completed, then fired again: the same register, and still no sync. */
	guest_complete(vcpus[0], TIMER_PPI);
	rec.lr_writes = 0;
	vgic_inject_hw(vcpus[0], TIMER_PPI);
	assert_int_equal(rec.lr_writes, 1);
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), 0);
	assert_int_equal(lr_for(vcpus[0], TIMER_PPI)->state, GIC_LR_PENDING);
	assert_false(vcpus[0]->vgic.need_sync);
	assert_false(guest_entry(vcpus[0]));

	/* The guest re-arms its timer before taking it: the exit sees the line low. */
	timer_line[0][TIMER_PPI] = false;
	assert_true(guest_entry(vcpus[0]));
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), -1);
	assert_false(irq->pending);
	assert_int_equal(rec.deactivated, TIMER_PPI);
	assert_false(vcpus[0]->vgic.levels_watch);
	assert_false(vgic_cpu_busy(&vcpus[0]->vgic));
}

/* The direct path steps aside whenever the general one could choose otherwise. */
static void test_hw_ppi_direct_only_when_nothing_else(void **state)
{
	struct vgic_irq *irq = prep(0, TIMER_PPI, 0x20);

	(void)state;
	/* Something else queued and not yet placed: the sync places both, by priority. */
	prep(0, 3, 0x10);
	vgic_inject(vcpus[0], 3);
	rec.lr_writes = 0;
	timer_fires(0);
	assert_int_equal(rec.lr_writes, 0);
	assert_true(guest_entry(vcpus[0]));
	assert_int_equal(lr_for(vcpus[0], 3)->state, GIC_LR_PENDING);
	assert_int_equal(lr_for(vcpus[0], TIMER_PPI)->state, GIC_LR_PENDING);

	/* Still pending in its register: injected again, the general way. */
	vgic_inject_hw(vcpus[0], TIMER_PPI);
	assert_true(irq->repend && vcpus[0]->vgic.need_sync);
	sync(vcpus[0]);
	guest_complete(vcpus[0], TIMER_PPI);
	guest_complete(vcpus[0], 3);
	sync(vcpus[0]);

	/* Not the vCPU running on this CPU (vCPU 1's timer, injected from pCPU 0). */
	prep(1, TIMER_PPI, 0x20);
	rec.lr_writes = 0;
	vgic_inject_hw(vcpus[1], TIMER_PPI);
	assert_int_equal(rec.lr_writes, 0);
	assert_true(vcpus[1]->vgic.need_sync);

	/* Disabled: it waits, unqueued, as before. */
	write_reg(vcpus[0], &private_win, GICD_ICENABLER, 4, BIT(TIMER_PPI));
	sync(vcpus[0]);
	timer_fires(0);
	assert_int_equal(lr_of(vcpus[0], TIMER_PPI), -1);
	assert_false(irq->queued);

	/* Every register taken: the overflow is the general path's. */
	write_reg(vcpus[0], &private_win, GICD_ISENABLER, 4, BIT(TIMER_PPI));
	write_reg(vcpus[0], &private_win, GICD_ICPENDR, 4, BIT(TIMER_PPI));
	sync(vcpus[0]);
	for (uint32_t sgi = 4; sgi < 4 + nr_lrs; sgi++) {
		prep(0, sgi, 0x10);
		vgic_inject(vcpus[0], sgi);
	}
	sync(vcpus[0]);
	rec.lr_writes = 0;
	timer_fires(0);
	assert_int_equal(rec.lr_writes, 0);
	assert_true(guest_entry(vcpus[0]));
	assert_true(irq->queued && irq->lr < 0);
	assert_true(rec.underflow[0]);
}

/* Only the owner's CPU reads a line: another vCPU's GIC access leaves it be. */
static void test_level_sampled_only_on_its_cpu(void **state)
{
	struct vgic_irq *irq = irq_of(1, TIMER_PPI); /* vCPU 1's, disabled */

	(void)state;
	timer_fires(1);
	timer_line[1][TIMER_PPI] = false;
	line_reads = 0;
	sync(vcpus[0]);
	read_reg(vcpus[0], &private_win, GICD_ISENABLER, 4);
	assert_int_equal(line_reads, 0);
	assert_true(irq->pending);
	read_reg(vcpus[1], &private_win, GICD_ISPENDR, 4);
	assert_false(irq->pending);

	/* A reset vCPU has no sampler until its timer maps one again. */
	vgic_cpu_reset(vcpus[1]);
	assert_int_equal(vcpus[1]->vgic.sampled, 0);
	assert_null(irq_of(1, TIMER_PPI)->line_level);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_init_state, setup),
	    cmocka_unit_test_setup(test_groups_apart, setup),
	    cmocka_unit_test_setup(test_level_drop_takes_it_out_of_its_lr, setup),
	    cmocka_unit_test_setup(test_level_drop_in_software_state, setup),
	    cmocka_unit_test_setup(test_level_drop_while_overflowed, setup),
	    cmocka_unit_test_setup(test_level_drop_leaves_active_alone, setup),
	    cmocka_unit_test_setup(test_level_pend_latch, setup),
	    cmocka_unit_test_setup(test_level_sampled_only_on_its_cpu, setup),
	    cmocka_unit_test_setup(test_get_irq_bounds, setup),
	    cmocka_unit_test_setup(test_inject_out_of_range_ignored, setup),
	    cmocka_unit_test_setup(test_inject_sgi_to_lr, setup),
	    cmocka_unit_test_setup(test_ack_and_eoi, setup),
	    cmocka_unit_test_setup(test_sync_with_nothing_in_flight, setup),
	    cmocka_unit_test_setup(test_lr_overflow_and_refill, setup),
	    cmocka_unit_test_setup(test_urgent_irq_evicts_least_urgent_pending, setup),
	    cmocka_unit_test_setup(test_active_irqs_never_evicted, setup),
	    cmocka_unit_test_setup(test_disabled_irq_waits_for_enable, setup),
	    cmocka_unit_test_setup(test_distributor_disabled, setup),
	    cmocka_unit_test_setup(test_hw_irq, setup),
	    cmocka_unit_test_setup(test_route_hw, setup),
	    cmocka_unit_test_setup(test_spi_to_other_vcpu_kicks, setup),
	    cmocka_unit_test_setup(test_sgi_to_other_vcpu_kicks, setup),
	    cmocka_unit_test_setup(test_repend_edge_while_active, setup),
	    cmocka_unit_test_setup(test_retarget_queued_spi, setup),
	    cmocka_unit_test_setup(test_cpu_off_hands_lr_spis_to_their_target, setup),
	    cmocka_unit_test_setup(test_cpu_off_keeps_only_what_is_pending, setup),
	    cmocka_unit_test_setup(test_retarget_spi_in_lr_stays, setup),
	    cmocka_unit_test_setup(test_cpu_reset_clears_everything, setup),
	    cmocka_unit_test_setup(test_v2_group_and_source, setup),
	    cmocka_unit_test_setup(test_mmio_enable_words, setup),
	    cmocka_unit_test_setup(test_mmio_priority, setup),
	    cmocka_unit_test_setup(test_mmio_icfgr, setup),
	    cmocka_unit_test_setup(test_mmio_ispendr_queues, setup),
	    cmocka_unit_test_setup(test_mmio_clear_hw_deactivates, setup),
	    cmocka_unit_test_setup(test_mmio_group, setup),
	    cmocka_unit_test_setup(test_mmio_window_and_sizes, setup),
	    cmocka_unit_test_setup(test_ispendr_on_active_lr_irq_kept, setup),
	    cmocka_unit_test_setup(test_icpendr_on_pending_lr_irq_withdrawn, setup),
	    cmocka_unit_test_setup(test_icactiver_on_active_lr_irq_deactivated, setup),
	    cmocka_unit_test_setup(test_ispendr_all_spis_no_panic, setup),
	    cmocka_unit_test_setup(test_repend_survives_two_folds, setup),
	    cmocka_unit_test_setup(test_mmio_clear_other_vcpus_hw_ppi, setup),
	    cmocka_unit_test_setup(test_mmio_clear_hw_in_lr_deactivates, setup),
	    cmocka_unit_test_setup(test_retargeted_spi_moves_when_its_lr_frees, setup),
	    cmocka_unit_test_setup(test_exit_syncs_only_after_a_change, setup),
	    cmocka_unit_test_setup(test_gic_write_syncs_whom_it_concerns, setup),
	    cmocka_unit_test_setup(test_moved_spi_released_by_a_read_moves_when_injected, setup),
	    cmocka_unit_test_setup(test_state_write_after_its_fold_freed_the_lr, setup),
	    cmocka_unit_test_setup(test_hw_ppi_direct_to_lr, setup),
	    cmocka_unit_test_setup(test_hw_ppi_direct_only_when_nothing_else, setup),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	return failed;
}
