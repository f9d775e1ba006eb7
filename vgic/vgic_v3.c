/*
 * GICv3 frames of the virtual GIC: the distributor (GICD) and one
 * redistributor (RD + SGI frames) per vCPU, emulated by trapping their MMIO.
 * The CPU interface needs no emulation: the guest's ICC_* system register
 * accesses go to the hardware's virtual interface (ICV_*), except SGI
 * generation, which traps (vgic_v3_sgi1r).
 */
#include "core/lib.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"
#include "vgic/vgic_mmio.h"
#include "vgic/vgic_v3.h"

#define GICD_CTLR_G0     BIT(0)
#define GICD_CTLR_G1A    BIT(1)
#define GICD_CTLR_ARE_NS BIT(4)
#define GICD_CTLR_DS     BIT(6)
#define GIC_IIDR_VALUE   0x0100043b /* implementer Arm (0x43b), our revision 1 */
#define GIC_PIDR2_V3     0x3b       /* ArchRev 3 in bits 7:4 */

#define GICR_CTLR         0x0000
#define GICR_IIDR         0x0004
#define GICR_TYPER        0x0008
#define GICR_STATUSR      0x0010
#define GICR_WAKER        0x0014
#define GICR_SGI_FRAME    0x10000
#define GICR_WAKER_SLEEP  BIT(1)
#define GICR_WAKER_ASLEEP BIT(2)
#define GICR_TYPER_LAST   BIT(4)

#define ICC_SGI1R_TARGETS(v) ((v)&0xffff)
#define ICC_SGI1R_AFF1(v)    (((v) >> 16) & 0xff)
#define ICC_SGI1R_INTID(v)   (((v) >> 24) & 0xf)
#define ICC_SGI1R_AFF2(v)    (((v) >> 32) & 0xff)
#define ICC_SGI1R_IRM        BIT(40)
#define ICC_SGI1R_RS(v)      (((v) >> 44) & 0xf)
#define ICC_SGI1R_AFF3(v)    (((v) >> 48) & 0xff)

static uint64_t mpidr_to_irouter(uint64_t mpidr)
{
	return mpidr & (GENMASK(23, 0) | GENMASK(39, 32));
}

static unsigned int irouter_to_vcpu(const struct vm *vm, uint64_t irouter)
{
	if (irouter & BIT(31)) /* IRM: any participating vCPU; we pick vCPU 0 */
		return 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (mpidr_to_irouter(vm->vcpus[i]->vmpidr) == (irouter & ~BIT(31)))
			return i;
	}
	return 0; /* no such vCPU: the architecture leaves it unspecified */
}

static uint32_t vgic_v3_typer(const struct vm *vm)
{
	/*
	 * ITLinesNumber, IDbits = 10 bits (INTIDs < 1024), no LPIs, no MBIs, no
	 * extended SPIs. CPUNumber is 3 bits (the PEs usable without affinity
	 * routing): more than 8 vCPUs must not spill into ESPI (bit 8).
	 */
	return (VGIC_NR_IRQS / 32 - 1) | (9u << 19) | ((MIN(vm->nr_vcpus, 8u) - 1) << 5);
}

static bool gicd_access_irouter(struct vcpu *v, uint32_t offset, struct mmio_access *acc)
{
	uint32_t intid = (offset - GICD_IROUTER) / 8;
	struct vgic_irq *irq = intid >= VGIC_NR_PRIVATE ? vgic_get_irq(v, intid) : NULL;
	unsigned int shift = (offset & 4) * 8;

	if (acc->size != 8 && acc->size != 4)
		return false;
	if (!irq) {
		if (!acc->write)
			acc->data = 0;
		return true;
	}
	if (!acc->write) {
		acc->data = acc->size == 8 ? irq->irouter : (uint32_t)(irq->irouter >> shift);
		return true;
	}
	if (acc->size == 8)
		irq->irouter = acc->data;
	else
		irq->irouter = (irq->irouter & ~(0xffffffffUL << shift)) |
		               ((acc->data & 0xffffffffUL) << shift);
	irq->irouter &= GENMASK(23, 0) | GENMASK(39, 32) | BIT(31);
	vgic_retarget_locked(v->vm, irq, irouter_to_vcpu(v->vm, irq->irouter));
	vgic_route_hw(v->vm, irq);
	return true;
}

static bool gicd_is_irouter(uint64_t offset)
{
	return offset >= GICD_IROUTER && offset < GICD_IROUTER + 8 * 1020;
}

