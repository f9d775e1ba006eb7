/*
 * What the GICv2 and GICv3 vGIC fuzzers share (fuzz_vgic_v2.c, fuzz_vgic_v3.c):
 * a fake machine of up to 4 vCPUs pinned to pCPUs 0-3, over the fake GIC of
 * the unit tests (tests/unit/fake_gic.c: per-pCPU list registers in memory),
 * the guest's side of the list registers (acknowledge, EOI), the devices'
 * side (hardware-linked interrupts that stay active in the physical GIC until
 * deactivated), and the invariants checked after every step.
 *
 * The invariants, from vgic/vgic.h:
 *  - list registers: a register the vGIC calls free (lr_used clear) is empty;
 *    one it calls used holds lr_irq[n]'s INTID, and that interrupt says so
 *    (irq->lr == n, queued on this vCPU's ap list); no two valid registers
 *    of a pCPU hold one INTID;
 *  - ownership: a vCPU's ap list holds only the VM's SPIs and its own private
 *    interrupts, each once; an interrupt is queued (irq->queued) exactly when
 *    it is on one ap list, and on one only;
 *  - nothing lost: an interrupt that wants a list register (active, or
 *    pending and enabled with the distributor on) is queued;
 *  - a timer PPI pending on its line alone (not latched by GICD_ISPENDR) has
 *    its vCPU watching the line at each exit (levels_watch);
 *  - hardware-linked interrupts: while the physical interrupt is active (the
 *    device cannot interrupt again until the hypervisor or the guest's EOI
 *    deactivates it) the virtual one is pending, active or in a list register,
 *    so something will end it (or, for a PPI another vCPU dropped, its own
 *    pCPU is due to deactivate it: hw_deactivate);
 *  - a return to the guest that skips the sync (vgic_sync_before_entry)
 *    leaves the guest the list registers a whole
 *    sync would give it (and a whole sync right after one changes nothing):
 *    the same valid registers, the same underflow request;
 *  - after vgic_sync_lrs(v): every used register is valid and holds an
 *    interrupt that wants one (never a disabled or not-pending one unless it
 *    is active), with its priority; an SPI waiting on v's ap list outside
 *    a register is targeted at v; v asks for the underflow interrupt exactly
 *    when an interrupt that wants a register did not get one;
 *  - MMIO: every access in a frame is answered, a read returns no more bits
 *    than its size, and nothing panics.
 */
#ifndef TESTS_FUZZ_FUZZ_VGIC_COMMON_H
#define TESTS_FUZZ_FUZZ_VGIC_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/percpu.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "tests/unit/fake_gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"
#include "vgic/vgic_mmio.h"
#include "fuzz_input.h"

#define FV_MAX_VCPUS 4

/* FUZZ_TRACE=1 in the environment: print every step (to read a crasher). */
static int fv_trace = -1;
#define FV_TRACE(...)                                            \
	do {                                                     \
		if (fv_trace < 0)                                \
			fv_trace = getenv("FUZZ_TRACE") != NULL; \
		if (fv_trace)                                    \
			fprintf(stderr, __VA_ARGS__);            \
	} while (0)

_Thread_local unsigned long unit_tpidr_el2; /* this thread's pCPU (arm64_asm_shim.h) */
struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = NR_CPUS;

static struct vm fv_vm;
static struct vcpu fv_vcpus[FV_MAX_VCPUS];

/* The MMIO handlers the vGIC registered (vm_register_mmio is stubbed below). */
static struct mmio_region fv_mmio[4];
static unsigned int fv_nr_mmio;

void vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size, mmio_handler_fn handler,
                      void *priv)
{
	(void)vm;
	if (fv_nr_mmio < ARRAY_SIZE(fv_mmio))
		fv_mmio[fv_nr_mmio++] = (struct mmio_region){
		    .base = base, .size = size, .handler = handler, .priv = priv};
}

/*
 * Physical state of the hardware-linked interrupts: active from the moment
 * the GIC delivered it to the hypervisor until a deactivation (by the
 * hypervisor through gic_deactivate, or by the guest's EOI of a hw list
 * register). PPIs per pCPU, SPIs once.
 */
