/*
 * The emulated PL011 (core/vpl011.c), driven the way Linux's amba-pl011
 * driver and earlycon drive it: ID probing, transmission, the receive FIFO
 * and its interrupts, and the accesses the device refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/vpl011.h"

static uint32_t rd(struct vpl011 *u, uint64_t off, unsigned int size)
{
	uint64_t v = 0xdeadbeef;
	int tx = -1;

	assert_true(vpl011_access(u, off, size, false, &v, &tx));
	assert_int_equal(tx, -1);
	return (uint32_t)v;
}

static int wr(struct vpl011 *u, uint64_t off, unsigned int size, uint32_t val)
{
	uint64_t v = val;
	int tx = -1;

	assert_true(vpl011_access(u, off, size, true, &v, &tx));
	return tx;
}

/* What Linux's pl011_startup leaves: enabled, FIFOs on, RX and RT interrupts unmasked. */
static void linux_startup(struct vpl011 *u)
{
	vpl011_reset(u);
	wr(u, VPL011_ICR, 2, VPL011_INT_ALL);
	wr(u, VPL011_LCR_H, 2, VPL011_LCR_H_FEN | (3u << 5));
	wr(u, VPL011_CR, 2, VPL011_CR_UARTEN | VPL011_CR_TXE | VPL011_CR_RXE);
	wr(u, VPL011_IMSC, 2, VPL011_INT_RX | VPL011_INT_RT);
}

static void test_amba_ids_match_linux_driver(void **state)
{
	struct vpl011 u;
	uint32_t periph = 0, cell = 0;

	(void)state;
	vpl011_reset(&u);
	for (unsigned int i = 0; i < 4; i++) {
		periph |= (rd(&u, VPL011_PERIPH + 4 * i, 4) & 0xff) << (8 * i);
		cell |= (rd(&u, 0xff0 + 4 * i, 4) & 0xff) << (8 * i);
	}
	/* amba-pl011.c matches id 0x00041011 under mask 0x000fffff. */
	assert_int_equal(periph & 0x000fffff, 0x00041011);
	assert_int_equal(cell, 0xb105f00d);
}

static void test_reset_values(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_reset(&u);
	assert_int_equal(rd(&u, VPL011_CR, 2), VPL011_CR_TXE | VPL011_CR_RXE);
	assert_int_equal(rd(&u, VPL011_IFLS, 2), 0x12);
	assert_int_equal(rd(&u, VPL011_FR, 2) & (VPL011_FR_TXFE | VPL011_FR_RXFE | VPL011_FR_TXFF),
	                 VPL011_FR_TXFE | VPL011_FR_RXFE);
	assert_int_equal(rd(&u, VPL011_IMSC, 2), 0);
	assert_false(vpl011_irq_level(&u));
}

static void test_tx_is_immediate_and_earlycon_never_waits(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_reset(&u); /* earlycon: no driver set-up at all */
	for (int c = 'a'; c <= 'z'; c++) {
		assert_false(rd(&u, VPL011_FR, 4) & (VPL011_FR_TXFF | VPL011_FR_BUSY));
		assert_int_equal(wr(&u, VPL011_DR, 4, (uint32_t)c), c);
	}
	/* 16-bit and 8-bit writes, as amba-pl011 (writew) and 8250-style code use. */
	assert_int_equal(wr(&u, VPL011_DR, 2, 'X'), 'X');
	assert_int_equal(wr(&u, VPL011_DR, 1, 'Y'), 'Y');
}

static void test_tx_interrupt_follows_writes(void **state)
{
	struct vpl011 u;

	(void)state;
	linux_startup(&u);
	assert_false(rd(&u, VPL011_RIS, 2) & VPL011_INT_TX);
	wr(&u, VPL011_DR, 2, 'a');
	assert_true(rd(&u, VPL011_RIS, 2) & VPL011_INT_TX);
	assert_false(vpl011_irq_level(&u)); /* masked */
	wr(&u, VPL011_IMSC, 2, VPL011_INT_RX | VPL011_INT_RT | VPL011_INT_TX);
	assert_true(vpl011_irq_level(&u));
	assert_true(rd(&u, VPL011_MIS, 2) & VPL011_INT_TX);
	wr(&u, VPL011_ICR, 2, VPL011_INT_TX);
	assert_false(vpl011_irq_level(&u));
}

