/*
 * Guest images linked into hyp.bin, for booting from a single file. The
 * Makefile builds one copy of this file per guest, passing the paths of its
 * kernel and initrd (an empty file when it has none) as GUEST_KERNEL and
 * GUEST_INITRD.
 */
	.section .rodata.guest_images, "a"
	.balign	4096
	.globl	guest_kernel_start
guest_kernel_start:
	.incbin	GUEST_KERNEL
	.globl	guest_kernel_end
guest_kernel_end:

	.balign	4096
	.globl	guest_initrd_start
guest_initrd_start:
	.incbin	GUEST_INITRD
	.globl	guest_initrd_end
guest_initrd_end:
