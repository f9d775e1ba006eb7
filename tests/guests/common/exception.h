/*
 * The exception frame built by common/vectors.S, shared by the assembly
 * (offsets) and C (struct). Each guest provides guest_exception().
 */
#ifndef GUEST_EXCEPTION_H
#define GUEST_EXCEPTION_H

#define EXC_FRAME_X30  240
#define EXC_FRAME_ELR  248
#define EXC_FRAME_SPSR 256
#define EXC_FRAME_SIZE 272 /* keeps SP 16-byte aligned */

/* Vector index = offset in the table / 0x80. */
#define VEC_CUR_SP0_SYNC   0
#define VEC_CUR_SPX_SYNC   4 /* offset 0x200: EL1h taking an exception at EL1h */
#define VEC_CUR_SPX_IRQ    5 /* offset 0x280: an IRQ taken at EL1h */
#define VEC_CUR_SPX_FIQ    6 /* offset 0x300: a FIQ taken at EL1h */
#define VEC_LOWER_A64_SYNC 8
#define VEC_LOWER_A32_SYNC 12

/* ESR_ELx fields. */
#define ESR_EC_SHIFT       26
#define ESR_EC_MASK        0x3fUL
#define ESR_EC_DABT_CUR    0x25 /* data abort without a change in EL */
#define ESR_DFSC_MASK      0x3fUL
#define ESR_DFSC_EXT_ABORT 0x10 /* synchronous external abort */

#ifndef __ASSEMBLY__
#include <stddef.h>

struct exc_frame {
	unsigned long x[31];
	unsigned long elr; /* written back to ELR_EL1 before eret */
	unsigned long spsr;
	unsigned long pad;
};

_Static_assert(offsetof(struct exc_frame, x[30]) == EXC_FRAME_X30, "frame layout");
_Static_assert(offsetof(struct exc_frame, elr) == EXC_FRAME_ELR, "frame layout");
_Static_assert(offsetof(struct exc_frame, spsr) == EXC_FRAME_SPSR, "frame layout");
_Static_assert(sizeof(struct exc_frame) == EXC_FRAME_SIZE, "frame layout");

extern char vectors[];

/* Called from the vector table for every exception; may edit frame->elr. */
void guest_exception(struct exc_frame *frame, unsigned long vector);
#endif

#endif
