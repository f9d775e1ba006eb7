/*
 * The emulated PL011 (see vpl011.h). Register behaviour follows the PL011
 * TRM (DDI 0183); where the TRM leaves room, it follows what Linux's
 * amba-pl011 driver expects.
 */
#include "core/vpl011.h"

/* PeriphID0-3 (part 0x011, designer Arm 0x41, revision r1p5 = 3), then PCellID0-3. */
static const uint8_t vpl011_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void vpl011_reset(struct vpl011 *u)
{
	*u = (struct vpl011){
	    .cr = VPL011_CR_TXE | VPL011_CR_RXE, /* the TRM's reset value */
	    .ifls = 0x12,                        /* both FIFO levels at 1/2 */
	    .ris_latched = VPL011_INT_TX,        /* an empty TX FIFO is below any level */
	};
}

static unsigned int vpl011_rx_depth(const struct vpl011 *u)
{
	return (u->lcr_h & VPL011_LCR_H_FEN) ? VPL011_FIFO_SIZE : 1;
}

unsigned int vpl011_rx_space(const struct vpl011 *u)
{
	unsigned int depth = vpl011_rx_depth(u);

	return u->rx_count >= depth ? 0 : depth - u->rx_count;
}

/* UARTIFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO; the reserved codes act as 1/2. */
static unsigned int vpl011_rx_trigger(const struct vpl011 *u)
{
	static const unsigned int eighths[8] = {1, 2, 4, 6, 7, 4, 4, 4};

	if (!(u->lcr_h & VPL011_LCR_H_FEN))
		return 1;
	return VPL011_FIFO_SIZE * eighths[(u->ifls >> 3) & 7] / 8;
}

uint32_t vpl011_raw_status(const struct vpl011 *u)
{
	uint32_t ris = u->ris_latched;

	if (u->rx_count)
		ris |= VPL011_INT_RT;
	if (u->rx_count >= vpl011_rx_trigger(u))
		ris |= VPL011_INT_RX;
	return ris;
}

bool vpl011_irq_level(const struct vpl011 *u)
{
	return (vpl011_raw_status(u) & u->imsc) != 0;
}

static bool vpl011_rx_enabled(const struct vpl011 *u)
{
	uint32_t on = VPL011_CR_UARTEN | VPL011_CR_RXE;

	return (u->cr & on) == on;
}

static bool vpl011_rx_insert(struct vpl011 *u, uint8_t ch)
{
	if (!vpl011_rx_space(u)) {
		/* Overrun: the character is lost and the guest is told so. */
		u->rsr |= VPL011_RSR_OE;
		u->dr_overrun = true;
		u->ris_latched |= VPL011_INT_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % VPL011_FIFO_SIZE] = ch;
	u->rx_count++;
	return true;
}

bool vpl011_rx_push(struct vpl011 *u, uint8_t ch)
{
	if (!vpl011_rx_enabled(u) || (u->cr & VPL011_CR_LBE))
		return false;
	return vpl011_rx_insert(u, ch);
}

static uint32_t vpl011_read_dr(struct vpl011 *u)
{
	uint32_t v;

	if (!u->rx_count)
		return 0;
	v = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VPL011_FIFO_SIZE;
	u->rx_count--;
	/*
	 * UARTDR's OE bit comes with the read that makes room again (the TRM:
	 * cleared once a new character can be written); UARTRSR's stays until
	 * UARTECR is written.
	 */
	if (u->dr_overrun)
		v |= 1u << 11;
	u->dr_overrun = false;
	return v;
}

static uint32_t vpl011_read_fr(const struct vpl011 *u)
{
	uint32_t fr = VPL011_FR_TXFE | VPL011_FR_CTS;

	if (!u->rx_count)
		fr |= VPL011_FR_RXFE;
	if (!vpl011_rx_space(u))
		fr |= VPL011_FR_RXFF;
	return fr;
}

