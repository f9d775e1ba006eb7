/*
 * Benchmark guest: the guest-visible cost of the operations a hypervisor
 * makes expensive (hypercalls, forwarded SMCs, trapped MMIO, IPIs, timer and
 * device interrupts), timed with the virtual counter over many iterations.
 *
 * Meant for QEMU with -icount shift=0, where every guest instruction takes
 * exactly 1 ns of virtual time and the counter follows virtual time: the
 * numbers are then instruction counts, the same from run to run and
 * independent of the host. The same image runs natively (QEMU virt without
 * virtualization=on, where it is entered at EL1 too and QEMU answers PSCI
 * over HVC itself), which gives the baseline.
 *
 * Output, one line per operation, only from vCPU 0:
 *
 *   BENCH env hyp=<0|1>
 *   BENCH <name> <iterations> <average ns * 100, rounded down>
 *   BENCH <name> n/a <reason>
 *   BENCH done
 *
 * then PSCI SYSTEM_OFF, which ends QEMU. The averages include the few
 * instructions of the benchmark loop itself; the native run has the same
 * loops, so hyp minus native is what the hypervisor adds.
 *
 * Bootargs (/chosen): "bench.wait-ms=<n>" spins n ms before measuring, so a
 * neighbour VM started with it is at work for every figure (make bench's
 * latency beside a busy VM); a copy given a long wait is a neighbour that
 * only computes.
 */
#include <stdbool.h>
#include <stdint.h>
#include "bootargs.h"
#include "exception.h"
#include "gicv3.h"
#include "printf.h"
#include "smccc.h"
#include "sysreg.h"
#include "timer.h"
#include "uart.h"

/*
 * Iterations per operation. Compile-time (-DBENCH_ITERS=... to change); the
 * full run takes well under a second of virtual time.
 */
#ifndef BENCH_ITERS
#define BENCH_ITERS 1000 /* hvc-null, psci-version-hvc, smc-forwarded, mmio-read */
#endif
#ifndef BENCH_IPI_ITERS
#define BENCH_IPI_ITERS 200
#endif
#ifndef BENCH_TIMER_SHOTS
#define BENCH_TIMER_SHOTS 64 /* a multiple of TIMER_DITHER */
#endif
#ifndef BENCH_SPI_SHOTS
#define BENCH_SPI_SHOTS 200
#endif

_Static_assert(BENCH_ITERS > 0 && BENCH_IPI_ITERS > 0 && BENCH_TIMER_SHOTS > 0 &&
                   BENCH_SPI_SHOTS > 0,
               "averages divide by the iteration counts");

/*
 * vtimer-latency and ptimer-latency read the counter 0, 1, ... TIMER_DITHER - 1 instructions
 * late in turn: see bench_timer(). One counter tick under QEMU, 16 ns.
 */
#define TIMER_DITHER 16
_Static_assert(BENCH_TIMER_SHOTS % TIMER_DITHER == 0, "whole dither cycles");

/* What our vGIC puts in GICD_IIDR (vgic/vgic_v3.c); QEMU's own GICv3 says 0x43b. */
#define HYP_GICD_IIDR 0x0100043bU

#define HVC_NULL_FID 0x4b000000UL /* unassigned: the hypervisor answers -1 at once */
#define SIP_FID      0xc2000001UL /* SiP range: forwarded to EL3 (QEMU's PSCI: -1) */

#define SGI_PING        1 /* vCPU 0 -> vCPU 1 */
#define SGI_PONG        2 /* vCPU 1 -> vCPU 0 */
#define VTIMER_INTID    27
#define PTIMER_INTID    30
#define IRQ_PRIORITY    0x80
#define CNTV_CTL_ENABLE (1UL << 0)

/* The timer is armed this far ahead: comfortably more than arming it takes. */
#define TIMER_DELAY_US     20
#define TICK_SYNC_DELAY_US 1

/*
 * The console PL011 (passed through by the hypervisor) is the one device
 * whose interrupt the guest can raise at will: QEMU sets its raw TX
 * interrupt once it has passed a character on, and only UARTICR clears it,
 * so unmasking it in UARTIMSC asserts SPI 33 and masking it deasserts it.
 */
