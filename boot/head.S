/*
 * The first instructions: an arm64 Linux Image header (so QEMU -kernel and
 * U-Boot booti load us like a kernel), then the boot CPU's entry and the entry
 * of the other CPUs.
 *
 * The image is position independent: it is linked at HYP_LINK_ADDR but may be
 * loaded at any 2 MiB-aligned address; primary_entry applies the image's
 * R_AARCH64_RELATIVE relocations before anything reads a pointer.
 */
#include "arch/arm64/asm-macros.h"
#include "asm-offsets.h"

#define R_AARCH64_RELATIVE 1027
#define CPTR_EL2_RES1	   0x33ff	/* FP/SIMD not trapped: libfdt uses it at boot */
/*
 * HCR_EL2 outside any guest: RW, and IMO/FMO/AMO so that physical interrupts
 * are taken at EL2. With them clear, interrupts are routed to EL1 and are
 * never taken while at EL2, yet still wake WFI: an idle CPU would spin.
 */
#define HCR_EL2_HOST	   0x80000038

	.section .text.header, "ax"
ENTRY(_start)
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: at the start of a 2 MiB block */
	.long	__image_size_lo32	/* image_size: everything up to the end of BSS */
	.long	__image_size_hi32
	.quad	0xa			/* flags: little endian, 4K pages, anywhere in RAM */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

	.section .text.boot, "ax"
/*
 * Boot CPU. x0 = physical address of the device tree; MMU off; any EL (we
 * complain unless it is EL2).
 */
primary_entry:
	msr	daifset, #0xf
	mov	x19, x0			/* x19: DTB, kept across the calls below */

	bl	apply_relocations

	/*
	 * Clear BSS (64-byte aligned both ends by the linker script), 64 bytes a
	 * loop: it is 3.5 MiB, mostly the page pool and the stacks.
	 */
	adr_l	x0, __bss_start
	adr_l	x1, __bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0]
	stp	xzr, xzr, [x0, #16]
	stp	xzr, xzr, [x0, #32]
	stp	xzr, xzr, [x0, #48]
	add	x0, x0, #64
	b	1b
2:
	/* The boot CPU is pcpus[0] and runs on hyp_stacks[0]. */
	adr_l	x0, hyp_stacks
	add	x0, x0, #HYP_STACK_SIZE
	mov	sp, x0

	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	wrong_el

	adr_l	x0, pcpus
	msr	tpidr_el2, x0
	bl	el2_cpu_init

	mov	x0, x19
	bl	start_hyp		/* does not return */
	b	park

wrong_el:
	mov	x0, x1
	bl	boot_wrong_el		/* prints why on the early console; does not return */
	b	park

/*
 * Other CPUs, started by PSCI CPU_ON with context_id = their logical index.
 * The boot CPU has already built the page tables and cleaned mmu_boot_regs
 * to the point of coherency, so the MMU goes on before any C runs.
 */
ENTRY(secondary_entry)
	msr	daifset, #0xf
	mov	x19, x0			/* logical CPU index */
	adr_l	x1, pcpus
	mov	x2, #PCPU_SIZE
	madd	x1, x19, x2, x1
	msr	tpidr_el2, x1
	bl	el2_cpu_init

	adr_l	x2, mmu_boot_regs
	ldp	x3, x4, [x2]		/* MAIR_EL2, TCR_EL2 */
	ldp	x5, x6, [x2, #16]	/* TTBR0_EL2, SCTLR_EL2 */
	msr	mair_el2, x3
	msr	tcr_el2, x4
	msr	ttbr0_el2, x5
	isb
	tlbi	alle2
	ic	iallu
	dsb	nsh
	isb
	msr	sctlr_el2, x6
	isb

	mrs	x0, tpidr_el2
	ldr	x1, [x0, #PCPU_STACK_TOP]
	mov	sp, x1
	bl	start_secondary		/* does not return */
	b	park
END(secondary_entry)

/*
 * Other CPUs released from a spin-table: they arrive with x0-x3 = 0, so each
 * finds its logical index by its MPIDR in pcpus[] (written and cleaned to the
 * point of coherency by the boot CPU before the release), then continues as a
 * PSCI-started CPU would.
 */
ENTRY(secondary_spin_entry)
	msr	daifset, #0xf
	mrs	x1, mpidr_el1
	ldr	x2, =0xff00ffffff		/* MPIDR affinity fields */
	and	x1, x1, x2
	adr_l	x2, pcpus
	mov	x0, #0
1:	ldr	x3, [x2, #PCPU_MPIDR]
	cmp	x3, x1
	b.eq	secondary_entry
	add	x2, x2, #PCPU_SIZE
	add	x0, x0, #1
	cmp	x0, #NR_CPUS
	b.lo	1b
	b	park				/* not a CPU we released: stay out of the way */
END(secondary_spin_entry)

/* EL2 state every CPU needs before any C: vectors, no FP trap, no stage 2 yet. */
el2_cpu_init:
	adr_l	x0, hyp_traps_vector
	msr	vbar_el2, x0
	mov	x0, #CPTR_EL2_RES1
	msr	cptr_el2, x0
	ldr	x0, =HCR_EL2_HOST	/* E2H = 0: this hypervisor runs non-VHE */
	msr	hcr_el2, x0
	isb
	ret

/*
 * Apply the image's own R_AARCH64_RELATIVE relocations for the address it was
 * loaded at. Uses x9-x15 only, no stack; the MMU is off, so memory is Device
 * and every access here is naturally aligned.
 */
apply_relocations:
	adr	x9, _start
	ldr	x10, =HYP_LINK_ADDR
	sub	x9, x9, x10		/* x9: load address - link address */
	cbz	x9, 3f
	adr_l	x11, __rela_start
	adr_l	x12, __rela_end
1:	cmp	x11, x12
	b.hs	3f
	ldp	x13, x14, [x11], #16	/* r_offset, r_info */
	ldr	x15, [x11], #8		/* r_addend */
	cmp	x14, #R_AARCH64_RELATIVE
	b.ne	1b			/* the build refuses any other type (check-relocs.py) */
	add	x15, x15, x9
	str	x15, [x13, x9]
	b	1b
3:	ret

/* A CPU with nothing left to do. */
ENTRY(park)
	msr	daifset, #0xf
1:	wfe
	b	1b
END(park)
	.ltorg
