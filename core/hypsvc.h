/*
 * This hypervisor's own calls: the SMCCC vendor-specific hypervisor service
 * range (owner 6, fast calls, over HVC or SMC), as SMCCC 1.1 defines the
 * range's general queries. The ABI, for guests (README "Doorbells"):
 *
 *   0x8600ff01  UID         x0-x3: HYPSVC_UID_0..3 (this hypervisor's UUID)
 *   0x8600ff03  REVISION    x0: major (1), x1: minor (0)
 *   0x86000001  DOORBELL    x1: the IPA of one of the caller's shared-memory
 *                           regions (its DT's /reserved-memory/xen-shmem@<ipa>).
 *                           Raises the doorbell SPI of every other running VM
 *                           sharing that region, the SPI in that VM's node's
 *                           "interrupts". x0: 0, x1: how many VMs were rung;
 *                           or x0: -3 (INVALID_PARAMETER) if x1 names no region
 *                           of the caller's.
 *   0x86000002  STATS       Prints the caller's VM's statistics on the
 *                           hypervisor's console, as the console's 's' key
 *                           does (README "The hypervisor's console"). x0: 0;
 *                           or -1 (NOT_SUPPORTED) unless the VM's definition
 *                           allows it ("stats"; DT: hyp,stats).
 *
 * Any other call in the range returns -1 (NOT_SUPPORTED).
 */
#ifndef CORE_HYPSVC_H
#define CORE_HYPSVC_H

#include "core/smccc.h"

#define HYPSVC_DOORBELL 0x86000001U
#define HYPSVC_STATS    0x86000002U
#define HYPSVC_UID      0x8600ff01U
#define HYPSVC_REVISION 0x8600ff03U

/* 8c2e41d6-5b0f-4a93-9e17-3d6a0c58f2b4, as four 32-bit words. */
#define HYPSVC_UID_0 0x8c2e41d6U
#define HYPSVC_UID_1 0x5b0f4a93U
#define HYPSVC_UID_2 0x9e173d6aU
#define HYPSVC_UID_3 0x0c58f2b4U

#define HYPSVC_REVISION_MAJOR 1
#define HYPSVC_REVISION_MINOR 0

#define SMCCC_RET_INVALID_PARAMETER ((uint64_t)-3)

/* The doorbell SPI (INTID) of a VM's shared-memory region i (cfg->shm[i]). */
#define HYPSVC_DOORBELL_INTID(i) (120U + (i))

struct vcpu;

/* A call in the vendor-specific hypervisor range from @v: answered in @r. */
void hypsvc_call(struct vcpu *v, struct smccc_regs *r);

#endif
