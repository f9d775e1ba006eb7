/* A virtual CPU, pinned to one physical CPU for its whole life. */
#ifndef VCPU_VCPU_H
#define VCPU_VCPU_H

#include "arch/arm64/cpufeature.h"
#include "arch/arm64/regs.h"
#include "core/spinlock.h"
#include "core/vm.h"
#include "vcpu/vcpu_fault.h"
#include "vgic/vgic.h"

/* PSCI's view of a vCPU (AFFINITY_INFO reports these). */
enum vcpu_power {
	VCPU_ON = 0,
	VCPU_OFF = 1,
	VCPU_ON_PENDING = 2,
};

/*
 * What a vCPU cost the hypervisor while its VM counted (vm->counting), shown
 * by the console's 's' key. Each is counted on the vCPU's own CPU only, so
 * plain increments do (arch/arm64/traps.c, vcpu_stats_exit_*).
 */
struct vcpu_stats {
	uint64_t sync_exits[64]; /* by ESR_EL2.EC */
	uint64_t irq_exits;      /* physical interrupts taken while it ran */
	uint64_t serror_exits;
	uint64_t fast_calls[64]; /* HVC and SMC fast calls, by SMCCC owner */
	uint64_t yielding_calls;
	uint64_t hyp_ticks; /* CNTPCT ticks from each exit to the return to the guest */
};

struct vcpu {
	unsigned int id; /* index in its VM */
	struct vm *vm;
	uint64_t vmpidr; /* the MPIDR the guest reads */
	unsigned int pcpu;
	uint64_t hcr;                   /* HCR_EL2 while this vCPU runs */
	struct guest_features features; /* what it sees of its CPU, decided at each start */
	struct guest_el2_controls el2;  /* the EL2 controls that give it those */

	spinlock_t power_lock; /* orders CPU_ON / CPU_OFF on this vCPU */
	enum vcpu_power power;
	uint64_t on_entry;   /* CPU_ON: where to start, */
	uint64_t on_context; /* and its x0 */
	bool stop_request;   /* its VM is stopping: acknowledge on this vCPU's CPU */

	struct vgic_cpu vgic;
	struct vcpu_fault_state fault; /* its recent faults (vcpu_fault.c) */
	struct vcpu_stats stats;
};

struct vcpu *vcpu_create(struct vm *vm, unsigned int id, unsigned int pcpu);

/*
 * Start @v on the calling physical CPU at @entry (EL1h, MMU off) with x0 =
 * @x0. Does not return: the CPU runs the vCPU from now on.
 */
void vcpu_start(struct vcpu *v, uint64_t entry, uint64_t x0) __noreturn;

/* The calling CPU's vCPU is off: wait here until a CPU_ON starts it. */
void vcpu_idle_loop(struct vcpu *v) __noreturn;

/*
 * PSCI CPU_ON of @v: returns PSCI_RET_SUCCESS, ALREADY_ON or ON_PENDING.
 * Exactly one of several concurrent callers succeeds.
 */
long vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context);

/* PSCI CPU_OFF of the calling CPU's vCPU. Does not return. */
void vcpu_power_off(struct vcpu *v) __noreturn;

static inline enum vcpu_power vcpu_power_state(const struct vcpu *v)
{
	return READ_ONCE(v->power);
}

/*
 * The vGIC on the way back to @v's guest: sync, unless nothing changed, or
 * only a watched level is pending and its line is still high. Inline on every
 * return to a guest, so the common "nothing" costs no call. (vGIC code, here
 * because struct vcpu is complete here.)
 */
static inline void vgic_sync_before_entry(struct vcpu *v)
{
	if (vgic_cpu_must_sync(&v->vgic))
		vgic_sync_lrs(v);
	else if (v->vgic.levels_watch)
		vgic_check_levels(v);
}

/* Print @v's state and, if it is on, its registers. Call on @v's own CPU. */
void vcpu_show_state(struct vcpu *v);

/* Its VM is stopping (core/vm.c): ask @v to stop, and kick its CPU. */
void vcpu_request_stop(struct vcpu *v);
/*
 * The calling CPU's vCPU stops for its VM: its timer and list registers are
 * released, it is off, it acknowledges a pending stop request. Does not
 * return: the CPU waits in the idle loop for the VM to start it again.
 */
void vcpu_stop(struct vcpu *v) __noreturn;
/* On the way back to the guest: stop here if the VM asked. */
static inline void vcpu_check_stop(struct vcpu *v)
{
	if (unlikely(READ_ONCE(v->stop_request)))
		vcpu_stop(v);
}

/* The frame of the guest running on this CPU: at the top of its stack. */
struct cpu_user_regs *guest_cpu_user_regs(void);

/*
 * The EL1 virtual and physical timers (vcpu/vtimer.c): the guest's own, their
 * PPIs handed to it hardware-linked, their output sampled as a level.
 */
void vtimer_init(unsigned int virt_ppi, unsigned int phys_ppi);
bool vtimer_owns_irq(uint32_t intid);
void vtimer_vcpu_start(struct vcpu *v);
void vtimer_vcpu_stop(struct vcpu *v);
/* Timer PPI @intid fired on this CPU (already priority-dropped). */
void vtimer_handle_irq(struct vcpu *v, uint32_t intid);

/*
 * The PMU's overflow PPI (vcpu/vpmu.c): the guest's, hardware-linked, a level,
 * with a /pmu node in the guest DT. (It was off while a GICv2 Linux guest's
 * vCPU 0 sometimes slept 30 s after CPU hotplug; that was QEMU's GICv2 model
 * losing a hardware-linked interrupt, see drivers/gic_v2.c, and happened
 * with it off too.)
 */
#define VPMU_IRQ_ENABLED true
void vpmu_init(unsigned int ppi); /* 0: the host DT gives none */
bool vpmu_owns_irq(uint32_t intid);
void vpmu_vcpu_start(struct vcpu *v);
void vpmu_vcpu_stop(struct vcpu *v);
void vpmu_handle_irq(struct vcpu *v, uint32_t intid);

#endif
