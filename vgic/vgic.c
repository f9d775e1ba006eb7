/*
 * vGIC state, injection and the list-register manager (see vgic.h). Version
 * neutral: list registers are read and written through the GIC driver in the
 * struct gic_lr form.
 */
#include "core/lib.h"
#include "core/percpu.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"

static void vgic_kick(struct vcpu *v);

/*
 * The reset state of an interrupt. Its group resets to 0 on a GICv2 (Linux's
 * GICv2 driver runs everything in Group 0) and to 1 on a GICv3, whose
 * IGROUPR reset value the architecture leaves UNKNOWN: as KVM does, a guest
 * that never writes IGROUPR gets Group 1 interrupts, the ones a non-secure
 * OS takes as IRQs.
 */
static void vgic_irq_init(const struct vm *vm, struct vgic_irq *irq, uint32_t intid, uint8_t target)
{
	*irq = (struct vgic_irq){
	    .intid = (uint16_t)intid,
	    .priority = 0,
	    .target = target,
	    .v2_targets = (uint8_t)(1u << target),
	    .edge = intid < GIC_NR_SGIS, /* SGIs are edge; the rest level until configured */
	    .group1 = vm->vgic.version == 3,
	    .lr = -1,
	};
}

void vgic_dist_init(struct vm *vm, unsigned int version, unsigned int nr_lrs)
{
	struct vgic_dist *d = &vm->vgic;

	d->version = version;
	d->nr_lrs = MIN(nr_lrs, (unsigned int)VGIC_MAX_LRS);
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		vgic_irq_init(vm, &d->spis[i], VGIC_NR_PRIVATE + i, 0);
}

void vgic_dist_reset(struct vm *vm)
{
	struct vgic_dist *d = &vm->vgic;

	vgic_lock(vm);
	/* Off vCPUs hold nothing in list registers (vgic_cpu_off); their ap lists go too. */
	for (unsigned int v = 0; v < vm->nr_vcpus; v++) {
		struct vgic_cpu *c = &vm->vcpus[v]->vgic;

		for (unsigned int i = 0; i < c->nr_ap; i++)
			c->ap_list[i]->queued = false;
		c->nr_ap = 0;
	}
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++) {
		struct vgic_irq *irq = &d->spis[i];
		bool hw = irq->hw;
		uint16_t hwintid = irq->hwintid;

		/* The VM that took this physical interrupt is gone: let its device interrupt again.
		 */
		if (hw && (irq->active || irq->pending || irq->lr >= 0))
			gic_deactivate(hwintid);
		vgic_irq_init(vm, irq, VGIC_NR_PRIVATE + i, 0);
		irq->hw = hw;
		irq->hwintid = hwintid;
	}
	d->grp_en = 0;
	d->ctlr = 0;
	vgic_unlock(vm);
}

void vgic_cpu_reset(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;

	vgic_lock(v->vm);
	/*
	 * SPIs queued on this vCPU leave its list and lose any active state (the
	 * guest that was handling them is gone); a physical interrupt it never
	 * EOIed is deactivated so its device can interrupt again. Pending SPIs
	 * stay pending and are queued again once the vCPU runs.
	 */
	for (unsigned int i = 0; i < c->nr_ap; i++) {
		struct vgic_irq *irq = c->ap_list[i];

		if (irq->hw && (irq->active || irq->lr >= 0))
			gic_deactivate(irq->hwintid);
		irq->active = false;
		irq->queued = false;
		irq->lr = -1;
		irq->lr_stale = false;
		irq->lr_pending = false;
		irq->repend = false;
	}
	c->nr_ap = 0;
	c->lr_used = 0;
	c->lr_snapped = false;
	c->lr_out_mask = 0; /* its registers are cleared (gic_vcpu_if_reset) or not its */
	c->underflow = false;
	c->need_sync = false; /* the requeue below sets it again if anything waits */
	c->levels_watch = false;
	c->levels_fresh = 0;
	for (uint32_t ppis = c->hw_deactivate; ppis; ppis &= ppis - 1)
		gic_deactivate((uint32_t)__builtin_ctz(ppis));
	c->hw_deactivate = 0;
	c->sampled = 0;
	memset(c->lr_irq, 0, sizeof(c->lr_irq));
	for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++)
		vgic_irq_init(v->vm, &c->private_irqs[i], i, (uint8_t)v->id);
	vgic_requeue_all_locked(v->vm);
	vgic_unlock(v->vm);
}

