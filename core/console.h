/* The hypervisor's console: the UART the host DT names in /chosen stdout-path. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include "core/compiler.h"

/* Use the platform's early UART (configs/<platform>.h) until the DT is read. */
void console_init_early(void);
/* Switch to the UART at @base (already mapped). */
void console_set_uart(uintptr_t base);
/* From now on, serialise output between CPUs (needs the MMU on for atomics). */
void console_enable_locking(void);
void console_write(const char *s, size_t n);

#endif
