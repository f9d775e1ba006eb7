/*
 * Interrupt register emulation shared by every frame that has them. Each
 * register is a packed array of per-interrupt fields (1, 2 or 8 bits wide);
 * an access of any size reads or writes the fields it covers.
 */
#include "core/printf.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"
#include "vgic/vgic_mmio.h"

enum irq_field {
	FIELD_GROUP,
	FIELD_ENABLE_SET,
	FIELD_ENABLE_CLEAR,
	FIELD_PEND_SET,
	FIELD_PEND_CLEAR,
	FIELD_ACTIVE_SET,
	FIELD_ACTIVE_CLEAR,
	FIELD_PRIORITY,
	FIELD_CONFIG,
	FIELD_GRPMOD,
};

struct irq_reg {
	uint32_t base;
	unsigned int bits; /* per interrupt */
	enum irq_field field;
};

static const struct irq_reg irq_regs[] = {
    {GICD_IGROUPR, 1, FIELD_GROUP},          {GICD_ISENABLER, 1, FIELD_ENABLE_SET},
    {GICD_ICENABLER, 1, FIELD_ENABLE_CLEAR}, {GICD_ISPENDR, 1, FIELD_PEND_SET},
    {GICD_ICPENDR, 1, FIELD_PEND_CLEAR},     {GICD_ISACTIVER, 1, FIELD_ACTIVE_SET},
    {GICD_ICACTIVER, 1, FIELD_ACTIVE_CLEAR}, {GICD_IPRIORITYR, 8, FIELD_PRIORITY},
    {GICD_ICFGR, 2, FIELD_CONFIG},           {GICD_IGRPMODR, 1, FIELD_GRPMOD},
};

/*
 * Registers span enough of the INTID space for 1020 interrupts, each a whole
 * number of 128-byte blocks (a 1-bit register is one block). The lookup is by
 * block: irq_reg_block[offset / 128] is the register's index in irq_regs + 1,
 * 0 for none, so an access pays no search (an ID register the most).
 */
#define IRQ_REG_BLOCK         128
#define IRQ_REG_AT(off, i, n) [(off) / IRQ_REG_BLOCK...((off) / IRQ_REG_BLOCK + (n)-1)] = (i) + 1
#define IRQ_REG_BLOCKS        ((GICD_IGRPMODR + IRQ_REG_BLOCK) / IRQ_REG_BLOCK)

static const uint8_t irq_reg_block[IRQ_REG_BLOCKS] = {
    IRQ_REG_AT(GICD_IGROUPR, 0, 1),   IRQ_REG_AT(GICD_ISENABLER, 1, 1),
    IRQ_REG_AT(GICD_ICENABLER, 2, 1), IRQ_REG_AT(GICD_ISPENDR, 3, 1),
    IRQ_REG_AT(GICD_ICPENDR, 4, 1),   IRQ_REG_AT(GICD_ISACTIVER, 5, 1),
    IRQ_REG_AT(GICD_ICACTIVER, 6, 1), IRQ_REG_AT(GICD_IPRIORITYR, 7, 8),
    IRQ_REG_AT(GICD_ICFGR, 8, 2),     IRQ_REG_AT(GICD_IGRPMODR, 9, 1),
};

static const struct irq_reg *irq_reg_at(uint32_t offset)
{
	unsigned int i =
	    offset / IRQ_REG_BLOCK < IRQ_REG_BLOCKS ? irq_reg_block[offset / IRQ_REG_BLOCK] : 0;

	return i ? &irq_regs[i - 1] : NULL;
}

static uint32_t irq_field_read(const struct vgic_irq *irq, enum irq_field f)
{
	switch (f) {
	case FIELD_GROUP:
		return irq->group1;
	case FIELD_ENABLE_SET:
	case FIELD_ENABLE_CLEAR:
		return irq->enabled;
	case FIELD_PEND_SET:
	case FIELD_PEND_CLEAR:
		return irq->pending;
	case FIELD_ACTIVE_SET:
	case FIELD_ACTIVE_CLEAR:
		return irq->active;
	case FIELD_PRIORITY:
		return irq->priority;
	case FIELD_CONFIG:
		return irq->edge ? 2 : 0;
	case FIELD_GRPMOD:
		return 0;
	}
	return 0;
}

