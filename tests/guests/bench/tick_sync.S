/* Part of the benchmark guest (main.c): wait for a timer tick, phase-exactly. */

	.text
/*
 * tick_sync_wait(): unmask IRQs and wait for the interrupt that tick_sync()
 * (main.c) armed, in a loop of a single instruction, so that the interrupt
 * is taken at its deadline whatever the phase the loop was entered with.
 * The handler steps ELR over tick_sync_spin once that interrupt came; IRQs
 * are masked again on the way out.
 */
	.globl	tick_sync_wait
	.globl	tick_sync_spin
	.balign	4
tick_sync_wait:
	msr	daifclr, #2
tick_sync_spin:
	b	tick_sync_spin
	msr	daifset, #2
	ret

	.section .note.GNU-stack, "", %progbits