static void test_rx_fifo_order_flags_and_interrupt(void **state)
{
	struct vpl011 u;
	const char *in = "hello";

	(void)state;
	linux_startup(&u);
	for (const char *p = in; *p; p++)
		assert_true(vpl011_rx_push(&u, (uint8_t)*p));
	assert_false(rd(&u, VPL011_FR, 2) & VPL011_FR_RXFE);
	/* 5 characters: below the 1/2 trigger (16), so only the timeout interrupt. */
	assert_int_equal(rd(&u, VPL011_MIS, 2), VPL011_INT_RT);
	assert_true(vpl011_irq_level(&u));
	for (const char *p = in; *p; p++)
		assert_int_equal(rd(&u, VPL011_DR, 2), (uint32_t)*p);
	assert_true(rd(&u, VPL011_FR, 2) & VPL011_FR_RXFE);
	assert_false(vpl011_irq_level(&u));
	/* An empty FIFO reads as 0 and stays empty. */
	assert_int_equal(rd(&u, VPL011_DR, 2), 0);
	assert_int_equal(vpl011_rx_space(&u), VPL011_FIFO_SIZE);
}

static void test_rx_trigger_level(void **state)
{
	struct vpl011 u;

	(void)state;
	linux_startup(&u);
	wr(&u, VPL011_IFLS, 2, 1u << 3); /* RX at 1/4: 8 characters */
	for (int i = 0; i < 7; i++)
		vpl011_rx_push(&u, 'x');
	assert_false(rd(&u, VPL011_RIS, 2) & VPL011_INT_RX);
	vpl011_rx_push(&u, 'x');
	assert_true(rd(&u, VPL011_RIS, 2) & VPL011_INT_RX);
}

static void test_rx_overrun_reported(void **state)
{
	struct vpl011 u;

	(void)state;
	linux_startup(&u);
	for (unsigned int i = 0; i < VPL011_FIFO_SIZE; i++)
		assert_true(vpl011_rx_push(&u, (uint8_t)('A' + i % 26)));
	assert_true(rd(&u, VPL011_FR, 2) & VPL011_FR_RXFF);
	assert_int_equal(vpl011_rx_space(&u), 0);
	assert_false(vpl011_rx_push(&u, '!'));
	assert_true(rd(&u, VPL011_RIS, 2) & VPL011_INT_OE);
	assert_true(rd(&u, VPL011_RSR, 2) & VPL011_RSR_OE);
	/* The character read next carries the overrun flag (DR bit 11). */
	assert_int_equal(rd(&u, VPL011_DR, 2), 'A' | (1u << 11));
	assert_int_equal(rd(&u, VPL011_DR, 2), 'B');
	assert_true(rd(&u, VPL011_RSR, 2) & VPL011_RSR_OE); /* until UARTECR is written */
	wr(&u, VPL011_RSR, 2, 0);
	assert_int_equal(rd(&u, VPL011_RSR, 2), 0);
}

static void test_fifo_off_holds_one_character(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_reset(&u);
	wr(&u, VPL011_CR, 2, VPL011_CR_UARTEN | VPL011_CR_TXE | VPL011_CR_RXE);
	assert_true(vpl011_rx_push(&u, '1'));
	assert_false(vpl011_rx_push(&u, '2'));
	assert_true(rd(&u, VPL011_RIS, 2) & VPL011_INT_RX);       /* one character is the level */
	assert_int_equal(rd(&u, VPL011_DR, 2), '1' | (1u << 11)); /* '2' overran it */
}

static void test_receiver_off_drops_input(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_reset(&u); /* UARTEN clear after reset */
	assert_false(vpl011_rx_push(&u, 'a'));
	assert_true(rd(&u, VPL011_FR, 2) & VPL011_FR_RXFE);
	linux_startup(&u);
	wr(&u, VPL011_CR, 2, VPL011_CR_UARTEN | VPL011_CR_TXE); /* RXE clear */
	assert_false(vpl011_rx_push(&u, 'a'));
}

