/*
 * Assembly of the adversary guest: SMCCC calls with every register chosen,
 * the entry of a vCPU started by CPU_ON (which records every register before
 * anything touches one), the CPU_OFF that leaves distinctive values behind,
 * and tables of system register accesses (one stub per encoding: the
 * encoding is part of the instruction).
 */
#include "adv_asm.h"

	.text

/*
 * void adv_call_<insn><imm>(uint64_t io[ADV_CALL_WORDS]): x0-x17 and
 * x20-x28 from io[0..17] and io[20..28], the call, then every register back
 * into io (x18 into io[18], SP into io[29]). x19 holds io across the call: a
 * callee that changed it would crash us, which the run reports as a hang.
 */
.macro call_stub name, insn
	.globl	\name
	.balign	8
\name:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x19, x0
	ldp	x20, x21, [x19, #160]
	ldp	x22, x23, [x19, #176]
	ldp	x24, x25, [x19, #192]
	ldp	x26, x27, [x19, #208]
	ldr	x28, [x19, #224]
	ldp	x2, x3, [x19, #16]
	ldp	x4, x5, [x19, #32]
	ldp	x6, x7, [x19, #48]
	ldp	x8, x9, [x19, #64]
	ldp	x10, x11, [x19, #80]
	ldp	x12, x13, [x19, #96]
	ldp	x14, x15, [x19, #112]
	ldp	x16, x17, [x19, #128]
	ldr	x18, [x19, #144]
	ldp	x0, x1, [x19, #0]
	\insn
	stp	x0, x1, [x19, #0]
	stp	x2, x3, [x19, #16]
	stp	x4, x5, [x19, #32]
	stp	x6, x7, [x19, #48]
	stp	x8, x9, [x19, #64]
	stp	x10, x11, [x19, #80]
	stp	x12, x13, [x19, #96]
	stp	x14, x15, [x19, #112]
	stp	x16, x17, [x19, #128]
	str	x18, [x19, #144]
	stp	x20, x21, [x19, #160]
	stp	x22, x23, [x19, #176]
	stp	x24, x25, [x19, #192]
	stp	x26, x27, [x19, #208]
	str	x28, [x19, #224]
	mov	x0, sp
	str	x0, [x19, #232]
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
.endm

	call_stub adv_call_hvc0, "hvc #0"
	call_stub adv_call_smc0, "smc #0"
	call_stub adv_call_hvc1, "hvc #1"
	call_stub adv_call_smc1, "smc #1"
	call_stub adv_call_hvc1234, "hvc #0x1234"
	call_stub adv_call_smc1234, "smc #0x1234"
	call_stub adv_call_hvcffff, "hvc #0xffff"
	call_stub adv_call_smcffff, "smc #0xffff"

/*
 * Entry of a vCPU started by CPU_ON. The context is the address of this
 * life's struct adv_entry_regs (adv.h): every general register and the
 * system registers in ADV_ENTRY_SYSREGS order go there first, then a stack
 * (by MPIDR Aff0) and the vector table, then C.
 */
	.globl	adv_secondary_entry
	.balign	4
adv_secondary_entry:
	stp	x0, x1, [x0, #0]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	mov	x1, sp
	str	x1, [x0, #248]
	add	x2, x0, #256
	.irp	reg, CurrentEL, daif, spsel, sctlr_el1, tpidr_el1, tpidr_el0, tpidrro_el0, \
		vbar_el1, sp_el0, elr_el1, spsr_el1, esr_el1, far_el1, contextidr_el1, par_el1, \
		afsr0_el1, afsr1_el1, amair_el1, mair_el1, tcr_el1, ttbr0_el1, ttbr1_el1, \
		cntkctl_el1, mdscr_el1, cpacr_el1, csselr_el1, cntv_ctl_el0, cntv_cval_el0, \
		cntp_ctl_el0, cntp_cval_el0
	mrs	x1, \reg
	str	x1, [x2], #8
	.endr
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cmp	x1, #ADV_MAX_CPUS
	b.hs	9f
	adrp	x2, adv_stacks
	add	x2, x2, :lo12:adv_stacks
	add	x1, x1, #1
	add	x2, x2, x1, lsl #ADV_STACK_SHIFT
	mov	sp, x2
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	bl	adv_secondary_main
9:	wfi
	b	9b

/*
 * void adv_dirty_off(uint64_t pattern, uint64_t fid): @pattern into x1-x30,
 * then CPU_OFF (@fid) by HVC; the caller has left its distinctive values in
 * the system registers already. Only returns on failure: then it goes to
 * adv_off_returned(result) on the same stack.
 */
	.globl	adv_dirty_off
	.balign	4
adv_dirty_off:
	mov	x2, x0
	mov	x0, x1
	mov	x1, x2
	.irp	n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, \
		21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	mov	x\n, x1
	.endr
	hvc	#0
	b	adv_off_returned

/* One instruction and a ret per system register encoding: 8 bytes a stub. */
.macro mrs_stub enc
	.balign	8
	mrs	x0, \enc
	ret
.endm
.macro msr_stub enc
	.balign	8
	msr	\enc, x0
	ret
.endm

	/* The ID registers HCR_EL2.TID3 traps: op0 3, op1 0, CRn 0, CRm 1-7. */
	.balign	8
	.globl	adv_id_read, adv_id_write
adv_id_read:
	.irp	crm, 1, 2, 3, 4, 5, 6, 7
	.irp	op2, 0, 1, 2, 3, 4, 5, 6, 7
	mrs_stub s3_0_c0_c\crm\()_\op2
	.endr
	.endr
adv_id_write:
	.irp	crm, 1, 2, 3, 4, 5, 6, 7
	.irp	op2, 0, 1, 2, 3, 4, 5, 6, 7
	msr_stub s3_0_c0_c\crm\()_\op2
	.endr
	.endr

	/* The RAS error record space HCR_EL2.TERR traps: CRn 5, CRm 3-5. */
	.globl	adv_ras_read, adv_ras_write
adv_ras_read:
	.irp	crm, 3, 4, 5
	.irp	op2, 0, 1, 2, 3, 4, 5, 6, 7
	mrs_stub s3_0_c5_c\crm\()_\op2
	.endr
	.endr
adv_ras_write:
	.irp	crm, 3, 4, 5
	.irp	op2, 0, 1, 2, 3, 4, 5, 6, 7
	msr_stub s3_0_c5_c\crm\()_\op2
	.endr
	.endr

	/*
	 * Reads of op0 3 encodings, op1 0-7, CRn 0-11 and 13-15, CRm 0-15,
	 * op2 0-7 (ADV_NR_SPACE_READS): the ICC registers (CRn 12), whose reads
	 * acknowledge interrupts, are left out. Each is a value, an undefined
	 * instruction, or (emulated) a trap answered by the hypervisor.
	 */
	.macro	space_crm op1, crn, crm
	.irp	op2, 0, 1, 2, 3, 4, 5, 6, 7
	mrs_stub s3_\op1\()_c\crn\()_c\crm\()_\op2
	.endr
	.endm
	.macro	space_crn op1, crn
	.irp	crm, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	space_crm \op1, \crn, \crm
	.endr
	.endm
	.macro	space_op1 op1
	.irp	crn, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15
	space_crn \op1, \crn
	.endr
	.endm
	.globl	adv_space_read
adv_space_read:
	.irp	op1, 0, 1, 2, 3, 4, 5, 6, 7
	space_op1 \op1
	.endr

	/*
	 * Writes the guest may not make, to trapped or absent registers: the
	 * SGI registers of the other groups (ICC_SGI0R_EL1, ICC_ASGI1R_EL1), AMU
	 * (AMCR_EL0 and its counters), SPE (PMSCR_EL1 ... PMSIDR_EL1), TRBE
	 * (TRBLIMITR_EL1 ...), MPAM (MPAM1_EL1), EL2 and EL3 registers.
	 */
	.globl	adv_trap_write
adv_trap_write:
	msr_stub s3_0_c12_c11_7
	msr_stub s3_0_c12_c11_6
	msr_stub s3_3_c13_c2_0
	msr_stub s3_3_c13_c2_1
	msr_stub s3_3_c13_c4_0
	msr_stub s3_0_c9_c9_0
	msr_stub s3_0_c9_c9_2
	msr_stub s3_0_c9_c9_4
	msr_stub s3_0_c9_c11_0
	msr_stub s3_0_c9_c11_1
	msr_stub s3_0_c10_c5_0
	msr_stub s3_4_c1_c1_0
	msr_stub s3_4_c12_c0_0
	msr_stub s3_6_c1_c1_0
	msr_stub s3_6_c12_c0_0
	msr_stub s3_4_c1_c1_4
	.globl	adv_trap_write_end
adv_trap_write_end:

	.section .bss, "aw", %nobits
	.balign	16
	.globl	adv_stacks
adv_stacks:
	.skip	(ADV_MAX_CPUS + 1) << ADV_STACK_SHIFT

	.section .note.GNU-stack, "", %progbits