static bool fv_phys_active_ppi[NR_CPUS][VGIC_NR_PRIVATE];
static bool fv_phys_active_spi[VGIC_NR_IRQS];

void __real_gic_deactivate(uint32_t intid);
void __wrap_gic_deactivate(uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		fv_phys_active_ppi[smp_processor_id()][intid] = false;
	else if (intid < VGIC_NR_IRQS)
		fv_phys_active_spi[intid] = false;
	__real_gic_deactivate(intid);
}

static bool *fv_phys_active(unsigned int pcpu, uint32_t intid)
{
	return intid < VGIC_NR_PRIVATE ? &fv_phys_active_ppi[pcpu][intid]
	                               : &fv_phys_active_spi[intid];
}

/*
 * An EOI maintenance interrupt raised on each pCPU (the guest completed a
 * register with eoi_irq set): taken at the next exit, as irq_dispatch() does.
 */
static bool fv_maintenance[NR_CPUS];

/* What the guest acknowledged from each list register, until its EOI. */
struct fv_ack {
	bool valid;
	uint32_t virq;
	uint8_t source;
};
static struct fv_ack fv_acked[NR_CPUS][VGIC_MAX_LRS];

/* Interrupts wired to a device: the timer PPIs (27, 30, see fv_reset_vcpu) and SPIs like the
 * UART's (33). */
static const uint32_t fv_hw_intids[] = {27, 33, 34, 40, 30};

/*
 * The timers' outputs, per pCPU: high when the timer fires (fv_inject_hw),
 * low when the guest disables, masks or reprograms it (the sync step).
 */
static const uint32_t fv_timer_ppis[] = {27, 30};
static bool fv_line[NR_CPUS][VGIC_NR_PRIVATE];

static bool fv_line_level(uint32_t intid)
{
	return fv_line[smp_processor_id()][intid];
}

/* What vtimer_vcpu_start() does on @v's pCPU: the timers' PPIs ended, sampled as levels. */
static void fv_timers_start(struct vcpu *v)
{
	run_on(v->pcpu);
	for (unsigned int i = 0; i < ARRAY_SIZE(fv_timer_ppis); i++) {
		fv_line[v->pcpu][fv_timer_ppis[i]] = false;
		gic_deactivate(fv_timer_ppis[i]);
		vgic_map_level(v, fv_timer_ppis[i], fv_line_level);
	}
}

static void fv_setup(unsigned int nr_vcpus, unsigned int version, unsigned int nlrs)
{
	memset(&fv_vm, 0, sizeof(fv_vm));
	memset(fv_vcpus, 0, sizeof(fv_vcpus));
	memset(lrs, 0, sizeof(lrs));
	memset(fv_acked, 0, sizeof(fv_acked));
	memset(fv_maintenance, 0, sizeof(fv_maintenance));
	memset(&rec, 0, sizeof(rec));
	memset(fv_mmio, 0, sizeof(fv_mmio));
	memset(fv_phys_active_ppi, 0, sizeof(fv_phys_active_ppi));
	memset(fv_phys_active_spi, 0, sizeof(fv_phys_active_spi));
	memset(fv_line, 0, sizeof(fv_line));
	fv_nr_mmio = 0;
	panic_jb_armed = false;
	nr_lrs = nlrs;
	for (unsigned int i = 0; i < NR_CPUS; i++)
		pcpus[i] = (struct pcpu){.id = i, .mpidr = i, .online = true};
	fv_vm.name = "fuzz";
	fv_vm.vgic.lock = (spinlock_t)SPINLOCK_INIT;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		fv_vcpus[i] = (struct vcpu){
		    .id = i, .vm = &fv_vm, .vmpidr = BIT(31) | i, .pcpu = i, .power = VCPU_ON};
		fv_vm.vcpus[i] = &fv_vcpus[i];
		pcpus[i].vcpu = &fv_vcpus[i];
	}
	fv_vm.nr_vcpus = nr_vcpus;
	run_on(0);
	vgic_dist_init(&fv_vm, version, nlrs);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		run_on(i);
		vgic_cpu_reset(&fv_vcpus[i]);
		fv_timers_start(&fv_vcpus[i]);
	}
	run_on(0);
}

