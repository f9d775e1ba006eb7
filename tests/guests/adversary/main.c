/*
 * The adversary: a bare-metal guest that does, on every vCPU, what a buggy
 * or malicious guest could do to its hypervisor, and checks after each
 * operation that it is still running and that every answer is the one the
 * architecture, SMCCC 1.1 and PSCI 1.1 specify (see smccc.c, mmio.c,
 * sysreg.c for each class). Its phases:
 *
 *   smccc   random HVC/SMC on vCPU 0
 *   psci    PSCI_FEATURES of both ranges; CPU_ON with bad MPIDRs and entry
 *           points, of running vCPUs; three vCPUs racing CPU_ON of one OFF
 *           vCPU (exactly one SUCCESS); AFFINITY_INFO during the transitions
 *   wfi     one vCPU in WFI with interrupts masked while vCPU 0 works on
 *   gic     an SGI to itself and the virtual timer arrive (baseline)
 *   mixed   every vCPU runs random operations of every class; secondaries
 *           live a random number of operations, leave distinctive values in
 *           their registers and CPU_OFF; vCPU 0 starts them again and each
 *           new life checks its entry state (x0 = context, x1-x30 zero, EL1h,
 *           DAIF masked, MMU/caches off, nothing of its previous life)
 *   final   GIC re-initialised after the storm: SGI and timer still arrive
 *           on every vCPU
 *
 * Parameters from /chosen/bootargs: adv.seed=<n> adv.ops=<n> adv.life=<n>
 * (ops per secondary life); the defaults are a short run. It prints "ADV:
 * seed ..." first and "ADV: DONE <n> ops, <f> failures" last, then powers
 * off through PSCI SYSTEM_OFF. The same seed gives every vCPU the same
 * sequence of operations; how the vCPUs interleave is up to the machine.
 */
#include <stddef.h>
#include "adv.h"
#include "bootargs.h"
#include "sysreg.h"
#include "timer.h"

#define DEFAULT_SEED 0x5eed0fadc0ffee01UL
#define DEFAULT_OPS  20000
#define LIFE_MAGIC   0x11fe11fe11fe11feUL
#define TIMEOUT_MS   1000

enum life_cmd { CMD_NOTHING, CMD_HOLD, CMD_OPS, CMD_RACE, CMD_WFI, CMD_GIC };

/* One life of a secondary vCPU: CPU_ON's context is its address. */
struct adv_life {
	uint64_t x[31];
	uint64_t sp;
	uint64_t sr[ADV_NR_ENTRY_SYSREGS];
	/* Written by whoever starts it, before CPU_ON. */
	volatile uint64_t magic; /* LIFE_MAGIC once the vCPU has checked its entry */
	volatile unsigned int cmd;
	volatile bool done;
};
_Static_assert(offsetof(struct adv_life, sp) == 248, "adv_secondary_entry layout");
_Static_assert(offsetof(struct adv_life, sr) == 256, "adv_secondary_entry layout");

static const char *const entry_names[ADV_NR_ENTRY_SYSREGS] = {
    "CurrentEL",   "DAIF",       "SPSel",     "SCTLR_EL1", "TPIDR_EL1",   "TPIDR_EL0",
    "TPIDRRO_EL0", "VBAR_EL1",   "SP_EL0",    "ELR_EL1",   "SPSR_EL1",    "ESR_EL1",
    "FAR_EL1",     "CONTEXTIDR", "PAR_EL1",   "AFSR0_EL1", "AFSR1_EL1",   "AMAIR_EL1",
    "MAIR_EL1",    "TCR_EL1",    "TTBR0_EL1", "TTBR1_EL1", "CNTKCTL_EL1", "MDSCR_EL1",
    "CPACR_EL1",   "CSSELR_EL1", "CNTV_CTL",  "CNTV_CVAL", "CNTP_CTL",    "CNTP_CVAL",
};
enum { SR_CURRENTEL, SR_DAIF, SR_SPSEL, SR_SCTLR };

