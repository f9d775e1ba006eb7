/*
 * What the test guest's files share: reporting a check, and the log of the
 * interrupts vCPU 0 handles (main.c), used by the checks in the other files.
 */
#ifndef TESTGUEST_H
#define TESTGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many vCPUs the guest was given (its DT's CPU nodes; main.c). */
extern unsigned int nr_vcpus;

/* Bounds on waits for things the hypervisor should do within microseconds. */
#define TIMEOUT_MS     1000
#define IRQ_TIMEOUT_MS 100
#define IRQ_SETTLE_MS  10 /* after the expected interrupts: time for any extra one */

/* One "TG: PASS <name>" or "TG: FAIL <name>: ..." line per check. */
void pass(const char *name);
void __attribute__((format(printf, 2, 3))) fail(const char *name, const char *fmt, ...);
/* "TG: SKIP <name>: <why>", for a check this VM cannot run. */
void skip(const char *name, const char *why);
/* "TG: PASS <name> (<details>)" */
void __attribute__((format(printf, 2, 3))) pass_detail(const char *name, const char *fmt, ...);

/* Interrupts handled by vCPU 0, in the order they were acknowledged. */
#define IRQ_LOG_MAX 32
struct irq_log {
	unsigned int count; /* may exceed IRQ_LOG_MAX: only the first are kept */
	uint16_t intid[IRQ_LOG_MAX];
	uint64_t timer_at; /* the timer's counter when the handler got a timer's interrupt */
	uint8_t source[IRQ_LOG_MAX];     /* GICv2 SGIs: the source CPU of each */
	unsigned int fiqs;               /* Group 0 interrupts taken as FIQs, */
	uint16_t fiq_intid[IRQ_LOG_MAX]; /* and which */
};
extern volatile struct irq_log irqs;

/* Empty the log (IRQs masked, so that no interrupt is half recorded). */
void irq_log_reset(void);
/* The interrupts handled since irq_log_reset(), as a string. */
const char *irq_log_str(char *buf, size_t size);
/*
 * Unmask IRQs until @n interrupts have been handled (or @timeout_ms), then
 * IRQ_SETTLE_MS longer so that a duplicate would show, and mask them again.
 */
void irq_wait(unsigned int n, unsigned int timeout_ms);

/* gic.c: the calling vCPU's private interrupts on either GIC version. */
unsigned int tg_cpu(void); /* the calling vCPU (MPIDR Aff0) */
bool tg_gic_cpu_setup(void);
bool tg_gic_detect(void); /* true: GICv3 */
bool tg_gic_is_v3(void);
void tg_gic_set_priority(unsigned int intid, uint8_t priority);
void tg_gic_enable(unsigned int intid);
void tg_gic_disable(unsigned int intid);
bool tg_gic_pending(unsigned int intid);
const char *tg_gic_pend_reg(void); /* the pending register's name, for messages */
void tg_gic_sgi_self(unsigned int intid);
void tg_gic_handle_irqs(void (*handle)(unsigned int intid));

/* gicv2.c: GICv2 distributor specifics. */
void test_gicv2_sgi_sources(void);
void test_gicv2_sgi_pend_bits(void);
void test_gicv2_no_target(void);

/* timers.c: the EL1 timers' checks, and what the IRQ handler does for a timer's interrupt. */
void test_timers(void);
bool timer_irq_stop(unsigned int intid);

/* entry.c: PSTATE on exception entry, injected vs the CPU's own. */
struct exc_frame;
void test_exception_entry(void);
bool entry_capture(struct exc_frame *frame);

/*
 * main.c: a 32-bit load from @addr that must abort: true if it did, with
 * the FAR it reported in *@far.
 */
bool tg_probe_aborts(unsigned long addr, unsigned long *far);

/* isolation.c: the isolation checks, if the bootargs ask for them. */
void test_isolation(unsigned long dtb);
/* isolation.c: tg.flood=<ms> in the bootargs (0: none); print without end for that long. */
unsigned long tg_flood_ms(unsigned long dtb);
/* isolation.c: tg.shm-ping=<ipa> or tg.shm-pong=<ipa>: a counter through shared memory. */
void test_shm_ping_pong(unsigned long dtb);
/* isolation.c: tg.bell-ping=<ipa> or tg.bell-pong=<ipa>: the counter with doorbells. */
void test_doorbell_ping_pong(unsigned long dtb);
/* isolation.c: tg.reset-probe in the bootargs: count the last life's markers, reset (true). */
bool tg_reset_probe(unsigned long dtb);
/* tg.idle=1: print "TG: IDLE" and sleep for good; returns only without it. */
void tg_idle(unsigned long dtb);
void tg_flood(unsigned long ms);

/* groups.c: the GICv3 groups, SGI generation registers, redistributor reset. */
void test_gicr_waker_reset(void);
void test_gicv3_groups(void);

/* psci_mmio.c: CPU_SUSPEND's power_state, big-endian MMIO. */
void test_cpu_suspend_power_state(void);
void test_mmio_big_endian(void);

/* pmu.c: the guest's PMU never counts the hypervisor; its overflow interrupt arrives. */
void test_pmu_el2(void);
void test_pmu_irq(void);
void tg_pmu_find(unsigned long dtb); /* before test_pmu_irq() */
bool pmu_irq_stop(unsigned int intid);

/* psci_conf.c: PSCI 1.1 and SMCCC 1.1 as their specifications describe them. */
void test_psci_features(void);
void test_psci_return_codes(void);
void test_smccc_version_and_features(void);
void test_affinity_info_transitions(void);
void test_cpu_on_race(void);
/* A secondary started by those checks: true if @context was theirs (it does not return). */
bool psci_conf_secondary(unsigned long context);

#endif
