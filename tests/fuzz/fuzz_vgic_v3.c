/*
 * libFuzzer target: the GICv3 vGIC (vgic/vgic_v3.c over vgic/vgic.c and
 * vgic/vgic_mmio.c), driven the way guests and devices drive it. An input is
 * a machine shape (1-4 vCPUs, 1-16 list registers) then a sequence of steps:
 * GICD and GICR MMIO accesses (offset, size 1/2/4/8, read or write, value,
 * from any vCPU), ICC_SGI1R_EL1 writes, injections (software and
 * hardware-linked), list-register syncs, the guest acknowledging and EOIing
 * what its list registers hold, and vCPU resets. The invariants of
 * fuzz_vgic_common.h are checked after every step.
 */
#include "fuzz_vgic_common.h"
#include "vgic/vgic_v3.h"

#define GICD_IPA  0x08000000UL
#define GICR_IPA  0x080a0000UL
#define SGI1R_IRM BIT(40) /* ICC_SGI1R_EL1.IRM: every vCPU but the writer */

static const uint32_t gicd_bases[] = {
    GICD_CTLR,      GICD_TYPER,           GICD_IIDR,       GICD_TYPER2,  0x10 /* STATUSR */,
    GICD_IGROUPR,   GICD_ISENABLER,       GICD_ICENABLER,  GICD_ISPENDR, GICD_ICPENDR,
    GICD_ISACTIVER, GICD_ICACTIVER,       GICD_IPRIORITYR, GICD_ICFGR,   GICD_IGRPMODR,
    GICD_IROUTER,   GICD_IROUTER + 0x100, GICD_PIDR2,      0x7fd8,
};

/* RD frame (0x0xxxx) and SGI frame (0x1xxxx) registers. */
static const uint32_t gicr_bases[] = {
    0x0000,
    0x0004,
    0x0008,
    0x000c,
    0x0010,
    0x0014,
    0x0070,
    0x0078,
    0xffe8,
    0x10000 + GICD_IGROUPR,
    0x10000 + GICD_ISENABLER,
    0x10000 + GICD_ICENABLER,
    0x10000 + GICD_ISPENDR,
    0x10000 + GICD_ICPENDR,
    0x10000 + GICD_ISACTIVER,
    0x10000 + GICD_ICACTIVER,
    0x10000 + GICD_IPRIORITYR,
    0x10000 + GICD_ICFGR,
    0x10000 + GICD_IGRPMODR,
};

static const struct mmio_region *region(uint64_t base)
{
	for (unsigned int i = 0; i < fv_nr_mmio; i++) {
		if (fv_mmio[i].base == base)
			return &fv_mmio[i];
	}
	return NULL;
}

static const unsigned int sizes[] = {1, 2, 4, 8};

static void mmio_step(struct fuzz_in *in, bool gicr)
{
	struct vcpu *v = fv_pick_vcpu(in);
	uint8_t how = fin_u8(in);
	uint64_t offset;

	if (gicr) {
		unsigned int frame = fin_u8(in) % (fv_vm.nr_vcpus + 1);

		offset = (uint64_t)frame * VGIC_V3_GICR_STRIDE +
		         fv_pick_offset(in, gicr_bases, ARRAY_SIZE(gicr_bases));
	} else {
		offset = fv_pick_offset(in, gicd_bases, ARRAY_SIZE(gicd_bases));
	}
	if (!(how & 0x80))
		offset &= ~(uint64_t)(sizes[how & 3] - 1); /* mostly naturally aligned */
	fv_mmio_access(v, region(gicr ? GICR_IPA : GICD_IPA), offset, sizes[how & 3], how & 4,
	               (how & 8) ? fin_u64(in) : fin_u32(in));
}

/* ICC_SGI1R_EL1, as its trap handler passes it: on the writing vCPU's pCPU. */
static void sgi1r_step(struct fuzz_in *in)
{
	struct vcpu *v = fv_pick_vcpu(in);
	uint8_t how = fin_u8(in);
	uint64_t val;

	if (how & 1) {
		val = fin_u64(in);
	} else {
		/* The usual shape: INTID, target list, IRM; affinities 0 as the vCPUs have. */
		val = ((uint64_t)(fin_u8(in) & 0xf) << 24) | fin_u16(in) |
		      ((how & 2) ? SGI1R_IRM : 0);
	}
	run_on(v->pcpu);
	vgic_v3_sgi(v, val, !(how & 4)); /* else ICC_SGI0R_EL1 / ICC_ASGI1R_EL1 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t shape = fin_u8(&in);

	fv_setup(1 + (shape & 3), 3, 1 + ((shape >> 2) & 15));
	vgic_v3_init(&fv_vm, GICD_IPA, GICR_IPA);
	FUZZ_CHECK(region(GICD_IPA) && region(GICR_IPA), "vgic_v3_init registered its frames");
	fv_check_all();
	for (unsigned int steps = 0; fin_left(&in) && steps < 512; steps++) {
		uint8_t op = fin_u8(&in) % 12;

		if (!fv_common_step(&in, op)) {
			if (op == 0 || op == 8)
				mmio_step(&in, false);
			else if (op == 9 || op == 10)
				mmio_step(&in, true);
			else
				sgi1r_step(&in);
		}
		fv_check_all();
	}
	return 0;
}