/*
 * A vCPU going off must not keep interrupts in its list registers: Linux moves
 * its SPIs to another CPU before CPU_OFF, but one already in a list register
 * would wait there for a CPU_ON that may never come (and a hardware-linked one
 * would keep its physical interrupt active meanwhile). Read back what the
 * guest did with each register, keep the pending state of what is still
 * there, then reset as for CPU_ON: anything still pending is queued again on
 * its current target, a hardware interrupt left active is deactivated.
 */
void vgic_cpu_off(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;

	vgic_lock(v->vm);
	vgic_fold_lrs(v);
	for (unsigned int i = 0; c->lr_used >> i; i++) {
		struct vgic_irq *irq = c->lr_irq[i];

		if ((c->lr_used & (1u << i)) && irq->repend)
			irq->pending = true; /* injected again while in the register */
	}
	vgic_unlock(v->vm);
	gic_vcpu_if_reset();
	vgic_cpu_reset(v);
}

struct vgic_irq *vgic_get_irq(struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return &v->vgic.private_irqs[intid];
	if (intid < VGIC_NR_IRQS)
		return &v->vm->vgic.spis[intid - VGIC_NR_PRIVATE];
	return NULL;
}

/* The vCPU an SPI is delivered to; NULL if it has none (GICv2 ITARGETSR 0). */
static struct vcpu *vgic_target_vcpu(struct vm *vm, const struct vgic_irq *irq)
{
	if (irq->target == VGIC_NO_TARGET)
		return NULL;
	return irq->target < vm->nr_vcpus ? vm->vcpus[irq->target] : vm->vcpus[0];
}

/* An SPI routed to another vCPU than @v (while it sat on @v's ap list, say). */
static bool vgic_spi_routed_away(struct vm *vm, const struct vgic_irq *irq, const struct vcpu *v)
{
	return irq->intid >= VGIC_NR_PRIVATE && vgic_target_vcpu(vm, irq) != v;
}

static bool vgic_irq_has_target(const struct vgic_irq *irq)
{
	return irq->intid < VGIC_NR_PRIVATE || irq->target != VGIC_NO_TARGET;
}

/* Pending, and forwarded: enabled, its group enabled, a target to go to. */
static bool vgic_irq_deliverable(const struct vm *vm, const struct vgic_irq *irq)
{
	return irq->pending && irq->enabled && vgic_group_enabled(&vm->vgic, irq) &&
	       vgic_irq_has_target(irq);
}

/* (An active one with no target finishes in the list register it has, if any.) */
static inline bool vgic_irq_wants_lr(const struct vm *vm, const struct vgic_irq *irq)
{
	return vgic_irq_has_target(irq) && (irq->active || (irq->pending && irq->enabled &&
	                                                    vgic_group_enabled(&vm->vgic, irq)));
}

static bool vgic_is_v2_sgi(const struct vm *vm, const struct vgic_irq *irq)
{
	return vm->vgic.version == 2 && irq->intid < GIC_NR_SGIS;
}

static void ap_list_append(struct vgic_cpu *c, struct vgic_irq *irq)
{
	c->ap_list[c->nr_ap++] = irq; /* cannot overflow: see VGIC_AP_MAX */
	irq->queued = true;
}

/*
 * Queue @irq for a list register: the next return to the guest syncs. It may
 * be queued already, its register freed by a fold this exit: the sync is
 * owed all the same.
 */
static void ap_list_add(struct vgic_cpu *c, struct vgic_irq *irq)
{
	if (!irq->queued)
		ap_list_append(c, irq);
	c->need_sync = true;
}

static void ap_list_remove_at(struct vgic_cpu *c, unsigned int i)
{
	c->ap_list[i]->queued = false;
	c->ap_list[i] = c->ap_list[--c->nr_ap];
}

/*
 * A sampled level of @c made pending: its line is watched at each exit from
 * now on. @hw: its physical interrupt fired, so the line is high this exit.
 */
static void vgic_watch_level(struct vgic_cpu *c, const struct vgic_irq *irq, bool hw)
{
	uint32_t bit = irq->intid < VGIC_NR_PRIVATE ? 1u << irq->intid : 0;

	if (!(c->sampled & bit))
		return;
	c->levels_watch = true;
	if (hw)
		c->levels_fresh |= bit;
}

/* Take @irq, in no list register, off @c's ap list. */
static void ap_list_remove(struct vgic_cpu *c, const struct vgic_irq *irq)
{
	for (unsigned int i = 0; i < c->nr_ap; i++) {
		if (c->ap_list[i] == irq) {
			ap_list_remove_at(c, i);
			return;
		}
	}
}

