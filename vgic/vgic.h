/*
 * The virtual GIC: the interrupt state of a VM (distributor and per-vCPU
 * private interrupts), injection, and the list-register manager that puts
 * pending interrupts in front of a vCPU.
 *
 * Every vCPU keeps an "ap list" of the interrupts that are active, or pending
 * and deliverable (enabled, distributor on), for it. On a return to a guest
 * whose vGIC state changed (need_sync), vgic_sync_lrs() folds back what the
 * guest did with the list registers, then fills them with the most urgent
 * interrupts of the ap list; if more are waiting than there are list
 * registers, it asks the GIC for an underflow maintenance interrupt so the
 * rest follow as soon as registers free up.
 *
 * Nothing changed, nothing to sync: what the guest does with the list
 * registers meanwhile (acknowledge, EOI) is the hardware's to track, and is
 * read back lazily, when a sync or a GIC access needs it. A hardware
 * interrupt for the vCPU running on this CPU, with nothing else in flight,
 * goes straight into a list register (vgic_inject_direct_locked), so its exit
 * syncs nothing either.
 *
 * One lock per VM protects all of it: simple, and with a handful of vCPUs the
 * lock is rarely contended. It is held for memory, not for the GIC: a sync
 * or a GIC access reads the list registers before taking it and writes them
 * after dropping it, kicks go out after it too (vgic_unlock), and a GIC
 * register without interrupt state is answered without it. So a holder does
 * not wait on the hardware (on QEMU, on QEMU's global lock) while the other
 * vCPUs spin. The exceptions are rare or single: the direct path's one
 * register write, the sync's underflow request and PPI deactivations (moving
 * those out measured 10 instructions more per IPI for no visible gain).
 */
#ifndef VGIC_VGIC_H
#define VGIC_VGIC_H

#include "core/compiler.h"
#include "core/spinlock.h"
#include "drivers/gic.h"

#define VGIC_NR_PRIVATE       32
#define VGIC_NR_SPIS          224 /* INTIDs 32-255: covers QEMU virt and the BCM2711 */
#define VGIC_NR_IRQS          (VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_LRS          16
/* Every interrupt is queued on at most one vCPU, so this list can never overflow. */
#define VGIC_AP_MAX           VGIC_NR_IRQS
#define VGIC_DEFAULT_PRIORITY 0xa0
/* struct vgic_irq.target of an SPI forwarded to no CPU interface (GICv2 ITARGETSR 0). */
#define VGIC_NO_TARGET        0xff

struct vcpu;
struct vm;

/* GICD_CTLR group enables, the same bits in the GICv2 and the GICv3 (DS = 1) layout. */
#define VGIC_GRP0_EN BIT(0)
#define VGIC_GRP1_EN BIT(1)

/* Reads the input line of level interrupt @intid (runs on its vCPU's own CPU). */
typedef bool (*vgic_line_fn)(uint32_t intid);

struct vgic_irq {
	uint16_t intid;
	uint16_t hwintid; /* hw: the physical INTID the guest's EOI deactivates */
	uint8_t priority;
	uint8_t target;       /* the vCPU it is delivered to (private: its owner) */
	uint8_t v2_targets;   /* GICv2 ITARGETSR byte */
	uint8_t sgi_source;   /* GICv2 SGIs: the source its list register shows */
	uint8_t sgi_pend_src; /* GICv2 SGIs: the source vCPUs it is pending from */
	bool enabled;
	bool pending;
	bool active;
	bool edge; /* ICFGR: edge-triggered */
	bool group1;
	bool hw;          /* linked to a physical interrupt of the same INTID */
	bool queued;      /* on its target's ap list */
	bool repend;      /* injected again since its list register was written */
	bool lr_pending;  /* its list register holds its pending state (as last written/read) */
	bool lr_stale;    /* the guest rewrote its state by MMIO: the list register is older */
	bool pend_latch;  /* level: made pending by GICD_ISPENDR, not only by its line */
	int8_t lr;        /* the list register holding it, -1 if none */
	uint8_t lr_vcpu;  /* whose list register (while lr >= 0): a moved SPI's old target */
	uint64_t irouter; /* GICv3 GICD_IROUTER */
	/* Level interrupts whose source can be read (the timers): its line, on the owner's CPU. */
	vgic_line_fn line_level;
};

