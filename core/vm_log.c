/* vm_log(): the console lines a guest can cause, rate-limited per VM (core/ratelimit.h). */
#include <stdarg.h>

#include "arch/arm64/sysregs.h"
#include "core/printf.h"
#include "core/ratelimit.h"
#include "core/vm.h"

void vm_log(struct vm *vm, const char *fmt, ...)
{
	char line[256];
	unsigned long told;
	va_list ap;

	/* Windows of one second of counter time. */
	if (!ratelimit_take(&vm->log_limit, READ_SYSREG(cntpct_el0), READ_SYSREG(cntfrq_el0),
	                    RATELIMIT_BURST, &told))
		return;
	if (told)
		printk("hyp: %s: %lu more message%s suppressed (at most %u a second)\n", vm->name,
		       told, told == 1 ? "" : "s", RATELIMIT_BURST);
	va_start(ap, fmt);
	vsnprintk(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("%s", line);
}