/* Checks -------------------------------------------------------------------- */

static bool fv_wants_lr(const struct vgic_irq *irq)
{
	if (irq->intid >= VGIC_NR_PRIVATE && irq->target == VGIC_NO_TARGET)
		return false; /* forwarded to no vCPU (GICv2 ITARGETSR 0) */
	return irq->active ||
	       (irq->pending && irq->enabled && vgic_group_enabled(&fv_vm.vgic, irq));
}

/* Is @irq one of the VM's interrupts that vCPU @owner may queue? */
static bool fv_irq_owned(const struct vgic_irq *irq, unsigned int owner)
{
	const struct vgic_irq *spis = fv_vm.vgic.spis;
	const struct vgic_irq *priv = fv_vcpus[owner].vgic.private_irqs;

	if (irq >= spis && irq < spis + VGIC_NR_SPIS)
		return irq->intid == VGIC_NR_PRIVATE + (irq - spis);
	if (irq >= priv && irq < priv + VGIC_NR_PRIVATE)
		return irq->intid == irq - priv;
	return false;
}

/* Calls @fn for every interrupt of the VM. */
#define FV_FOR_EACH_IRQ(irq, body)                                                                \
	do {                                                                                      \
		for (unsigned int fv_i_ = 0; fv_i_ < VGIC_NR_SPIS; fv_i_++) {                     \
			struct vgic_irq *irq = &fv_vm.vgic.spis[fv_i_];                           \
			body;                                                                     \
		}                                                                                 \
		for (unsigned int fv_v_ = 0; fv_v_ < fv_vm.nr_vcpus; fv_v_++) {                   \
			for (unsigned int fv_i_ = 0; fv_i_ < VGIC_NR_PRIVATE; fv_i_++) {          \
				struct vgic_irq *irq = &fv_vcpus[fv_v_].vgic.private_irqs[fv_i_]; \
				body;                                                             \
			}                                                                         \
		}                                                                                 \
	} while (0)

/* Every interrupt of the VM by a dense index: SPIs, then each vCPU's private ones. */
#define FV_NR_IRQ_SLOTS (VGIC_NR_SPIS + FV_MAX_VCPUS * VGIC_NR_PRIVATE)

static unsigned int fv_irq_slot(const struct vgic_irq *irq)
{
	const struct vgic_irq *spis = fv_vm.vgic.spis;

	if (irq >= spis && irq < spis + VGIC_NR_SPIS)
		return (unsigned int)(irq - spis);
	for (unsigned int v = 0; v < fv_vm.nr_vcpus; v++) {
		const struct vgic_irq *priv = fv_vcpus[v].vgic.private_irqs;

		if (irq >= priv && irq < priv + VGIC_NR_PRIVATE)
			return VGIC_NR_SPIS + v * VGIC_NR_PRIVATE + (unsigned int)(irq - priv);
	}
	abort(); /* fv_check_vcpu() has checked ownership first */
}

/* How many ap lists hold each interrupt, and (the last) which vCPU's. */
static unsigned int fv_queued_count[FV_NR_IRQ_SLOTS];
static int fv_queued_where[FV_NR_IRQ_SLOTS];

static void fv_count_queued(void)
{
	memset(fv_queued_count, 0, sizeof(fv_queued_count));
	for (unsigned int v = 0; v < fv_vm.nr_vcpus; v++) {
		const struct vgic_cpu *c = &fv_vcpus[v].vgic;

		for (unsigned int i = 0; i < c->nr_ap; i++) {
			unsigned int slot = fv_irq_slot(c->ap_list[i]);

			fv_queued_count[slot]++;
			fv_queued_where[slot] = (int)v;
		}
	}
}

static int fv_queued_on(const struct vgic_irq *irq, unsigned int *count)
{
	unsigned int slot = fv_irq_slot(irq);

	*count = fv_queued_count[slot];
	return *count ? fv_queued_where[slot] : -1;
}