/* What a life leaves behind before CPU_OFF (write, then read back what the CPU kept). */
struct dirty {
	bool valid;
	uint64_t pattern, sp;
	uint64_t sr[ADV_NR_ENTRY_SYSREGS]; /* 0: not dirtied */
	uint64_t icc_pmr;
};

struct adv_platform plat = {.uart = 0x09000000UL};
struct adv_cpu cpus[ADV_MAX_CPUS];
static struct dirty dirty[ADV_MAX_CPUS];
static struct adv_life lives[ADV_MAX_CPUS][4];
uint64_t adv_seed = DEFAULT_SEED, adv_ops = DEFAULT_OPS;
static uint64_t life_avg = 50;
bool ras_shown;
static volatile uint64_t failures_printed;
static volatile bool stop_mixed, race_stop, wfi_stop, hold_release[ADV_MAX_CPUS];
static volatile uint64_t race_round;
static volatile int64_t race_result[ADV_MAX_CPUS];
static volatile uint64_t race_done[ADV_MAX_CPUS];
static volatile uint64_t lives_started[ADV_MAX_CPUS];
static volatile uint64_t wfi_wakeups, wfi_isr;

extern char adv_secondary_entry[];
void adv_secondary_main(struct adv_life *l);
void __attribute__((noreturn)) adv_off_returned(uint64_t ret);
void __attribute__((noreturn)) adv_dirty_off(uint64_t pattern, uint64_t fid);
void mmio_init(void);
void psci_features_sweep(struct adv_cpu *c);

struct adv_cpu *this_cpu(void)
{
	return &cpus[read_sysreg(mpidr_el1) & (ADV_MAX_CPUS - 1)];
}

uint64_t vcpu_mpidr(unsigned int n)
{
	return plat.mpidr[n];
}

void adv_fail(const char *fmt, ...)
{
	struct adv_cpu *c = this_cpu();
	char msg[200];
	va_list ap;

	c->failures++;
	if (failures_printed++ >= 40)
		return;
	va_start(ap, fmt);
	adv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	adv_printf("ADV: FAIL cpu%u op %lu (%s): %s\n", c->id, c->ops,
	           c->op_class ? c->op_class : "-", msg);
}

void guest_exception(struct exc_frame *frame, unsigned long vector)
{
	struct adv_cpu *c = this_cpu();
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);

	if (vector == VEC_CUR_SPX_IRQ) {
		gic_handle_irqs(c);
		return;
	}
	if (vector == VEC_CUR_SPX_SYNC && c->expect) {
		c->esr = esr;
		c->far = far;
		c->elr = frame->elr;
		c->taken = true;
		c->expect = false;
		frame->elr += 4;
		return;
	}
	c->unexpected++;
	adv_fail("unexpected exception: vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx", vector, esr,
	         frame->elr, far);
	if ((vector & 3) == 0)
		frame->elr += 4; /* a synchronous one: step over it */
}

static void __attribute__((noreturn)) power_off(void)
{
	adv_console_flush();
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	adv_printf("ADV: FAIL SYSTEM_OFF returned\n");
	for (;;)
		wfi();
}

/* --- Parameters --- */

/* The number "@key=" gives in the bootargs, if there. */
static bool bootarg_number(unsigned long dtb, const char *key, uint64_t *out)
{
	return parse_number(bootarg(dtb, key), out);
}

/* --- Operations --- */

static void do_op(struct adv_cpu *c)
{
	uint64_t x = rng_next(&c->rng) % 100;

	if (x < 30)
		op_smccc(c);
	else if (x < 45)
		op_psci(c);
	else if (x < 75)
		op_mmio(c);
	else if (x < 95)
		op_sysreg(c);
	else
		op_wfx(c);
	c->ops++;
}

static uint64_t total_ops(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < plat.nr_cpus; i++)
		n += READ_ONCE(cpus[i].ops);
	return n;
}

static uint64_t total_failures(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < plat.nr_cpus; i++)
		n += READ_ONCE(cpus[i].failures);
	return n;
}

