/* The GIC driver's front: chooses the backend for the GIC the host DT describes. */
#include "core/lib.h"
#include "core/percpu.h"
#include "drivers/gic_ops.h"

static const struct gic_ops *gic;

void gic_init(const struct dt_gic *dt)
{
	switch (dt->version) {
	case 2:
		gic = &gic_v2_ops;
		break;
	case 3:
		gic = &gic_v3_ops;
		break;
	default:
		panic("GICv%u is not supported by this build", dt->version);
	}
	gic->init(dt);
}

void gic_cpu_init(void)
{
	gic->cpu_init();
}

bool gic_ready(void)
{
	return gic != NULL;
}

void gic_cpu_quiesce(void)
{
	if (gic)
		gic->cpu_quiesce();
}

uint32_t gic_ack(void)
{
	return gic->ack();
}

void gic_eoi(uint32_t intid)
{
	gic->eoi(intid);
}

void gic_deactivate(uint32_t intid)
{
	gic->deactivate(intid);
}

void gic_irq_enable(uint32_t intid)
{
	gic->irq_enable(intid, true);
}

void gic_irq_disable(uint32_t intid)
{
	gic->irq_enable(intid, false);
}

void gic_spi_route(uint32_t intid, unsigned int pcpu)
{
	gic->spi_route(intid, pcpus[pcpu].mpidr, pcpu);
}

void gic_send_sgi(unsigned int pcpu, unsigned int sgi)
{
	gic->send_sgi(pcpus[pcpu].mpidr, pcpu, sgi);
}

unsigned int gic_version(void)
{
	return gic->version;
}

unsigned int gic_nr_lrs(void)
{
	return gic->nr_lrs();
}

void gic_read_lr(unsigned int i, struct gic_lr *lr)
{
	gic->read_lr(i, lr);
}

void gic_write_lr(unsigned int i, const struct gic_lr *lr)
{
	gic->write_lr(i, lr);
}

uint32_t gic_empty_lrs(void)
{
	return gic->empty_lrs();
}

void gic_set_underflow_irq(bool on)
{
	gic->set_underflow_irq(on);
}

void gic_vcpu_if_reset(void)
{
	gic->vcpu_if_reset();
}

void gic_maintenance(void)
{
	if (gic->maintenance)
		gic->maintenance();
}