static void fv_check_vcpu(unsigned int vi)
{
	const struct vcpu *v = &fv_vcpus[vi];
	const struct vgic_cpu *c = &v->vgic;

	FUZZ_CHECK(c->nr_ap <= VGIC_AP_MAX, "vcpu%u nr_ap %u", vi, c->nr_ap);
	FUZZ_CHECK((c->lr_used & ~((1u << fv_vm.vgic.nr_lrs) - 1)) == 0, "vcpu%u lr_used 0x%x", vi,
	           c->lr_used);
	for (unsigned int i = 0; i < c->nr_ap; i++) {
		const struct vgic_irq *irq = c->ap_list[i];

		FUZZ_CHECK(fv_irq_owned(irq, vi), "vcpu%u ap_list[%u] is not its own or an SPI", vi,
		           i);
		FUZZ_CHECK(irq->queued, "vcpu%u ap_list[%u] (INTID %u) not marked queued", vi, i,
		           irq->intid);
	}
	for (unsigned int i = 0; i < VGIC_MAX_LRS; i++) {
		const struct gic_lr *lr = i < nr_lrs ? &lrs[v->pcpu][i] : NULL;
		const struct vgic_irq *irq = c->lr_irq[i];

		if (!(c->lr_used & (1u << i))) {
			FUZZ_CHECK(!irq, "vcpu%u LR%u free but lr_irq set", vi, i);
			FUZZ_CHECK(!lr || lr->state == 0, "vcpu%u LR%u free but valid (INTID %u)",
			           vi, i, lr->virq);
			continue;
		}
		FUZZ_CHECK(irq && fv_irq_owned(irq, vi),
		           "vcpu%u LR%u holds no interrupt of its own", vi, i);
		FUZZ_CHECK(irq->lr == (int)i, "vcpu%u LR%u: INTID %u says lr %d", vi, i, irq->intid,
		           irq->lr);
		FUZZ_CHECK(irq->queued, "vcpu%u LR%u: INTID %u not queued", vi, i, irq->intid);
		FUZZ_CHECK(lr->virq == irq->intid, "vcpu%u LR%u holds %u, bookkeeping says %u", vi,
		           i, lr->virq, irq->intid);
	}
	for (unsigned int i = 0; i < nr_lrs; i++) {
		for (unsigned int k = 0; k < i; k++)
			FUZZ_CHECK(!lrs[v->pcpu][i].state || !lrs[v->pcpu][k].state ||
			               lrs[v->pcpu][i].virq != lrs[v->pcpu][k].virq,
			           "pCPU %u: LR%u and LR%u both hold INTID %u", v->pcpu, k, i,
			           lrs[v->pcpu][i].virq);
	}
}

