/*
 * Guest kernels linked into hyp.bin, for booting from a single file. The
 * Makefile passes the image's path as GUEST_IMAGE (configs/<platform>.mk).
 */
	.section .rodata.guest_image, "a"
	.balign	4096
	.globl	guest_image_start
guest_image_start:
	.incbin	GUEST_IMAGE
	.globl	guest_image_end
guest_image_end:
