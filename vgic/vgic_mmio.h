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

/* Is @offset one of the interrupt registers (whatever the access's size)? */
bool vgic_mmio_is_irq_reg(uint32_t offset);

/* What a frame's plain function made of an access. */
enum vgic_mmio_answer {
	VGIC_MMIO_DONE,    /* a register without interrupt state: answered */
	VGIC_MMIO_UNKNOWN, /* no register of this frame */
	VGIC_MMIO_LOCKED,  /* one with interrupt state: the frame's locked function answers */
};

/* A read-only register holding @val: a read gets it, a write is ignored. */
static inline enum vgic_mmio_answer vgic_mmio_read_only(struct mmio_access *acc, uint64_t val)
{
	if (!acc->write)
		acc->data = val;
	return VGIC_MMIO_DONE;
}

/*
 * A frame's registers, in two parts. @plain answers those that hold no
 * interrupt state (ID registers, constants, RAZ/WI) without the VM's vGIC
 * lock, which all the VM's vCPUs contend for, and names the others; @locked
 * emulates those under the lock, false if it has no such register.
 */
struct vgic_frame {
	const char *name; /* for the log: "GICD" */
	enum vgic_mmio_answer (*plain)(struct vcpu *v, uint64_t offset, struct mmio_access *acc);
	bool (*locked)(struct vcpu *v, uint64_t offset, struct mmio_access *acc);
};

/*
 * One access to a distributor or redistributor frame at @base. A register
 * with interrupt state is emulated under the VM's vGIC lock, with the list
 * registers folded first so the guest reads its latest state. An unknown
 * register reads as zero, ignores writes and is logged with the frame's name.
 */
bool vgic_mmio_frame_access(struct vcpu *v, struct mmio_access *acc, uint64_t base,
                            const struct vgic_frame *frame);

#endif
