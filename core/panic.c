/* Fatal errors: say what and where, then stop this CPU for good. */
#include "arch/arm64/traps.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/printf.h"

static volatile bool panicking;

static void __noreturn panic_halt(void)
{
	printk("hyp: system halted\n");
	for (;;) {
		local_irq_disable();
		wfe();
	}
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
		panic_halt(); /* a panic while reporting a panic: say no more */
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
		panic_halt();
	panicking = true;
	va_start(ap, fmt);
	panic_banner(fmt, ap);
	va_end(ap);
	show_registers(regs);
	panic_halt();
}