/* Queue @irq on its target if it now needs delivering (lock held). */
void vgic_update_irq_locked(struct vm *vm, struct vgic_irq *irq)
{
	struct vcpu *target;

	/* A guest write may leave a timer pending but not latched (GICD_ICFGR): watch it. */
	if (irq->pending && irq->intid < VGIC_NR_PRIVATE)
		vgic_watch_level(&vm->vcpus[irq->target]->vgic, irq, false);
	/* In a list register: its holder, asked to sync by whoever changed it, rewrites it. */
	if (!vgic_irq_wants_lr(vm, irq) || irq->lr >= 0)
		return;
	target = irq->intid < VGIC_NR_PRIVATE ? vm->vcpus[irq->target] : vgic_target_vcpu(vm, irq);
	/*
	 * Queued already, in no register: it waits for one (an underflow request
	 * stands), or the vCPU whose fold freed its register syncs at this exit
	 * (vgic_fold_lrs). Either way a sync places it; no kick.
	 */
	if (irq->queued) {
		target->vgic.need_sync = true;
		return;
	}
	ap_list_add(&target->vgic, irq);
	vgic_kick(target);
}

void vgic_v2_sgi_pend_locked(struct vcpu *t, struct vgic_irq *irq, unsigned int source)
{
	bool repend = irq->repend;

	irq->sgi_pend_src |= (uint8_t)(1u << source);
	vgic_inject_locked(t, irq->intid);
	/*
	 * Only a second SGI from the source its list register shows may be one
	 * the register cannot tell from the first (repend); another source's is
	 * its own bit, which acknowledging the first does not clear.
	 */
	if (irq->lr >= 0 && irq->sgi_source != source)
		irq->repend = repend;
}

void vgic_v2_sgi_unpend_locked(struct vcpu *t, struct vgic_irq *irq, uint8_t mask)
{
	if (!(irq->sgi_pend_src & mask))
		return;
	irq->sgi_pend_src &= (uint8_t)~mask;
	irq->pending = irq->sgi_pend_src != 0;
	vgic_state_written_locked(t->vm, irq); /* its list register is rewritten or emptied */
}

/* The vCPU whose list register holds @irq must rewrite it at its next sync. */
static void vgic_lr_holder_needs_sync(struct vm *vm, const struct vgic_irq *irq)
{
	if (irq->lr >= 0 && irq->lr_vcpu < vm->nr_vcpus)
		vm->vcpus[irq->lr_vcpu]->vgic.need_sync = true;
}

void vgic_state_written_locked(struct vm *vm, struct vgic_irq *irq)
{
	if (irq->lr >= 0) {
		irq->lr_stale = true;
		irq->repend = false;
		vgic_lr_holder_needs_sync(vm, irq);
	}
	vgic_update_irq_locked(vm, irq);
}

void vgic_config_written_locked(struct vm *vm, struct vgic_irq *irq)
{
	struct vcpu *target =
	    irq->intid < VGIC_NR_PRIVATE ? vm->vcpus[irq->target] : vgic_target_vcpu(vm, irq);

	vgic_lr_holder_needs_sync(vm, irq);
	if (irq->queued && target)
		target->vgic.need_sync = true; /* its priority may change what gets a register */
	vgic_update_irq_locked(vm, irq);
}

void vgic_dist_enables_written_locked(struct vm *vm)
{
	for (unsigned int v = 0; v < vm->nr_vcpus; v++)
		vm->vcpus[v]->vgic.need_sync = true;
	vgic_requeue_all_locked(vm);
}

void vgic_requeue_all_locked(struct vm *vm)
{
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		vgic_update_irq_locked(vm, &vm->vgic.spis[i]);
	for (unsigned int v = 0; v < vm->nr_vcpus; v++) {
		for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++)
			vgic_update_irq_locked(vm, &vm->vcpus[v]->vgic.private_irqs[i]);
	}
}

void vgic_retarget_locked(struct vm *vm, struct vgic_irq *irq, unsigned int target)
{
	struct vcpu *old = vgic_target_vcpu(vm, irq);

	irq->target = (uint8_t)(target < vm->nr_vcpus || target == VGIC_NO_TARGET ? target : 0);
	/*
	 * An interrupt already in a list register finishes where it is; its
	 * holder syncs, as one routed to no vCPU leaves the register if only
	 * pending.
	 */
	if (irq->lr >= 0) {
		vgic_lr_holder_needs_sync(vm, irq);
		return;
	}
	for (unsigned int i = 0; irq->queued && old && i < old->vgic.nr_ap; i++) {
		if (old->vgic.ap_list[i] == irq) {
			ap_list_remove_at(&old->vgic, i);
			break;
		}
	}
	/* Queues it on the new target (one it had none waits for) and kicks it. */
	vgic_update_irq_locked(vm, irq);
}