static uint32_t vpl011_read(struct vpl011 *u, uint64_t reg)
{
	switch (reg) {
	case VPL011_DR:
		return vpl011_read_dr(u);
	case VPL011_RSR:
		return u->rsr;
	case VPL011_FR:
		return vpl011_read_fr(u);
	case VPL011_ILPR:
		return u->ilpr;
	case VPL011_IBRD:
		return u->ibrd;
	case VPL011_FBRD:
		return u->fbrd;
	case VPL011_LCR_H:
		return u->lcr_h;
	case VPL011_CR:
		return u->cr;
	case VPL011_IFLS:
		return u->ifls;
	case VPL011_IMSC:
		return u->imsc;
	case VPL011_RIS:
		return vpl011_raw_status(u);
	case VPL011_MIS:
		return vpl011_raw_status(u) & u->imsc;
	case VPL011_DMACR:
		return u->dmacr;
	default:
		if (reg >= VPL011_PERIPH && reg < VPL011_SIZE)
			return vpl011_id[(reg - VPL011_PERIPH) / 4];
		return 0;
	}
}

static void vpl011_write_dr(struct vpl011 *u, uint32_t v, int *tx)
{
	/* Loopback (CR.LBE) sends the character back to the receiver. */
	if (u->cr & VPL011_CR_LBE)
		vpl011_rx_insert(u, (uint8_t)v);
	else
		*tx = (uint8_t)v;
	u->ris_latched |= VPL011_INT_TX; /* gone at once: the FIFO is empty again */
}

static void vpl011_write_lcr_h(struct vpl011 *u, uint32_t v)
{
	/* Switching the FIFO off or on flushes it, as the TRM says. */
	if ((v ^ u->lcr_h) & VPL011_LCR_H_FEN)
		u->rx_count = 0;
	u->lcr_h = v & 0xff;
}

static void vpl011_write(struct vpl011 *u, uint64_t reg, uint32_t v, int *tx)
{
	switch (reg) {
	case VPL011_DR:
		vpl011_write_dr(u, v, tx);
		break;
	case VPL011_RSR: /* UARTECR: any write clears the errors */
		u->rsr = 0;
		break;
	case VPL011_ILPR:
		u->ilpr = v & 0xff;
		break;
	case VPL011_IBRD:
		u->ibrd = v & 0xffff;
		break;
	case VPL011_FBRD:
		u->fbrd = v & 0x3f;
		break;
	case VPL011_LCR_H:
		vpl011_write_lcr_h(u, v);
		break;
	case VPL011_CR:
		u->cr = v & 0xff87; /* bits 6:3 are reserved */
		break;
	case VPL011_IFLS:
		u->ifls = v & 0x3f;
		break;
	case VPL011_IMSC:
		u->imsc = v & VPL011_INT_ALL;
		break;
	case VPL011_ICR:
		/* RX and RT follow the FIFO's state: clearing them lasts only until it is read. */
		u->ris_latched &= ~v;
		break;
	case VPL011_DMACR:
		u->dmacr = v & 0x7;
		break;
	default: /* read-only and reserved registers ignore writes */
		break;
	}
}

bool vpl011_access(struct vpl011 *u, uint64_t offset, unsigned int size, bool write, uint64_t *data,
                   int *tx)
{
	uint64_t reg = offset & ~(uint64_t)3;
	unsigned int shift = (unsigned int)(offset & 3) * 8;
	uint64_t mask;

	if ((size != 1 && size != 2 && size != 4) || (offset & (size - 1)) || offset >= VPL011_SIZE)
		return false;
	mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
	if (!write) {
		/* Only a read of UARTDR's first byte takes a character out of the FIFO. */
		if (reg == VPL011_DR && shift) {
			*data = 0;
			return true;
		}
		*data = ((uint64_t)vpl011_read(u, reg) >> shift) & mask;
		return true;
	}
	/* A narrow write reaches a register only at its first byte (the registers are <= 16 bits).
	 */
	if (!shift)
		vpl011_write(u, reg, (uint32_t)(*data & mask), tx);
	return true;
}