static void test_loopback_sends_tx_to_rx(void **state)
{
	struct vpl011 u;

	(void)state;
	linux_startup(&u);
	wr(&u, VPL011_CR, 2, VPL011_CR_UARTEN | VPL011_CR_TXE | VPL011_CR_RXE | VPL011_CR_LBE);
	assert_int_equal(wr(&u, VPL011_DR, 2, 'q'), -1); /* nothing leaves the UART */
	assert_int_equal(rd(&u, VPL011_DR, 2), 'q');
}

static void test_lcr_h_fen_change_flushes(void **state)
{
	struct vpl011 u;

	(void)state;
	linux_startup(&u);
	vpl011_rx_push(&u, 'a');
	vpl011_rx_push(&u, 'b');
	wr(&u, VPL011_LCR_H, 2, 3u << 5); /* FIFO off */
	assert_true(rd(&u, VPL011_FR, 2) & VPL011_FR_RXFE);
}

static void test_bad_accesses_refused_reserved_raz_wi(void **state)
{
	struct vpl011 u;
	uint64_t v = 0;
	int tx = -1;

	(void)state;
	linux_startup(&u);
	assert_false(vpl011_access(&u, VPL011_DR, 8, false, &v, &tx));
	assert_false(vpl011_access(&u, VPL011_DR, 3, true, &v, &tx));
	assert_false(vpl011_access(&u, VPL011_FR + 1, 2, false, &v, &tx));
	assert_false(vpl011_access(&u, VPL011_SIZE, 4, false, &v, &tx));
	assert_int_equal(tx, -1);
	/* Reserved registers: zero, and writes have no effect. */
	assert_int_equal(rd(&u, 0x100, 4), 0);
	wr(&u, 0x100, 4, 0xffffffff);
	assert_int_equal(rd(&u, 0x100, 4), 0);
	/* Read-only registers ignore writes. */
	wr(&u, VPL011_FR, 4, 0);
	assert_true(rd(&u, VPL011_FR, 4) & VPL011_FR_TXFE);
	/* A byte read inside UARTDR does not take a character. */
	vpl011_rx_push(&u, 'z');
	assert_int_equal(rd(&u, VPL011_DR + 1, 1), 0);
	assert_int_equal(rd(&u, VPL011_DR, 1), 'z');
}

static void test_registers_keep_their_width(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_reset(&u);
	wr(&u, VPL011_IBRD, 4, 0x12345678);
	wr(&u, VPL011_FBRD, 4, 0xff);
	wr(&u, VPL011_IMSC, 4, 0xffffffff);
	assert_int_equal(rd(&u, VPL011_IBRD, 4), 0x5678);
	assert_int_equal(rd(&u, VPL011_FBRD, 4), 0x3f);
	assert_int_equal(rd(&u, VPL011_IMSC, 4), VPL011_INT_ALL);
	/* A byte read of the high half of a 16-bit register. */
	assert_int_equal(rd(&u, VPL011_IBRD + 1, 1), 0x56);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_amba_ids_match_linux_driver),
	    cmocka_unit_test(test_reset_values),
	    cmocka_unit_test(test_tx_is_immediate_and_earlycon_never_waits),
	    cmocka_unit_test(test_tx_interrupt_follows_writes),
	    cmocka_unit_test(test_rx_fifo_order_flags_and_interrupt),
	    cmocka_unit_test(test_rx_trigger_level),
	    cmocka_unit_test(test_rx_overrun_reported),
	    cmocka_unit_test(test_fifo_off_holds_one_character),
	    cmocka_unit_test(test_receiver_off_drops_input),
	    cmocka_unit_test(test_loopback_sends_tx_to_rx),
	    cmocka_unit_test(test_lcr_h_fen_change_flushes),
	    cmocka_unit_test(test_bad_accesses_refused_reserved_raz_wi),
	    cmocka_unit_test(test_registers_keep_their_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
