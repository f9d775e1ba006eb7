/*
 * The hypervisor's console: the UART the host DT names in /chosen
 * stdout-path, and, when VMs have emulated UARTs, the multiplexer in front of
 * it (Xen-style). Each VM's output is written line by line, each line
 * prefixed with "(name) ", so lines of different VMs never mix; the VM that
 * has the input focus is written through at once (its prompt shows). Input
 * goes to the focused VM only; Ctrl-A three times moves the focus to the next
 * VM, then to the hypervisor itself.
 */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include "core/compiler.h"
#include "core/ratelimit.h"

/* Use the platform's early UART (configs/<platform>.h) until the DT is read. */
void console_init_early(void);
/* Switch to the UART at @base (already mapped). */
void console_set_uart(uintptr_t base);
/* From now on, serialise output between CPUs (needs the MMU on for atomics). */
void console_enable_locking(void);
/* The hypervisor's own output (printk). */
void console_write(const char *s, size_t n);

#define CONSOLE_LINE_MAX  160
#define CONSOLE_INPUT_MAX 1024 /* typed or pasted ahead of what the VM has read */
/*
 * A VM's output to the UART: 8 KiB a second (most of a 115200-baud UART's
 * 11.5 KB/s), with 32 KiB saved up (Linux's whole boot log). Whole lines
 * over it are dropped, and the count told in a line of the hypervisor's.
 */
#define CONSOLE_OUT_RATE  8192
#define CONSOLE_OUT_BURST 32768

/* A VM's console, as the multiplexer sees it. */
struct console_port {
	const char *name;
	/*
	 * Hand one input character to the VM's UART; false if it has no room now
	 * (the character stays queued until console_port_rx_ready()).
	 */
	bool (*input)(struct console_port *p, char c);
	char line[CONSOLE_LINE_MAX]; /* output not yet written: a partial line */
	unsigned int len;
	char inq[CONSOLE_INPUT_MAX]; /* input for it its UART had no room for yet */
	unsigned int in_head, in_count;
	uint64_t rx_dropped; /* input characters even the queue had no room for */
	struct bytelimit out_limit;
	bool out_dropping;    /* the rest of this line is dropped */
	uint64_t out_dropped; /* output bytes dropped and not told yet */
	uint64_t out_dropped_total;
	uint64_t out_told_at; /* counter when the last drop count was told (once a second) */
};

/*
 * Add @p to the multiplexer. The first port added takes the input focus, and
 * from then on the hypervisor reads the UART itself (console_rx_irq).
 */
void console_port_add(struct console_port *p);
/* One character of output from @p's VM. */
void console_port_putc(struct console_port *p, char c);
/* Drop @p's partial line and queued input (its VM restarts). */
void console_port_reset(struct console_port *p);
/* @p's UART has room again (its VM read a character): hand it what is queued. */
void console_port_rx_ready(struct console_port *p);

/* The physical UART's interrupt: read what arrived and hand it on. */
void console_rx_irq(void);
/* Whether the hypervisor reads the UART (a port was added). */
bool console_is_multiplexed(void);

/* Keys for the hypervisor when it has the focus (core/vm_console.c answers them). */
void console_hyp_key(char c);

#endif