void vgic_hw_release_locked(struct vm *vm, struct vgic_irq *irq)
{
	struct vcpu *owner;

	if (!irq->hw || irq->lr >= 0 || irq->pending || irq->active)
		return;
	owner = irq->intid < VGIC_NR_PRIVATE ? vm->vcpus[irq->target] : NULL;
	if (!owner || owner->pcpu == smp_processor_id()) {
		gic_deactivate(irq->hwintid);
		return;
	}
	owner->vgic.hw_deactivate |= 1u << irq->intid;
	vgic_kick(owner);
}

void vgic_route_hw(struct vm *vm, const struct vgic_irq *irq)
{
	struct vcpu *target = vgic_target_vcpu(vm, irq);

	if (irq->hw && irq->intid >= VGIC_NR_PRIVATE && target)
		gic_spi_route(irq->hwintid, target->pcpu);
}

/*
 * Kick @v's physical CPU if it is not the caller's, so it syncs its list
 * registers: with the VM's lock held, once vgic_unlock() drops it.
 */
static void vgic_kick(struct vcpu *v)
{
	if (v->pcpu != smp_processor_id())
		v->vm->vgic.kicks |= 1u << v->pcpu;
}

void vgic_lock(struct vm *vm)
{
	spin_lock(&vm->vgic.lock);
}

void vgic_unlock(struct vm *vm)
{
	uint32_t kicks = vm->vgic.kicks;

	vm->vgic.kicks = 0;
	spin_unlock(&vm->vgic.lock);
	for (; kicks; kicks &= kicks - 1)
		gic_send_sgi((unsigned int)__builtin_ctz(kicks), SGI_KICK);
}

static bool vgic_lr_write_irq(struct vcpu *v, unsigned int i, struct vgic_irq *irq);
static void vgic_lr_record(struct vcpu *v, unsigned int i, struct vgic_irq *irq, bool pending);

/*
 * The fast path of a hardware interrupt (a timer, a passthrough SPI) whose
 * target @v runs on this CPU, when nothing else is in flight for it: straight
 * into a list register, the one that held the interrupt's last instance if
 * the guest has completed it, else a free one. The result is what a sync
 * would make of it, so the exit needs none. Anything else (state to sync, an
 * underflow request, the vCPU not running here, the interrupt still in the
 * guest's hands or not deliverable) takes the general path: false. Its one
 * register access is made under the lock: deferring it measured 20
 * instructions more per interrupt for no gain in the adversary's time.
 */
static bool vgic_inject_direct_locked(struct vcpu *v, struct vgic_irq *irq)
{
	struct vm *vm = v->vm;
	struct vgic_cpu *c = &v->vgic;
	unsigned int i;

	if (c->need_sync || c->underflow || this_cpu()->vcpu != v || vcpu_power_state(v) != VCPU_ON)
		return false;
	if (!irq->enabled || !vgic_group_enabled(&vm->vgic, irq) || irq->repend)
		return false;
	if (irq->lr >= 0) {
		i = (unsigned int)irq->lr;
		if (irq->lr_vcpu != v->id || irq->lr_stale)
			return false;
		if (!(gic_empty_lrs() & (1u << i)))
			return false; /* pending or active still: injected again, the general way */
		/* Completed (the GIC has deactivated the physical one): as the fold sees it. */
		if (irq->lr_pending)
			irq->pend_latch = false;
		irq->active = false;
	} else {
		uint32_t free = ((1u << vm->vgic.nr_lrs) - 1) & ~c->lr_used;

		if (irq->queued || irq->active || !free)
			return false;
		i = (unsigned int)__builtin_ctz(free);
		ap_list_append(c, irq);
	}
	irq->pending = true;
	/* What vgic_lr_write_irq() would write, known here: hw, pending, not a GICv2 SGI. */
	gic_write_lr(i, &(struct gic_lr){.virq = irq->intid,
	                                 .pirq = irq->hwintid,
	                                 .priority = irq->priority,
	                                 .state = GIC_LR_PENDING,
	                                 .hw = true,
	                                 .group1 = irq->group1});
	vgic_lr_record(v, i, irq, true);
	vgic_watch_level(c, irq, true);
	return true;
}

/* Make @intid pending for @v (private) or its target (SPI); returns whom to kick. */
static struct vcpu *vgic_make_pending_locked(struct vcpu *v, uint32_t intid, bool hw)
{
	struct vm *vm = v->vm;
	struct vgic_irq *irq = vgic_get_irq(v, intid);
	struct vcpu *target;