/* --- Lives of the secondary vCPUs --- */

/* The entry state of a life: as CPU_ON specifies, and nothing of the life before. */
static void check_entry(struct adv_cpu *c, struct adv_life *l)
{
	const struct dirty *d = &dirty[c->id];
	uint64_t sctlr = l->sr[SR_SCTLR];

	c->op_class = "cpu-on-entry";
	CHECK(l->x[0] == (uint64_t)l, "x0 = 0x%lx at entry, CPU_ON's context was 0x%lx", l->x[0],
	      (uint64_t)l);
	for (unsigned int i = 1; i < 31; i++)
		CHECK(l->x[i] == 0, "x%u = 0x%lx at entry, expected 0%s", i, l->x[i],
		      d->valid && l->x[i] == d->pattern ? " (the previous life's value)" : "");
	CHECK(l->sr[SR_CURRENTEL] == 4 && l->sr[SR_SPSEL] == 1,
	      "entered at CurrentEL 0x%lx SPSel %lu, expected EL1h", l->sr[SR_CURRENTEL],
	      l->sr[SR_SPSEL]);
	CHECK(l->sr[SR_DAIF] == 0x3c0, "DAIF = 0x%lx at entry, expected all masked (0x3c0)",
	      l->sr[SR_DAIF]);
	CHECK(!(sctlr & ((1UL << 0) | (1UL << 2) | (1UL << 12))),
	      "SCTLR_EL1 = 0x%lx at entry: M, C or I set", sctlr);
	if (!d->valid)
		return;
	CHECK(l->sp != d->sp || !d->sp, "SP = 0x%lx at entry: the previous life's", l->sp);
	for (unsigned int i = SR_SCTLR + 1; i < ADV_NR_ENTRY_SYSREGS; i++)
		CHECK(!d->sr[i] || l->sr[i] != d->sr[i],
		      "%s = 0x%lx at entry: the value the previous life left", entry_names[i],
		      l->sr[i]);
	if (plat.gic_version == 3 && (read_sysreg(s3_0_c12_c12_5) & 1))
		CHECK(read_sysreg(s3_0_c4_c6_0) != d->icc_pmr || !d->icc_pmr,
		      "ICC_PMR_EL1 = 0x%lx at entry: the previous life's",
		      read_sysreg(s3_0_c4_c6_0));
}

#define DIRTY(idx, reg, val)                   \
	do {                                   \
		write_sysreg(reg, (val));      \
		isb();                         \
		d->sr[idx] = read_sysreg(reg); \
	} while (0)

/* Leave distinctive values in every register a life can set, then CPU_OFF. */
static void __attribute__((noreturn)) leave_life(struct adv_cpu *c, struct adv_life *l)
{
	struct dirty *d = &dirty[c->id];
	uint64_t p =
	    0xa500000000000000UL | (uint64_t)c->id << 48 | (lives_started[c->id] & 0xffffff) << 16;
	uint64_t sp;

	c->op_class = "cpu-off";
	if (plat.gic_version == 3 && (read_sysreg(s3_0_c12_c12_5) & 1)) {
		write_sysreg(s3_0_c4_c6_0, 0x80); /* ICC_PMR_EL1 */
		isb();
		d->icc_pmr = read_sysreg(s3_0_c4_c6_0);
	}
	DIRTY(4, tpidr_el1, p | 0x1);
	DIRTY(5, tpidr_el0, p | 0x2);
	DIRTY(6, tpidrro_el0, p | 0x3);
	DIRTY(8, sp_el0, p | 0x10);
	DIRTY(9, elr_el1, p | 0x4);
	DIRTY(10, spsr_el1, 0x600003c5UL);
	DIRTY(11, esr_el1, 0x96000045UL);
	DIRTY(12, far_el1, p | 0x5);
	DIRTY(13, contextidr_el1, 0x5a5a0000UL | (p >> 16 & 0xffff));
	DIRTY(14, par_el1, p | 0x800);
	DIRTY(17, amair_el1, p | 0x6);
	DIRTY(18, mair_el1, 0x4404ff00bbUL | (p & 0xff00000000000000UL));
	DIRTY(19, tcr_el1, 0x19UL | (p >> 16 & 0xff) << 32);
	DIRTY(20, ttbr0_el1, p | 0x1000);
	DIRTY(21, ttbr1_el1, p | 0x2000);
	DIRTY(22, cntkctl_el1, 0x3);
	DIRTY(24, cpacr_el1, 3UL << 20);
	DIRTY(25, csselr_el1, 2);
	DIRTY(27, cntv_cval_el0, p | 0x7);
	DIRTY(29, cntp_cval_el0, p | 0x8);
	DIRTY(26, cntv_ctl_el0, 3); /* enabled, masked: no interrupt */
	DIRTY(28, cntp_ctl_el0, 3);
	d->pattern = p;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	d->sp = sp;
	d->valid = true;
	l->done = true;
	dsb(sy);
	DIRTY(7, vbar_el1, p & ~0x7ffUL); /* last: no exception may come now */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | (1UL << 2) | (1UL << 12));
	isb();
	adv_dirty_off(p, PSCI_CPU_OFF);
}

