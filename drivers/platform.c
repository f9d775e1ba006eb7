/* Power control through the firmware's PSCI (the only kind of EL3 known so far). */
#include "arch/arm64/smc.h"
#include "arch/arm64/sysregs.h"
#include "core/lib.h"
#include "core/printf.h"
#include "core/psci.h"
#include "arch/arm64/mmu.h"
#include "drivers/bcm2711_pm.h"
#include "drivers/platform.h"

static enum dt_psci_method firmware_psci;
static uintptr_t pm_wdt;               /* BCM2711 PM block, for boards without PSCI */
static int64_t firmware_workaround[3]; /* ARCH_FEATURES of WORKAROUND_1, _2, _3 */

static unsigned int workaround_index(uint32_t fid)
{
	return fid == SMCCC_ARCH_WORKAROUND_1 ? 0 : fid == SMCCC_ARCH_WORKAROUND_2 ? 1 : 2;
}

/* Ask EL3 once which Spectre workarounds it implements (SMCCC 1.1 and later). */
static void firmware_probe_workarounds(void)
{
	static const uint32_t fids[] = {SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
	                                SMCCC_ARCH_WORKAROUND_3};
	bool smccc_1_1 = (int64_t)smc_call3(PSCI_FEATURES, SMCCC_VERSION, 0, 0) >= 0 &&
	                 (int64_t)smc_call3(SMCCC_VERSION, 0, 0, 0) >= (int64_t)SMCCC_VERSION_1_1;

	for (unsigned int i = 0; i < ARRAY_SIZE(fids); i++)
		firmware_workaround[i] =
		    smccc_1_1 ? (int32_t)smc_call3(SMCCC_ARCH_FEATURES, fids[i], 0, 0) : -1;
	printk("hyp: EL3 firmware: SMCCC %s, ARCH_WORKAROUND_1/2/3 features %ld/%ld/%ld\n",
	       smccc_1_1 ? ">= 1.1" : "< 1.1", firmware_workaround[0], firmware_workaround[1],
	       firmware_workaround[2]);
}

void platform_init(const struct dt_host *host)
{
	firmware_psci = host->psci;
	for (unsigned int i = 0; i < ARRAY_SIZE(firmware_workaround); i++)
		firmware_workaround[i] = (int64_t)SMCCC_RET_NOT_SUPPORTED;
	if (firmware_psci == DT_PSCI_HVC)
		/* HVC from EL2 would trap to ourselves: EL3 is only reachable by SMC. */
		printk("hyp: host DT says PSCI via hvc; the hypervisor uses smc to reach EL3\n");
	if (firmware_psci != DT_PSCI_NONE)
		firmware_probe_workarounds();
	if (host->pm_wdt.size) {
		mmu_map_device(host->pm_wdt.base, host->pm_wdt.size);
		pm_wdt = host->pm_wdt.base;
	}
}

bool firmware_present(void)
{
	return firmware_psci != DT_PSCI_NONE;
}

void firmware_smc(struct smccc_regs *r)
{
	smc_call(r);
}

int64_t firmware_arch_feature(uint32_t fid)
{
	return firmware_workaround[workaround_index(fid)];
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
	if (firmware_psci == DT_PSCI_NONE && pm_wdt) {
		printk("hyp: no PSCI firmware: halting through the BCM2711 PM watchdog\n");
		bcm2711_pm_halt(pm_wdt);
	}
	platform_halt(firmware_psci != DT_PSCI_NONE ? "firmware SYSTEM_OFF returned"
	                                            : "no PSCI firmware to power off with");
}

void platform_system_reset(void)
{
	if (firmware_psci != DT_PSCI_NONE)
		smc_call3(PSCI_SYSTEM_RESET, 0, 0, 0);
	if (firmware_psci == DT_PSCI_NONE && pm_wdt) {
		printk("hyp: no PSCI firmware: resetting through the BCM2711 PM watchdog\n");
		bcm2711_pm_reset(pm_wdt);
	}
	platform_halt(firmware_psci != DT_PSCI_NONE ? "firmware SYSTEM_RESET returned"
	                                            : "no PSCI firmware to reset with");
}