	if (!irq)
		return NULL;
	target = intid < VGIC_NR_PRIVATE ? v : vgic_target_vcpu(vm, irq);
	if (hw) {
		irq->hw = true;
		irq->hwintid = (uint16_t)intid;
		if (target && vgic_inject_direct_locked(target, irq))
			return target;
	}
	if (irq->lr >= 0) {
		irq->repend = true; /* the list register's copy is older than this */
		vgic_lr_holder_needs_sync(vm, irq);
	}
	irq->pending = true;
	/* Disabled (or distributor off, or no target): it stays pending, queued once it can go. */
	if (target && vgic_irq_wants_lr(vm, irq))
		ap_list_add(&target->vgic, irq);
	if (target)
		vgic_watch_level(&target->vgic, irq, hw);
	return target;
}

void vgic_inject_locked(struct vcpu *v, uint32_t intid)
{
	struct vcpu *target = vgic_make_pending_locked(v, intid, false);

	if (target) {
		target->vgic.nr_injected++;
		vgic_kick(target);
	}
}

static void vgic_inject_common(struct vcpu *v, uint32_t intid, bool hw)
{
	struct vcpu *target;

	vgic_lock(v->vm);
	target = vgic_make_pending_locked(v, intid, hw);
	if (target) {
		target->vgic.nr_injected++;
		vgic_kick(target);
	}
	vgic_unlock(v->vm);
}

void vgic_inject(struct vcpu *v, uint32_t intid)
{
	vgic_inject_common(v, intid, false);
}

void vgic_inject_hw(struct vcpu *v, uint32_t intid)
{
	vgic_inject_common(v, intid, true);
}

void vgic_map_level(struct vcpu *v, uint32_t intid, vgic_line_fn line)
{
	struct vgic_irq *irq;

	if (intid >= VGIC_NR_PRIVATE)
		return;
	irq = &v->vgic.private_irqs[intid];
	vgic_lock(v->vm);
	irq->hw = true;
	irq->hwintid = (uint16_t)intid;
	irq->line_level = line;
	v->vgic.sampled |= 1u << intid;
	vgic_unlock(v->vm);
}

/*
 * The pending state of a level interrupt is its line, or a latch set by
 * GICD_ISPENDR. The physical interrupt was acknowledged when the line rose,
 * so the GIC no longer tracks it: read the line here. Once it is low, the
 * interrupt stops being pending, whether it waits in a list register (the
 * refill takes it out) or in the vGIC's state, and the physical interrupt is
 * deactivated so the source can raise it again.
 */
void vgic_resample_levels_locked(struct vcpu *v)
{
	bool watch = false;

	for (uint32_t s = v->vgic.sampled; s; s &= s - 1) {
		struct vgic_irq *irq = &v->vgic.private_irqs[__builtin_ctz(s)];

		if (!irq->pending || irq->pend_latch)
			continue;
		if (irq->line_level(irq->intid)) {
			watch = true;
			continue;
		}
		irq->pending = false;
		vgic_state_written_locked(v->vm, irq);
		vgic_hw_release_locked(v->vm, irq);
	}
	v->vgic.levels_watch = watch;
}

/* List register @i gets @lr when the lock is dropped (vgic_lrs_flush). */
static void vgic_lr_put(struct vgic_cpu *c, unsigned int i, const struct gic_lr *lr)
{
	c->lr_out[i] = *lr;
	c->lr_out_mask |= 1u << i;
}

void vgic_lrs_flush(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;

	for (uint32_t m = c->lr_out_mask; m; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(m);

		gic_write_lr(i, &c->lr_out[i]);
	}
	c->lr_out_mask = 0;
}

void vgic_lrs_snapshot(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	uint32_t used = c->lr_used; /* changed only on this CPU, or while the vCPU is off */

	c->lr_empty = used ? gic_empty_lrs() : 0;
	c->lr_read = used & ~c->lr_empty;
	for (uint32_t r = c->lr_read; r; r &= r - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(r);

		gic_read_lr(i, &c->lr_in[i]);
	}
	c->lr_snapped = true;
}

static void vgic_lr_release(struct vgic_cpu *c, unsigned int i)
{
	struct vgic_irq *irq = c->lr_irq[i];

	irq->lr = -1;
	irq->lr_pending = false;
	irq->repend = false; /* its pending state is irq->pending alone again */
	c->lr_irq[i] = NULL;
	c->lr_used &= ~(1u << i);
}

