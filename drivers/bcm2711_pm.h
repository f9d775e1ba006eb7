/* The BCM2835/2711 power-management watchdog: board reset and halt without PSCI. */
#ifndef DRIVERS_BCM2711_PM_H
#define DRIVERS_BCM2711_PM_H

#include "core/compiler.h"

/* Reset the board now. */
void bcm2711_pm_reset(uintptr_t base) __noreturn;
/* Mark the next boot as a halt (what the Pi firmware's "poweroff" does), then reset. */
void bcm2711_pm_halt(uintptr_t base) __noreturn;

#endif