/* The distributor's registers with interrupt state: IROUTER, the interrupt registers, CTLR. */
static bool gicd_locked(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	static const struct vgic_irq_window spis = {VGIC_NR_PRIVATE, VGIC_NR_IRQS};
	struct vgic_dist *d = &v->vm->vgic;

	if (gicd_is_irouter(offset))
		return gicd_access_irouter(v, offset, acc);
	if (vgic_mmio_irq_regs(v, &spis, offset, acc))
		return true;
	if (offset != GICD_CTLR || acc->size != 4)
		return false;
	if (acc->write) {
		/* DS = 1: one security state, EnableGrp0 and EnableGrp1. */
		d->grp_en = (uint8_t)(acc->data & (GICD_CTLR_G0 | GICD_CTLR_G1A));
		d->ctlr = d->grp_en;
		/* Interrupts held back while the distributor was off may now go. */
		vgic_dist_enables_written_locked(v->vm);
	} else {
		/* Affinity routing always on, one security state. */
		acc->data = d->ctlr | GICD_CTLR_ARE_NS | GICD_CTLR_DS;
	}
	return true;
}

/* The ID registers and constants (writes ignored); false for the rest. */
static bool gicd_plain(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	if (acc->size != 4)
		return false;
	switch (offset) {
	case GICD_TYPER:
		return vgic_mmio_read_only(acc, vgic_v3_typer(v->vm));
	case GICD_IIDR:
		return vgic_mmio_read_only(acc, GIC_IIDR_VALUE);
	case GICD_TYPER2:
	case 0x010: /* GICD_STATUSR */
		return vgic_mmio_read_only(acc, 0);
	case GICD_PIDR2:
		return vgic_mmio_read_only(acc, GIC_PIDR2_V3);
	default:
		return false;
	}
}

/* The RD frame's registers without state (GICR_WAKER has: gicr_locked). */
static bool gicr_rd_access(struct vcpu *target, uint32_t offset, struct mmio_access *acc)
{
	struct vm *vm = target->vm;
	uint64_t typer;

	/* 32-bit registers, and GICR_TYPER, which is 64 bits wide (or two halves). */
	if (acc->size != 4 && !(acc->size == 8 && offset == GICR_TYPER))
		return false;
	switch (offset) {
	case GICR_TYPER:
	case GICR_TYPER + 4:
		typer = (mpidr_to_irouter(target->vmpidr) & GENMASK(23, 0)) << 32 |
		        ((target->vmpidr >> 32) & 0xff) << 56 | (uint64_t)target->id << 8 |
		        (target->id == vm->nr_vcpus - 1 ? GICR_TYPER_LAST : 0);
		return vgic_mmio_read_only(
		    acc, acc->size == 8 ? typer : (uint32_t)(typer >> ((offset - GICR_TYPER) * 8)));
	case GICR_IIDR:
		return vgic_mmio_read_only(acc, GIC_IIDR_VALUE);
	case GICD_PIDR2:
		return vgic_mmio_read_only(acc, GIC_PIDR2_V3);
	case GICR_CTLR:
	case GICR_STATUSR:
	case 0x0070: /* GICR_PROPBASER: no LPIs */
	case 0x0074:
	case 0x0078: /* GICR_PENDBASER */
	case 0x007c:
		return vgic_mmio_read_only(acc, 0);
	default:
		return false;
	}
}

/* The vCPU whose redistributor @offset is in, and the offset in it; NULL past the last. */
static struct vcpu *gicr_target(struct vcpu *v, uint64_t offset, uint32_t *off)
{
	uint64_t idx = offset / VGIC_V3_GICR_STRIDE;

	*off = (uint32_t)(offset % VGIC_V3_GICR_STRIDE);
	return idx < v->vm->nr_vcpus ? v->vm->vcpus[idx] : NULL;
}

/* GICR_WAKER and the SGI frame's registers, which are the distributor's for its SGIs and PPIs. */
static bool gicr_locked(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	static const struct vgic_irq_window private = {0, VGIC_NR_PRIVATE};
	uint32_t off;
	struct vcpu *target = gicr_target(v, offset, &off);

	if (!target)
		return false;
	if (off >= GICR_SGI_FRAME)
		return vgic_mmio_irq_regs(target, &private, off - GICR_SGI_FRAME, acc);
	if (off != GICR_WAKER || acc->size != 4)
		return false;
	if (acc->write)
		target->vgic.rd_asleep = acc->data & GICR_WAKER_SLEEP;
	else
		acc->data = target->vgic.rd_asleep ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
	return true;
}

