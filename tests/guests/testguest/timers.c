/*
 * The EL1 timers as the Arm ARM describes them (D11.2), checked by vCPU 0
 * through its virtual GIC (either version):
 *
 * - the virtual timer (CNTV_*, PPI 27) and the EL1 physical timer (CNTP_*,
 *   PPI 30) each interrupt once per shot, never before their compare value,
 *   and again on the next shot (the guest's EOI ended the physical one);
 * - a timer's interrupt is a level (ISTATUS && ENABLE && !IMASK): once the
 *   guest disables the timer, masks it or moves its compare value into the
 *   future, the interrupt no longer reads pending (GICR_ISPENDR0, or
 *   GICD_ISPENDR0 on a GICv2) and is not
 *   taken, whether it waited in a list register or in the vGIC's state
 *   (disabled in the redistributor); and the timer can fire again afterwards.
 */
#include "sysreg.h"
#include "testguest.h"
#include "timer.h"

#define CNT_CTL_ENABLE  (1UL << 0)
#define CNT_CTL_IMASK   (1UL << 1)
#define CNT_CTL_ISTATUS (1UL << 2)
#define TIMER_PRIORITY  0x90
#define FAR_FUTURE_MS   10000

struct guest_timer {
	const char *name; /* of its checks */
	bool phys;        /* CNTP_* (else CNTV_*) */
	unsigned int intid;
};

static const struct guest_timer vtimer = {"vtimer", false, 27};
static const struct guest_timer ptimer = {"ptimer", true, 30};

/* The counter each timer compares with (isb: not read ahead of the code before it). */
static uint64_t timer_count(const struct guest_timer *t)
{
	isb();
	return t->phys ? read_sysreg(cntpct_el0) : read_sysreg(cntvct_el0);
}

static unsigned long timer_ctl(const struct guest_timer *t)
{
	return t->phys ? read_sysreg(cntp_ctl_el0) : read_sysreg(cntv_ctl_el0);
}

static void timer_set_ctl(const struct guest_timer *t, unsigned long ctl)
{
	if (t->phys)
		write_sysreg(cntp_ctl_el0, ctl);
	else
		write_sysreg(cntv_ctl_el0, ctl);
	isb();
}

static void timer_set_cval(const struct guest_timer *t, uint64_t cval)
{
	if (t->phys)
		write_sysreg(cntp_cval_el0, cval);
	else
		write_sysreg(cntv_cval_el0, cval);
	isb();
}

static const struct guest_timer *timer_of(unsigned int intid)
{
	if (intid == vtimer.intid)
		return &vtimer;
	if (intid == ptimer.intid)
		return &ptimer;
	return NULL;
}

/*
 * In the IRQ handler, before the EOI: a timer's interrupt is a level, so stop
 * the timer or it is pending again at once. Returns whether @intid was a timer's.
 */
bool timer_irq_stop(unsigned int intid)
{
	const struct guest_timer *t = timer_of(intid);

	if (!t)
		return false;
	irqs.timer_at = timer_count(t);
	timer_set_ctl(t, 0);
	return true;
}

static bool timer_reads_pending(const struct guest_timer *t)
{
	return tg_gic_pending(t->intid);
}

/*
 * One 1 ms shot. The wait uses WFI with IRQs masked (a pending interrupt
 * still ends it) and unmasks between WFIs: testing the count with IRQs
 * unmasked could see the interrupt just before it came, then sleep with
 * nothing left to wake us. The timeout only bounds the wait if something
 * wakes the WFI: if the timer's interrupt never came, nothing would, and the
 * run ends at the boot test's time limit, which is the failure.
 */
static bool timer_shot(const struct guest_timer *t, unsigned int shot)
{
	uint64_t cval, deadline;
	unsigned long ctl;
	char buf[64];

	irq_log_reset();
	cval = timer_count(t) + timer_ms_to_ticks(1);
	timer_set_cval(t, cval);
	timer_set_ctl(t, CNT_CTL_ENABLE);

	deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);
	while (irqs.count == 0 && timer_now() < deadline) {
		wfi();
		local_irq_enable();
		isb();
		local_irq_disable();
	}
	/* The handler has stopped the timer; make sure it would not fire again. */
	local_irq_enable();
	timer_delay_ms(IRQ_SETTLE_MS);
	local_irq_disable();
	ctl = timer_ctl(t);
	timer_set_ctl(t, 0); /* in case it never got to the handler */

	if (irqs.count != 1 || irqs.intid[0] != t->intid) {
		fail(t->name,
		     "shot %u: handled %u interrupt(s): %s within %u ms; expected INTID %u once "
		     "(CNTx_CTL_EL0 then 0x%lx)",
		     shot, irqs.count, irq_log_str(buf, sizeof(buf)), TIMEOUT_MS, t->intid, ctl);
		return false;
	}
	if (irqs.timer_at < cval) {
		fail(t->name, "shot %u: handled at count 0x%lx, before CNTx_CVAL 0x%lx", shot,
		     irqs.timer_at, cval);
		return false;
	}
	return true;
}