static void irq_field_write(struct vcpu *v, struct vgic_irq *irq, enum irq_field f, uint32_t val)
{
	/* GICv2: an SGI's pending state is per source, set in GICD_SPENDSGIRn only. */
	if ((f == FIELD_PEND_SET || f == FIELD_PEND_CLEAR) && irq->intid < GIC_NR_SGIS &&
	    v->vm->vgic.version == 2)
		return;
	switch (f) {
	case FIELD_GROUP:
		irq->group1 = val;
		break;
	case FIELD_ENABLE_SET:
		if (val)
			irq->enabled = true;
		break;
	case FIELD_ENABLE_CLEAR:
		if (val)
			irq->enabled = false;
		break;
	case FIELD_PEND_SET:
		if (val) {
			irq->pending = true;
			irq->pend_latch = !irq->edge;
		}
		break;
	case FIELD_PEND_CLEAR:
		if (val) {
			irq->pending = false;
			irq->pend_latch = false;
			irq->repend = false;
			vgic_hw_release_locked(v->vm, irq);
		}
		break;
	case FIELD_ACTIVE_SET:
		if (val)
			irq->active = true;
		break;
	case FIELD_ACTIVE_CLEAR:
		if (val) {
			irq->active = false;
			vgic_hw_release_locked(v->vm, irq);
		}
		break;
	case FIELD_PRIORITY:
		irq->priority = (uint8_t)val;
		break;
	case FIELD_CONFIG:
		if (irq->intid >= GIC_NR_SGIS) /* SGIs are always edge */
			irq->edge = val & 2;
		break;
	case FIELD_GRPMOD:
		break;
	}
	if (f >= FIELD_PEND_SET && f <= FIELD_ACTIVE_CLEAR && val)
		vgic_state_written_locked(v->vm, irq);
	else if (val || f == FIELD_GROUP || f == FIELD_PRIORITY || f == FIELD_CONFIG)
		vgic_config_written_locked(v->vm, irq);
}

bool vgic_mmio_irq_regs(struct vcpu *v, const struct vgic_irq_window *win, uint32_t offset,
                        struct mmio_access *acc)
{
	const struct irq_reg *r = irq_reg_at(offset);
	uint32_t first, mask, result = 0;
	unsigned int count;

	if (!r)
		return false;
	/* Bit-per-interrupt registers are word-accessed; wider fields allow byte access. */
	if ((r->bits < 8 && acc->size != 4) || acc->size > 4)
		return false;
	first = (offset - r->base) * 8 / r->bits;
	count = acc->size * 8 / r->bits;
	mask = r->bits == 32 ? ~0u : (1u << r->bits) - 1;

	for (unsigned int i = 0; i < count; i++) {
		uint32_t intid = first + i;
		struct vgic_irq *irq;

		if (intid < win->first || intid >= win->end || !(irq = vgic_get_irq(v, intid)))
			continue;
		if (acc->write)
			irq_field_write(v, irq, r->field,
			                (uint32_t)(acc->data >> (i * r->bits)) & mask);
		else
			result |= irq_field_read(irq, r->field) << (i * r->bits);
	}
	if (!acc->write)
		acc->data = result;
	return true;
}

bool vgic_mmio_frame_access(struct vcpu *v, struct mmio_access *acc, uint64_t base,
                            const struct vgic_frame *frame)
{
	struct vm *vm = v->vm;
	uint64_t offset = acc->ipa - base;
	bool ok = frame->plain(v, offset, acc);

	if (!ok) {
		vgic_lrs_snapshot(v);
		vgic_lock(vm);
		vgic_fold_lrs(v);
		/* The guest reads the timers' lines as they are now. */
		if (v->vgic.levels_watch)
			vgic_resample_levels_locked(v);
		ok = frame->locked(v, offset, acc);
		vgic_unlock(vm);
		vgic_lrs_flush(v);
	}
	if (!ok) {
		vm_log(vm, "hyp: %s vcpu%u: unhandled %u-byte %s of %s+0x%lx\n", vm->name, v->id,
		       acc->size, acc->write ? "write" : "read", frame->name, offset);
		if (!acc->write)
			acc->data = 0;
	}
	return true; /* the access is answered either way: no abort for the guest */
}
