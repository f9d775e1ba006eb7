/*
 * The console multiplexer (core/console.c): several VMs' consoles on one UART.
 * What reaches the terminal is captured from pl011_putc(); input comes from a
 * queue behind pl011_getc(). Each VM's line carries its "(name) " prefix, and
 * no line on the terminal mixes two writers, even when the focused VM (written
 * through, for its prompt) is interrupted mid-line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/console.h"
#include "core/percpu.h"
#include "core/printf.h"

_Thread_local unsigned long unit_tpidr_el2;

static char term[8192];
static size_t term_len;
static const char *rx_queue;
static char keys[16];
static unsigned int nr_keys;

void pl011_putc(uintptr_t base, char c)
{
	(void)base;
	if (c != '\r' && term_len < sizeof(term) - 1)
		term[term_len++] = c;
	term[term_len] = '\0';
}

int pl011_getc(uintptr_t base)
{
	(void)base;
	return rx_queue && *rx_queue ? *rx_queue++ : -1;
}

void pl011_enable_rx_irq(uintptr_t base)
{
	(void)base;
}

void console_hyp_key(char c)
{
	if (nr_keys < sizeof(keys))
		keys[nr_keys++] = c;
}

/* A VM's UART as the multiplexer sees it: @room characters fit until it reads. */
struct test_port {
	struct console_port port;
	char in[64];
	unsigned int nr_in;
	unsigned int room;
};

static bool port_input(struct console_port *p, char c)
{
	struct test_port *t = (struct test_port *)p;

	if (!t->room)
		return false;
	t->room--;
	t->in[t->nr_in++] = c;
	return true;
}

static struct test_port vm0 = {.port = {.name = "guest0", .input = port_input}};
static struct test_port vm1 = {.port = {.name = "guest1", .input = port_input}};
static bool ports_added;

static int setup(void **state)
{
	(void)state;
	console_set_uart(0x9000000);
	if (!ports_added) {
		console_port_add(&vm0.port); /* the first port takes the focus */
		console_port_add(&vm1.port);
		ports_added = true;
	}
	term_len = 0;
	term[0] = '\0';
	vm0.nr_in = vm1.nr_in = 0;
	vm0.room = vm1.room = 64;
	nr_keys = 0;
	return 0;
}

static void put(struct test_port *t, const char *s)
{
	while (*s)
		console_port_putc(&t->port, *s++);
}

static void test_lines_carry_their_vm(void **state)
{
	(void)state;
	put(&vm1, "one\n");
	put(&vm0, "two\n");
	printk("hyp: three\n");
	assert_string_equal(term, "(guest1) one\n(guest0) two\nhyp: three\n");
}

/* A line of the VM without focus is written only once it is complete. */
static void test_unfocused_vm_is_line_buffered(void **state)
{
	(void)state;
	put(&vm1, "hal");
	assert_string_equal(term, "");
	put(&vm1, "f\n");
	assert_string_equal(term, "(guest1) half\n");
}

/*
 * The focused VM's prompt shows at once; another VM's line in between ends
 * it, and its next character shows the whole line again: every terminal line
 * is one VM's.
 */
static void test_focused_line_cut_is_shown_again_whole(void **state)
{
	(void)state;
	put(&vm0, "TG: PAS");
	assert_string_equal(term, "(guest0) TG: PAS");
	put(&vm1, "TG: other\n");
	printk("hyp: a line of the hypervisor\n");
	put(&vm0, "S smc-unknown\n");
	assert_string_equal(term, "(guest0) TG: PAS [...]\n(guest1) TG: other\nhyp: a line of the "
	                          "hypervisor\n(guest0) TG: PASS smc-unknown\n");
}

static void test_focused_prompt_then_typing(void **state)
{
	(void)state;
	put(&vm0, "/ # ");
	put(&vm1, "tick\n");
	put(&vm0, "l"); /* the echo of a typed key */
	put(&vm0, "s\n");
	assert_string_equal(term, "(guest0) / #  [...]\n(guest1) tick\n(guest0) / # ls\n");
}