/*
 * Read back what the guest did with each list register we filled. One the
 * GIC reports empty (completed, no EOI maintenance owed) needs no read. The
 * snapshot, if taken, is this fold's only: one register it did not read (none
 * was taken, or the vCPU was reset meanwhile) is read now.
 */
void vgic_fold_lrs(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	uint32_t empty = c->lr_snapped ? c->lr_empty : (c->lr_used ? gic_empty_lrs() : 0);
	uint32_t read = c->lr_snapped ? c->lr_read : 0;

	c->lr_snapped = false;
	for (unsigned int i = 0; c->lr_used >> i; i++) {
		struct vgic_irq *irq = c->lr_irq[i];
		struct gic_lr lr = {0};

		if (!(c->lr_used & (1u << i)))
			continue;
		if (irq->lr_stale)
			continue; /* the guest's MMIO write wins; the refill rewrites the LR */
		if (read & (1u << i))
			lr = c->lr_in[i];
		else if (!(empty & (1u << i)))
			gic_read_lr(i, &lr);
		irq->active = lr.state & GIC_LR_ACTIVE;
		/*
		 * The guest can only take away a pending state we put in the register
		 * (by acknowledging it); one the register never held (the interrupt was
		 * disabled, or injected again since) is still ours, whatever the
		 * register says, and folding again must not lose it.
		 */
		if (irq->lr_pending && !(lr.state & GIC_LR_PENDING)) {
			if (vgic_is_v2_sgi(v->vm, irq)) {
				/* That source's instance was acknowledged; others may wait. */
				if (!irq->repend)
					irq->sgi_pend_src &= (uint8_t) ~(1u << irq->sgi_source);
				irq->pending = irq->sgi_pend_src != 0;
			} else {
				irq->pending = irq->repend;
			}
			irq->repend = false;
			irq->pend_latch = false; /* acknowledged */
			if (irq->pending)
				c->need_sync = true; /* the next instance waits for the refill */
		}
		irq->lr_pending = lr.state & GIC_LR_PENDING;
		/* Emptied by the guest with EOI maintenance asked: cleared, or it stays raised. */
		if (lr.state == 0 && lr.eoi_irq)
			vgic_lr_put(c, i, &(struct gic_lr){0});
		if (lr.state == 0) {
			/* The guest has EOIed it (for hw, the GIC deactivated the physical one). */
			if (!irq->hw)
				c->nr_eois++;
			vgic_lr_release(c, i);
			/*
			 * No interrupt stays queued in no register past a fold outside a
			 * sync (a GIC access): one still wanted here, or routed elsewhere
			 * meanwhile, is the exit's sync's to place or move; the rest
			 * leaves the ap list now.
			 */
			if (vgic_irq_wants_lr(v->vm, irq) || vgic_spi_routed_away(v->vm, irq, v))
				c->need_sync = true;
			else
				ap_list_remove(c, irq);
		}
	}
}

/* Lower priority value first; among equals, lower INTID first. */
static bool irq_before(const struct vgic_irq *a, const struct vgic_irq *b)
{
	return a->priority < b->priority || (a->priority == b->priority && a->intid < b->intid);
}

static void ap_list_sort(struct vgic_cpu *c)
{
	for (unsigned int i = 1; i < c->nr_ap; i++) {
		struct vgic_irq *irq = c->ap_list[i];
		unsigned int j = i;

		for (; j > 0 && irq_before(irq, c->ap_list[j - 1]); j--)
			c->ap_list[j] = c->ap_list[j - 1];
		c->ap_list[j] = irq;
	}
}

/*
 * Of what is in no list register: drop what no longer wants one (enabling or
 * injecting queues it again), and hand an SPI routed elsewhere while it sat
 * in one of @v's registers to its target now (queued there, kicked), so it is
 * neither delivered here nor left waiting on a vCPU that may never run.
 */
static void ap_list_prune(struct vm *vm, struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;

	for (unsigned int i = 0; i < c->nr_ap;) {
		struct vgic_irq *irq = c->ap_list[i];
		bool moved = vgic_spi_routed_away(vm, irq, v);

		if (irq->lr < 0 && (moved || !vgic_irq_wants_lr(vm, irq))) {
			ap_list_remove_at(c, i);
			if (moved)
				vgic_update_irq_locked(vm, irq);
		} else {
			i++;
		}
	}
}

/*
 * A GICv2 SGI is one interrupt per source vCPU, and a list register shows one
 * source: the active one, else the lowest pending. Its pending state there is
 * that source's own. If other sources wait, the guest's EOI raises a
 * maintenance interrupt, so the next is in a list register at once.
 */
