/*
 * GICv2 virtual distributor, emulated by trapping its MMIO. The CPU interface
 * needs no emulation: stage 2 maps the hardware's GICV frame where the guest
 * expects its GICC, and the list registers do the rest.
 *
 * SGIs are pending per source vCPU, as GICv2 has them: an SGI raised by
 * several vCPUs is delivered once from each, its source in the list register
 * (vgic.c); GICD_SPENDSGIRn and GICD_CPENDSGIRn set and clear each source's
 * pending state, and the SGI bits of GICD_ISPENDR0/ICPENDR0 are read-only.
 * An SPI whose GICD_ITARGETSRn byte is 0 is forwarded to no CPU interface.
 */
#include "arch/arm64/pagetable.h"
#include "core/lib.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"
#include "vgic/vgic_mmio.h"
#include "vgic/vgic_v2.h"

#define GIC_IIDR_VALUE 0x0100043b
#define GIC_PIDR2_V2   0x2b /* ArchRev 2 in bits 7:4 */
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20
#define GICD_PIDR2_V2  0xfe8

#define SGIR_FILTER(v)  (((v) >> 24) & 3)
#define SGIR_TARGETS(v) (((v) >> 16) & 0xff)
#define SGIR_INTID(v)   ((v)&0xf)

static void vgic_v2_sgir(struct vcpu *v, uint32_t val)
{
	struct vm *vm = v->vm;
	uint32_t intid = SGIR_INTID(val);

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *t = vm->vcpus[i];
		bool hit;

		switch (SGIR_FILTER(val)) {
		case 0:
			hit = SGIR_TARGETS(val) & (1u << i);
			break;
		case 1:
			hit = t != v;
			break;
		case 2:
			hit = t == v;
			break;
		default:
			hit = false; /* reserved filter */
			break;
		}
		if (hit) /* GICD emulation holds the lock */
			vgic_v2_sgi_pend_locked(t, vgic_get_irq(t, intid), v->id);
	}
}

/*
 * GICD_CPENDSGIRn / GICD_SPENDSGIRn: a byte per SGI of the accessing vCPU,
 * a bit per source vCPU; writes clear or set those sources' pending state.
 */
static bool gicd_access_sgi_pend(struct vcpu *v, uint32_t offset, struct mmio_access *acc)
{
	bool set = offset >= GICD_SPENDSGIR;
	uint32_t first = offset - (set ? GICD_SPENDSGIR : GICD_CPENDSGIR), result = 0;
	uint8_t sources = (uint8_t)((1u << v->vm->nr_vcpus) - 1);

	if (acc->size != 1 && acc->size != 4)
		return false;
	for (unsigned int i = 0; i < acc->size; i++) {
		struct vgic_irq *irq = vgic_get_irq(v, first + i);
		uint8_t byte = (uint8_t)(acc->data >> (8 * i)) & sources;

		if (!acc->write)
			result |= (uint32_t)irq->sgi_pend_src << (8 * i);
		else if (!set)
			vgic_v2_sgi_unpend_locked(v, irq, byte);
		for (unsigned int src = 0; acc->write && set && src < 8; src++) {
			if (byte & (1u << src))
				vgic_v2_sgi_pend_locked(v, irq, src);
		}
	}
	if (!acc->write)
		acc->data = result;
	return true;
}

