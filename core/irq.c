/*
 * Routing of physical interrupts. Everything arrives at EL2 (HCR_EL2.IMO):
 * SGIs are the hypervisor's own kicks, the maintenance interrupt asks for a
 * list-register refill (done on the way back to the guest), and interrupts
 * owned by a guest are priority-dropped and injected hardware-linked, so they
 * stay active until the guest's EOI.
 */
#include "core/console.h"
#include "core/irq.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/smp.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "drivers/pl011.h"
#include "vcpu/vcpu.h"

#define MAX_INTID 1020

static unsigned int maint_irq;
static unsigned int console_irq; /* the host UART's, while the hypervisor reads it */
static struct vm *spi_owner[MAX_INTID];

void irq_init(const struct dt_host *host)
{
	maint_irq = host->gic.maint_irq;
	vtimer_init(host->timer.virt_irq, host->timer.phys_irq);
	vpmu_init(VPMU_IRQ_ENABLED ? host->pmu_irq : 0);
}

void irq_assign_to_vm(uint32_t intid, struct vm *vm)
{
	struct vcpu *v0 = vm->vcpus[0];
	struct vgic_irq *irq = vgic_get_irq(v0, intid);

	if (intid < GIC_NR_PRIVATE || intid >= MAX_INTID || !irq)
		panic("%s: INTID %u cannot be passed through", vm->name, intid);
	spi_owner[intid] = vm;
	irq->hw = true;
	irq->hwintid = (uint16_t)intid;
	gic_spi_route(intid, v0->pcpu);
	gic_irq_enable(intid);
}

void irq_claim_console(const struct dt_host *host)
{
	if (host->uart.type != DT_UART_PL011 || host->uart.irq < GIC_NR_PRIVATE ||
	    host->uart.irq >= MAX_INTID) {
		printk("hyp: the host UART has no usable interrupt: no console input\n");
		return;
	}
	console_irq = host->uart.irq;
	pl011_enable_rx_irq(host->uart.reg.base);
	gic_spi_route(console_irq, 0); /* the boot CPU */
	gic_irq_enable(console_irq);
}

static void irq_handle_spurious_owner(uint32_t intid)
{
	gic_deactivate(intid);
	gic_irq_disable(intid);
	printk("hyp: CPU%u: unexpected interrupt %u, disabled\n", smp_processor_id(), intid);
}

static void irq_dispatch(uint32_t intid)
{
	struct vcpu *v = this_cpu()->vcpu;

	/* Drop the running priority now; deactivation depends on the owner. */
	gic_eoi(intid);
	if (intid == maint_irq) {
		/*
		 * List registers ran low while interrupts were waiting. The request is a
		 * level: withdraw it now, or it fires again at once; the refill on the
		 * way back to the guest asks again if interrupts still wait.
		 */
		gic_set_underflow_irq(false);
		if (v)
			vgic_cpu_maintained(&v->vgic);
		gic_maintenance();
		gic_deactivate(intid);
	} else if (intid < GIC_NR_SGIS) {
		/*
		 * A kick: the exit path does the work, and so does smp_do_work() if
		 * another CPU asked for some. Or another CPU panicked: stop here.
		 */
		gic_deactivate(intid);
		if (intid == SGI_HALT)
			halt_this_cpu();
		smp_do_work();
	} else if (intid == console_irq && console_irq) {
		console_rx_irq();
		gic_deactivate(intid);
	} else if (intid >= GIC_NR_PRIVATE && spi_owner[intid]) {
		/* A passthrough SPI: before the PPIs' owners, which it never is. */
		struct vm *vm = spi_owner[intid];

		vgic_inject_hw(vm->vcpus[0], intid);
	} else if (vtimer_owns_irq(intid)) {
		vtimer_handle_irq(v, intid);
	} else if (vpmu_owns_irq(intid)) {
		vpmu_handle_irq(v, intid);
	} else {
		irq_handle_spurious_owner(intid);
	}
}

/*
 * One interrupt per exception: another pending one raises the exception again
 * as soon as this one is done, so looping until IAR reads spurious would only
 * cost an extra IAR read on every interrupt.
 */
void irq_handle(void)
{
	uint32_t intid = gic_ack();

	if (intid < MAX_INTID) /* 1020-1023: spurious or special, nothing pending */
		irq_dispatch(intid);
}