static void vgic_v2_sgi_lr(struct vgic_irq *irq, struct gic_lr *lr)
{
	if (irq->pending && !irq->sgi_pend_src) /* made pending with no source: its last one */
		irq->sgi_pend_src = (uint8_t)(1u << irq->sgi_source);
	/*
	 * A source whose instance the register shows pending keeps it: the guest
	 * may EOI the active instance of an SGI pending again from the same
	 * source without an exit, and a sync must then find what a skipped one
	 * leaves in the register (found by the fuzzer: it had moved to source 0).
	 */
	if (!irq->active && irq->sgi_pend_src && !(irq->sgi_pend_src & (1u << irq->sgi_source)))
		irq->sgi_source = (uint8_t)__builtin_ctz(irq->sgi_pend_src);
	lr->source = irq->sgi_source;
	if (!(irq->sgi_pend_src & (1u << irq->sgi_source)))
		lr->state &= (uint8_t)~GIC_LR_PENDING;
	lr->eoi_irq = (irq->sgi_pend_src & ~(1u << irq->sgi_source)) != 0;
}

/* List register @i of @v now holds @irq (@pending: with its pending state). */
static void vgic_lr_record(struct vcpu *v, unsigned int i, struct vgic_irq *irq, bool pending)
{
	struct vgic_cpu *c = &v->vgic;

	c->lr_irq[i] = irq;
	c->lr_used |= 1u << i;
	irq->lr = (int8_t)i;
	irq->lr_vcpu = (uint8_t)v->id;
	irq->lr_stale = false;
	irq->lr_pending = pending;
	irq->repend = false; /* the register is up to date */
}

/*
 * Write @irq into list register @i of @v. Returns whether a pending state
 * waits that the register cannot show: a hardware-linked one is active and
 * pending again (the GIC owns its active state). Its EOI raises no exit, so
 * the vCPU syncs at every exit until the register is free again.
 */
static bool vgic_lr_write_irq(struct vcpu *v, unsigned int i, struct vgic_irq *irq)
{
	struct vm *vm = v->vm;
	bool hidden = false;
	struct gic_lr lr = {
	    .virq = irq->intid,
	    .pirq = irq->hwintid,
	    .priority = irq->priority,
	    .state = (uint8_t)((vgic_irq_deliverable(vm, irq) ? GIC_LR_PENDING : 0) |
	                       (irq->active ? GIC_LR_ACTIVE : 0)),
	    .hw = irq->hw,
	    .group1 = irq->group1, /* Group 0 is the guest's FIQ (GICv3), never its IRQ */
	    .source = irq->sgi_source,
	};

	/* A hw LR cannot be pending and active at once: the GIC owns the active state. */
	if (irq->hw && lr.state == (GIC_LR_PENDING | GIC_LR_ACTIVE)) {
		lr.state = GIC_LR_ACTIVE;
		hidden = true;
	}
	if (vgic_is_v2_sgi(vm, irq))
		vgic_v2_sgi_lr(irq, &lr);
	vgic_lr_put(&v->vgic, i, &lr);
	vgic_lr_record(v, i, irq, lr.state & GIC_LR_PENDING);
	return hidden;
}

/* The list registers, as a mask, that hold an interrupt the guest has active; and how many. */
static uint32_t vgic_active_lrs(const struct vgic_cpu *c, unsigned int *count)
{
	uint32_t active = 0;

	*count = 0;
	for (uint32_t used = c->lr_used; used; used &= used - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(used);

		if (c->lr_irq[i]->active) {
			active |= 1u << i;
			(*count)++;
		}
	}
	return active;
}

/*
 * Choose what the list registers hold: every active interrupt already in one
 * stays (the guest is handling it); the remaining registers go to the most
 * urgent interrupts that want delivery (the ap list is sorted), evicting less
 * urgent pending ones. Registers are tracked as bitmasks: this runs on every
 * return to a guest that has an interrupt in flight. Returns whether
 * interrupts were left waiting (overflow); *@evicted, whether pending ones
 * lost their register to make room; *@hidden, whether a register could not
 * show a pending state (vgic_lr_write_irq).
 */
