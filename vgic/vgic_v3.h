/* The GICv3 virtual distributor and redistributors (vgic_v3.c). */
#ifndef VGIC_VGIC_V3_H
#define VGIC_VGIC_V3_H

#include "core/vm.h"

#define VGIC_V3_GICD_SIZE   0x10000
#define VGIC_V3_GICR_STRIDE 0x20000 /* RD frame + SGI frame, no VLPI frames */

/* Trap @vm's GICD at @gicd_ipa and its redistributors from @gicr_ipa. */
void vgic_v3_init(struct vm *vm, uint64_t gicd_ipa, uint64_t gicr_ipa);
/* After vgic_dist_reset(): the redistributors asleep again, IROUTER to vCPU 0. */
void vgic_v3_reset(struct vm *vm);

/*
 * A guest write of ICC_SGI1R_EL1 (@group1) or of ICC_SGI0R_EL1 or
 * ICC_ASGI1R_EL1: raise the SGI on every vCPU it targets.
 */
void vgic_v3_sgi(struct vcpu *v, uint64_t val, bool group1);

#endif
