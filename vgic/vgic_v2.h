/* The GICv2 virtual distributor (vgic_v2.c). */
#ifndef VGIC_VGIC_V2_H
#define VGIC_VGIC_V2_H

#include "core/vm.h"

#define VGIC_V2_GICD_SIZE 0x1000
#define VGIC_V2_GICC_SIZE 0x2000 /* the guest's CPU interface: the GICV frame */

/* Trap @vm's GICD at @gicd_ipa; map the physical GICV at @gicc_ipa. */
void vgic_v2_init(struct vm *vm, uint64_t gicd_ipa, uint64_t gicc_ipa, uint64_t gicv_pa);

#endif
