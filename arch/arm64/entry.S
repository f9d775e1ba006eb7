/*
 * The EL2 exception vector and the trap entry/exit path.
 *
 * Every exception taken to EL2 saves the interrupted context into a
 * struct cpu_user_regs on the stack (`entry`), calls one C handler with a
 * pointer to it, and restores it (`exit`). For a guest, the frame is at the
 * top of this CPU's stack: SP_EL2 is left there by the previous `exit`.
 * Before returning to a guest, leave_hypervisor_to_guest() finishes pending
 * work (the vGIC sync into the list registers lives there).
 */
#include "arch/arm64/asm-macros.h"
#include "arch/arm64/regs.h"
#include "asm-offsets.h"

/* Vector numbers reported by do_bad_vector(), one per invalid slot. */
#define BAD_SYNC_SP0	0
#define BAD_IRQ_SP0	1
#define BAD_FIQ_SP0	2
#define BAD_ERROR_SP0	3
#define BAD_FIQ_SPX	4
#define BAD_ERROR_SPX	5
#define BAD_FIQ_A64	6
#define BAD_ERROR_A64	7
#define BAD_SYNC_A32	8
#define BAD_IRQ_A32	9
#define BAD_FIQ_A32	10
#define BAD_ERROR_A32	11

/*
 * Save x0-x30, ELR_EL2, SPSR_EL2 and ESR_EL2 in a new frame. From EL2 also
 * record the interrupted SP, so a panic report shows it.
 */