extern char vectors[];

void adv_off_returned(uint64_t ret)
{
	write_sysreg(vbar_el1, vectors);
	isb();
	adv_fail("CPU_OFF returned %ld", (int64_t)ret);
	for (;;)
		wfi();
}

static void life_race(struct adv_cpu *c)
{
	uint64_t seen = 0;
	unsigned int target = plat.nr_cpus - 1;

	c->op_class = "cpu-on-race";
	while (!race_stop) {
		uint64_t r = race_round;

		if (r == seen)
			continue;
		seen = r;
		race_result[c->id] = (int64_t)psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[target],
		                                        (uint64_t)adv_secondary_entry,
		                                        (uint64_t)&lives[target][c->id]);
		WRITE_ONCE(race_done[c->id], r);
	}
}

static void life_wfi(struct adv_cpu *c)
{
	uint64_t n = 0;

	c->op_class = "wfi-storm";
	gic_init_cpu(c, false);
	while (!wfi_stop) {
		wfi(); /* interrupts masked: only a pending one ends it */
		n++;
		wfi_isr |= read_sysreg(isr_el1);
	}
	gic_handle_irqs(c); /* the SGI that woke us, taken as if unmasked */
	wfi_wakeups = n;
}

static void life_ops(struct adv_cpu *c)
{
	c->life_len = 1 + rng_below(&c->rng, 2 * life_avg);
	for (c->life_ops = 0; c->life_ops < c->life_len && !stop_mixed; c->life_ops++)
		do_op(c);
}

static void life_gic(struct adv_cpu *c)
{
	c->op_class = "gic-final";
	gic_init_cpu(c, false);
	CHECK(gic_check_sgi_self(c, 3), "SGI 3 to itself did not arrive after the storm");
	CHECK(gic_check_timer(c, false), "the virtual timer did not fire after the storm");
	CHECK(gic_check_timer(c, true), "the physical timer did not fire after the storm");
}

void adv_secondary_main(struct adv_life *l)
{
	struct adv_cpu *c = this_cpu();

	check_entry(c, l);
	lives_started[c->id]++;
	WRITE_ONCE(l->magic, LIFE_MAGIC);
	switch (l->cmd) {
	case CMD_OPS:
		life_ops(c);
		break;
	case CMD_RACE:
		life_race(c);
		break;
	case CMD_WFI:
		life_wfi(c);
		break;
	case CMD_GIC:
		life_gic(c);
		break;
	case CMD_HOLD:
		while (!hold_release[c->id])
			;
		break;
	default:
		break;
	}
	leave_life(c, l);
}

void secondary_main(unsigned long context);
void secondary_main(unsigned long context)
{
	(void)context; /* start.S's secondary entry: not used, lives start at adv_secondary_entry */
	for (;;)
		wfi();
}

/* --- vCPU 0's side --- */

