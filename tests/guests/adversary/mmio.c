/*
 * MMIO storm: every register of the emulated GIC frames (GICv3 distributor
 * and redistributors, GICv2 distributor) at every size and alignment, random
 * reads and writes, INTIDs the VM does not own, targets that name no vCPU;
 * accesses the CPU cannot describe to the hypervisor (ISV=0: pairs, pre- and
 * post-index, exclusives); IPAs with nothing behind them and above the IPA
 * size. Each access is answered (a value of the right width and extension)
 * or comes back as a synchronous external abort with the right ESR and FAR,
 * with no register of the faulting instruction changed.
 */
#include "adv.h"
#include "sysreg.h"

enum access {
	LDRB,
	LDRH,
	LDRW,
	LDRX,
	LDRSBX,
	LDRSHX,
	LDRSW,
	LDRSBW,
	LDRSHW,
	LDAR, /* loads */
	STRB,
	STRH,
	STRW,
	STRX,
	STLR, /* stores */
	LDPW,
	LDPX,
	STPX,
	LDR_POST,
	LDR_PRE,
	STR_POST,
	LDXR,
	STXR, /* ISV=0 */
	NR_ACCESSES
};

static const unsigned int access_size[NR_ACCESSES] = {
    1, 2, 4, 8, 1, 2, 4, 1, 2, 8, 1, 2, 4, 8, 8, 4, 8, 8, 8, 8, 8, 8, 8,
};

static const char *const access_name[NR_ACCESSES] = {
    "ldrb",    "ldrh",  "ldr w",    "ldr x",   "ldrsb x",  "ldrsh x", "ldrsw", "ldrsb w",
    "ldrsh w", "ldar",  "strb",     "strh",    "str w",    "str x",   "stlr",  "ldp w",
    "ldp x",   "stp x", "ldr post", "ldr pre", "str post", "ldxr",    "stxr",
};

static bool is_write(enum access a)
{
	return (a >= STRB && a <= STLR) || a == STPX || a == STR_POST || a == STXR;
}

static bool no_syndrome(enum access a)
{
	return a >= LDPW;
}

/* The alignment an access needs, MMU off (Device memory): its size. */
static bool aligned(uint64_t addr, enum access a)
{
	unsigned int align = a == LDPW ? 4 : access_size[a];

	return !(addr & (align - 1));
}

/*
 * One access; the exception handler steps over it if it faults. *val is the
 * value read (or written), *base the base register after (writeback forms),
 * *other the second register (pairs, STXR's status).
 */
