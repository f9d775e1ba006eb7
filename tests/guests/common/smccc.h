/*
 * SMC Calling Convention helpers: function ID in x0, arguments in x1-x3,
 * results in x0-x3. SMCCC 1.0 lets the callee clobber x4-x17, so the asm
 * says so; "memory" because a call may read or write guest memory.
 */
#ifndef GUEST_SMCCC_H
#define GUEST_SMCCC_H

#define SMCCC_RET_NOT_SUPPORTED (~0UL) /* -1 */

/* PSCI 0.2+ function IDs (SMC32 convention, FN64 the SMC64 one). */
#define PSCI_0_2_FN_PSCI_VERSION    0x84000000UL
#define PSCI_0_2_FN_CPU_OFF         0x84000002UL
#define PSCI_0_2_FN64_CPU_ON        0xc4000003UL
#define PSCI_0_2_FN64_AFFINITY_INFO 0xc4000004UL
#define PSCI_0_2_FN_SYSTEM_OFF      0x84000008UL
#define PSCI_0_2_FN_SYSTEM_RESET    0x84000009UL

/* PSCI return codes (signed, in x0). */
#define PSCI_RET_SUCCESS            0
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_ALREADY_ON         (-4)
#define PSCI_RET_INVALID_ADDRESS    (-9)

/* AFFINITY_INFO results. */
#define PSCI_AFFINITY_ON         0
#define PSCI_AFFINITY_OFF        1
#define PSCI_AFFINITY_ON_PENDING 2

struct smccc_res {
	unsigned long a0, a1, a2, a3;
};

#define SMCCC_CALL(insn, fid, arg1, arg2, arg3)                                                    \
	({                                                                                         \
		register unsigned long __x0 __asm__("x0") = (fid);                                 \
		register unsigned long __x1 __asm__("x1") = (arg1);                                \
		register unsigned long __x2 __asm__("x2") = (arg2);                                \
		register unsigned long __x3 __asm__("x3") = (arg3);                                \
		__asm__ volatile(insn                                                              \
		                 : "+r"(__x0), "+r"(__x1), "+r"(__x2), "+r"(__x3)                  \
		                 :                                                                 \
		                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", \
		                   "x14", "x15", "x16", "x17", "memory");                          \
		(struct smccc_res){__x0, __x1, __x2, __x3};                                        \
	})

static inline struct smccc_res smccc_hvc(unsigned long fid, unsigned long arg1, unsigned long arg2,
                                         unsigned long arg3)
{
	return SMCCC_CALL("hvc #0", fid, arg1, arg2, arg3);
}

static inline struct smccc_res smccc_smc(unsigned long fid, unsigned long arg1, unsigned long arg2,
                                         unsigned long arg3)
{
	return SMCCC_CALL("smc #0", fid, arg1, arg2, arg3);
}

typedef struct smccc_res (*smccc_fn)(unsigned long fid, unsigned long arg1, unsigned long arg2,
                                     unsigned long arg3);

#endif