static int64_t affinity(unsigned int n, uint64_t level)
{
	return (int64_t)psci_call(PSCI_64(PSCI_AFFINITY_INFO), plat.mpidr[n], level, 0);
}

/* AFFINITY_INFO of @n at levels 0-5 while it changes state: every answer must be a specified one.
 */
static int64_t affinity_all_levels(struct adv_cpu *c, unsigned int n)
{
	int64_t state = affinity(n, 0);

	CHECK(state >= AFF_ON && state <= AFF_ON_PENDING, "AFFINITY_INFO(%u, 0) = %ld", n, state);
	for (uint64_t level = 1; level <= 5; level++) {
		int64_t r = affinity(n, level);

		CHECK(level <= 3 ? r == AFF_ON : r == RET_INVALID_PARAMS,
		      "AFFINITY_INFO(%u, level %lu) = %ld, expected %ld", n, level, r,
		      level <= 3 ? (int64_t)AFF_ON : RET_INVALID_PARAMS);
	}
	(void)c;
	return state;
}

static bool wait_off(struct adv_cpu *c, unsigned int n)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);

	while (timer_now() < deadline) {
		if (affinity_all_levels(c, n) == AFF_OFF)
			return true;
	}
	adv_fail("vCPU %u did not turn off within %u ms", n, TIMEOUT_MS);
	return false;
}

static bool wait_magic(struct adv_life *l, unsigned int n)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);

	while (l->magic != LIFE_MAGIC && timer_now() < deadline)
		;
	if (l->magic == LIFE_MAGIC)
		return true;
	adv_fail("vCPU %u started by CPU_ON did not run within %u ms", n, TIMEOUT_MS);
	return false;
}

static void prepare_life(struct adv_life *l, enum life_cmd cmd)
{
	l->magic = 0;
	l->done = false;
	l->cmd = cmd;
	dsb(sy);
}

/* Start vCPU @n on a life of @cmd; true once it runs. */
static bool start_life(unsigned int n, enum life_cmd cmd)
{
	struct adv_life *l = &lives[n][3];
	int64_t ret;

	prepare_life(l, cmd);
	ret = (int64_t)psci_call(lives_started[n] & 1 ? PSCI_CPU_ON : PSCI_64(PSCI_CPU_ON),
	                         plat.mpidr[n], (uint64_t)adv_secondary_entry, (uint64_t)l);
	CHECK(ret == RET_SUCCESS, "CPU_ON(%u) of an OFF vCPU returned %ld", n, ret);
	return ret == RET_SUCCESS && wait_magic(l, n);
}

static void phase(const char *name)
{
	adv_printf("ADV: phase %s (%lu ops so far, %lu failures)\n", name, total_ops(),
	           total_failures());
}

