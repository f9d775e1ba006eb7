/*
 * a32-check: a 32-bit (AArch32, A32) user program for the guest's initramfs.
 *
 * The guest's EL1 is AArch64, but its EL0 may run AArch32 code where the CPU
 * can (ID_AA64PFR0_EL1.EL0 = 2). While this program runs, every physical
 * interrupt (the guest's timer tick) reaches the hypervisor through the
 * "lower EL, AArch32" vectors. It spins long enough for many ticks, then
 * checks that its registers survived them and prints one line.
 *
 * "a32-check bus" instead maps the IPA 0x0a000000, where this VM has nothing,
 * through /dev/mem and reads it: the hypervisor must inject the external
 * abort into AArch32 EL0 (vector VBAR_EL1 + 0x600), which Linux turns into
 * SIGBUS, so the shell sees status 135. Anything else is a failure.
 *
 * "a32-check thumb" maps the emulated distributor (IPA 0x08000000) and reads
 * GICD_IIDR with a 16-bit T32 load: the hypervisor emulates it and must step
 * over 2 bytes, not 4, or the next 16-bit instruction is skipped.
 *
 * Assembled with Debian's binutils-arm-linux-gnueabihf; raw EABI syscalls
 * (r7 = number, svc #0), no libc.
 */
	.arm
	.syntax	unified
	.text
	.global	_start
_start:
	ldr	r0, [sp]		@ argc
	cmp	r0, #1
	ble	spin
	ldr	r0, [sp, #8]		@ argv[1]
	ldrb	r0, [r0]
	cmp	r0, #'t'
	beq	thumb_mmio
	b	bus_error
spin:
	ldr	r8, =0x5a5a1234		@ values that must survive the interrupts
	ldr	r9, =0x0f0f0f0f
	ldr	r4, =400000000		@ about half a second under TCG: a hundred ticks
1:	subs	r4, r4, #1
	bne	1b
	ldr	r0, =0x5a5a1234
	cmp	r8, r0
	bne	fail
	ldr	r0, =0x0f0f0f0f
	cmp	r9, r0
	bne	fail
	ldr	r1, =ok_msg
	mov	r2, #(ok_end - ok_msg)
	mov	r5, #0
	b	out
fail:
	ldr	r1, =fail_msg
	mov	r2, #(fail_end - fail_msg)
	mov	r5, #1
out:
	mov	r0, #1			@ stdout
	mov	r7, #4			@ write
	svc	#0
	mov	r0, r5
	mov	r7, #1			@ exit
	svc	#0

bus_error:
	ldr	r5, =(0x0a000000 >> 12)	@ mmap2 takes the offset in pages
	bl	map_devmem
	ldr	r0, [r0]		@ the VM has nothing here: SIGBUS
	ldr	r1, =nobus_msg
	mov	r2, #(nobus_end - nobus_msg)
	mov	r5, #1
	b	out

@ r0 = mmap2 of the page at offset r5 (in pages) of /dev/mem, or fail.
map_devmem:
	push	{r4, r7, lr}
	ldr	r0, =devmem
	ldr	r1, =0x101002		@ O_RDWR | O_SYNC
	mov	r7, #5			@ open
	svc	#0
	cmp	r0, #0
	blt	fail
	mov	r4, r0			@ fd
	mov	r0, #0			@ anywhere
	mov	r1, #4096
	mov	r2, #3			@ PROT_READ | PROT_WRITE
	mov	r3, #1			@ MAP_SHARED
	mov	r7, #192		@ mmap2
	svc	#0
	cmn	r0, #4096		@ -4095..-1: an error
	bhi	fail
	pop	{r4, r7, pc}

thumb_mmio:
	ldr	r5, =(0x08000000 >> 12)
	bl	map_devmem
	add	r4, r0, #8		@ GICD_IIDR
	mov	r6, #0
	ldr	r3, =thumb_part + 1
	blx	r3
	cmp	r6, #2
	bne	thumb_skipped
	ldr	r1, =0x0000043b		@ Arm's JEP106 code in IIDR[11:0]
	ldr	r2, =0xfff
	and	r0, r0, r2
	cmp	r0, r1
	bne	thumb_bad_iidr
	ldr	r1, =thumb_msg
	mov	r2, #(thumb_end - thumb_msg)
	mov	r5, #0
	b	out
thumb_skipped:
	ldr	r1, =skip_msg
	mov	r2, #(skip_end - skip_msg)
	mov	r5, #1
	b	out
thumb_bad_iidr:
	ldr	r1, =iidr_msg
	mov	r2, #(iidr_end - iidr_msg)
	mov	r5, #1
	b	out

	.thumb
	.align	2
thumb_part:
	ldr	r0, [r4]		@ 16-bit T1 LDR: emulated MMIO
	adds	r6, #1			@ 16-bit: skipped if the hypervisor steps 4 bytes
	adds	r6, #1
	bx	lr
	.arm
	.align	2

devmem:	.asciz	"/dev/mem"
thumb_msg:
	.ascii	"a32-check: T32 MMIO read of GICD_IIDR ok\n"
thumb_end:
skip_msg:
	.ascii	"a32-check: the instruction after a 16-bit MMIO load was skipped\n"
skip_end:
iidr_msg:
	.ascii	"a32-check: GICD_IIDR read wrong\n"
iidr_end:

nobus_msg:
	.ascii	"a32-check: read of an empty IPA returned\n"
nobus_end:
ok_msg:	.ascii	"a32-check: AArch32 EL0 ok\n"
ok_end:
fail_msg:
	.ascii	"a32-check: registers corrupted\n"
fail_end:
	.align	2
	.ltorg