#ifndef UART_BASE
#define UART_BASE 0x09000000UL
#endif
#define UART_INTID    33
#define PL011_IMSC    0x38
#define PL011_RIS     0x3c
#define PL011_INT_TX  (1U << 5)
#define GICD_IGROUPR  0x0080
#define GICD_ISENABLR 0x0100
#define GICD_ICENABLR 0x0180
#define GICD_IPRIOR   0x0400
#define GICD_IROUTER  0x6000

/*
 * Bound on every busy-wait, in loop iterations (a few instructions each, so
 * well under a second of virtual time): a lost interrupt ends the run with
 * an error instead of hanging it. A count, not a deadline, so that the wait
 * loops stay a handful of instructions and do not blur the measurement.
 */
#define SPIN_LIMIT 100000000UL

/* Bound on the set-up waits: a redistributor waking up, vCPU 1 coming up. */
#define SETUP_TIMEOUT_MS 1000

#define NS_X100_PER_S 100000000000UL

extern char secondary_entry[]; /* start.S */
extern char tick_sync_spin[];
void tick_sync_wait(void);
void __attribute__((noreturn)) secondary_main(unsigned long context);
void __attribute__((noreturn)) guest_main(unsigned long dtb);

static uint64_t cntfrq;
static uint64_t vcpu0_mpidr;

/*
 * State shared with the interrupt handlers and vCPU 1. With the MMU and caches
 * off all of it is Device memory, seen at once by every vCPU: volatile keeps
 * the compiler from caching it in registers, nothing more is needed.
 */
static volatile struct {
	uint64_t mpidr; /* vCPU 1's, once ready */
	bool ready;     /* vCPU 1 has its GIC set up and IRQs unmasked */
	bool failed;    /* vCPU 1 could not wake its redistributor */
} secondary;

static volatile bool tick_syncing; /* tick_sync() waits for the timer */
static volatile bool pong;         /* vCPU 0 got SGI_PONG */
static volatile bool timer_fired;  /* the timer's handler ran */
static volatile uint64_t timer_cval;
static volatile unsigned long timer_dither; /* extra instructions before reading CNTVCT */
static volatile uint64_t timer_latency;     /* sum of CNTVCT - CVAL in the handler, ticks */
static volatile bool spi_fired;
static volatile unsigned int unexpected_irqs;

