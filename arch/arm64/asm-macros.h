/* Small helpers for the assembly files. */
#ifndef ARCH_ARM64_ASM_MACROS_H
#define ARCH_ARM64_ASM_MACROS_H

#ifdef __ASSEMBLY__
/* Assembler syntax, not C: */
/* clang-format off */

/* The address of a symbol, PC-relative (+-4 GiB): valid before relocation. */
.macro adr_l, dst, sym
	adrp	\dst, \sym
	add	\dst, \dst, :lo12:\sym
.endm

#define ENTRY(name) .globl name; .type name, %function; name:
#define END(name) .size name, . - name

/* clang-format on */
#endif

#endif