.macro entry, hyp
	sub	sp, sp, #UREGS_SIZE
	stp	x0, x1, [sp, #UREGS_X0 + 0 * 8]
	stp	x2, x3, [sp, #UREGS_X0 + 2 * 8]
	stp	x4, x5, [sp, #UREGS_X0 + 4 * 8]
	stp	x6, x7, [sp, #UREGS_X0 + 6 * 8]
	stp	x8, x9, [sp, #UREGS_X0 + 8 * 8]
	stp	x10, x11, [sp, #UREGS_X0 + 10 * 8]
	stp	x12, x13, [sp, #UREGS_X0 + 12 * 8]
	stp	x14, x15, [sp, #UREGS_X0 + 14 * 8]
	stp	x16, x17, [sp, #UREGS_X0 + 16 * 8]
	stp	x18, x19, [sp, #UREGS_X0 + 18 * 8]
	stp	x20, x21, [sp, #UREGS_X0 + 20 * 8]
	stp	x22, x23, [sp, #UREGS_X0 + 22 * 8]
	stp	x24, x25, [sp, #UREGS_X0 + 24 * 8]
	stp	x26, x27, [sp, #UREGS_X0 + 26 * 8]
	stp	x28, x29, [sp, #UREGS_X0 + 28 * 8]
	.if \hyp == 1
	add	x21, sp, #UREGS_SIZE
	stp	x30, x21, [sp, #UREGS_LR]
	.else
	str	x30, [sp, #UREGS_LR]
	.endif
	mrs	x21, elr_el2
	mrs	x22, spsr_el2
	mrs	x23, esr_el2
	stp	x21, x22, [sp, #UREGS_PC]
	str	x23, [sp, #UREGS_ESR]
.endm

/* Restore the frame at SP and return to where the exception came from. */
.macro exit
	ldp	x21, x22, [sp, #UREGS_PC]
	msr	elr_el2, x21
	msr	spsr_el2, x22
	ldp	x0, x1, [sp, #UREGS_X0 + 0 * 8]
	ldp	x2, x3, [sp, #UREGS_X0 + 2 * 8]
	ldp	x4, x5, [sp, #UREGS_X0 + 4 * 8]
	ldp	x6, x7, [sp, #UREGS_X0 + 6 * 8]
	ldp	x8, x9, [sp, #UREGS_X0 + 8 * 8]
	ldp	x10, x11, [sp, #UREGS_X0 + 10 * 8]
	ldp	x12, x13, [sp, #UREGS_X0 + 12 * 8]
	ldp	x14, x15, [sp, #UREGS_X0 + 14 * 8]
	ldp	x16, x17, [sp, #UREGS_X0 + 16 * 8]
	ldp	x18, x19, [sp, #UREGS_X0 + 18 * 8]
	ldp	x20, x21, [sp, #UREGS_X0 + 20 * 8]
	ldp	x22, x23, [sp, #UREGS_X0 + 22 * 8]
	ldp	x24, x25, [sp, #UREGS_X0 + 24 * 8]
	ldp	x26, x27, [sp, #UREGS_X0 + 26 * 8]
	ldp	x28, x29, [sp, #UREGS_X0 + 28 * 8]
	ldr	x30, [sp, #UREGS_LR]
	add	sp, sp, #UREGS_SIZE
	eret
	dsb	nsh		/* no speculation past the eret */
	isb
.endm

/* A vector slot: 128 bytes, holding just a branch. */
.macro ventry, label
	.align	7
	b	\label
.endm

/* A slot that must never be taken: save what we can and panic naming it. */
.macro invalid_vector, name, reason
\name:
	entry	hyp=1
	mov	x0, sp
	mov	x1, #\reason
	b	do_bad_vector
.endm

/*
 * Two tables, alike but for a guest's exits: hyp_traps_vector handles them;
 * hyp_traps_vector_counting also counts them and the time they take, for the
 * console's statistics. A CPU uses the second only while its vCPU's VM counts
 * (traps_count_guest_exits()), so counting costs nothing when it is off.
 */
.macro vector_table, name, guest
	.align	11
ENTRY(\name)
	/* Current EL with SP_EL0: never used, EL2 runs on SP_EL2. */
	ventry	hyp_sync_sp0
	ventry	hyp_irq_sp0
	ventry	hyp_fiq_sp0
	ventry	hyp_error_sp0
	/* Current EL with SP_EL2: the hypervisor itself. */
	ventry	hyp_sync
	ventry	hyp_irq
	ventry	hyp_fiq
	ventry	hyp_error
	/* Lower EL, AArch64: the guests. */
	ventry	\guest\()_sync
	ventry	\guest\()_irq
	ventry	guest_fiq
	ventry	\guest\()_error
	/*
	 * Lower EL, AArch32: never taken. These slots are for when EL1 is
	 * AArch32, and HCR_EL2.RW keeps it AArch64; a guest's AArch32 EL0 traps
	 * through the AArch64 slots above (the vector is chosen by the state of
	 * the level just below EL2, not by the state of the code that trapped).
	 */
	ventry	guest_sync_a32
	ventry	guest_irq_a32
	ventry	guest_fiq_a32
	ventry	guest_error_a32
END(\name)
.endm

	.section .text.vectors, "ax"
	vector_table hyp_traps_vector, guest
	vector_table hyp_traps_vector_counting, counted

	.text
	invalid_vector hyp_sync_sp0, BAD_SYNC_SP0
	invalid_vector hyp_irq_sp0, BAD_IRQ_SP0
	invalid_vector hyp_fiq_sp0, BAD_FIQ_SP0
	invalid_vector hyp_error_sp0, BAD_ERROR_SP0
	invalid_vector hyp_fiq, BAD_FIQ_SPX
	invalid_vector hyp_error, BAD_ERROR_SPX
	invalid_vector guest_fiq, BAD_FIQ_A64
	invalid_vector guest_sync_a32, BAD_SYNC_A32
	invalid_vector guest_irq_a32, BAD_IRQ_A32
	invalid_vector guest_fiq_a32, BAD_FIQ_A32
	invalid_vector guest_error_a32, BAD_ERROR_A32

/* A synchronous exception in the hypervisor is a bug: the handler panics. */
hyp_sync:
	entry	hyp=1
	mov	x0, sp
	bl	do_trap_hyp_sync
	exit

/* An interrupt while the hypervisor runs (it only unmasks IRQs when idle). */
hyp_irq:
	entry	hyp=1
	mov	x0, sp
	bl	do_trap_irq
	exit

/*
 * A guest's exit: save its frame, call @handler, go back. The counting form
 * first stamps and counts the exit (vcpu_stats_exit_enter(regs, @kind)) and
 * leaves through counted_return, which adds the time spent to the vCPU's.
 */
.macro guest_exit, handler, kind=0, counting=0
	entry	hyp=0
	.if \counting == 1
	mov	x0, sp
	mov	x1, #\kind
	bl	vcpu_stats_exit_enter
	.endif
	mov	x0, sp
	bl	\handler
	.if \counting == 1
	b	counted_return
	.else
	b	return_to_guest
	.endif
.endm

guest_sync:
	guest_exit do_trap_guest_sync

guest_irq:
	guest_exit do_trap_guest_irq

/*
 * An SError while a guest ran is that guest's (an asynchronous abort of an
 * access it made): it goes back to the guest, the hypervisor carries on.
 */
guest_error:
	guest_exit do_trap_guest_serror

counted_sync:
	guest_exit do_trap_guest_sync, VCPU_EXIT_SYNC, counting=1

counted_irq:
	guest_exit do_trap_guest_irq, VCPU_EXIT_IRQ, counting=1

counted_error:
	guest_exit do_trap_guest_serror, VCPU_EXIT_SERROR, counting=1

/*
 * The only way into a guest. IRQs are masked from here to the eret so that
 * nothing can be made pending after the list registers were filled.
 */
return_to_guest:
	msr	daifset, #2
	mov	x0, sp
	bl	leave_hypervisor_to_guest
	exit

/* return_to_guest for a counted exit: the time since its entry is the vCPU's. */
counted_return:
	msr	daifset, #2
	mov	x0, sp
	bl	leave_hypervisor_to_guest
	mov	x0, sp
	bl	vcpu_stats_exit_leave
	exit

/*
 * void enter_guest(struct cpu_user_regs *regs): first entry of a vCPU on this
 * CPU; regs is the frame at the top of this CPU's stack.
 */
ENTRY(enter_guest)
	mov	sp, x0
	b	return_to_guest
END(enter_guest)
