/* PSCI (Arm DEN0022) function IDs and return values, and the guest's virtual PSCI. */
#ifndef CORE_PSCI_H
#define CORE_PSCI_H

#include "core/smccc.h"

#define PSCI_0_2_FN(n)   (0x84000000U + (n))
#define PSCI_0_2_FN64(n) (0xc4000000U + (n))

#define PSCI_VERSION             PSCI_0_2_FN(0x00)
#define PSCI_CPU_SUSPEND         PSCI_0_2_FN(0x01)
#define PSCI_CPU_OFF             PSCI_0_2_FN(0x02)
#define PSCI_CPU_ON              PSCI_0_2_FN(0x03)
#define PSCI_AFFINITY_INFO       PSCI_0_2_FN(0x04)
#define PSCI_MIGRATE             PSCI_0_2_FN(0x05)
#define PSCI_MIGRATE_INFO_TYPE   PSCI_0_2_FN(0x06)
#define PSCI_MIGRATE_INFO_UP_CPU PSCI_0_2_FN(0x07)
#define PSCI_SYSTEM_OFF          PSCI_0_2_FN(0x08)
#define PSCI_SYSTEM_RESET        PSCI_0_2_FN(0x09)
#define PSCI_FEATURES            PSCI_0_2_FN(0x0a)
#define PSCI_SYSTEM_RESET2       PSCI_0_2_FN(0x12)
#define PSCI_CPU_SUSPEND_64      PSCI_0_2_FN64(0x01)
#define PSCI_CPU_ON_64           PSCI_0_2_FN64(0x03)
#define PSCI_AFFINITY_INFO_64    PSCI_0_2_FN64(0x04)
#define PSCI_SYSTEM_RESET2_64    PSCI_0_2_FN64(0x12)

#define PSCI_FN_MAX 0x1f /* the PSCI range is function numbers 0x00-0x1f */

#define PSCI_RET_SUCCESS            0L
#define PSCI_RET_NOT_SUPPORTED      (-1L)
#define PSCI_RET_INVALID_PARAMETERS (-2L)
#define PSCI_RET_DENIED             (-3L)
#define PSCI_RET_ALREADY_ON         (-4L)
#define PSCI_RET_ON_PENDING         (-5L)
#define PSCI_RET_INTERNAL_FAILURE   (-6L)
#define PSCI_RET_NOT_PRESENT        (-7L)
#define PSCI_RET_DISABLED           (-8L)
#define PSCI_RET_INVALID_ADDRESS    (-9L)

#define PSCI_VERSION_1_1 0x10001U

/* A guest's PSCI call (owner 4); results in r->a[0]. */
void psci_handle_call(struct vcpu *v, struct smccc_regs *r);

/*
 * With the trace on ("trace=psci" in /chosen xen,xen-bootargs), every CPU_ON
 * and CPU_OFF a guest makes is a console line with its arguments and result,
 * so a CPU that never came up can be told apart from one that was refused.
 */
void psci_set_trace(bool on);
/* "SUCCESS", "INVALID_PARAMETERS", ... for a PSCI return code. */
const char *psci_ret_name(long ret);

#endif
