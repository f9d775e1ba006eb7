/*
 * Lets the host (x86-64) assembler accept the AArch64 inline assembly of the
 * code under test, unchanged. Force-included (-include, see unit.mk) into
 * every file of a test that needs it, it defines GNU as macros named after the
 * AArch64 instructions that code uses (a macro wins over an instruction of the
 * same name):
 *
 *   mrs Xn, tpidr_el2  loads unit_tpidr_el2, a thread-local variable the test
 *                      defines and points at its struct pcpu: this_cpu() and
 *                      smp_processor_id() then work, one pCPU per thread
 *   mrs Xn, <other>    reads 0
 *   msr, isb, dsb, tlbi, wfi, wfe, sev  do nothing
 *   yield              is pause (spin_lock's busy wait)
 *
 * GCC emits top-level asm before any function, so the macros are defined
 * before the first use. No system header is included here: the test file
 * chooses its feature macros (_POSIX_C_SOURCE) itself.
 */
#ifndef TESTS_UNIT_ARM64_ASM_SHIM_H
#define TESTS_UNIT_ARM64_ASM_SHIM_H

#if !defined(__x86_64__)
#error "arm64_asm_shim.h translates AArch64 inline assembly for an x86-64 host"
#endif

/* The "physical CPU" of the calling thread: the address of its struct pcpu. */
extern _Thread_local unsigned long unit_tpidr_el2;

__asm__(".macro mrs dst:req, sysreg:req\n"
        ".ifc \\sysreg,tpidr_el2\n"
        "\tmovq %fs:unit_tpidr_el2@tpoff, \\dst\n"
        ".else\n"
        "\txorq \\dst, \\dst\n"
        ".endif\n"
        ".endm\n"
        ".macro msr sysreg:req, val\n"
        ".endm\n"
        ".macro isb\n"
        ".endm\n"
        ".macro dsb opt\n"
        ".endm\n"
        ".macro tlbi op:req\n"
        ".endm\n"
        ".macro wfi\n"
        ".endm\n"
        ".macro wfe\n"
        ".endm\n"
        ".macro sev\n"
        ".endm\n"
        ".macro yield\n"
        "\tpause\n"
        ".endm\n");

#endif