/* The invariants that hold between any two steps. */
static void fv_check_all(void)
{
	for (unsigned int v = 0; v < fv_vm.nr_vcpus; v++)
		fv_check_vcpu(v);
	fv_count_queued();
	FV_FOR_EACH_IRQ(irq, {
		unsigned int count;
		int where = fv_queued_on(irq, &count);

		FUZZ_CHECK(count <= 1, "INTID %u %u times on ap lists", irq->intid, count);
		FUZZ_CHECK(irq->queued == (count == 1), "INTID %u queued=%d but on %u lists",
		           irq->intid, irq->queued, count);
		FUZZ_CHECK(!fv_wants_lr(irq) || irq->queued,
		           "INTID %u (target %u) wants a list register (pending %d enabled %d "
		           "active %d) but is not queued: lost",
		           irq->intid, irq->target, irq->pending, irq->enabled, irq->active);
		if (irq->lr >= 0) {
			FUZZ_CHECK(where >= 0 && fv_vcpus[where].vgic.lr_irq[irq->lr] == irq,
			           "INTID %u says LR%d, but no vCPU holds it there", irq->intid,
			           irq->lr);
		}
	});
	for (unsigned int p = 0; p < fv_vm.nr_vcpus; p++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
			const struct vgic_irq *irq = &fv_vcpus[p].vgic.private_irqs[i];

			FUZZ_CHECK(!(fv_vcpus[p].vgic.sampled & BIT(i)) || !irq->pending ||
			               irq->pend_latch || fv_vcpus[p].vgic.levels_watch,
			           "timer PPI %u of vcpu%u pending on its line, but its exits do "
			           "not watch the line",
			           i, p);
			FUZZ_CHECK(!fv_phys_active_ppi[p][i] || irq->pending || irq->active ||
			               irq->lr >= 0 || (fv_vcpus[p].vgic.hw_deactivate & BIT(i)),
			           "hw PPI %u of vcpu%u stays active in the GIC with nothing "
			           "left to end it",
			           i, p);
		}
	}
	for (uint32_t i = VGIC_NR_PRIVATE; i < VGIC_NR_IRQS; i++) {
		const struct vgic_irq *irq = &fv_vm.vgic.spis[i - VGIC_NR_PRIVATE];

		FUZZ_CHECK(!fv_phys_active_spi[i] || irq->pending || irq->active || irq->lr >= 0,
		           "hw SPI %u stays active in the GIC with nothing left to end it", i);
	}
	FUZZ_CHECK(rec.panics == 0, "panic");
}

/* After vgic_sync_lrs(v), before v's guest runs. */
static void fv_check_synced(unsigned int vi)
{
	const struct vcpu *v = &fv_vcpus[vi];
	const struct vgic_cpu *c = &v->vgic;
	bool left_out = false;

	for (unsigned int i = 0; i < nr_lrs; i++) {
		const struct gic_lr *lr = &lrs[v->pcpu][i];
		const struct vgic_irq *irq = c->lr_irq[i];

		if (!(c->lr_used & (1u << i)))
			continue;
		FUZZ_CHECK(lr->state != 0, "vcpu%u LR%u used but invalid after sync", vi, i);
		FUZZ_CHECK(fv_wants_lr(irq) || irq->active,
		           "vcpu%u LR%u holds INTID %u, which is neither active nor enabled and "
		           "pending",
		           vi, i, irq->intid);
		FUZZ_CHECK(!(lr->state & GIC_LR_PENDING) ||
		               (irq->pending && irq->enabled &&
		                vgic_group_enabled(&fv_vm.vgic, irq) &&
		                (irq->intid < VGIC_NR_PRIVATE || irq->target != VGIC_NO_TARGET)),
		           "vcpu%u LR%u: INTID %u pending in the LR but not pending+enabled", vi, i,
		           irq->intid);
		FUZZ_CHECK(!(lr->state & GIC_LR_ACTIVE) || irq->active,
		           "vcpu%u LR%u: INTID %u active in the LR but not active", vi, i,
		           irq->intid);
		FUZZ_CHECK(lr->priority == irq->priority,
		           "vcpu%u LR%u: priority %u, INTID %u has %u", vi, i, lr->priority,
		           irq->intid, irq->priority);
		FUZZ_CHECK(lr->hw == irq->hw, "vcpu%u LR%u: hw bit", vi, i);
	}
	for (unsigned int i = 0; i < c->nr_ap; i++) {
		const struct vgic_irq *irq = c->ap_list[i];

		if (irq->lr >= 0 || !fv_wants_lr(irq))
			continue;
		left_out = true;
		FUZZ_CHECK(irq->intid < VGIC_NR_PRIVATE || irq->target == vi,
		           "vcpu%u waits for SPI %u, which targets vcpu%u", vi, irq->intid,
		           irq->target);
	}
	FUZZ_CHECK(c->underflow == left_out, "vcpu%u: underflow %d, an interrupt left out: %d", vi,
	           c->underflow, left_out);
	/* An active interrupt's list register keeps what the guest acknowledged (GICv2 source). */
	for (unsigned int i = 0; i < nr_lrs; i++) {
		const struct gic_lr *lr = &lrs[v->pcpu][i];
		const struct fv_ack *a = &fv_acked[v->pcpu][i];

		if (a->valid && (lr->state & GIC_LR_ACTIVE) && lr->virq == a->virq)
			FUZZ_CHECK(lr->source == a->source,
			           "vcpu%u LR%u: active INTID %u acknowledged from source %u, now "
			           "says %u",
			           vi, i, lr->virq, a->source, lr->source);
	}
	/*
	 * A level whose line is low is delivered only if GICD_ISPENDR latched it.
	 * (Disabled, it may still say pending: no one sees that before a GIC
	 * access, which samples the line first.)
	 */
	for (unsigned int i = 0; i < ARRAY_SIZE(fv_timer_ppis); i++) {
		const struct vgic_irq *irq = &c->private_irqs[fv_timer_ppis[i]];

		FUZZ_CHECK(!irq->pending || !irq->enabled ||
		               !vgic_group_enabled(&fv_vm.vgic, irq) || irq->pend_latch ||
		               fv_line[v->pcpu][irq->intid],
		           "vcpu%u: timer PPI %u pending after its line dropped", vi, irq->intid);
	}
}

