/*
 * System registers and instructions that trap: the ID registers (TID3: they
 * read, always the same value; writes are undefined), the RAS error records
 * (RAZ/WI where RAS is shown, undefined where not), ICC_SGI1R_EL1 (and
 * ICC_SGI0R/ASGI1R_EL1, which must not be undefined) with bogus
 * target lists, ranges and IRM, writes to registers of hidden features and
 * of EL2/EL3, the EL1 timers set to fire, not fire and be masked, and reads
 * across the whole op0=3 space. Every answer is a
 * value or an undefined instruction (EC 0 at the instruction itself).
 */
#include "adv.h"
#include "sysreg.h"
#include "timer.h"

typedef uint64_t (*stub_fn)(uint64_t);
extern char adv_id_read[], adv_id_write[], adv_ras_read[], adv_ras_write[], adv_space_read[];
extern char adv_trap_write[], adv_trap_write_end[];

static stub_fn stub(char *table, unsigned int i)
{
	return (stub_fn)(void *)(table + 8 * i);
}

/* Run stub @i of @table; true if it was undefined (and checks how it was reported). */
static bool run_stub_ec(struct adv_cpu *c, const char *what, char *table, unsigned int i,
                        uint64_t arg, uint64_t *val, bool id_space)
{
	uint64_t before = c->unexpected, v;
	bool undef;

	expect_begin(c);
	v = stub(table, i)(arg);
	undef = expect_end(c);
	CHECK(c->unexpected == before, "%s %u: unexpected exception", what, i);
	if (undef) {
		/* FEAT_IDST: the unallocated ID space traps as EC 0x18, not EC 0. */
		bool idst =
		    id_space && ESR_EC(c->esr) == 0x18 && (read_sysreg(s3_0_c0_c7_2) >> 36 & 0xf);
		/* FPCR/FPSR with CPACR_EL1.FPEN not 3: our own FP trap (EC 0x07). */
		bool fp = ESR_EC(c->esr) == 0x07 && ((read_sysreg(cpacr_el1) >> 20) & 3) != 3;

		CHECK((ESR_EC(c->esr) == EC_UNKNOWN || idst || fp) && (c->esr & ESR_IL) &&
		          c->elr == (uint64_t)(table + 8 * i),
		      "%s %u (insn 0x%x): ESR 0x%lx ELR 0x%lx, expected EC 0 at 0x%lx", what, i,
		      *(volatile uint32_t *)(table + 8 * i), c->esr, c->elr,
		      (uint64_t)(table + 8 * i));
	} else if (val) {
		*val = v;
	}
	return undef;
}

static bool run_stub(struct adv_cpu *c, const char *what, char *table, unsigned int i, uint64_t arg,
                     uint64_t *val)
{
	return run_stub_ec(c, what, table, i, arg, val, false);
}

static void op_id(struct adv_cpu *c, uint64_t x)
{
	unsigned int i = (unsigned int)((x >> 8) % ADV_NR_ID_REGS);
	uint64_t v = 0;

	if (!c->id_known) {
		for (unsigned int k = 0; k < ADV_NR_ID_REGS; k++) {
			bool undef =
			    run_stub(c, "ID register read", adv_id_read, k, 0, &c->id_first[k]);

			CHECK(!undef, "ID register read %u (s3_0_c0_c%u_%u) is undefined", k,
			      1 + k / 8, k % 8);
		}
		c->id_known = true;
	}
	if ((x >> 4) & 1) {
		bool undef = run_stub(c, "ID register read", adv_id_read, i, 0, &v);

		CHECK(!undef && v == c->id_first[i],
		      "ID register s3_0_c0_c%u_%u read 0x%lx (undef %d), first read 0x%lx",
		      1 + i / 8, i % 8, v, undef, c->id_first[i]);
	} else {
		bool undef =
		    run_stub(c, "ID register write", adv_id_write, i, rng_next(&c->rng), NULL);

		CHECK(undef, "MSR to ID register s3_0_c0_c%u_%u was not undefined", 1 + i / 8,
		      i % 8);
	}
}