static bool vgic_fill_lrs(struct vcpu *v, bool *evicted, bool *hidden)
{
	struct vm *vm = v->vm;
	struct vgic_cpu *c = &v->vgic;
	uint32_t all = (1u << vm->vgic.nr_lrs) - 1;
	unsigned int nr_active;
	uint32_t keep = vgic_active_lrs(c, &nr_active); /* registers whose interrupt stays */
	unsigned int slots = vm->vgic.nr_lrs - nr_active;
	struct vgic_irq *chosen[VGIC_MAX_LRS];
	unsigned int nr_new = 0;
	bool overflow = false;

	for (unsigned int i = 0; i < c->nr_ap; i++) {
		struct vgic_irq *irq = c->ap_list[i];

		if (!vgic_irq_wants_lr(vm, irq) || (irq->lr >= 0 && irq->active))
			continue;
		if (!slots) {
			overflow = true;
			break;
		}
		slots--;
		if (irq->lr >= 0)
			keep |= 1u << irq->lr; /* already in a register: stays there */
		else
			chosen[nr_new++] = irq;
	}
	/* Evict pending interrupts that lost their place; they stay pending. */
	uint32_t evict = c->lr_used & ~keep;

	*evicted = evict;
	for (; evict; evict &= evict - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(evict);
		struct vgic_irq *irq = c->lr_irq[i];

		vgic_lr_put(c, i, &(struct gic_lr){0});
		irq->lr_stale = false;
		vgic_lr_release(c, i);
		/* Dropped by the guest's MMIO while in the register: no EOI will end it. */
		vgic_hw_release_locked(vm, irq);
	}
	/* Rewrite the ones that stay (their state may have changed), then place the new. */
	for (uint32_t stay = keep; stay; stay &= stay - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(stay);

		*hidden |= vgic_lr_write_irq(v, i, c->lr_irq[i]);
	}
	for (unsigned int k = 0; k < nr_new; k++)
		*hidden |=
		    vgic_lr_write_irq(v, (unsigned int)__builtin_ctz(all & ~c->lr_used), chosen[k]);
	return overflow;
}

void vgic_sync_lrs(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vgic_cpu *c = &v->vgic;
	bool overflow, evicted, hidden = false;

	vgic_lrs_snapshot(v);
	vgic_lock(vm);
	c->levels_fresh = 0; /* every line is read below */
	/* PPIs another vCPU's MMIO dropped: only this CPU can end its own. */
	for (uint32_t ppis = c->hw_deactivate; ppis; ppis &= ppis - 1)
		gic_deactivate((uint32_t)__builtin_ctz(ppis));
	c->hw_deactivate = 0;
	vgic_fold_lrs(v);
	if (c->levels_watch) /* else no sampled level is pending: nothing to drop */
		vgic_resample_levels_locked(v);
	ap_list_prune(vm, v); /* what left its register since: not for the fill */
	ap_list_sort(c);
	overflow = vgic_fill_lrs(v, &evicted, &hidden);
	if (evicted)
		ap_list_prune(vm, v); /* and what the fill evicted */
	if (overflow)
		c->nr_overflows++;
	if (overflow != c->underflow) {
		gic_set_underflow_irq(overflow);
		c->underflow = overflow;
	}
	/* Last: what the fold found owed, the fill has placed; what it could not show waits. */
	c->need_sync = hidden;
	vgic_unlock(vm);
	vgic_lrs_flush(v);
}

/* The sampled levels of @c pending on their lines alone, but those in @fresh. */
static uint32_t vgic_levels_pending(const struct vgic_cpu *c, uint32_t fresh)
{
	uint32_t pending = 0;

	for (uint32_t s = c->sampled & ~fresh; s; s &= s - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(s);
		const struct vgic_irq *irq = &c->private_irqs[i];

		if (irq->pending && !irq->pend_latch)
			pending |= 1u << i;
	}
	return pending;
}

/* Sync @v if one of @levels' lines is low. Apart, so that "none pending" needs no frame. */
static __noinline void vgic_sync_if_lines_low(struct vcpu *v, uint32_t levels)
{
	for (; levels; levels &= levels - 1) {
		const struct vgic_irq *irq = &v->vgic.private_irqs[__builtin_ctz(levels)];

		if (!irq->line_level(irq->intid)) {
			vgic_sync_lrs(v);
			return;
		}
	}
}

/*
 * A pending level interrupt whose line has dropped since (the guest disabled,
 * masked or re-armed its timer): its pending state must go, which takes a
 * sync. Runs on @v's own CPU, without the lock: the other CPUs only latch
 * (GICD_ISPENDR) or sync-request these interrupts, so a stale read costs at
 * most a sync. Lines whose interrupt this exit took (levels_fresh) are high.
 */
void vgic_check_levels(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	uint32_t fresh = c->levels_fresh;
	uint32_t pending = vgic_levels_pending(c, fresh);

	c->levels_fresh = 0;
	if (pending)
		vgic_sync_if_lines_low(v, pending);
	else
		c->levels_watch = fresh != 0; /* none: nothing to watch until the next injection */
}