/* The steps both GIC versions have ---------------------------------------------- */

static struct vcpu *fv_pick_vcpu(struct fuzz_in *in)
{
	return &fv_vcpus[fin_u8(in) % fv_vm.nr_vcpus];
}

/* An INTID, mostly one the vGIC has, sometimes one past it. */
static uint32_t fv_pick_intid(struct fuzz_in *in)
{
	uint16_t raw = fin_u16(in);

	return (raw & 0x8000) ? raw & 0x7fff : raw % (VGIC_NR_IRQS + 8);
}

/* What the guest sees in @v's list registers: the valid ones, by INTID, and the underflow
 * request. */
struct fv_view {
	unsigned int n;
	struct gic_lr lr[VGIC_MAX_LRS];
	bool underflow;
};

static int fv_lr_cmp(const void *pa, const void *pb)
{
	const struct gic_lr *a = pa, *b = pb;

	return a->virq < b->virq ? -1 : a->virq > b->virq;
}

static void fv_view_of(const struct vcpu *v, struct fv_view *view)
{
	memset(view, 0, sizeof(*view));
	for (unsigned int i = 0; i < nr_lrs; i++) {
		const struct gic_lr *lr = &lrs[v->pcpu][i];

		if (lr->state)
			view->lr[view->n++] = *lr;
	}
	qsort(view->lr, view->n, sizeof(view->lr[0]), fv_lr_cmp);
	view->underflow = v->vgic.underflow;
}

static void fv_trace_view(const char *what, const struct fv_view *view)
{
	FV_TRACE("  %s:%s", what, view->underflow ? " underflow" : "");
	for (unsigned int i = 0; i < view->n; i++)
		FV_TRACE(" %u/%u%s", view->lr[i].virq, view->lr[i].state,
		         view->lr[i].hw ? "hw" : "");
	FV_TRACE("\n");
}

static void fv_check_same_view(unsigned int vi, const struct fv_view *a, const struct fv_view *b)
{
	fv_trace_view("exit left", a);
	fv_trace_view("sync made", b);
	FUZZ_CHECK(a->n == b->n, "vcpu%u: the exit left %u valid LRs, a whole sync %u", vi, a->n,
	           b->n);
	FUZZ_CHECK(a->underflow == b->underflow, "vcpu%u: the exit left underflow %d, a sync %d",
	           vi, a->underflow, b->underflow);
	for (unsigned int i = 0; i < a->n; i++) {
		const struct gic_lr *x = &a->lr[i], *y = &b->lr[i];

		FUZZ_CHECK(x->virq == y->virq && x->state == y->state &&
		               x->priority == y->priority && x->hw == y->hw && x->pirq == y->pirq &&
		               x->group1 == y->group1 && x->source == y->source &&
		               x->eoi_irq == y->eoi_irq,
		           "vcpu%u: the exit left INTID %u state %u prio 0x%x hw %d src %u eoi %d; "
		           "a whole sync makes INTID %u state %u prio 0x%x hw %d src %u eoi %d",
		           vi, x->virq, x->state, x->priority, x->hw, x->source, x->eoi_irq,
		           y->virq, y->state, y->priority, y->hw, y->source, y->eoi_irq);
	}
}

