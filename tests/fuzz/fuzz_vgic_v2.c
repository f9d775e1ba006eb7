/*
 * libFuzzer target: the GICv2 vGIC (vgic/vgic_v2.c over vgic/vgic.c and
 * vgic/vgic_mmio.c). An input is a machine shape (1-4 vCPUs, 1-16 list
 * registers) then a sequence of steps: GICD MMIO accesses (banked registers,
 * ITARGETSR, GICD_SGIR with each target filter, from any vCPU), injections,
 * list-register syncs, the guest acknowledging and EOIing its list registers,
 * and vCPU resets; the invariants of fuzz_vgic_common.h after every step.
 * pt_map() (the GICV mapping) is a stub.
 */
#include "arch/arm64/pagetable.h"
#include "fuzz_vgic_common.h"
#include "vgic/vgic_v2.h"

#define GICD_IPA 0x08000000UL
#define GICC_IPA 0x08010000UL
#define GICV_PA  0x08040000UL

int pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs)
{
	(void)pt;
	(void)va;
	(void)pa;
	(void)size;
	(void)attrs;
	return 0;
}

static const uint32_t gicd_bases[] = {
    GICD_CTLR,
    GICD_TYPER,
    GICD_IIDR,
    GICD_IGROUPR,
    GICD_ISENABLER,
    GICD_ICENABLER,
    GICD_ISPENDR,
    GICD_ICPENDR,
    GICD_ISACTIVER,
    GICD_ICACTIVER,
    GICD_IPRIORITYR,
    GICD_ITARGETSR,
    GICD_ITARGETSR + 0x20,
    GICD_ICFGR,
    GICD_SGIR,
    0xf10 /* CPENDSGIR */,
    0xf20 /* SPENDSGIR */,
    0xfe8 /* PIDR2 */,
};

static const unsigned int sizes[] = {1, 2, 4, 8};

static void mmio_step(struct fuzz_in *in)
{
	struct vcpu *v = fv_pick_vcpu(in);
	uint8_t how = fin_u8(in);
	uint64_t offset = fv_pick_offset(in, gicd_bases, ARRAY_SIZE(gicd_bases));

	if (!(how & 0x80))
		offset &= ~(uint64_t)(sizes[how & 3] - 1);
	fv_mmio_access(v, &fv_mmio[0], offset, sizes[how & 3], how & 4,
	               (how & 8) ? fin_u64(in) : fin_u32(in));
}

/* GICD_SGIR: filter, target list and INTID, the fields a guest sets. */
static void sgir_step(struct fuzz_in *in)
{
	struct vcpu *v = fv_pick_vcpu(in);
	uint8_t filter = fin_u8(in), targets = fin_u8(in), intid = fin_u8(in);
	uint32_t val = ((uint32_t)(filter & 3) << 24) | ((uint32_t)targets << 16) | (intid & 0xf) |
	               ((filter & 4) ? (uint32_t)fin_u8(in) << 8 : 0);

	fv_mmio_access(v, &fv_mmio[0], GICD_SGIR, 4, true, val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t shape = fin_u8(&in);

	fv_setup(1 + (shape & 3), 2, 1 + ((shape >> 2) & 15));
	vgic_v2_init(&fv_vm, GICD_IPA, GICC_IPA, GICV_PA);
	FUZZ_CHECK(fv_nr_mmio == 1 && fv_mmio[0].base == GICD_IPA, "vgic_v2_init registered GICD");
	fv_check_all();
	for (unsigned int steps = 0; fin_left(&in) && steps < 512; steps++) {
		uint8_t op = fin_u8(&in) % 11;

		if (!fv_common_step(&in, op)) {
			if (op == 0 || op == 8 || op == 9)
				mmio_step(&in);
			else
				sgir_step(&in);
		}
		fv_check_all();
	}
	return 0;
}