/* Ctrl-A three times: guest1, then the hypervisor, then guest0 again. */
static void test_focus_moves_with_ctrl_a(void **state)
{
	(void)state;
	rx_queue = "a\x01\x01\x01"
		   "b\x01\x01\x01"
		   "c\x01\x01\x01"
		   "d";
	console_rx_irq();
	assert_int_equal(vm0.nr_in, 2);
	assert_memory_equal(vm0.in, "ad", 2);
	assert_int_equal(vm1.nr_in, 1);
	assert_int_equal(vm1.in[0], 'b');
	assert_int_equal(nr_keys, 2); /* 'h' (the help, on arrival) and 'c' */
	assert_int_equal(keys[1], 'c');
	assert_non_null(strstr(term, "hyp: console input now goes to guest1 (Ctrl-A three "
	                             "times switches)\n"));
	assert_non_null(strstr(term, "hyp: console input now goes to the hypervisor"));
	assert_non_null(strstr(term, "hyp: console input now goes to guest0"));
}

/* One or two Ctrl-As are the VM's own keys. */
static void test_short_ctrl_a_runs_pass_through(void **state)
{
	(void)state;
	rx_queue = "\x01x\x01\x01y";
	console_rx_irq();
	assert_int_equal(vm0.nr_in, 5);
	assert_memory_equal(vm0.in, "\x01x\x01\x01y", 5);
}

/* A VM that gets the focus with a prompt pending shows it after the switch line. */
static void test_new_focus_shows_its_prompt(void **state)
{
	(void)state;
	put(&vm1, "login: ");
	assert_string_equal(term, "");
	rx_queue = "\x01\x01\x01";
	console_rx_irq();
	assert_string_equal(term, "hyp: console input now goes to guest1 (Ctrl-A three times "
	                          "switches)\n(guest1) login: ");
	put(&vm1, "x\n");
	assert_string_equal(term + strlen(term) - strlen("(guest1) login: x\n"),
	                    "(guest1) login: x\n");
	rx_queue = "\x01\x01\x01\x01\x01\x01"; /* via the hypervisor, back to guest0 */
	console_rx_irq();
}

/*
 * A paste longer than the VM's UART holds waits in the console's queue and
 * goes in as the VM reads; Ctrl-A still moves the focus meanwhile, and what
 * was queued for the VM stays its own.
 */
static void test_input_waits_for_room(void **state)
{
	(void)state;
	vm0.room = 4;
	rx_queue = "echo hello\r";
	console_rx_irq();
	assert_int_equal(vm0.nr_in, 4);
	assert_memory_equal(vm0.in, "echo", 4);
	assert_int_equal(vm0.port.in_count, 7);

	rx_queue = "\x01\x01\x01zz"; /* guest1 gets the focus, and "zz" */
	console_rx_irq();
	assert_int_equal(vm1.nr_in, 2);
	assert_int_equal(vm0.nr_in, 4);

	vm0.room = 3; /* guest0 read three characters: three more go in */
	console_port_rx_ready(&vm0.port);
	assert_int_equal(vm0.nr_in, 7);
	vm0.room = 64;
	console_port_rx_ready(&vm0.port);
	assert_int_equal(vm0.nr_in, 11);
	assert_memory_equal(vm0.in, "echo hello\r", 11);
	assert_int_equal(vm0.port.in_count, 0);
	assert_int_equal(vm0.port.rx_dropped, 0);
	rx_queue = "\x01\x01\x01\x01\x01\x01"; /* via the hypervisor, back to guest0 */
	console_rx_irq();
}

/* Beyond the queue, input is dropped and counted. */
static void test_input_beyond_the_queue_is_counted(void **state)
{
	static char flood[CONSOLE_INPUT_MAX + 11];

	(void)state;
	memset(flood, 'x', sizeof(flood) - 1);
	vm0.room = 0;
	rx_queue = flood;
	console_rx_irq();
	assert_int_equal(vm0.port.in_count, CONSOLE_INPUT_MAX);
	assert_int_equal(vm0.port.rx_dropped, 10);
	console_port_reset(&vm0.port);
	assert_int_equal(vm0.port.in_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_lines_carry_their_vm, setup),
	    cmocka_unit_test_setup(test_unfocused_vm_is_line_buffered, setup),
	    cmocka_unit_test_setup(test_focused_line_cut_is_shown_again_whole, setup),
	    cmocka_unit_test_setup(test_focused_prompt_then_typing, setup),
	    cmocka_unit_test_setup(test_focus_moves_with_ctrl_a, setup),
	    cmocka_unit_test_setup(test_short_ctrl_a_runs_pass_through, setup),
	    cmocka_unit_test_setup(test_new_focus_shows_its_prompt, setup),
	    cmocka_unit_test_setup(test_input_waits_for_room, setup),
	    cmocka_unit_test_setup(test_input_beyond_the_queue_is_counted, setup),
	};
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
