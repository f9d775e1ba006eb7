/*
 * For fuzz_psci_smccc only, on top of tests/unit/arm64_asm_shim.h: WFI
 * becomes int3, so a CPU that goes to sleep in vcpu_idle_loop() raises
 * SIGTRAP, and the fuzzer's handler takes it back to the fuzzer: "the pCPU
 * sleeps until a kick". Calling vcpu_idle_loop() again is that CPU waking up.
 */
#ifndef TESTS_FUZZ_FUZZ_WFI_SHIM_H
#define TESTS_FUZZ_FUZZ_WFI_SHIM_H

__asm__(".purgem wfi\n"
        ".macro wfi\n"
        "\tint3\n"
        ".endm\n");

#endif
