/*
 * The interrupt registers GICv2's distributor, GICv3's distributor and GICv3's
 * redistributor SGI frame share (same offsets, same layout): enable, pending,
 * active, group, priority and configuration of a range of interrupts.
 */
#ifndef VGIC_VGIC_MMIO_H
#define VGIC_VGIC_MMIO_H

#include "core/vm.h"

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_TYPER2     0x00c
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_IGRPMODR   0xd00
#define GICD_SGIR       0xf00
#define GICD_IROUTER    0x6000
#define GICD_PIDR2      0xffe8

/* Which interrupts a frame's register file covers. */
struct vgic_irq_window {
	uint32_t first; /* lowest INTID reachable through this frame */
	uint32_t end;   /* one past the highest */
};

/*
 * Emulate an access at @offset of an interrupt register (IGROUPR to ICFGR).
 * Returns false if @offset is not one of them. The VM's vGIC lock is held.
 * Interrupts outside @win read as zero and ignore writes.
 */
bool vgic_mmio_irq_regs(struct vcpu *v, const struct vgic_irq_window *win, uint32_t offset,
                        struct mmio_access *acc);

/* A read-only register holding @val: a read gets it, a write is ignored (answered: true). */
static inline bool vgic_mmio_read_only(struct mmio_access *acc, uint64_t val)
{
	if (!acc->write)
		acc->data = val;
	return true;
}

/*
 * A frame's registers, in two parts. @plain answers those that hold no
 * interrupt state (ID registers, constants, RAZ/WI) without the VM's vGIC
 * lock, which all the VM's vCPUs contend for; whatever it does not answer
 * goes to @locked, under the lock, which emulates the registers with
 * interrupt state and returns false for an offset that is no register. Each
 * register is named on one side only: there is no list of "the locked ones"
 * to keep in step with @locked.
 */
struct vgic_frame {
	const char *name; /* for the log: "GICD" */
	bool (*plain)(struct vcpu *v, uint64_t offset, struct mmio_access *acc);
	bool (*locked)(struct vcpu *v, uint64_t offset, struct mmio_access *acc);
};

/*
 * One access to a distributor or redistributor frame at @base. A register
 * with interrupt state is emulated under the VM's vGIC lock, with the list
 * registers folded first so the guest reads its latest state. An unknown
 * register (which takes the lock too: a guest bug, not a hot path) reads as
 * zero, ignores writes and is logged with the frame's name.
 */
bool vgic_mmio_frame_access(struct vcpu *v, struct mmio_access *acc, uint64_t base,
                            const struct vgic_frame *frame);

#endif
