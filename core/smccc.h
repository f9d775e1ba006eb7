/*
 * The SMC Calling Convention (Arm DEN0028) as the guest sees it: every HVC and
 * SMC a guest makes arrives here, decoded by owner (Arm architecture, PSCI,
 * SiP, ...) and answered, forwarded to EL3, or refused with NOT_SUPPORTED.
 */
#ifndef CORE_SMCCC_H
#define CORE_SMCCC_H

#include "core/compiler.h"

#define SMCCC_NR_ARGS    8 /* x0-x7 in (SMCCC 1.1) */
#define SMCCC_NR_RESULTS 4 /* x0-x3 out */

struct smccc_regs {
	uint64_t a[SMCCC_NR_ARGS];
};

enum smccc_conduit {
	SMCCC_CONDUIT_HVC,
	SMCCC_CONDUIT_SMC,
};

#define SMCCC_RET_SUCCESS       0UL
#define SMCCC_RET_NOT_SUPPORTED ((uint64_t)-1)
#define SMCCC_RET_NOT_REQUIRED  ((uint64_t)-2)

#define SMCCC_FAST_CALL   BIT(31)
#define SMCCC_64BIT       BIT(30)
#define SMCCC_OWNER(fid)  (((fid) >> 24) & 0x3f)
#define SMCCC_NUMBER(fid) ((fid)&0xffff)

enum smccc_owner {
	SMCCC_OWNER_ARCH = 0,
	SMCCC_OWNER_CPU = 1,
	SMCCC_OWNER_SIP = 2,
	SMCCC_OWNER_OEM = 3,
	SMCCC_OWNER_STANDARD = 4, /* PSCI */
	SMCCC_OWNER_STANDARD_HYP = 5,
	SMCCC_OWNER_VENDOR_HYP = 6,
	SMCCC_OWNER_TRUSTED_APP = 0x30, /* 0x30-0x31 */
	SMCCC_OWNER_TRUSTED_OS = 0x32,  /* 0x32-0x3f */
};

/* Arm architecture calls (owner 0) */
#define SMCCC_VERSION           0x80000000U
#define SMCCC_ARCH_FEATURES     0x80000001U
#define SMCCC_ARCH_SOC_ID       0x80000002U
#define SMCCC_ARCH_WORKAROUND_1 0x80008000U
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffU
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffU
#define SMCCC_VERSION_1_1       0x10001U

/* Owner ranges a VM may be allowed to reach in EL3 (vm_config.smc_forward_owners). */
#define SMCCC_OWNERS_SIP         (1UL << SMCCC_OWNER_SIP)
#define SMCCC_OWNERS_OEM         (1UL << SMCCC_OWNER_OEM)
#define SMCCC_OWNERS_TRUSTED_APP (3UL << SMCCC_OWNER_TRUSTED_APP)
#define SMCCC_OWNERS_TRUSTED_OS  (0x3fffUL << SMCCC_OWNER_TRUSTED_OS)

struct vcpu;

/* Handle the call in r->a[0..7]; results are left in r->a[0..3]. */
void smccc_handle_call(struct vcpu *v, enum smccc_conduit conduit, struct smccc_regs *r);

/* Is @fid's owner in the @owners mask? */
bool smccc_owner_forwarded(uint64_t owners, uint32_t fid);

/*
 * EL3, as the rest of the hypervisor reaches it (drivers/platform.c):
 * whether there is one, a call through smc_call(), and what it reported at
 * boot for ARCH_FEATURES of a workaround (SMCCC_RET_NOT_SUPPORTED if no EL3).
 */
bool firmware_present(void);
void firmware_smc(struct smccc_regs *r);
int64_t firmware_arch_feature(uint32_t fid);

#endif