/* Each shot's interrupt is hardware-linked: a second only arrives if the guest's EOI ended the
 * first. */
static void test_timer_shots(const struct guest_timer *t)
{
	tg_gic_set_priority(t->intid, TIMER_PRIORITY);
	tg_gic_enable(t->intid);
	if (timer_shot(t, 1) && timer_shot(t, 2))
		pass(t->name);
}

/* The ways a guest takes its timer's condition away. */
enum level_drop { DROP_DISABLE, DROP_IMASK, DROP_CVAL_FUTURE };
static const char *const drop_names[] = {"ENABLE cleared", "IMASK set", "CVAL moved ahead"};

static void timer_drop_level(const struct guest_timer *t, enum level_drop how)
{
	switch (how) {
	case DROP_DISABLE:
		timer_set_ctl(t, 0);
		break;
	case DROP_IMASK:
		timer_set_ctl(t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
		break;
	case DROP_CVAL_FUTURE:
		timer_set_cval(t, timer_count(t) + timer_ms_to_ticks(FAR_FUTURE_MS));
		break;
	}
}

/* Wait (IRQs masked) until the timer's interrupt reads pending. */
static bool timer_wait_pending(const struct guest_timer *t)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(IRQ_TIMEOUT_MS);

	while (!timer_reads_pending(t)) {
		if (timer_now() >= deadline)
			return false;
	}
	return true;
}

/*
 * Fire @t with IRQs masked, so its interrupt waits (in a list register, or in
 * the vGIC's state if @in_lr is false: disabled in the redistributor); take
 * the condition away @how; it must then read not pending and never be taken.
 * Then fire it again: it must arrive once, so the physical interrupt was ended.
 */
static bool timer_level_case(const struct guest_timer *t, enum level_drop how, bool in_lr)
{
	const char *where = in_lr ? "enabled" : "disabled in the distributor";
	char buf[64];

	irq_log_reset();
	if (!in_lr)
		tg_gic_disable(t->intid);
	timer_set_cval(t, timer_count(t));
	timer_set_ctl(t, CNT_CTL_ENABLE);
	if (!timer_wait_pending(t)) {
		fail("timer-level", "%s (%s): never read pending in %s (CTL 0x%lx)", t->name, where,
		     tg_gic_pend_reg(), timer_ctl(t));
		timer_set_ctl(t, 0);
		return false;
	}
	timer_drop_level(t, how);
	if (timer_reads_pending(t)) {
		fail("timer-level", "%s (%s): still pending in %s after %s", t->name, where,
		     tg_gic_pend_reg(), drop_names[how]);
		timer_set_ctl(t, 0);
		return false;
	}
	tg_gic_enable(t->intid);
	local_irq_enable();
	timer_delay_ms(IRQ_SETTLE_MS);
	local_irq_disable();
	if (irqs.count) {
		fail("timer-level", "%s (%s): interrupt(s) %s taken after %s", t->name, where,
		     irq_log_str(buf, sizeof(buf)), drop_names[how]);
		timer_set_ctl(t, 0);
		return false;
	}
	/* Fire it again: it comes once, so the hypervisor ended the physical interrupt. */
	timer_set_cval(t, timer_count(t));
	timer_set_ctl(t, CNT_CTL_ENABLE);
	irq_wait(1, IRQ_TIMEOUT_MS);
	timer_set_ctl(t, 0);
	if (irqs.count != 1 || irqs.intid[0] != t->intid) {
		fail("timer-level",
		     "%s (%s): fired again after %s: handled %s, expected INTID %u once", t->name,
		     where, drop_names[how], irq_log_str(buf, sizeof(buf)), t->intid);
		return false;
	}
	return true;
}

static void test_timer_level(void)
{
	static const struct guest_timer *const timers[] = {&vtimer, &ptimer};
	unsigned int cases = 0;

	for (unsigned int i = 0; i < 2; i++) {
		for (unsigned int how = DROP_DISABLE; how <= DROP_CVAL_FUTURE; how++) {
			for (unsigned int in_lr = 0; in_lr < 2; in_lr++) {
				if (!timer_level_case(timers[i], (enum level_drop)how, in_lr))
					return;
				cases++;
			}
		}
	}
	pass_detail("timer-level",
	            "%u cases: virtual and physical timer; disabled, masked, "
	            "compare moved; in a list register and disabled",
	            cases);
}

void test_timers(void)
{
	test_timer_shots(&vtimer);
	test_timer_shots(&ptimer);
	test_timer_level();
}