static void __attribute__((noreturn)) power_off(void)
{
	uart_flush();
	smccc_hvc(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfi();
}

static void __attribute__((noreturn, format(printf, 1, 2))) bench_fatal(const char *fmt, ...)
{
	va_list ap;

	gprintf("BENCH error: ");
	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
	gprintf("\n");
	power_off();
}

static inline uint32_t mmio_read32(unsigned long addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(unsigned long addr, uint32_t val)
{
	*(volatile uint32_t *)addr = val;
}

/*
 * CNTVCT_EL0, read @extra (0 to TIMER_DITHER - 1) instructions later than
 * with 0: a branch back into a run of NOPs ahead of the read.
 */
static inline uint64_t cntvct_after_nops(unsigned long extra)
{
	unsigned long target;
	uint64_t val;

	_Static_assert(TIMER_DITHER == 16, "the .rept below");
	__asm__ volatile("adr	%1, 1f\n\t"
	                 "sub	%1, %1, %2, lsl #2\n\t"
	                 "br	%1\n\t"
	                 ".rept	15\n\t"
	                 "nop\n\t"
	                 ".endr\n"
	                 "1:	isb\n\t"
	                 "mrs	%0, cntvct_el0"
	                 : "=r"(val), "=&r"(target)
	                 : "r"(extra % TIMER_DITHER)
	                 : "memory");
	return val;
}

/* Called by gicv3_handle_irqs() for each interrupt, before its EOI, on either vCPU. */
static void irq_dispatch(unsigned int intid)
{
	switch (intid) {
	case SGI_PING: /* on vCPU 1: answer at once */
		gicv3_send_sgi(vcpu0_mpidr, SGI_PONG);
		break;
	case SGI_PONG:
		pong = true;
		break;
	case VTIMER_INTID:
		if (!tick_syncing)
			timer_latency += cntvct_after_nops(timer_dither) - timer_cval;
		/* A level interrupt: stop the timer before the EOI or it fires again at once. */
		write_sysreg(cntv_ctl_el0, 0);
		isb();
		tick_syncing = false;
		timer_fired = true;
		break;
	case PTIMER_INTID:
		/* CNTVOFF is 0 (natively and under the hypervisor): one count for both timers. */
		timer_latency += cntvct_after_nops(timer_dither) - timer_cval;
		write_sysreg(cntp_ctl_el0, 0);
		isb();
		timer_fired = true;
		break;
	case UART_INTID:
		/* Also a level: mask it in the UART before the EOI. */
		mmio_write32(UART_BASE + PL011_IMSC, 0);
		spi_fired = true;
		break;
	default:
		unexpected_irqs++;
		break;
	}
}

void guest_exception(struct exc_frame *frame, unsigned long vector)
{
	if (vector == VEC_CUR_SPX_IRQ) {
		gicv3_handle_irqs(irq_dispatch);
		/* tick_sync()'s interrupt came: leave the loop it was waiting in. */
		if (frame->elr == (unsigned long)tick_sync_spin && !tick_syncing)
			frame->elr += 4;
		return;
	}
	bench_fatal("vCPU %u: unexpected exception: vector %lu ESR=0x%lx ELR=0x%lx FAR=0x%lx",
	            mpidr_aff0(read_sysreg(mpidr_el1)), vector, read_sysreg(esr_el1), frame->elr,
	            read_sysreg(far_el1));
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * ticks * 1e11 / CNTFRQ, rounded down: nanoseconds * 100. 64-bit division is
 * an instruction on AArch64, but a 128-bit product would need libgcc's
 * __udivti3, which the guest does not link. So reduce the fraction first
 * (62.5 MHz, QEMU's counter, gives 1600/1; 54 MHz gives 50000/27) and divide
 * ticks by the denominator before multiplying: nothing overflows for any
 * counter up to the 1 GHz that Armv8.6 mandates.
 */
static uint64_t ticks_to_ns_x100(uint64_t ticks)
{
	uint64_t g = gcd(NS_X100_PER_S, cntfrq);
	uint64_t num = NS_X100_PER_S / g, den = cntfrq / g;

	return ticks / den * num + ticks % den * num / den;
}

static uint64_t us_to_ticks(uint64_t us)
{
	return cntfrq * us / 1000000;
}

/*
 * Start the next measurement on a counter tick, at a fixed instruction
 * count after it.
 *
 * The virtual counter ticks every 16 ns (62.5 MHz) and virtual time when the
 * guest starts is not the same from run to run (QEMU's clock runs before the
 * first instruction), so two runs read the same instruction stream with
 * different phases against the ticks: a total off by one tick, and for the
 * per-shot latencies by up to a tick per shot. The timer's interrupt, in
 * contrast, comes exactly at its deadline, which is a tick; waiting for it
 * in a one-instruction loop, then running the same handler code, leaves us
 * in step with the ticks, and every run then reads the same counter values.
 */
static void tick_sync(void)
{
	tick_syncing = true;
	write_sysreg(cntv_cval_el0, timer_now() + us_to_ticks(TICK_SYNC_DELAY_US));
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	tick_sync_wait();
}

static void report(const char *name, unsigned long iters, uint64_t ticks)
{
	gprintf("BENCH %s %lu %lu\n", name, iters, ticks_to_ns_x100(ticks) / iters);
}

static void report_na(const char *name, const char *reason)
{
	gprintf("BENCH %s n/a %s\n", name, reason);
}

/*
 * Spin until *flag is set, IRQs unmasked by the caller.
 *
 * With -icount QEMU runs all CPUs round-robin on one thread, and an interrupt
 * raised for another CPU does not end the running CPU's turn: without the
 * YIELD, the CPU that is meant to answer (vCPU 1, or the hypervisor on its
 * physical CPU) would only run once this one's time slice ran out,
 * milliseconds later, and that is what would be measured. QEMU ends the turn
 * at a YIELD (as Linux's cpu_relax() does); under the hypervisor YIELD does
 * not trap, and a halted CPU has no turn, so this costs no virtual time.
 *
 * Each round is a few instructions, the granularity with which the end of
 * the wait is noticed.
 */
static void spin_until(volatile bool *flag, const char *what)
{
	unsigned long spins = 0;

	while (!*flag) {
		__asm__ volatile("yield" : : : "memory");
		if (++spins > SPIN_LIMIT)
			bench_fatal("%s: no interrupt after %lu spins", what, SPIN_LIMIT);
	}
}

/* --- Hypercalls, SMCs and trapped MMIO: a plain loop each --- */

static uint64_t time_calls(smccc_fn call, unsigned long fid, unsigned long iters)
{
	uint64_t t0, t1;

	tick_sync();
	t0 = timer_now();
	for (unsigned long i = 0; i < iters; i++)
		call(fid, 0, 0, 0);
	t1 = timer_now();
	return t1 - t0;
}

/*
 * One untimed call first, to check the answer: a call that raised an
 * exception or got another answer would be timing something else.
 */
static void bench_call(const char *name, smccc_fn call, unsigned long fid, bool want_minus1)
{
	unsigned long ret = call(fid, 0, 0, 0).a0;

	if (want_minus1 ? ret != SMCCC_RET_NOT_SUPPORTED : ret == SMCCC_RET_NOT_SUPPORTED) {
		gprintf("BENCH %s n/a function 0x%lx returned 0x%lx\n", name, fid, ret);
		return;
	}
	report(name, BENCH_ITERS, time_calls(call, fid, BENCH_ITERS));
}

static void bench_mmio_read(void)
{
	const unsigned long addr = GICD_BASE + GICD_IIDR;
	uint64_t t0, t1;

	gic_read32(addr);
	tick_sync();
	t0 = timer_now();
	for (unsigned long i = 0; i < BENCH_ITERS; i++)
		gic_read32(addr); /* volatile asm: one ldr each, never merged or dropped */
	t1 = timer_now();
	report("mmio-read", BENCH_ITERS, t1 - t0);
}

/* --- IPI round trip between vCPU 0 and vCPU 1 --- */

/* The GIC setup both vCPUs share: system registers, own redistributor, SGIs group 1. */
static bool gic_cpu_setup(unsigned int cpu)
{
	if (!gicv3_enable_sre() || !gicv3_redist_wake(cpu, SETUP_TIMEOUT_MS))
		return false;
	gicv3_private_group1(cpu);
	return true;
}

/*
 * vCPU 1, from start.S: set up its side of the GIC, then sleep in WFI and
 * answer every SGI_PING from its IRQ handler. WFI rather than a spin: a
 * halted CPU executes nothing, so under icount it adds no virtual time to
 * what vCPU 0 measures.
 */
void secondary_main(unsigned long context)
{
	unsigned int cpu = mpidr_aff0(read_sysreg(mpidr_el1));

	(void)context;
	if (!gic_cpu_setup(cpu)) {
		secondary.failed = true;
		for (;;)
			wfi();
	}
	gicv3_private_set_priority(cpu, SGI_PING, IRQ_PRIORITY);
	gicv3_private_enable(cpu, SGI_PING);
	gicv3_cpu_if_enable();
	secondary.mpidr = read_sysreg(mpidr_el1);
	secondary.ready = true;

	local_irq_enable();
	for (;;)
		wfi();
}

/* Start vCPU 1 and wait for it to be ready; the reason if it is not, else NULL. */
static const char *start_vcpu1(void)
{
	uint64_t deadline;
	long ret;

	ret = (long)smccc_hvc(PSCI_0_2_FN64_CPU_ON, 1, (unsigned long)secondary_entry, 0).a0;
	if (ret != PSCI_RET_SUCCESS)
		return "PSCI CPU_ON of vCPU 1 failed";
	deadline = timer_now() + us_to_ticks(SETUP_TIMEOUT_MS * 1000UL);
	while (!secondary.ready && !secondary.failed && timer_now() < deadline)
		;
	if (secondary.failed)
		return "vCPU 1 could not wake its redistributor";
	if (!secondary.ready)
		return "vCPU 1 did not come up";
	return NULL;
}

static void bench_ipi(void)
{
	const char *why = start_vcpu1();
	uint64_t t0, t1;

	if (why) {
		report_na("ipi-roundtrip", why);
		return;
	}
	gicv3_private_set_priority(0, SGI_PONG, IRQ_PRIORITY);
	gicv3_private_enable(0, SGI_PONG);

	local_irq_enable();
	/* One untimed round trip: vCPU 1 is awake and answering. */
	pong = false;
	gicv3_send_sgi(secondary.mpidr, SGI_PING);
	spin_until(&pong, "ipi-roundtrip");
	local_irq_disable();

	tick_sync();
	local_irq_enable();
	t0 = timer_now();
	for (unsigned long i = 0; i < BENCH_IPI_ITERS; i++) {
		pong = false;
		gicv3_send_sgi(secondary.mpidr, SGI_PING);
		spin_until(&pong, "ipi-roundtrip");
	}
	t1 = timer_now();
	local_irq_disable();
	report("ipi-roundtrip", BENCH_IPI_ITERS, t1 - t0);
}

/* --- The EL1 timers: deadline to handler --- */

/*
 * The interrupt comes at the deadline, a counter tick, so the handler's
 * CNTVCT - CVAL is the latency rounded down to a tick: 16 ns, and the same
 * in every shot. Reading the counter j instructions late in shot j (mod 16)
 * fixes that: for a latency of L ns, the 16 readings floor((L + j) / 16)
 * add up to exactly L (Hermite's identity), so the average is exact.
 *
 * vCPU 0 spins rather than WFIs while it waits: under -icount with sleep=on
 * (the default), once every CPU is halted QEMU moves virtual time on by the
 * host's real time to the next deadline, which would make the numbers vary
 * between runs; a spinning CPU keeps time tied to instructions.
 */
static void bench_timer(const char *name, bool phys)
{
	uint64_t delay = us_to_ticks(TIMER_DELAY_US);

	timer_latency = 0;

	local_irq_enable();
	for (unsigned long i = 0; i < BENCH_TIMER_SHOTS; i++) {
		timer_fired = false;
		timer_dither = i % TIMER_DITHER;
		timer_cval = timer_now() + delay;
		if (phys) {
			write_sysreg(cntp_cval_el0, timer_cval);
			write_sysreg(cntp_ctl_el0, CNTV_CTL_ENABLE);
		} else {
			write_sysreg(cntv_cval_el0, timer_cval);
			write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
		}
		isb();
		spin_until(&timer_fired, name);
	}
	local_irq_disable();
	report(name, BENCH_TIMER_SHOTS, timer_latency);
}

/* --- A passed-through device's SPI --- */

static void uart_spi_config(bool enable)
{
	unsigned int n = UART_INTID / 32, bit = UART_INTID % 32;

	if (!enable) {
		gic_write32(GICD_BASE + GICD_ICENABLR + 4 * n, 1U << bit);
		return;
	}
	gic_write32(GICD_BASE + GICD_IGROUPR + 4 * n,
	            gic_read32(GICD_BASE + GICD_IGROUPR + 4 * n) | (1U << bit));
	gic_write8(GICD_BASE + GICD_IPRIOR + UART_INTID, IRQ_PRIORITY);
	/* Route it to vCPU 0: Aff2.Aff1.Aff0 in the low word, Aff3 in the high one. */
	gic_write32(GICD_BASE + GICD_IROUTER + 8 * UART_INTID, vcpu0_mpidr & 0xffffff);
	gic_write32(GICD_BASE + GICD_IROUTER + 8 * UART_INTID + 4, (vcpu0_mpidr >> 32) & 0xff);
	gic_write32(GICD_BASE + GICD_ISENABLR + 4 * n, 1U << bit);
}

/*
 * The whole cost of one interrupt: raise, delivery, handler, EOI and back to
 * the loop. Natively that is the guest's own code; the hypervisor adds taking
 * the physical interrupt, injecting it and, at the EOI, deactivating the
 * physical one.
 */
static void bench_spi(void)
{
	uint64_t t0, t1;

	/* This guest has printed a few lines by now: the raw TX interrupt is set. */
	uart_flush();
	if (!(mmio_read32(UART_BASE + PL011_RIS) & PL011_INT_TX)) {
		report_na("spi-passthrough", "the PL011's raw TX interrupt is not set");
		return;
	}
	uart_spi_config(true);

	tick_sync();
	local_irq_enable();
	t0 = timer_now();
	for (unsigned long i = 0; i < BENCH_SPI_SHOTS; i++) {
		spi_fired = false;
		mmio_write32(UART_BASE + PL011_IMSC, PL011_INT_TX);
		spin_until(&spi_fired, "spi-passthrough");
	}
	t1 = timer_now();
	local_irq_disable();
	uart_spi_config(false);
	report("spi-passthrough", BENCH_SPI_SHOTS, t1 - t0);
}

/*
 * Spin @ms ms, with no exit and almost no system register access: the
 * counter is read once every million iterations of an empty loop. (Under
 * QEMU each counter read takes its global lock, which a neighbour's
 * emulation needs too: a loop on the counter alone would not be "only
 * computing".)
 */
static void bench_spin_ms(unsigned long ms)
{
	uint64_t end = timer_now() + us_to_ticks(ms * 1000);

	while (timer_now() < end) {
		for (unsigned int i = 0; i < 1000000; i++)
			__asm__ volatile("" ::: "memory");
	}
}

void guest_main(unsigned long dtb)
{
	uint32_t iidr = gic_read32(GICD_BASE + GICD_IIDR);
	bool hyp = iidr == HYP_GICD_IIDR;
	unsigned long wait_ms;

	cntfrq = timer_freq();
	vcpu0_mpidr = read_sysreg(mpidr_el1);
	gprintf("BENCH env hyp=%d\n", hyp);
	gprintf("bench: EL%lu, GICD_IIDR 0x%08x, CNTFRQ %lu Hz\n", current_el(), iidr, cntfrq);

	if (!gic_cpu_setup(0))
		bench_fatal("vCPU 0: GIC CPU interface or redistributor setup failed");
	gicv3_dist_enable();
	/* The virtual timer serves tick_sync() and vtimer-latency. */
	gicv3_private_set_priority(0, VTIMER_INTID, IRQ_PRIORITY);
	gicv3_private_enable(0, VTIMER_INTID);
	/* The EL1 physical timer serves ptimer-latency. */
	gicv3_private_set_priority(0, PTIMER_INTID, IRQ_PRIORITY);
	gicv3_private_enable(0, PTIMER_INTID);
	gicv3_cpu_if_enable();

	if (parse_number(bootarg(dtb, "bench.wait-ms"), &wait_ms)) {
		gprintf("bench: waiting %lu ms\n", wait_ms);
		bench_spin_ms(wait_ms);
	}
	bench_call("hvc-null", smccc_hvc, HVC_NULL_FID, true);
	bench_call("psci-version-hvc", smccc_hvc, PSCI_0_2_FN_PSCI_VERSION, false);
	/* Without EL2 and EL3 nothing handles an SMC: it is UNDEFINED. */
	if (hyp)
		bench_call("smc-forwarded", smccc_smc, SIP_FID, true);
	else
		report_na("smc-forwarded", "no EL3 natively, SMC is UNDEFINED");
	bench_mmio_read();
	bench_ipi();
	bench_timer("vtimer-latency", false);
	bench_timer("ptimer-latency", true);
	bench_spi();

	if (unexpected_irqs)
		gprintf("bench: %u unexpected interrupt(s)\n", unexpected_irqs);
	gprintf("BENCH done\n");
	power_off();
}
