/*
 * Console output and the multiplexer (see console.h). One lock orders every
 * character written to the UART, so the terminal's line state (who wrote the
 * last, unfinished, line) is always known: a line of one writer is never
 * continued by another, it is ended first.
 */
#include "arch/arm64/sysregs.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/printf.h"
#include "core/spinlock.h"
#include "drivers/pl011.h"

#define CONSOLE_MAX_PORTS 4
#define CTRL_A            0x01
#define SWITCH_PRESSES    3

static uintptr_t console_uart;
static bool console_locking;
static spinlock_t console_lock = SPINLOCK_INIT;

/*
 * Input is queued per VM: a pasted line is longer than an emulated UART's
 * FIFO, and the VM takes it at its own pace. Ctrl-A is seen on arrival, so
 * the focus moves on even when the focused VM reads nothing.
 */
static spinlock_t input_lock = SPINLOCK_INIT; /* every port's queue; before a port's own lock */

static struct console_port *ports[CONSOLE_MAX_PORTS];
static unsigned int nr_ports;
static unsigned int focus; /* index in ports[], nr_ports: the hypervisor */
static unsigned int ctrl_a_run;

/*
 * The terminal: who wrote its current line (NULL: the hypervisor), and
 * whether that line is unfinished.
 */
static struct console_port *term_owner;
static bool term_mid_line;

void console_init_early(void)
{
	console_uart = PLATFORM_EARLY_UART;
}

void console_set_uart(uintptr_t base)
{
	console_uart = base;
}

void console_enable_locking(void)
{
	console_locking = true;
}

static void console_lock_take(void)
{
	if (console_locking)
		spin_lock(&console_lock);
}

static void console_lock_give(void)
{
	if (console_locking)
		spin_unlock(&console_lock);
}

static void term_putc(char c)
{
	if (console_uart)
		pl011_putc(console_uart, c);
}

static void term_puts(const char *s)
{
	while (*s)
		term_putc(*s++);
}

/*
 * Before @who writes: end another writer's unfinished line, start @who's with
 * its prefix. A VM's line cut this way ends in " [...]": it is written again
 * whole, and the cut copy must not pass for a line of its own (a script
 * reading "... 0 failed" at the end of a line would take it for the whole).
 */
#define TERM_CUT_MARK " [...]"

static void term_begin(struct console_port *who)
{
	if (term_mid_line && term_owner != who) {
		if (term_owner)
			term_puts(TERM_CUT_MARK);
		term_puts("\r\n");
		term_mid_line = false;
	}
	term_owner = who;
	if (!term_mid_line && who) {
		term_putc('(');
		term_puts(who->name);
		term_puts(") ");
	}
}

/* The hypervisor's text: "\n" sent as "\r\n". */
static void term_write_hyp(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		term_begin(NULL);
		if (s[i] == '\n')
			term_putc('\r');
		term_putc(s[i]);
		term_mid_line = s[i] != '\n';
	}
}

/* A VM's text, as its UART sent it (its own "\r\n"). */
static void term_write_port(struct console_port *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		term_begin(p);
		term_putc(s[i]);
		term_mid_line = s[i] != '\n';
	}
}

void console_write(const char *s, size_t n)
{
	if (!console_uart)
		return;
	console_lock_take();
	term_write_hyp(s, n);
	console_lock_give();
}

int printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

static bool port_has_focus(const struct console_port *p)
{
	return focus < nr_ports && ports[focus] == p;
}

/*
 * May @n bytes of @p's output go out now? If so, and output was dropped
 * before, the hypervisor says how much first.
 */
static bool port_budget_take(struct console_port *p, uint32_t n)
{
	uint64_t now = READ_SYSREG(cntpct_el0), freq = READ_SYSREG(cntfrq_el0);
	char msg[112];
	int len;

	if (!bytelimit_take(&p->out_limit, now, freq, CONSOLE_OUT_RATE, CONSOLE_OUT_BURST, n))
		return false;
	/* The count is told at most once a second: the telling must not flood either. */
	if (p->out_dropped && (now - p->out_told_at >= freq || now < p->out_told_at)) {
		p->out_told_at = now;
		len = snprintk(msg, sizeof(msg),
		               "hyp: %s: %lu bytes of console output dropped (over %u bytes/s)\n",
		               p->name, (unsigned long)p->out_dropped, CONSOLE_OUT_RATE);
		term_write_hyp(msg, MIN((size_t)len, sizeof(msg) - 1));
		p->out_dropped = 0;
	}
	return true;
}

static void port_drop(struct console_port *p, unsigned int n)
{
	p->out_dropped += n;
	p->out_dropped_total += n;
}