struct vgic_cpu {
	struct vgic_irq private_irqs[VGIC_NR_PRIVATE];
	struct vgic_irq *ap_list[VGIC_AP_MAX];
	unsigned int nr_ap;
	struct vgic_irq *lr_irq[VGIC_MAX_LRS];
	uint32_t lr_used; /* bit n: list register n holds lr_irq[n] */
	bool underflow;   /* underflow maintenance requested */
	/*
	 * Its vGIC state changed since the last sync in a way the list registers
	 * must follow: something queued, injected again, written by MMIO, or a
	 * maintenance interrupt. Set under the lock (or by its own CPU), cleared
	 * by the sync.
	 */
	bool need_sync;
	/* A sampled level may be pending: its line is checked at each exit. */
	bool levels_watch;
	/*
	 * Sampled levels whose physical interrupt this exit took: their lines
	 * are high until the guest runs again, so this exit need not read them.
	 */
	uint32_t levels_fresh;
	bool rd_asleep; /* GICR_WAKER.ProcessorSleep */
	uint32_t
	    hw_deactivate; /* private hw INTIDs this vCPU's pCPU must deactivate at its next sync */
	uint32_t sampled;  /* private INTIDs with a line_level sampler */
	/*
	 * Its list registers as read just before the lock was taken (lr_in[n]
	 * for each bit n of lr_read; lr_empty: those the GIC reported empty),
	 * and what to write into them just after it is dropped (lr_out[n] for
	 * each bit n of lr_out_mask). Only this vCPU's CPU touches its list
	 * registers, and on QEMU each access takes QEMU's global lock: the VM's
	 * other vCPUs must not wait on the vGIC lock through those.
	 */
	bool lr_snapped;
	uint32_t lr_read, lr_empty, lr_out_mask;
	struct gic_lr lr_in[VGIC_MAX_LRS];
	struct gic_lr lr_out[VGIC_MAX_LRS];
	uint64_t nr_injected;  /* interrupts made pending for it (SPIs: their target then) */
	uint64_t nr_eois;      /* software-injected interrupts the guest completed */
	uint64_t nr_overflows; /* syncs that found more interrupts than list registers */
};

struct vgic_dist {
	spinlock_t lock;
	uint32_t kicks; /* CPUs the lock's holder owes a kick (vgic_kick): sent by vgic_unlock() */
	unsigned int version; /* of the virtual GIC: 2 or 3 */
	unsigned int nr_lrs;
	uint8_t grp_en; /* VGIC_GRP*_EN: GICD_CTLR's EnableGrp0 and EnableGrp1 */
	uint32_t ctlr;
	uint64_t gicd_base; /* IPA of the distributor */
	uint64_t gicr_base; /* v3: IPA of the first redistributor frame */
	uint64_t gicc_base; /* v2: IPA of the CPU interface */
	struct vgic_irq spis[VGIC_NR_SPIS];
};

/* Is @irq's group enabled in its distributor? (Its CPU interface enable is the hardware's.) */
static inline bool vgic_group_enabled(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return d->grp_en & (irq->group1 ? VGIC_GRP1_EN : VGIC_GRP0_EN);
}

/* Set up @vm's distributor state (version and list register count from the host GIC). */
void vgic_dist_init(struct vm *vm, unsigned int version, unsigned int nr_lrs);
/*
 * The VM restarts (all its vCPUs are off): every SPI back to its reset state,
 * the distributor off; hw links stay, their physical interrupts deactivated.
 */
void vgic_dist_reset(struct vm *vm);
/* Reset a vCPU's private interrupts and list-register bookkeeping (CPU_ON). */
void vgic_cpu_reset(struct vcpu *v);
/*
 * The calling CPU's vCPU @v turns off (CPU_OFF, or stopped): what its list
 * registers hold goes back to the distributor's state and to the interrupts'
 * targets, and the list registers are emptied.
 */
void vgic_cpu_off(struct vcpu *v);

/* The state of @intid as seen by @v (private interrupts are per vCPU); NULL if out of range. */
struct vgic_irq *vgic_get_irq(struct vcpu *v, uint32_t intid);

/* Make @intid pending for @v (private) or for its target (SPI). */
void vgic_inject(struct vcpu *v, uint32_t intid);
/* The same for a physical interrupt handed to the guest: the guest's EOI deactivates it. */
void vgic_inject_hw(struct vcpu *v, uint32_t intid);
/*
 * Link @v's private @intid to the physical PPI of the same number, a level
 * whose line @line reads on @v's CPU: wherever the interrupt is (a list
 * register or the vGIC's state), a pending state its line alone held goes
 * away once the line is low, at the next exit or GIC access of @v.
 */
