/*
 * libFuzzer target: the emulated PL011 (core/vpl011.c). Each step of the
 * input is a guest access (offset, size, direction, value) or a character
 * typed for the VM. A shadow FIFO written here again follows the characters.
 *
 * Invariants: the device never holds more than its FIFO depth; characters
 * come out of UARTDR in the order they went in, none invented or reordered
 * (checked against the shadow); UARTFR's RXFE/RXFF agree with the FIFO;
 * UARTMIS is UARTRIS & UARTIMSC and the interrupt line is MIS != 0; an
 * access of a size other than 1/2/4, unaligned or outside the page is
 * refused; a character is transmitted only by a write to UARTDR's first
 * byte, never in loopback; the ID registers never change.
 */
#include <string.h>

#include "core/vpl011.h"
#include "fuzz_input.h"

struct shadow {
	uint8_t q[VPL011_FIFO_SIZE];
	unsigned int head, count;
};

static uint32_t reg_read(struct vpl011 *u, uint64_t off)
{
	uint64_t v = 0;
	int tx = -1;

	FUZZ_CHECK(vpl011_access(u, off, 4, false, &v, &tx), "read of 0x%lx refused",
	           (unsigned long)off);
	FUZZ_CHECK(tx == -1, "a read transmitted");
	return (uint32_t)v;
}

static void check_state(struct vpl011 *u, const struct shadow *s)
{
	uint32_t ris = reg_read(u, VPL011_RIS), mis = reg_read(u, VPL011_MIS);
	uint32_t fr = reg_read(u, VPL011_FR), imsc = reg_read(u, VPL011_IMSC);
	unsigned int depth = (reg_read(u, VPL011_LCR_H) & VPL011_LCR_H_FEN) ? VPL011_FIFO_SIZE : 1;

	FUZZ_CHECK(u->rx_count <= depth, "%u characters in a FIFO of %u", u->rx_count, depth);
	FUZZ_CHECK(u->rx_count == s->count, "device holds %u, shadow %u", u->rx_count, s->count);
	FUZZ_CHECK(!!(fr & VPL011_FR_RXFE) == (s->count == 0), "RXFE with %u held", s->count);
	FUZZ_CHECK(!!(fr & VPL011_FR_RXFF) == (s->count == depth), "RXFF with %u held", s->count);
	FUZZ_CHECK(fr & VPL011_FR_TXFE, "TX FIFO not empty");
	FUZZ_CHECK(mis == (ris & imsc), "MIS 0x%x RIS 0x%x IMSC 0x%x", mis, ris, imsc);
	FUZZ_CHECK(vpl011_irq_level(u) == (mis != 0), "line vs MIS 0x%x", mis);
	FUZZ_CHECK(!!(ris & VPL011_INT_RT) == (s->count != 0), "RTRIS with %u held", s->count);
	FUZZ_CHECK(vpl011_rx_space(u) == depth - s->count, "space");
}

static void shadow_push(struct shadow *s, uint8_t c)
{
	s->q[(s->head + s->count) % VPL011_FIFO_SIZE] = c;
	s->count++;
}

static void step_access(struct vpl011 *u, struct shadow *s, struct fuzz_in *in)
{
	uint64_t off = fin_u16(in) & 0x1fff; /* also past the page */
	unsigned int size = fin_u8(in) & 15;
	bool write = fin_u8(in) & 1;
	uint64_t val = fin_u32(in), data = val;
	bool ok_shape =
	    (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) && off < VPL011_SIZE;
	bool loopback = reg_read(u, VPL011_CR) & VPL011_CR_LBE;
	uint32_t fen_before = reg_read(u, VPL011_LCR_H) & VPL011_LCR_H_FEN;
	int tx = -1;
	bool ok = vpl011_access(u, off, size, write, &data, &tx);

	FUZZ_CHECK(ok == ok_shape, "access 0x%lx/%u %s: %d", (unsigned long)off, size,
	           write ? "w" : "r", ok);
	if (!ok) {
		FUZZ_CHECK(tx == -1, "refused access transmitted");
		return;
	}
	if (write && off == VPL011_DR) {
		if (loopback) {
			FUZZ_CHECK(tx == -1, "loopback transmitted");
			unsigned int depth = fen_before ? VPL011_FIFO_SIZE : 1;
			if (s->count < depth)
				shadow_push(s, (uint8_t)val);
		} else {
			FUZZ_CHECK(tx == (int)(uint8_t)val, "sent %d for 0x%lx", tx,
			           (unsigned long)val);
		}
	} else {
		FUZZ_CHECK(tx == -1, "transmitted from 0x%lx", (unsigned long)off);
	}
	if (write && off == VPL011_LCR_H &&
	    ((reg_read(u, VPL011_LCR_H) & VPL011_LCR_H_FEN) != fen_before))
		s->count = 0; /* FEN toggled: flushed */
	if (!write && off == VPL011_DR) {
		if (s->count) {
			FUZZ_CHECK((data & 0xff) == s->q[s->head], "read 0x%lx, expected 0x%x",
			           (unsigned long)data, s->q[s->head]);
			s->head = (s->head + 1) % VPL011_FIFO_SIZE;
			s->count--;
		} else {
			FUZZ_CHECK((data & 0xff) == 0, "empty FIFO read 0x%lx",
			           (unsigned long)data);
		}
	}
	if (!write && off >= VPL011_PERIPH && !(off & 3)) {
		static const uint8_t id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
		FUZZ_CHECK(data == id[(off - VPL011_PERIPH) / 4], "ID at 0x%lx",
		           (unsigned long)off);
	}
}

static void step_type(struct vpl011 *u, struct shadow *s, struct fuzz_in *in)
{
	uint8_t c = fin_u8(in);
	uint32_t cr = reg_read(u, VPL011_CR);
	bool can = (cr & VPL011_CR_UARTEN) && (cr & VPL011_CR_RXE) && !(cr & VPL011_CR_LBE) &&
	           vpl011_rx_space(u);
	bool took = vpl011_rx_push(u, c);

	FUZZ_CHECK(took == can, "rx_push %d, expected %d", took, can);
	if (took)
		shadow_push(s, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct vpl011 u;
	struct shadow s = {0};

	vpl011_reset(&u);
	for (unsigned int steps = 0; fin_left(&in) && steps < 4096; steps++) {
		uint8_t op = fin_u8(&in);

		if (op & 1)
			step_type(&u, &s, &in);
		else
			step_access(&u, &s, &in);
		check_state(&u, &s);
	}
	return 0;
}