/* The end of an exit of @v: its guest runs again, as leave_hypervisor_to_guest() does it. */
static void fv_return_to_guest(struct vcpu *v)
{
	run_on(v->pcpu);
	if (fv_maintenance[v->pcpu]) {
		fv_maintenance[v->pcpu] = false;
		gic_set_underflow_irq(false);
		vgic_cpu_maintained(&v->vgic);
	}
	FV_TRACE("  vcpu%u returns: need_sync %d underflow %d hw_deactivate 0x%x levels_watch %d\n",
	         v->id, v->vgic.need_sync, v->vgic.underflow, v->vgic.hw_deactivate,
	         v->vgic.levels_watch);
	vgic_sync_before_entry(v);
}

/*
 * An exit of @v, and its return. With @compare, a whole sync follows, which
 * must not change what the guest sees; then the synced invariants hold.
 * Without, the lazy state stays.
 */
static void fv_sync(struct vcpu *v, bool compare)
{
	struct fv_view exit_view, sync_view;

	fv_return_to_guest(v);
	if (!compare)
		return;
	fv_view_of(v, &exit_view);
	vgic_sync_lrs(v);
	fv_view_of(v, &sync_view);
	fv_check_same_view(v->id, &exit_view, &sync_view);
	fv_check_synced(v->id);
}

/* The guest acknowledges (pending -> active) what list register @i holds. */
static void fv_guest_ack(struct vcpu *v, unsigned int i)
{
	struct gic_lr *lr = &lrs[v->pcpu][i % nr_lrs];

	if (lr->state == GIC_LR_PENDING) {
		lr->state = GIC_LR_ACTIVE;
		/* What the guest read from its IAR: its EOI will say the same. */
		fv_acked[v->pcpu][i % nr_lrs] = (struct fv_ack){true, lr->virq, lr->source};
	}
}

/* The guest's EOI (priority drop and deactivation) of list register @i's interrupt. */
static void fv_guest_eoi(struct vcpu *v, unsigned int i)
{
	struct gic_lr *lr = &lrs[v->pcpu][i % nr_lrs];

	if (!(lr->state & GIC_LR_ACTIVE))
		return;
	lr->state &= (uint8_t)~GIC_LR_ACTIVE;
	fv_acked[v->pcpu][i % nr_lrs].valid = false;
	/* The GIC deactivates the physical interrupt of a hw list register itself. */
	if (lr->hw && lr->pirq < VGIC_NR_IRQS)
		*fv_phys_active(v->pcpu, lr->pirq) = false;
	/* A completed register that asked for it raises the EOI maintenance interrupt. */
	if (!lr->state && !lr->hw && lr->eoi_irq)
		fv_maintenance[v->pcpu] = true;
}

/* A device interrupt arrives on @v's pCPU (its target's) and is handed to the guest. */
static void fv_inject_hw(struct vcpu *v, unsigned int which)
{
	uint32_t intid = fv_hw_intids[which % ARRAY_SIZE(fv_hw_intids)];
	struct vcpu *target = v;
	bool *active;

	if (intid >= VGIC_NR_PRIVATE) {
		unsigned int t = fv_vm.vgic.spis[intid - VGIC_NR_PRIVATE].target;

		target = &fv_vcpus[t < fv_vm.nr_vcpus ? t : 0];
	}
	active = fv_phys_active(target->pcpu, intid);
	if (*active)
		return; /* the GIC does not deliver an active interrupt again */
	*active = true;
	if (intid < VGIC_NR_PRIVATE)
		fv_line[target->pcpu][intid] = true;
	FV_TRACE("  inject hw %u into vcpu%u\n", intid, target->id);
	run_on(target->pcpu);
	vgic_inject_hw(target, intid);
	/* The interrupt was an exit of the vCPU on that pCPU: it returns before its guest runs. */
	fv_return_to_guest(target);
}

