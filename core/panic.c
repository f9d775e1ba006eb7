/*
 * Fatal errors: say what and where, then stop the machine for good: this CPU
 * and, by an SGI, every other one, each parked in WFI with nothing left to
 * wake it, so a halted hypervisor costs its host nothing.
 */
#include "arch/arm64/cpu_state.h"
#include "arch/arm64/traps.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "drivers/gic.h"

static volatile bool panicking;

#define HALT_WAIT_MS 100 /* how long the panicking CPU waits for the others to stop */

void halt_this_cpu(void)
{
	if (this_cpu())
		WRITE_ONCE(this_cpu()->halted, true);
	dsb(ish);
	gic_cpu_quiesce();
	cpu_park();
}

/*
 * SGI_HALT to every other online CPU, then wait for them to say they parked.
 * Before gic_init() no other CPU runs yet: there is no one to stop.
 */
static void panic_stop_others(void)
{
	uint64_t deadline = READ_SYSREG(cntpct_el0) + READ_SYSREG(cntfrq_el0) / 1000 * HALT_WAIT_MS;
	unsigned int others = 0, stopped = 0, me;

	if (!gic_ready())
		return;
	me = smp_processor_id();
	for (unsigned int p = 0; p < nr_pcpus; p++) {
		if (p != me && READ_ONCE(pcpus[p].online)) {
			gic_send_sgi(p, SGI_HALT);
			others++;
		}
	}
	while (stopped < others && READ_SYSREG(cntpct_el0) < deadline) {
		stopped = 0;
		for (unsigned int p = 0; p < nr_pcpus; p++)
			stopped += p != me && READ_ONCE(pcpus[p].halted);
	}
	printk("hyp: %u of %u other CPUs stopped\n", stopped, others);
}

static void __noreturn panic_halt(void)
{
	panic_stop_others();
	printk("hyp: system halted\n");
	halt_this_cpu();
}

static void panic_banner(const char *fmt, va_list ap)
{
	char msg[200];
	/* Before the per-CPU pointer is set (a wrong-EL boot), TPIDR is not ours. */
	unsigned int cpu = current_el() == 2 && this_cpu() ? smp_processor_id() : 0;

	vsnprintk(msg, sizeof(msg), fmt, ap);
	printk("\nhyp: PANIC on CPU%u: %s\n", cpu, msg);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	local_irq_disable();
	if (panicking)
		halt_this_cpu(); /* a panic while reporting a panic: say no more */
	panicking = true;
	va_start(ap, fmt);
	panic_banner(fmt, ap);
	va_end(ap);
	panic_halt();
}

void panic_regs(const struct cpu_user_regs *regs, const char *fmt, ...)
{
	va_list ap;

	local_irq_disable();
	if (panicking)
		halt_this_cpu();
	panicking = true;
	va_start(ap, fmt);
	panic_banner(fmt, ap);
	va_end(ap);
	show_registers(regs);
	panic_halt();
}
