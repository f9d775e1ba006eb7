/* The fake GIC driver of the vGIC unit tests (see fake_gic.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_gic.h"

struct gic_lr lrs[NR_CPUS][VGIC_MAX_LRS];
unsigned int nr_lrs = 4;
struct fake_gic_rec rec;
jmp_buf panic_jb;
bool panic_jb_armed;

void run_on(unsigned int pcpu)
{
	unit_tpidr_el2 = (unsigned long)&pcpus[pcpu];
}

void gic_read_lr(unsigned int i, struct gic_lr *lr)
{
	assert_in_range(i, 0, nr_lrs - 1);
	rec.lr_reads++;
	*lr = lrs[smp_processor_id()][i];
}

void gic_write_lr(unsigned int i, const struct gic_lr *lr)
{
	assert_in_range(i, 0, nr_lrs - 1);
	rec.lr_writes++;
	lrs[smp_processor_id()][i] = *lr;
}

/* As ICH_ELRSR_EL2: invalid, and no EOI maintenance owed. */
uint32_t gic_empty_lrs(void)
{
	const struct gic_lr *lr = lrs[smp_processor_id()];
	uint32_t empty = 0;

	rec.elrsr_reads++;
	for (unsigned int i = 0; i < nr_lrs; i++)
		if (!lr[i].state && (lr[i].hw || !lr[i].eoi_irq))
			empty |= 1u << i;
	return empty;
}

void gic_set_underflow_irq(bool on)
{
	rec.underflow_calls++;
	rec.underflow[smp_processor_id()] = on;
}

void gic_send_sgi(unsigned int pcpu, unsigned int sgi)
{
	assert_in_range(pcpu, 0, NR_CPUS - 1);
	rec.sgis++;
	rec.kicks[pcpu] += sgi == SGI_KICK;
	rec.not_kick += sgi != SGI_KICK;
}

void gic_vcpu_if_reset(void)
{
	memset(lrs[smp_processor_id()], 0, sizeof(lrs[0]));
	rec.if_resets++;
}

void gic_deactivate(uint32_t intid)
{
	rec.deactivates++;
	rec.deactivated = intid;
}

void gic_spi_route(uint32_t intid, unsigned int pcpu)
{
	rec.routes++;
	rec.route_intid = intid;
	rec.route_pcpu = pcpu;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rec.last_printk, sizeof(rec.last_printk), fmt, ap);
	va_end(ap);
	rec.printks++;
	rec.unhandled += strstr(rec.last_printk, "unhandled") != NULL;
	return n;
}

void panic(const char *fmt, ...)
{
	rec.panics++;
	if (panic_jb_armed)
		longjmp(panic_jb, 1);
	print_error("unexpected panic: %s\n", fmt);
	abort();
}