static void do_access(enum access a, uint64_t addr, uint64_t *val, uint64_t *base, uint64_t *other)
{
	uint64_t v = *val, b = addr, o = *other;

	switch (a) {
	case LDRB:
		__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRH:
		__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRW:
		__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRX:
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRSBX:
		__asm__ volatile("ldrsb %0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRSHX:
		__asm__ volatile("ldrsh %0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRSW:
		__asm__ volatile("ldrsw %0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRSBW:
		__asm__ volatile("ldrsb %w0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDRSHW:
		__asm__ volatile("ldrsh %w0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case LDAR:
		__asm__ volatile("ldar %0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case STRB:
		__asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(b) : "memory");
		break;
	case STRH:
		__asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(b) : "memory");
		break;
	case STRW:
		__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(b) : "memory");
		break;
	case STRX:
		__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(b) : "memory");
		break;
	case STLR:
		__asm__ volatile("stlr %0, [%1]" : : "r"(v), "r"(b) : "memory");
		break;
	case LDPW:
		__asm__ volatile("ldp %w0, %w1, [%2]" : "+r"(v), "+r"(o) : "r"(b) : "memory");
		break;
	case LDPX:
		__asm__ volatile("ldp %0, %1, [%2]" : "+r"(v), "+r"(o) : "r"(b) : "memory");
		break;
	case STPX:
		__asm__ volatile("stp %0, %1, [%2]" : : "r"(v), "r"(o), "r"(b) : "memory");
		break;
	case LDR_POST:
		__asm__ volatile("ldr %0, [%1], #8" : "+r"(v), "+r"(b) : : "memory");
		break;
	case LDR_PRE:
		__asm__ volatile("ldr %0, [%1, #8]!" : "+r"(v), "+r"(b) : : "memory");
		break;
	case STR_POST:
		__asm__ volatile("str %1, [%0], #8" : "+r"(b) : "r"(v) : "memory");
		break;
	case LDXR:
		__asm__ volatile("ldxr %0, [%1]" : "+r"(v) : "r"(b) : "memory");
		break;
	case STXR:
		__asm__ volatile("stxr %w0, %1, [%2]" : "+r"(o) : "r"(v), "r"(b) : "memory");
		break;
	default:
		break;
	}
	*val = v;
	*base = b;
	*other = o;
}

/* The address a faulting access reports in FAR: pre-index adds its offset first. */
static uint64_t access_address(enum access a, uint64_t addr)
{
	return a == LDR_PRE ? addr + 8 : addr;
}

static const char *kind_name;

/*
 * Make access @a at @addr and check the answer. @must_abort: nothing can
 * answer it (a hole). Returns true if it was answered with a value.
 */
static bool access_check(struct adv_cpu *c, enum access a, uint64_t addr, uint64_t wval,
                         bool must_abort, uint64_t *out)
{
	const uint64_t poison = 0x5ca1ab1e0ddba11UL, other_in = 0x5a5aUL;
	uint64_t val = is_write(a) ? wval : poison, base, other = other_in;
	uint64_t before = c->unexpected, ea = access_address(a, addr);
	bool aborted;

	expect_begin(c);
	do_access(a, addr, &val, &base, &other);
	aborted = expect_end(c);
	CHECK(c->unexpected == before, "%s %s at 0x%lx: unexpected exception", kind_name,
	      access_name[a], addr);
	if (aborted) {
		uint64_t esr = c->esr, dfsc = esr & 0x3f;
		bool size_fault = dfsc <= 3 && ea >> 32; /* above the PA range: a stage-1 fault */

		CHECK(ESR_EC(esr) == EC_DABT_CUR && (dfsc == DFSC_SEA || size_fault),
		      "%s %s at 0x%lx: ESR 0x%lx, expected a data abort (EC 0x25) with DFSC 0x10",
		      kind_name, access_name[a], addr, esr);
		CHECK(size_fault || (c->far >= ea && c->far < ea + access_size[a] + 8),
		      "%s %s at 0x%lx: FAR 0x%lx", kind_name, access_name[a], addr, c->far);
		CHECK(size_fault || !(esr & ESR_WNR) == !is_write(a),
		      "%s %s at 0x%lx: ESR 0x%lx has WnR %u", kind_name, access_name[a], addr, esr,
		      (unsigned int)!!(esr & ESR_WNR));
		CHECK(esr & ESR_IL, "%s %s at 0x%lx: ESR 0x%lx without IL", kind_name,
		      access_name[a], addr, esr);
		/* Nothing of the instruction happened: no register written, no writeback. */
		CHECK(base == addr && other == other_in && (is_write(a) || val == poison),
		      "%s %s at 0x%lx aborted but changed registers: base 0x%lx val 0x%lx other "
		      "0x%lx",
		      kind_name, access_name[a], addr, base, val, other);
		return false;
	}
	/* A store-exclusive with no load-exclusive before it fails without any access. */
	if (a == STXR) {
		CHECK(other == 1, "%s stxr at 0x%lx without ldxr: status %lu, expected 1 (failed)",
		      kind_name, addr, other);
		return false;
	}
	CHECK(!must_abort, "%s %s at 0x%lx (nothing there) was answered: 0x%lx", kind_name,
	      access_name[a], addr, val);
	CHECK(!no_syndrome(a), "%s %s at 0x%lx (no syndrome) was answered: val 0x%lx base 0x%lx",
	      kind_name, access_name[a], addr, val, base);
	if (!is_write(a)) {
		bool ok = true;

		switch (a) {
		case LDRB:
			ok = val <= 0xff;
			break;
		case LDRH:
			ok = val <= 0xffff;
			break;
		case LDRW:
			ok = val <= 0xffffffffUL;
			break;
		case LDRSBX:
			ok = (int64_t)val == (int8_t)val;
			break;
		case LDRSHX:
			ok = (int64_t)val == (int16_t)val;
			break;
		case LDRSW:
			ok = (int64_t)val == (int32_t)val;
			break;
		case LDRSBW:
			ok = val == (uint32_t)(int32_t)(int8_t)val;
			break;
		case LDRSHW:
			ok = val == (uint32_t)(int32_t)(int16_t)val;
			break;
		default:
			break;
		}
		CHECK(ok, "%s %s at 0x%lx read 0x%lx: wrong width or extension", kind_name,
		      access_name[a], addr, val);
	}
	if (out)
		*out = val;
	return true;
}

/* Offsets worth hitting more often than chance would. */
static const uint32_t gicd_hot[] = {
    0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0040, 0x0048, 0x0050, 0x0058, 0x0080, 0x0100,
    0x0180, 0x0200, 0x0280, 0x0300, 0x0380, 0x0400, 0x0420, 0x0800, 0x0820, 0x0c00, 0x0d00,
    0x0e00, 0x0f00, 0x0f10, 0x0f20, 0x6000, 0x6100, 0x7fe0, 0xffd0, 0xffe8, 0xfffc,
};
static const uint32_t gicr_hot[] = {
    0x0000,  0x0004,  0x0008,  0x000c,  0x0010,  0x0014,  0x0040,  0x0048,  0x0070,
    0x0078,  0x00a0,  0x00b0,  0x00c0,  0xffe8,  0x10080, 0x10100, 0x10180, 0x10200,
    0x10280, 0x10300, 0x10380, 0x10400, 0x10c00, 0x10c04, 0x10d00, 0x10e00, 0x1ffe8,
};

static uint64_t gic_typer_first, gic_iidr_first;
static unsigned int gic_nr_irqs;

static uint32_t rd32(uint64_t a)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

void mmio_init(void);
void mmio_init(void)
{
	gic_typer_first = rd32(plat.gicd + 0x4);
	gic_iidr_first = rd32(plat.gicd + 0x8);
	gic_nr_irqs = 32 * ((gic_typer_first & 0x1f) + 1);
}

/* Architected answers that hold whatever anyone wrote. */
static void check_invariants(struct adv_cpu *c, uint64_t off)
{
	uint64_t d = plat.gicd;

	if (off == 0x4 || off == 0x8) {
		CHECK(rd32(d + 0x4) == gic_typer_first && rd32(d + 0x8) == gic_iidr_first,
		      "GICD_TYPER/IIDR changed: 0x%x/0x%x, were 0x%lx/0x%lx", rd32(d + 0x4),
		      rd32(d + 0x8), gic_typer_first, gic_iidr_first);
	}
	/* INTIDs beyond ITLinesNumber: enable, pending, active bits read as zero. */
	if (off >= 0x100 && off < 0x400 && ((off & 0x7f) / 4) * 32 >= gic_nr_irqs) {
		uint64_t reg = off & ~3UL;

		CHECK(rd32(d + reg) == 0,
		      "GICD 0x%lx (INTIDs %lu+, beyond the %u the VM has) reads 0x%x", reg,
		      (reg & 0x7f) / 4 * 32, gic_nr_irqs, rd32(d + reg));
	}
	/* GICv2: an SPI's ITARGETSR names present CPUs only. */
	if (plat.gic_version == 2 && off >= 0x820 && off < 0x800 + gic_nr_irqs) {
		uint32_t t = rd32(d + (off & ~3UL));
		uint32_t present = (1U << plat.nr_cpus) - 1;

		CHECK(!(t & ~(present * 0x01010101U)),
		      "GICD_ITARGETSR 0x%lx = 0x%x names absent CPUs (%u vCPUs)", off & ~3UL, t,
		      plat.nr_cpus);
	}
	/* GICv2: the SGI/PPI targets read as the reading CPU. */
	if (plat.gic_version == 2 && plat.nr_cpus > 1 && off >= 0x800 && off < 0x820) {
		uint32_t t = rd32(d + (off & ~3UL));

		CHECK(t == 0x01010101U << c->id, "GICD_ITARGETSR 0x%lx = 0x%x on CPU %u",
		      off & ~3UL, t, c->id);
	}
}

static uint64_t ipa_bits(void)
{
	static const uint8_t bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned int pa = read_sysreg(s3_0_c0_c7_0) & 0xf;

	return pa < sizeof(bits) ? bits[pa] : 48;
}

/* An address with nothing behind it. */
static uint64_t hole(uint64_t *r)
{
	uint64_t x = rng_next(r), ram_end = plat.ram_base + plat.ram_size;

	switch (x & 3) {
	case 0: /* the IPAs just above the VM's RAM: host memory it must not reach */
		return ram_end + ((x >> 8) & 0xfffffff);
	case 1: /* at and above the IPA size */
		return (1UL << ipa_bits()) + ((x >> 8) & 0xffffff);
	case 2: /* anywhere below the top of the IPA space, above the RAM */
		return ram_end + ((x >> 8) % ((1UL << ipa_bits()) - ram_end));
	default: /* far up */
		return (1UL << (40 + ((x >> 8) % 24))) | ((x >> 32) & 0xfff8);
	}
}

void op_mmio(struct adv_cpu *c)
{
	uint64_t x = rng_next(&c->rng), wval = rng_next(&c->rng);
	enum access a = (enum access)((x >> 4) % NR_ACCESSES);
	uint64_t addr, off, region;

	c->op_class = "mmio";
	if ((x & 0xf) == 0) {
		kind_name = "hole";
		addr = hole(&c->rng);
		if (!aligned(addr, a))
			addr &= ~7UL;
		/* Not the VM's RAM or devices (the fixed far-up ones never are). */
		if (addr >= plat.ram_base && addr < plat.ram_base + plat.ram_size)
			return;
		access_check(c, a, addr, wval, true, NULL);
		return;
	}
	if (plat.gic_version == 3 && (x & 0xf) >= 9) {
		kind_name = "GICR";
		region = plat.gicr;
		off = (x >> 12) & 1
		          ? gicr_hot[(x >> 13) % ARRAY_SIZE(gicr_hot)] + ((x >> 20) & 0x3c)
		          : (x >> 13) & 0x1ffff;
		off += ((x >> 32) % plat.nr_cpus) * 0x20000;
		/* Only a vCPU's own SGI priorities are checked elsewhere: leave the others'. */
		if (off >= plat.gicr_size)
			off %= plat.gicr_size;
	} else {
		kind_name = "GICD";
		region = plat.gicd;
		off = (x >> 12) & 1
		          ? gicd_hot[(x >> 13) % ARRAY_SIZE(gicd_hot)] + ((x >> 20) & 0x7c)
		          : (x >> 13) % plat.gicd_size;
		if (off >= plat.gicd_size)
			off %= plat.gicd_size;
	}
	/* Misaligned accesses to Device memory fault in the CPU itself (alignment): keep them
	 * aligned. */
	if ((x >> 40) & 3)
		off &= ~(uint64_t)(access_size[a] - 1);
	else
		off &= ~3UL;
	if (!aligned(region + off, a))
		off &= ~7UL;
	if (off + access_size[a] * 2 > (region == plat.gicd ? plat.gicd_size : plat.gicr_size))
		off = 0;
	/* Reads mostly: a write storm leaves the guest's own interrupts in a mess. */
	if (is_write(a) && ((x >> 44) & 3) == 0)
		a = (enum access)(a - STRB); /* the load of the same size */
	addr = region + off;
	access_check(c, a, addr, wval, false, NULL);
	if (region == plat.gicd)
		check_invariants(c, off);
}
