/*
 * Entry of the bare-metal guests (the test guest, the benchmark guest). The
 * hypervisor, or QEMU virt itself when they run natively, enters here at EL1h
 * with the MMU and caches off, DAIF masked and x0 = IPA of the device tree.
 *
 * The image starts with an arm64 Linux Image header (see the kernel's
 * Documentation/arch/arm64/booting.rst) so that any arm64 loader, QEMU's
 * -kernel included, accepts it and places it at RAM base + 2 MiB.
 */

#define NR_CPUS			16
#define SECONDARY_STACK_SHIFT	12	/* 4 KiB each: every guest's secondary_main() is small */

	.section .text.head, "ax"
	.globl	_start
_start:
	b	entry			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: image sits at a 2 MiB boundary */
	.quad	_image_size		/* image_size, bss included (guest.lds) */
	.quad	0xa			/* flags: little-endian, 4K pages, anywhere */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.long	0x644d5241		/* magic "ARM\x64" */
	.long	0			/* res5 */

entry:
	/* Keep the DTB pointer in a callee-saved register. */
	mov	x19, x0

	/*
	 * Clear .bss (which holds the stacks) with aligned 8-byte stores: with
	 * the MMU off memory is Device, so no DC ZVA and no unaligned access.
	 * guest.lds aligns both ends to 16 bytes.
	 */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:
	adrp	x0, stack_top
	add	x0, x0, :lo12:stack_top
	mov	sp, x0

	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	msr	vbar_el1, x0
	isb

	mov	x0, x19
	bl	guest_main

	/* guest_main() powers off; should it ever return, stay here. */
3:	wfi
	b	3b

/*
 * Entry of a vCPU started by PSCI CPU_ON: EL1h, MMU and caches off, DAIF
 * masked, x0 = the CPU_ON context. The boot CPU has long cleared .bss, so the
 * stack of this vCPU (by MPIDR Aff0) is ready; x0 is passed on untouched.
 */
	.text
	.globl	secondary_entry
	.balign	4
secondary_entry:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cmp	x1, #NR_CPUS
	b.hs	9f			/* no stack for it: park */
	adrp	x2, secondary_stacks
	add	x2, x2, :lo12:secondary_stacks
	add	x1, x1, #1		/* stacks grow down from the end of the slot */
	add	x2, x2, x1, lsl #SECONDARY_STACK_SHIFT
	mov	sp, x2

	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb

	bl	secondary_main

	/* secondary_main() turns this vCPU off or parks it; never here. */
9:	wfi
	b	9b

	.section .bss, "aw", %nobits
	.balign	16
stack:
	.skip	16384
stack_top:

	/* One slot per vCPU, indexed by Aff0; vCPU 0 uses the stack above instead. */
	.balign	16
secondary_stacks:
	.skip	NR_CPUS << SECONDARY_STACK_SHIFT

	.section .note.GNU-stack, "", %progbits