void vgic_map_level(struct vcpu *v, uint32_t intid, vgic_line_fn line);
/* Drop what @v's sampled lines no longer hold (lock held, on @v's CPU, after vgic_fold_lrs). */
void vgic_resample_levels_locked(struct vcpu *v);
/* vgic_inject() for emulation code that already holds the VM's vGIC lock. */
void vgic_inject_locked(struct vcpu *v, uint32_t intid);

/*
 * Before entering @v on this CPU: fold back and refill the list registers,
 * resample the levels. Always the whole sync (vgic_sync_before_entry() decides).
 */
void vgic_sync_lrs(struct vcpu *v);
/* Must the list registers be synced: state changed, an underflow request, PPIs to deactivate? */
static inline bool vgic_cpu_must_sync(const struct vgic_cpu *c)
{
	return c->need_sync || c->underflow || c->hw_deactivate;
}
/* Anything for vgic_sync_before_entry() to do: a sync, or a pending level's line to read? */
static inline bool vgic_cpu_busy(const struct vgic_cpu *c)
{
	return vgic_cpu_must_sync(c) || c->levels_watch;
}
/* Sync @v if one of its watched levels' lines dropped (on @v's CPU). */
void vgic_check_levels(struct vcpu *v);
/* vgic_sync_before_entry(v): in vcpu/vcpu.h, where struct vcpu is complete. */
/* The maintenance interrupt came (on @c's CPU): withdrawn, and a refill owed. */
static inline void vgic_cpu_maintained(struct vgic_cpu *c)
{
	c->underflow = false;
	c->need_sync = true;
}
/*
 * Bring @v's view of interrupts it holds in list registers up to date (lock
 * held; on @v's CPU). It reads the registers vgic_lrs_snapshot() read, if it
 * was called since, and any register it must write waits for vgic_lrs_flush().
 */
void vgic_fold_lrs(struct vcpu *v);
/* Read @v's list registers for the next fold, before taking the lock (on @v's CPU). */
void vgic_lrs_snapshot(struct vcpu *v);
/* Write what the last locked section decided into @v's list registers, after dropping the lock. */
void vgic_lrs_flush(struct vcpu *v);

/* Emulation helpers (vgic_mmio.c, vgic_v3.c), called with the VM's lock held. */
/*
 * The guest changed @irq's enable, priority, group or configuration: the vCPU
 * whose list register holds it, or whose ap list it waits on, syncs again.
 */
void vgic_config_written_locked(struct vm *vm, struct vgic_irq *irq);
void vgic_update_irq_locked(struct vm *vm, struct vgic_irq *irq);
/* The guest changed @irq's pending/active state by MMIO: it overrides its list register. */
void vgic_state_written_locked(struct vm *vm, struct vgic_irq *irq);
/* Queue everything that became deliverable (the distributor switched on, a vCPU reset). */
void vgic_requeue_all_locked(struct vm *vm);
/* GICD_CTLR's enables written: requeue, and every vCPU syncs (its registers may not stay). */
void vgic_dist_enables_written_locked(struct vm *vm);
/* Deliver SPI @irq to vCPU @target from now on (VGIC_NO_TARGET: to none). */
void vgic_retarget_locked(struct vm *vm, struct vgic_irq *irq, unsigned int target);
/*
 * GICv2 SGIs are pending per source vCPU: make @irq pending from @source
 * (GICD_SGIR, GICD_SPENDSGIR), or clear the sources in @mask (GICD_CPENDSGIR).
 * Lock held; @t is the vCPU whose SGI it is.
 */
void vgic_v2_sgi_pend_locked(struct vcpu *t, struct vgic_irq *irq, unsigned int source);
void vgic_v2_sgi_unpend_locked(struct vcpu *t, struct vgic_irq *irq, uint8_t mask);

/*
 * The guest dropped hw @irq by MMIO (cleared its pending or active state, so
 * no EOI will come): deactivate the physical interrupt so its device can
 * interrupt again, once it is in no list register either (lock held). A PPI
 * is banked per CPU: another vCPU's is deactivated by that vCPU's pCPU, at its
 * next sync.
 */
void vgic_hw_release_locked(struct vm *vm, struct vgic_irq *irq);

/* A hw SPI follows its virtual routing: route the physical one to the target's CPU. */
void vgic_route_hw(struct vm *vm, const struct vgic_irq *irq);

/*
 * The VM's vGIC lock. vgic_unlock() drops it, then sends the kicks its holder
 * owed: a kick is an SGI, and on QEMU sending one takes QEMU's global lock,
 * which the VM's other vCPUs must not wait through while they wait for ours.
 */
void vgic_lock(struct vm *vm);
void vgic_unlock(struct vm *vm);

#endif