static void phase_psci(struct adv_cpu *c, unsigned int rounds)
{
	unsigned int n = plat.nr_cpus, target = n - 1, racers = n - 1 < 3 ? n - 1 : 3;

	psci_features_sweep(c);
	c->op_class = "psci";
	/* Each secondary: started once, then CPU_ON again must say ALREADY_ON or ON_PENDING. */
	for (unsigned int i = 1; i < n; i++) {
		int64_t again;

		prepare_life(&lives[i][3], CMD_HOLD);
		prepare_life(&lives[i][2], CMD_NOTHING);
		CHECK(psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[i], (uint64_t)adv_secondary_entry,
		                (uint64_t)&lives[i][3]) == RET_SUCCESS,
		      "CPU_ON(%u) failed", i);
		again = (int64_t)psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[i],
		                           (uint64_t)adv_secondary_entry, (uint64_t)&lives[i][2]);
		CHECK(again == RET_ALREADY_ON || again == RET_ON_PENDING,
		      "CPU_ON(%u) again returned %ld", i, again);
		wait_magic(&lives[i][3], i);
		again = (int64_t)psci_call(PSCI_CPU_ON, plat.mpidr[i],
		                           (uint64_t)adv_secondary_entry, (uint64_t)&lives[i][2]);
		CHECK(again == RET_ALREADY_ON, "CPU_ON(%u) of a running vCPU returned %ld", i,
		      again);
		WRITE_ONCE(hold_release[i], true);
		wait_off(c, i);
		CHECK(lives[i][2].magic != LIFE_MAGIC, "vCPU %u ran the refused CPU_ON's context",
		      i);
	}
	CHECK((int64_t)psci_call(PSCI_CPU_ON, plat.mpidr[0], (uint64_t)adv_secondary_entry, 0) ==
	          RET_ALREADY_ON,
	      "CPU_ON of itself did not say ALREADY_ON");
	if (n < 3)
		return;
	/* vCPUs 0..racers-1 race CPU_ON of the last one, which is OFF. */
	for (unsigned int i = 1; i < racers; i++)
		start_life(i, CMD_RACE);
	for (unsigned int r = 1; r <= rounds; r++) {
		unsigned int wins = 0, winner = 0;

		c->op_class = "cpu-on-race";
		/* The target holds until every racer has called: no CPU_ON may find it OFF again.
		 */
		WRITE_ONCE(hold_release[target], false);
		for (unsigned int k = 0; k < racers; k++)
			prepare_life(&lives[target][k], CMD_HOLD);
		WRITE_ONCE(race_round, r);
		race_result[0] =
		    (int64_t)psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[target],
		                       (uint64_t)adv_secondary_entry, (uint64_t)&lives[target][0]);
		for (unsigned int k = 1; k < racers; k++) {
			uint64_t deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);

			while (race_done[k] != r && timer_now() < deadline)
				;
			CHECK(race_done[k] == r, "racer %u did not call CPU_ON", k);
		}
		for (unsigned int k = 0; k < racers; k++) {
			int64_t ret = race_result[k];

			if (ret == RET_SUCCESS) {
				wins++;
				winner = k;
			} else {
				CHECK(ret == RET_ALREADY_ON || ret == RET_ON_PENDING,
				      "round %u: racer %u's CPU_ON returned %ld", r, k, ret);
			}
		}
		CHECK(wins == 1, "round %u: %u CPU_ON calls of one OFF vCPU succeeded", r, wins);
		if (wins == 1)
			wait_magic(&lives[target][winner], target);
		for (unsigned int k = 0; k < racers; k++)
			CHECK(k == winner || lives[target][k].magic != LIFE_MAGIC,
			      "round %u: vCPU %u ran with the context of racer %u, who lost", r,
			      target, k);
		WRITE_ONCE(hold_release[target], true);
		wait_off(c, target);
	}
	WRITE_ONCE(race_stop, true);
	for (unsigned int i = 1; i < racers; i++)
		wait_off(c, i);
}

/* One vCPU sleeps in WFI with interrupts masked; vCPU 0 must make progress meanwhile. */
static void phase_wfi(struct adv_cpu *c, unsigned int nops)
{
	uint64_t t0, t1;

	if (plat.nr_cpus < 2)
		return;
	start_life(1, CMD_WFI);
	t0 = timer_now();
	for (unsigned int i = 0; i < nops; i++)
		do_op(c);
	t1 = timer_now();
	c->op_class = "wfi-storm";
	CHECK(t1 - t0 < timer_ms_to_ticks(10000), "%u ops took %lu ms beside a WFI loop", nops,
	      (t1 - t0) * 1000 / timer_freq());
	WRITE_ONCE(wfi_stop, true);
	for (unsigned int k = 0; k < 100 && affinity(1, 0) != AFF_OFF; k++) {
		gic_send_sgi_to(1, 2);
		timer_delay_ms(1);
	}
	wait_off(c, 1);
	adv_printf("ADV: vCPU 1 woke %lu times from WFI (interrupts masked; ISR_EL1 seen 0x%lx) "
	           "while vCPU 0 did %u ops\n",
	           wfi_wakeups, wfi_isr, nops);
}