static void op_ras(struct adv_cpu *c, uint64_t x)
{
	unsigned int i = (unsigned int)((x >> 8) % ADV_NR_RAS_REGS);
	uint64_t v = 0;
	bool undef;

	if ((x >> 4) & 1) {
		undef = run_stub(c, "RAS read", adv_ras_read, i, 0, &v);
		CHECK(ras_shown ? (undef || v == 0) : undef,
		      "RAS s3_0_c5_c%u_%u read 0x%lx (undef %d), RAS %s", 3 + i / 8, i % 8, v,
		      undef, ras_shown ? "shown: RAZ" : "not shown: undefined");
	} else {
		undef = run_stub(c, "RAS write", adv_ras_write, i, rng_next(&c->rng), NULL);
		CHECK(ras_shown || undef,
		      "RAS s3_0_c5_c%u_%u write was not undefined (no RAS shown)", 3 + i / 8,
		      i % 8);
		if (ras_shown && !undef) {
			undef = run_stub(c, "RAS read", adv_ras_read, i, 0, &v);
			CHECK(undef || v == 0, "RAS s3_0_c5_c%u_%u reads 0x%lx after a write (WI)",
			      3 + i / 8, i % 8, v);
		}
	}
}

/* ICC_SGI1R_EL1 with whatever bits: SGIs to no vCPU, RS beyond, IRM, Aff1-3. */
static void op_sgi1r(struct adv_cpu *c, uint64_t x)
{
	uint64_t v = rng_next(&c->rng), before = c->unexpected;

	if (plat.gic_version != 3)
		return;
	if ((x >> 8) & 1)
		v &= ~(0xffUL << 16 | 0xffUL << 32 | 0xffUL << 48); /* Aff1-3 zero: our cluster */
	expect_begin(c);
	write_sysreg(s3_0_c12_c11_5, v);
	isb();
	CHECK(!expect_end(c) && c->unexpected == before, "ICC_SGI1R_EL1 = 0x%lx raised ESR 0x%lx",
	      v, c->esr);
}

/*
 * The EL1 timers, the guest's own: a compare value soon or long past, any
 * control bits (ENABLE, IMASK), so their level interrupts rise, fall and are
 * masked while in flight. The final GIC phase checks both still fire.
 */
static void op_timers(struct adv_cpu *c, uint64_t x)
{
	uint64_t cval = timer_now() + ((x >> 9) & 0xfff) - 0x800;
	uint64_t ctl = (x >> 24) & 3;

	(void)c;
	if ((x >> 8) & 1) {
		write_sysreg(cntp_cval_el0, cval);
		write_sysreg(cntp_ctl_el0, ctl);
	} else {
		write_sysreg(cntv_cval_el0, cval);
		write_sysreg(cntv_ctl_el0, ctl);
	}
	isb();
}

void op_sysreg(struct adv_cpu *c)
{
	uint64_t x = rng_next(&c->rng);
	unsigned int i;

	c->op_class = "sysreg";
	switch (x & 7) {
	case 0:
	case 1:
		op_id(c, x);
		break;
	case 2:
		op_ras(c, x);
		break;
	case 3:
		op_sgi1r(c, x);
		break;
	case 4:
		i = (unsigned int)((x >> 8) % ((adv_trap_write_end - adv_trap_write) / 8));
		/*
		 * ICC_SGI0R/ASGI1R (0, 1) exist with a GICv3: they may send a Group 0
		 * SGI (never delivered here: ICC_IGRPEN0_EL1 stays 0), and never UNDEF.
		 */
		if (i < 2 && plat.gic_version == 3)
			CHECK(!run_stub(c, "ICC_SGI0R/ASGI1R write", adv_trap_write, i,
			                rng_next(&c->rng), NULL),
			      "ICC_%s_EL1 write is undefined", i ? "ASGI1R" : "SGI0R");
		else if (i >= 2)
			run_stub(c, "trapped write", adv_trap_write, i, rng_next(&c->rng), NULL);
		break;
	case 7:
		op_timers(c, x);
		break;
	default:
		i = (unsigned int)((x >> 8) % ADV_NR_SPACE_READS);
		run_stub_ec(c, "op0=3 read", adv_space_read, i, 0, NULL, (i / 128) % 15 == 0);
		break;
	}
}

/* WFE storms: SEVL first, so the first WFE never sleeps; YIELD; an ISB. */
void op_wfx(struct adv_cpu *c)
{
	uint64_t n = 1 + (rng_next(&c->rng) & 15);

	c->op_class = "wfx";
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("sevl\n\twfe\n\tyield\n\tisb" : : : "memory");
}