/*
 * A vCPU (re)starts (PSCI CPU_ON), as vcpu_start() does it: its pCPU's
 * virtual interface is reset first (gic_vcpu_if_reset), then the vGIC's view,
 * then vtimer_vcpu_start() ends the timer PPI of its previous life (the
 * timer, not the vGIC, owns that physical state).
 */
static void fv_reset_vcpu(struct vcpu *v)
{
	run_on(v->pcpu);
	memset(lrs[v->pcpu], 0, sizeof(lrs[v->pcpu]));
	memset(fv_acked[v->pcpu], 0, sizeof(fv_acked[v->pcpu]));
	fv_maintenance[v->pcpu] = false;
	vgic_cpu_reset(v);
	fv_timers_start(v);
}

/* One MMIO access to region @r, as the data abort handler makes it. */
static void fv_mmio_access(struct vcpu *v, const struct mmio_region *r, uint64_t offset,
                           unsigned int size, bool write, uint64_t value)
{
	struct mmio_access acc = {
	    .ipa = r->base + offset % r->size,
	    .size = size,
	    .write = write,
	    .data = write ? value : 0x5a5a5a5a5a5a5a5aUL,
	};

	run_on(v->pcpu);
	FV_TRACE("vcpu%u: %u-byte %s at +0x%lx%s0x%lx\n", v->id, size, write ? "write" : "read",
	         (unsigned long)(acc.ipa - r->base), write ? " <- " : " (was) ",
	         (unsigned long)acc.data);
	FUZZ_CHECK(r->handler(v, &acc, r->priv), "MMIO at 0x%lx not answered",
	           (unsigned long)acc.ipa);
	if (!write && size < 8)
		FUZZ_CHECK(acc.data >> (8 * size) == 0, "%u-byte read at 0x%lx returned 0x%lx",
		           size, (unsigned long)acc.ipa, (unsigned long)acc.data);
}

/* The register bases a fuzzed offset is relative to (else the offset is raw). */
static uint64_t fv_pick_offset(struct fuzz_in *in, const uint32_t *bases, unsigned int nr_bases)
{
	uint8_t sel = fin_u8(in);
	uint16_t delta = fin_u16(in);

	if (sel < nr_bases * 16)
		return bases[sel % nr_bases] + (delta & ((sel & 8) ? 0x3ff : 0x1f));
	return delta | ((uint64_t)fin_u8(in) << 16);
}

/*
 * Steps 0-7 are common; the caller handles the rest. Returns false if @op is
 * not one of them.
 */
static bool fv_common_step(struct fuzz_in *in, uint8_t op)
{
	struct vcpu *v;

	if (op < 1 || op > 7)
		return false;
	v = fv_pick_vcpu(in);
	FV_TRACE("step %u on vcpu%u\n", op, v->id);
	switch (op) {
	case 1: {
		uint32_t intid = fv_pick_intid(in);

		run_on(fin_u8(in) % fv_vm.nr_vcpus);
		FV_TRACE("  inject %u\n", intid);
		vgic_inject(v, intid);
		return true;
	}
	case 2:
		fv_inject_hw(v, fin_u8(in));
		return true;
	case 3: {
		/*
		 * The guest may first take its timers' conditions away (bit n: timer
		 * n). Bit 7 clear: check the exit against a whole sync.
		 */
		uint8_t drop = fin_u8(in);

		for (unsigned int i = 0; i < ARRAY_SIZE(fv_timer_ppis); i++) {
			if (drop & (1u << i))
				fv_line[v->pcpu][fv_timer_ppis[i]] = false;
		}
		fv_sync(v, !(drop & 0x80));
		return true;
	}
	case 4:
		fv_guest_ack(v, fin_u8(in));
		return true;
	case 5:
		fv_guest_eoi(v, fin_u8(in));
		return true;
	case 6: {
		uint8_t i = fin_u8(in);

		fv_guest_ack(v, i);
		fv_guest_eoi(v, i);
		return true;
	}
	case 7:
		fv_reset_vcpu(v);
		return true;
	default:
		return false;
	}
}

#endif