static void port_flush_locked(struct console_port *p)
{
	if (port_budget_take(p, p->len))
		term_write_port(p, p->line, p->len);
	else
		port_drop(p, p->len);
	p->len = 0;
}

void console_port_add(struct console_port *p)
{
	console_lock_take();
	if (nr_ports < CONSOLE_MAX_PORTS)
		ports[nr_ports++] = p;
	console_lock_give();
}

bool console_is_multiplexed(void)
{
	return nr_ports != 0;
}

/*
 * The focused VM is written through, as it types (an interactive prompt has
 * no newline), and its unfinished line is kept: if another writer's line
 * comes in between, the focused one's line is ended with " [...]", and its
 * next character first shows its line again from the start, prefixed, so no
 * line on the terminal mixes two VMs.
 * The other VMs are written a whole line at a time (or a full buffer).
 */
static void port_putc_focused(struct console_port *p, char c)
{
	/* Over its budget, a line is dropped whole; begun, it is written whole. */
	if (!p->len && !p->out_dropping)
		p->out_dropping = !port_budget_take(p, 1);
	else if (!p->out_dropping)
		bytelimit_charge(&p->out_limit, 1, CONSOLE_OUT_BURST);
	if (p->out_dropping) {
		port_drop(p, 1);
		p->out_dropping = c != '\n';
		return;
	}
	if ((term_owner != p || !term_mid_line) && p->len)
		term_write_port(p, p->line, p->len); /* its line, again, from the start */
	term_write_port(p, &c, 1);
	p->line[p->len++] = c;
	if (c == '\n' || p->len == sizeof(p->line))
		p->len = 0;
}

void console_port_putc(struct console_port *p, char c)
{
	console_lock_take();
	if (port_has_focus(p)) {
		port_putc_focused(p, c);
	} else {
		p->line[p->len++] = c;
		if (c == '\n' || p->len == sizeof(p->line))
			port_flush_locked(p);
	}
	console_lock_give();
}

void console_port_reset(struct console_port *p)
{
	console_lock_take();
	p->len = 0;
	p->out_dropping = false;
	console_lock_give();
	spin_lock(&input_lock);
	p->in_count = 0;
	spin_unlock(&input_lock);
}

/* Hand @p's UART what is queued for it, as far as it has room. */
static void port_feed_locked(struct console_port *p)
{
	while (p->in_count && p->input(p, p->inq[p->in_head])) {
		p->in_head = (p->in_head + 1) % CONSOLE_INPUT_MAX;
		p->in_count--;
	}
}

static void port_queue_input_locked(struct console_port *p, char c)
{
	if (p->in_count == CONSOLE_INPUT_MAX) {
		p->rx_dropped++;
		return;
	}
	p->inq[(p->in_head + p->in_count) % CONSOLE_INPUT_MAX] = c;
	p->in_count++;
	port_feed_locked(p);
}

void console_port_rx_ready(struct console_port *p)
{
	if (!READ_ONCE(p->in_count))
		return;
	spin_lock(&input_lock);
	port_feed_locked(p);
	spin_unlock(&input_lock);
}

static const char *focus_name(void)
{
	return focus < nr_ports ? ports[focus]->name : "the hypervisor";
}

/* Ctrl-A three times: the next VM, then the hypervisor, then the first VM again. */
static void console_switch_focus(void)
{
	char msg[96];

	console_lock_take();
	focus = (focus + 1) % (nr_ports + 1);
	snprintk(msg, sizeof(msg),
	         "hyp: console input now goes to %s (Ctrl-A three times switches)\n", focus_name());
	term_write_hyp(msg, strlen(msg));
	if (focus < nr_ports && ports[focus]->len) /* its prompt, if it left one; kept */
		term_write_port(ports[focus], ports[focus]->line, ports[focus]->len);
	console_lock_give();
	if (focus == nr_ports)
		console_hyp_key('h');
}

static void console_deliver(char c)
{
	unsigned int f = READ_ONCE(focus);

	if (f < nr_ports) {
		spin_lock(&input_lock);
		port_queue_input_locked(ports[f], c);
		spin_unlock(&input_lock);
	} else {
		console_hyp_key(c);
	}
}

/* One input character: count Ctrl-As; one or two of them are passed on as typed. */
static void console_input(char c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_run == SWITCH_PRESSES) {
			ctrl_a_run = 0;
			console_switch_focus();
		}
		return;
	}
	for (; ctrl_a_run; ctrl_a_run--)
		console_deliver(CTRL_A);
	console_deliver(c);
}

void console_rx_irq(void)
{
	int c;

	while ((c = pl011_getc(console_uart)) >= 0)
		console_input((char)c);
}
