/*
 * The PM block's watchdog. Without PSCI at EL3 it is the only way to reset the
 * board: arm the watchdog with a short timeout and request a full reset. The
 * Pi firmware's "halt" is the same reset with the partition field of PM_RSTS
 * set to 63 (0x555 in its split encoding), which its boot code treats as
 * "stay off". Every write carries the PM password.
 */
#include "arch/arm64/sysregs.h"
#include "drivers/bcm2711_pm.h"

#define PM_RSTC            0x1c
#define PM_RSTS            0x20
#define PM_WDOG            0x24
#define PM_PASSWORD        0x5a000000u
#define PM_RSTC_FULL_RESET 0x20u
#define PM_RSTS_HALT       0x555u /* partition 63 */
#define PM_WDOG_TICKS      10u    /* ~150 us at 65536 Hz */

static void pm_write(uintptr_t base, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(base + reg) = PM_PASSWORD | v;
}

void bcm2711_pm_reset(uintptr_t base)
{
	pm_write(base, PM_WDOG, PM_WDOG_TICKS);
	pm_write(base, PM_RSTC, PM_RSTC_FULL_RESET);
	for (;;)
		wfi();
}

void bcm2711_pm_halt(uintptr_t base)
{
	pm_write(base, PM_RSTS, PM_RSTS_HALT);
	bcm2711_pm_reset(base);
}