/* ITARGETSR: read-only own mask for private interrupts, one byte per SPI otherwise. */
static bool gicd_access_itargetsr(struct vcpu *v, uint32_t offset, struct mmio_access *acc)
{
	uint32_t first = offset - GICD_ITARGETSR, result = 0;

	if (acc->size != 1 && acc->size != 4)
		return false;
	for (unsigned int i = 0; i < acc->size; i++) {
		uint32_t intid = first + i;
		struct vgic_irq *irq = vgic_get_irq(v, intid);
		uint8_t byte = (uint8_t)(acc->data >> (8 * i));

		if (!irq)
			continue;
		if (intid < VGIC_NR_PRIVATE) {
			result |= (1u << v->id) << (8 * i);
			continue;
		}
		if (!acc->write) {
			result |= (uint32_t)irq->v2_targets << (8 * i);
			continue;
		}
		byte &= (uint8_t)((1u << v->vm->nr_vcpus) - 1);
		irq->v2_targets = byte;
		/* The lowest vCPU named (one target: 1-of-N needs only one); none for 0. */
		vgic_retarget_locked(v->vm, irq,
		                     byte ? (unsigned int)__builtin_ctz(byte) : VGIC_NO_TARGET);
		vgic_route_hw(v->vm, irq);
	}
	if (!acc->write)
		acc->data = result;
	return true;
}

static bool gicd_is_itargetsr(uint64_t offset)
{
	return offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + 1020;
}

static bool gicd_is_sgi_pend(uint64_t offset)
{
	return offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10;
}

/* The registers with interrupt state: ITARGETSR, the SGI pending bytes, the interrupt registers,
 * CTLR, SGIR. */
static bool gicd_locked(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	static const struct vgic_irq_window all = {0, VGIC_NR_IRQS};
	struct vgic_dist *d = &v->vm->vgic;

	if (gicd_is_itargetsr(offset))
		return gicd_access_itargetsr(v, offset, acc);
	if (gicd_is_sgi_pend(offset))
		return gicd_access_sgi_pend(v, (uint32_t)offset, acc);
	/* The private interrupts' registers are banked: @v's own. */
	if (vgic_mmio_irq_regs(v, &all, offset, acc))
		return true;
	if (acc->size != 4)
		return false;
	switch (offset) {
	case GICD_CTLR:
		if (acc->write) {
			d->grp_en = (uint8_t)(acc->data & (VGIC_GRP0_EN | VGIC_GRP1_EN));
			d->ctlr = d->grp_en;
			vgic_dist_enables_written_locked(v->vm);
		} else {
			acc->data = d->ctlr;
		}
		return true;
	case GICD_SGIR:
		if (acc->write)
			vgic_v2_sgir(v, (uint32_t)acc->data);
		else
			acc->data = 0;
		return true;
	default:
		return false;
	}
}

/* The ID registers (writes ignored); false for the rest. */
static bool gicd_plain(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	if (acc->size != 4)
		return false;
	switch (offset) {
	case GICD_TYPER:
		return vgic_mmio_read_only(acc,
		                           (VGIC_NR_IRQS / 32 - 1) | ((v->vm->nr_vcpus - 1) << 5));
	case GICD_IIDR:
		return vgic_mmio_read_only(acc, GIC_IIDR_VALUE);
	case GICD_PIDR2_V2:
		return vgic_mmio_read_only(acc, GIC_PIDR2_V2);
	default:
		return false;
	}
}

static const struct vgic_frame gicd_frame = {"GICD", gicd_plain, gicd_locked};

static bool vgic_v2_gicd_mmio(struct vcpu *v, struct mmio_access *acc, void *priv)
{
	(void)priv;
	return vgic_mmio_frame_access(v, acc, v->vm->vgic.gicd_base, &gicd_frame);
}

void vgic_v2_init(struct vm *vm, uint64_t gicd_ipa, uint64_t gicc_ipa, uint64_t gicv_pa)
{
	vm->vgic.gicd_base = gicd_ipa;
	vm->vgic.gicc_base = gicc_ipa;
	vm_register_mmio(vm, gicd_ipa, VGIC_V2_GICD_SIZE, vgic_v2_gicd_mmio, NULL);
	if (pt_map(&vm->s2, gicc_ipa, gicv_pa, VGIC_V2_GICC_SIZE,
	           S2_MEMATTR_DEVICE_nGnRE | S2_AP_RW | S2_XN | PTE_SH_INNER))
		panic("%s: cannot map the GICV frame at IPA 0x%lx", vm->name, gicc_ipa);
}