static void phase_gic(struct adv_cpu *c, const char *when)
{
	c->op_class = when;
	gic_quiesce();
	gic_init_cpu(c, true);
	CHECK(gic_check_sgi_self(c, 1), "SGI 1 to itself did not arrive (%s)", when);
	CHECK(gic_check_timer(c, false), "the virtual timer did not fire (%s)", when);
	CHECK(gic_check_timer(c, true), "the physical timer did not fire (%s)", when);
}

static void phase_mixed(struct adv_cpu *c)
{
	uint64_t cycles = 0;

	for (unsigned int i = 1; i < plat.nr_cpus; i++)
		start_life(i, CMD_OPS);
	while (total_ops() < adv_ops) {
		for (unsigned int k = 0; k < 8; k++)
			do_op(c);
		for (unsigned int i = 1; i < plat.nr_cpus; i++) {
			c->op_class = "cpu-on-cycle";
			if (lives[i][3].done && affinity(i, 0) == AFF_OFF) {
				start_life(i, CMD_OPS);
				cycles++;
			}
		}
	}
	WRITE_ONCE(stop_mixed, true);
	for (unsigned int i = 1; i < plat.nr_cpus; i++)
		wait_off(c, i);
	adv_printf("ADV: %lu CPU_OFF/CPU_ON cycles of the secondaries\n", cycles);
}

void __attribute__((noreturn)) guest_main(unsigned long dtb);

void __attribute__((noreturn)) guest_main(unsigned long dtb)
{
	struct adv_cpu *c;
	uint64_t t0, t1, ticks, ops;

	if (!fdt_parse(dtb, &plat)) {
		adv_printf("ADV: FAIL no usable device tree at 0x%lx\n", dtb);
		power_off();
	}
	bootarg_number(dtb, "adv.seed", &adv_seed);
	bootarg_number(dtb, "adv.ops", &adv_ops);
	if (!bootarg_number(dtb, "adv.life", &life_avg))
		life_avg =
		    adv_ops / (plat.nr_cpus * 1000) > 20 ? adv_ops / (plat.nr_cpus * 1000) : 20;
	for (unsigned int i = 0; i < ADV_MAX_CPUS; i++) {
		cpus[i].id = i;
		cpus[i].rng = (adv_seed ^ (0x9e3779b97f4a7c15UL * (i + 1))) | 1;
	}
	c = this_cpu();
	ras_shown = (read_sysreg(s3_0_c0_c4_0) >> 28) & 0xf;
	adv_printf("ADV: seed 0x%lx ops %lu life %lu: %u vCPUs, GICv%u, RAM 0x%lx-0x%lx%s\n",
	           adv_seed, adv_ops, life_avg, plat.nr_cpus, plat.gic_version, plat.ram_base,
	           plat.ram_base + plat.ram_size - 1, ras_shown ? ", RAS shown" : "");
	adv_printf("ADV: replay with bootargs \"adv.seed=0x%lx adv.ops=%lu\"\n", adv_seed, adv_ops);
	smccc_init();
	mmio_init();
	gic_init_cpu(c, true);

	t0 = timer_now();
	phase("smccc");
	for (unsigned int i = 0; i < 2000; i++) {
		op_smccc(c);
		c->ops++;
	}
	phase("psci");
	phase_psci(c, adv_ops >= 500000 ? 200 : 20);
	phase("wfi");
	phase_wfi(c, 500);
	phase("gic");
	phase_gic(c, "gic-before");
	phase("mixed");
	phase_mixed(c);
	phase("final");
	phase_gic(c, "gic-after");
	for (unsigned int i = 1; i < plat.nr_cpus; i++) {
		if (start_life(i, CMD_GIC))
			wait_off(c, i);
	}
	t1 = timer_now();
	ticks = t1 - t0 ? t1 - t0 : 1;
	ops = total_ops();
	adv_printf("ADV: %lu ops in %lu ms: %lu ops/s\n", ops, ticks * 1000 / timer_freq(),
	           ops * timer_freq() / ticks);
	adv_printf("ADV: DONE %lu ops, %lu failures\n", ops, total_failures());
	power_off();
}
