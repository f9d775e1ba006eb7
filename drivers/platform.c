/* Power control through the firmware's PSCI (the only kind of EL3 known so far). */
#include "arch/arm64/smc.h"
#include "arch/arm64/sysregs.h"
#include "core/lib.h"
#include "core/printf.h"
#include "core/psci.h"
#include "drivers/platform.h"

static enum dt_psci_method firmware_psci;

void platform_init(const struct dt_host *host)
{
	firmware_psci = host->psci;
	if (firmware_psci == DT_PSCI_HVC)
		/* HVC from EL2 would trap to ourselves: EL3 is only reachable by SMC. */
		printk("hyp: host DT says PSCI via hvc; the hypervisor uses smc to reach EL3\n");
}

long platform_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	if (firmware_psci == DT_PSCI_NONE)
		return PSCI_RET_NOT_SUPPORTED;
	return (long)smc_call3(PSCI_CPU_ON_64, mpidr, entry, context);
}

static void __noreturn platform_halt(const char *why)
{
	printk("hyp: %s; halting this CPU\n", why);
	for (;;) {
		local_irq_disable();
		wfi();
	}
}

void platform_system_off(void)
{
	if (firmware_psci != DT_PSCI_NONE)
		smc_call3(PSCI_SYSTEM_OFF, 0, 0, 0);
	platform_halt(firmware_psci != DT_PSCI_NONE ? "firmware SYSTEM_OFF returned"
	                                            : "no PSCI firmware to power off with");
}

void platform_system_reset(void)
{
	if (firmware_psci != DT_PSCI_NONE)
		smc_call3(PSCI_SYSTEM_RESET, 0, 0, 0);
	platform_halt(firmware_psci != DT_PSCI_NONE ? "firmware SYSTEM_RESET returned"
	                                            : "no PSCI firmware to reset with");
}