/* The RD frame's registers without state; false for the rest (and past the last frame). */
static bool gicr_plain(struct vcpu *v, uint64_t offset, struct mmio_access *acc)
{
	uint32_t off;
	struct vcpu *target = gicr_target(v, offset, &off);

	return target && off < GICR_SGI_FRAME && gicr_rd_access(target, off, acc);
}

static const struct vgic_frame gicd_frame = {"GICD", gicd_plain, gicd_locked};
static const struct vgic_frame gicr_frame = {"GICR", gicr_plain, gicr_locked};

static bool vgic_v3_gicd_mmio(struct vcpu *v, struct mmio_access *acc, void *priv)
{
	(void)priv;
	return vgic_mmio_frame_access(v, acc, v->vm->vgic.gicd_base, &gicd_frame);
}

static bool vgic_v3_gicr_mmio(struct vcpu *v, struct mmio_access *acc, void *priv)
{
	(void)priv;
	return vgic_mmio_frame_access(v, acc, v->vm->vgic.gicr_base, &gicr_frame);
}

/* What vgic_dist_reset() leaves to the version: the redistributors and IROUTER. */
static void vgic_v3_reset_state(struct vm *vm)
{
	/* A redistributor comes out of reset asleep (ProcessorSleep, ChildrenAsleep). */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->vgic.rd_asleep = true;
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		vm->vgic.spis[i].irouter = mpidr_to_irouter(vm->vcpus[0]->vmpidr);
}

void vgic_v3_reset(struct vm *vm)
{
	vgic_lock(vm);
	vgic_v3_reset_state(vm);
	vgic_unlock(vm);
}

void vgic_v3_init(struct vm *vm, uint64_t gicd_ipa, uint64_t gicr_ipa)
{
	vm->vgic.gicd_base = gicd_ipa;
	vm->vgic.gicr_base = gicr_ipa;
	vgic_v3_reset_state(vm);
	vm_register_mmio(vm, gicd_ipa, VGIC_V3_GICD_SIZE, vgic_v3_gicd_mmio, NULL);
	vm_register_mmio(vm, gicr_ipa, (uint64_t)vm->nr_vcpus * VGIC_V3_GICR_STRIDE,
	                 vgic_v3_gicr_mmio, NULL);
}

/* Does a vCPU's MPIDR match an ICC_SGI1R_EL1 target description? */
static bool sgi1r_targets(uint64_t val, uint64_t mpidr)
{
	unsigned int aff0 = mpidr & 0xff;

	if (ICC_SGI1R_AFF1(val) != ((mpidr >> 8) & 0xff) ||
	    ICC_SGI1R_AFF2(val) != ((mpidr >> 16) & 0xff) ||
	    ICC_SGI1R_AFF3(val) != ((mpidr >> 32) & 0xff))
		return false;
	if (aff0 / 16 != ICC_SGI1R_RS(val))
		return false;
	return ICC_SGI1R_TARGETS(val) & (1u << (aff0 % 16));
}

/*
 * With one security state (GICD_CTLR.DS = 1), ICC_SGI1R_EL1 may raise an SGI
 * of either group at its target, while ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 (the
 * "other" Group 1, which does not exist here) raise only Group 0 ones: an SGI
 * its target has in Group 1 is not forwarded. KVM reads the GICv3
 * specification the same way.
 */
/* An SGI of either group (ICC_SGI1R) or of Group 0 only, to @t. */
static void vgic_v3_sgi_to(struct vcpu *t, uint32_t intid, bool group1)
{
	if (group1 || !vgic_get_irq(t, intid)->group1)
		vgic_inject(t, intid);
}

void vgic_v3_sgi(struct vcpu *v, uint64_t val, bool group1)
{
	struct vm *vm = v->vm;
	uint32_t intid = ICC_SGI1R_INTID(val);

	if (val & ICC_SGI1R_IRM) {
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i] != v)
				vgic_v3_sgi_to(vm->vcpus[i], intid, group1);
		return;
	}
	/*
	 * A vCPU's MPIDR has Aff0 = its index and Aff1-3 = 0 (vcpu_create()), so
	 * the target list names the vCPUs by index: no search over all of them.
	 */
	if (ICC_SGI1R_AFF1(val) || ICC_SGI1R_AFF2(val) || ICC_SGI1R_AFF3(val))
		return;
	for (uint32_t t = ICC_SGI1R_TARGETS(val); t; t &= t - 1) {
		unsigned int i = ICC_SGI1R_RS(val) * 16 + (unsigned int)__builtin_ctz(t);

		if (i < vm->nr_vcpus && sgi1r_targets(val, vm->vcpus[i]->vmpidr))
			vgic_v3_sgi_to(vm->vcpus[i], intid, group1);
	}
}
