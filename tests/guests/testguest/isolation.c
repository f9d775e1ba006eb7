/*
 * Isolation from inside a VM (issue 22), run when the bootargs say
 * "tg.iso=<1|2> tg.role=<send|listen> tg.sync=<ms> tg.ram-end=<addr>": two
 * test-guest VMs on one machine, each trying to reach the other.
 *
 *  - iso-cpu-on-foreign: CPU_ON and AFFINITY_INFO of every MPIDR this VM does
 *    not have (another VM's vCPUs are there in the machine) are
 *    INVALID_PARAMETERS.
 *  - iso-ram-beyond: every 2 MiB of IPA from the end of this VM's RAM to
 *    tg.ram-end (the machine's RAM, so every physical address of the other
 *    VM's RAM) is a synchronous external abort with FAR = the address.
 *  - iso-ram-marker: a marker with this VM's id written into each 2 MiB
 *    block of its RAM is still there after the other VM wrote its own marker
 *    into the same IPAs of its RAM; the other VM's marker is nowhere.
 *  - iso-send / iso-listen: at the counter's tg.sync ms both VMs meet (they
 *    share the counter: CNTVOFF is 0). The sender then, for 400 ms, sends
 *    SGIs to all-but-self and to every target its GIC can name, and enables,
 *    pends, activates and routes to every CPU all its SPIs; the listener, with every SGI
 *    and SPI enabled in its own GIC and IRQs unmasked from 100 ms before to
 *    100 ms after, must take no interrupt. Each prints its window, so the
 *    boot test can check that the one contains the other.
 */
#include <stdbool.h>
#include <stdint.h>
#include "bootargs.h"
#include "fdt.h"
#include "fdt_prop.h"
#include "gicv2.h"
#include "gicv3.h"
#include "printf.h"
#include "smccc.h"
#include "sysreg.h"
#include "testguest.h"
#include "timer.h"

#define HYPSVC_DOORBELL 0x86000001UL         /* core/hypsvc.h */
#define ISO_MARKER      0x15014710c0de0000UL /* | the VM's id */
#define ISO_BLOCK       0x200000UL
#define ISO_SKIP_LOW    0x1000000UL /* the image, stacks and BSS: first 16 MiB left alone */
#define ISO_SKIP_HIGH   0x400000UL  /* the DTB the hypervisor puts at the top */
#define ISO_SEND_MS     400
#define ISO_GUARD_MS    100
#define ISO_OWN_SGI     3 /* what the listener sends itself after the window */
#define ISO_OWN_SPI     40
#define ISO_MAX_SPIS    988
#define ICC_SGIR_IRM    (1UL << 40) /* every PE but the sender */
#define GICD_IGROUPR    0x0080
#define GICD_ISACTIVER  0x0300
#define GICD_ICACTIVER  0x0380
#define GICD_IROUTER    0x6000
#define GICD_SGIR_ALL   (1U << 24) /* TargetListFilter: every CPU but the requesting one */

struct iso_args {
	unsigned long id, sync_ms, ram_end;
	bool sender;
};

static uint64_t ram_base, ram_end;

/* The tg.* arguments, or false if this run is not an isolation run. */
static bool iso_args(unsigned long dtb, struct iso_args *a)
{
	const char *role;

	if (!bootarg(dtb, "tg.iso"))
		return false;
	role = bootarg(dtb, "tg.role");
	a->sender = role && role[0] == 's';
	if (!parse_number(bootarg(dtb, "tg.iso"), &a->id) ||
	    !parse_number(bootarg(dtb, "tg.sync"), &a->sync_ms) ||
	    !parse_number(bootarg(dtb, "tg.ram-end"), &a->ram_end) || !role) {
		fail("iso-args", "bootargs need tg.iso=<id> tg.role=<send|listen> tg.sync=<ms> "
		                 "tg.ram-end=<addr>");
		return false;
	}
	return true;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* This VM's RAM, from its DT's /memory (the hypervisor writes 2 and 2 cells). */
static bool iso_ram(unsigned long dtb)
{
	unsigned int len = 0;
	const uint8_t *reg = fdt_path_prop(dtb, "/memory", "reg", &len);

	if (!reg || len != 16) {
		fail("iso-ram", "no /memory reg of one 2+2-cell entry in the DT");
		return false;
	}
	ram_base = be64(reg);
	ram_end = ram_base + be64(reg + 8);
	return true;
}

static void test_cpu_on_foreign(void)
{
	for (unsigned long m = nr_vcpus; m < 16; m++) {
		struct smccc_res on =
		    smccc_hvc(PSCI_0_2_FN64_CPU_ON, m, (unsigned long)test_cpu_on_foreign, 0);
		struct smccc_res info = smccc_hvc(PSCI_0_2_FN64_AFFINITY_INFO, m, 0, 0);

		if ((long)on.a0 != PSCI_RET_INVALID_PARAMETERS ||
		    (long)info.a0 != PSCI_RET_INVALID_PARAMETERS) {
			fail("iso-cpu-on-foreign",
			     "MPIDR 0x%lx: CPU_ON returned %ld, AFFINITY_INFO %ld; expected %d "
			     "(this VM has %u vCPUs)",
			     m, (long)on.a0, (long)info.a0, PSCI_RET_INVALID_PARAMETERS, nr_vcpus);
			return;
		}
	}
	pass_detail("iso-cpu-on-foreign", "MPIDR %u-15", nr_vcpus);
}

/* This VM shares no memory: the doorbell of any IPA, the other VM's region's too, is refused. */
static void test_doorbell_foreign(void)
{
	static const unsigned long ipas[] = {0x60000000UL, 0x70000000UL, 0x40000000UL, 0};

	for (unsigned int i = 0; i < sizeof(ipas) / sizeof(ipas[0]); i++) {
		struct smccc_res res = smccc_hvc(HYPSVC_DOORBELL, ipas[i], 0, 0);

		if ((long)res.a0 != -3) {
			fail("iso-doorbell-foreign",
			     "the doorbell of IPA 0x%lx returned %ld, not -3", ipas[i],
			     (long)res.a0);
			return;
		}
	}
	pass("iso-doorbell-foreign");
}

static void test_ram_beyond(const struct iso_args *a)
{
	unsigned int n = 0;

	for (uint64_t addr = ram_end; addr < a->ram_end; addr += ISO_BLOCK, n++) {
		unsigned long far;

		if (!tg_probe_aborts(addr, &far) || far != addr) {
			fail("iso-ram-beyond",
			     "a read at 0x%lx (RAM is 0x%lx-0x%lx) did not abort with FAR = it",
			     (unsigned long)addr, (unsigned long)ram_base,
			     (unsigned long)ram_end - 1);
			return;
		}
	}
	pass_detail("iso-ram-beyond", "%u reads from 0x%lx to 0x%lx aborted", n,
	            (unsigned long)ram_end, a->ram_end);
}

static volatile uint64_t *marker_at(uint64_t block)
{
	return (volatile uint64_t *)(block + 0x100);
}

static void markers_write(unsigned long id)
{
	for (uint64_t b = ram_base + ISO_SKIP_LOW; b + ISO_SKIP_HIGH < ram_end; b += ISO_BLOCK)
		*marker_at(b) = ISO_MARKER | id;
	dsb(sy);
}

static void test_ram_marker(unsigned long id)
{
	unsigned int n = 0;

	for (uint64_t b = ram_base + ISO_SKIP_LOW; b + ISO_SKIP_HIGH < ram_end; b += ISO_BLOCK) {
		uint64_t v = *marker_at(b);

		if (v != (ISO_MARKER | id)) {
			fail("iso-ram-marker",
			     "IPA 0x%lx holds 0x%lx, not this VM's marker 0x%lx%s",
			     (unsigned long)(b + 0x100), (unsigned long)v,
			     (unsigned long)(ISO_MARKER | id),
			     (v & ~0xffffUL) == ISO_MARKER ? ": another VM's" : "");
			return;
		}
		n++;
	}
	pass_detail("iso-ram-marker", "%u blocks of 2 MiB", n);
}

static unsigned long counter_ms(void)
{
	return timer_now() * 1000 / timer_freq();
}

static void wait_until_ms(unsigned long ms)
{
	while (counter_ms() < ms)
		;
}

static unsigned int gic_nr_spis(void)
{
	unsigned int lines = GICD_TYPER_ITLINES(gic_read32(GICD_BASE + GICD_TYPER));
	unsigned int n = 32 * lines;

	return n < ISO_MAX_SPIS ? n : ISO_MAX_SPIS;
}

/*
 * Every SPI of this VM's distributor enabled (@on) or disabled and inactive,
 * pending (@pend) or not, routed to every CPU the GIC can name (@everywhere)
 * or to vCPU 0, in the group this guest takes as IRQs (Group 1 on GICv3,
 * Group 0 on GICv2).
 */
static void spis_set(bool on, bool pend, bool everywhere)
{
	unsigned int words = (32 + gic_nr_spis()) / 32;

	for (unsigned int w = 1; w < words; w++) {
		gic_write32(GICD_BASE + GICD_IGROUPR + 4 * w, tg_gic_is_v3() ? ~0U : 0);
		gic_write32(GICD_BASE + (on ? GICD_ISENABLER : GICD_ICENABLER) + 4 * w, ~0U);
		gic_write32(GICD_BASE + (pend ? GICD_ISPENDR : GICD_ICPENDR) + 4 * w, ~0U);
		/* The sender also activates them: an active SPI must stay its own too. */
		gic_write32(GICD_BASE + (on && pend ? GICD_ISACTIVER : GICD_ICACTIVER) + 4 * w,
		            ~0U);
	}
	for (unsigned int i = 32; i < 32 + gic_nr_spis(); i++) {
		if (!tg_gic_is_v3()) {
			gic_write8(GICD_BASE + GICD_ITARGETSR + i, everywhere ? 0xff : 0x01);
		} else {
			volatile uint64_t *r =
			    (volatile uint64_t *)(GICD_BASE + GICD_IROUTER + 8 * i);

			*r = everywhere ? 1UL << 31 : 0; /* IRM: any PE, or vCPU 0 */
		}
	}
	dsb(sy);
}

/* One round of SGIs at every target this VM's GIC lets it name. */
static unsigned int sgi_round(void)
{
	unsigned int n = 0;

	for (unsigned int intid = 0; intid < GIC_NR_SGIS; intid++) {
		if (tg_gic_is_v3()) {
			uint64_t v = (uint64_t)intid << 24;

			write_sysreg(s3_0_c12_c11_5, v | ICC_SGIR_IRM);     /* ICC_SGI1R_EL1 */
			write_sysreg(s3_0_c12_c11_5, v | 0xfffe);           /* CPUs 1-15, Aff1 0 */
			write_sysreg(s3_0_c12_c11_5, v | 0xffff | 1 << 16); /* Aff1 1: nobody */
			write_sysreg(s3_0_c12_c11_7, v | ICC_SGIR_IRM);     /* ICC_SGI0R_EL1 */
			isb();
			n += 4;
		} else {
			gic_write32(GICD_BASE + GICD_SGIR, GICD_SGIR_ALL | intid);
			gic_write32(GICD_BASE + GICD_SGIR, 0xfeU << 16 | intid);
			n += 2;
		}
	}
	return n;
}

static void iso_send(const struct iso_args *a)
{
	unsigned long start, end;
	unsigned int sgis = 0;

	wait_until_ms(a->sync_ms);
	start = counter_ms();
	spis_set(true, true, true);
	while (counter_ms() < a->sync_ms + ISO_SEND_MS)
		sgis += sgi_round();
	end = counter_ms();
	/* Leave this VM's own GIC as the checks found it. */
	spis_set(false, false, false);
	pass_detail("iso-send",
	            "%u SGIs, every SPI pending and active at every CPU, from %lu ms to %lu ms",
	            sgis, start, end);
}

static void iso_listen(const struct iso_args *a)
{
	char buf[96];
	unsigned long start, end;
	unsigned int quiet, fiqs, own;

	for (unsigned int intid = 0; intid < GIC_NR_SGIS; intid++)
		tg_gic_enable(intid);
	spis_set(true, false, false);
	irq_log_reset();
	wait_until_ms(a->sync_ms - ISO_GUARD_MS);
	start = counter_ms();
	/* Unmasked for the whole window: it returns only if ~all of it arrives at once. */
	irq_wait(IRQ_LOG_MAX * 1000, ISO_SEND_MS + 2 * ISO_GUARD_MS);
	end = counter_ms();
	quiet = irqs.count;
	fiqs = irqs.fiqs;
	/* The same set-up does take this VM's own SGI and SPI: the quiet was not deafness. */
	irq_log_reset();
	tg_gic_sgi_self(ISO_OWN_SGI);
	gic_write32(GICD_BASE + GICD_ISPENDR + 4 * (ISO_OWN_SPI / 32), 1U << (ISO_OWN_SPI % 32));
	irq_wait(2, IRQ_TIMEOUT_MS);
	own = irqs.count;
	spis_set(false, false, false);
	for (unsigned int intid = 0; intid < GIC_NR_SGIS; intid++)
		tg_gic_disable(intid);
	if (quiet || fiqs)
		fail("iso-listen", "took %u interrupt(s) and %u FIQ(s): %s", quiet, fiqs,
		     irq_log_str(buf, sizeof(buf)));
	else if (own != 2)
		fail("iso-listen", "its own SGI %u and SPI %u gave %u interrupt(s): %s, expected 2",
		     ISO_OWN_SGI, ISO_OWN_SPI, own, irq_log_str(buf, sizeof(buf)));
	else
		pass_detail("iso-listen",
		            "no interrupt from %lu ms to %lu ms; its own SGI and SPI taken after",
		            start, end);
}

/*
 * tg.reset-probe=1: what a VM reset leaves of the last life. Each life counts
 * the markers it finds in its RAM (the last life's, if the reset did not
 * wipe it), writes its own and asks for SYSTEM_RESET; the boot test reads
 * the counts and stops the machine.
 */
#define RESET_MARKER (ISO_MARKER | 0xeeUL)

bool tg_reset_probe(unsigned long dtb)
{
	unsigned int found = 0, blocks = 0;
	struct smccc_res res;

	if (!bootarg(dtb, "tg.reset-probe") || !iso_ram(dtb))
		return false;
	for (uint64_t b = ram_base + ISO_SKIP_LOW; b + ISO_SKIP_HIGH < ram_end; b += ISO_BLOCK) {
		found += *marker_at(b) == RESET_MARKER;
		*marker_at(b) = RESET_MARKER;
		blocks++;
	}
	dsb(sy);
	gprintf("TG: RESET-PROBE %u of %u blocks hold the last life's marker; reset\n", found,
	        blocks);
	res = smccc_hvc(PSCI_0_2_FN_SYSTEM_RESET, 0, 0, 0);
	fail("reset-probe", "SYSTEM_RESET returned 0x%lx", res.a0);
	return true;
}

/*
 * tg.idle=1: a VM that stays running and quiet (the console keys' boot test
 * resets it): it says so, then waits for interrupts it never enabled.
 */
void tg_idle(unsigned long dtb)
{
	if (!bootarg(dtb, "tg.idle"))
		return;
	gprintf("TG: IDLE\n");
	for (;;)
		wfi();
}

/*
 * tg.shm-ping=<ipa> / tg.shm-pong=<ipa>: a counter passed back and forth
 * through RAM two VMs share (Xen's static shared memory), by polling: the
 * pinger writes n to word 0 and waits for word 1 to say n; the ponger
 * answers each new n. Both run with the MMU off, so neither caches it.
 */
#define SHM_ROUNDS 10000

static bool shm_wait(volatile uint64_t *w, uint64_t want, uint64_t deadline)
{
	while (*w != want)
		if (timer_now() > deadline)
			return false;
	return true;
}

void test_shm_ping_pong(unsigned long dtb)
{
	unsigned long ipa;
	bool ping;
	volatile uint64_t *w;
	uint64_t t0, deadline;

	ping = parse_number(bootarg(dtb, "tg.shm-ping"), &ipa);
	if (!ping && !parse_number(bootarg(dtb, "tg.shm-pong"), &ipa))
		return;
	w = (volatile uint64_t *)ipa;
	t0 = timer_now();
	deadline = t0 + timer_ms_to_ticks(10000);
	for (uint64_t n = 1; n <= SHM_ROUNDS; n++) {
		if (ping) {
			w[0] = n;
			dsb(sy);
			if (!shm_wait(&w[1], n, deadline)) {
				fail("shm-ping", "round %lu: word 1 says %lu, not %lu, after 10 s",
				     (unsigned long)n, (unsigned long)w[1], (unsigned long)n);
				return;
			}
		} else {
			if (!shm_wait(&w[0], n, deadline)) {
				fail("shm-pong", "round %lu: word 0 says %lu, not %lu, after 10 s",
				     (unsigned long)n, (unsigned long)w[0], (unsigned long)n);
				return;
			}
			w[1] = n;
			dsb(sy);
		}
	}
	pass_detail(ping ? "shm-ping" : "shm-pong", "%u round trips through IPA 0x%lx in %lu ms",
	            SHM_ROUNDS, ipa, (unsigned long)((timer_now() - t0) * 1000 / timer_freq()));
}

/*
 * tg.bell-ping=<ipa> / tg.bell-pong=<ipa> [tg.bell-rounds=<n>]: the counter
 * again, but each side rings the hypervisor's doorbell (HVC 0x86000001 with
 * the region's IPA) and sleeps in WFI until its own doorbell SPI comes, the
 * SPI its DT names in /reserved-memory/xen-shmem@<ipa>/interrupts.
 */
static char *hex_append(char *p, uint64_t v)
{
	char digits[16];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = digits[--n];
	*p = '\0';
	return p;
}

/* The doorbell INTID the DT gives the region at @ipa, 0 if none. */
static unsigned int doorbell_intid(unsigned long dtb, uint64_t ipa)
{
	static const char prefix[] = "/reserved-memory/xen-shmem@";
	char path[sizeof(prefix) + 16];
	unsigned int len = 0;
	const uint8_t *irq;

	for (unsigned int i = 0; i < sizeof(prefix); i++)
		path[i] = prefix[i];
	hex_append(path + sizeof(prefix) - 1, ipa);
	irq = fdt_path_prop(dtb, path, "interrupts", &len);
	if (!irq || len != 12 || fdt_be32(irq) != 0)
		return 0;
	return 32 + fdt_be32(irq + 4);
}

/* One SPI of this VM's own, enabled, to vCPU 0, in the group this guest takes as IRQs. */
static void spi_enable(unsigned int intid)
{
	uint32_t bit = 1U << (intid % 32), word = 4 * (intid / 32);

	if (tg_gic_is_v3()) {
		volatile uint64_t *r = (volatile uint64_t *)(GICD_BASE + GICD_IROUTER + 8 * intid);

		*r = 0;
		gic_write32(GICD_BASE + GICD_IGROUPR + word,
		            gic_read32(GICD_BASE + GICD_IGROUPR + word) | bit);
	} else {
		gic_write8(GICD_BASE + GICD_ITARGETSR + intid, 0x01);
	}
	gic_write8(GICD_BASE + GICD_IPRIORITYR + intid, 0xa0);
	gic_write32(GICD_BASE + GICD_ISENABLER + word, bit);
	dsb(sy);
}

/*
 * Sleep until one more interrupt was handled; false on timeout. The count is
 * read with IRQs masked and WFI wakes on a pending one even so: an interrupt
 * that comes between the read and the WFI cannot leave it asleep for ever.
 */
static bool wait_bell(unsigned int before, uint64_t deadline)
{
	while (irqs.count == before && timer_now() < deadline) {
		wfi();
		local_irq_enable();
		isb(); /* take it here */
		local_irq_disable();
	}
	return irqs.count != before;
}

void test_doorbell_ping_pong(unsigned long dtb)
{
	unsigned int intid, seen;
	unsigned long ipa, rounds = 100000;
	const char *name;
	bool ping;
	volatile uint64_t *w;
	uint64_t t0;

	ping = parse_number(bootarg(dtb, "tg.bell-ping"), &ipa);
	if (!ping && !parse_number(bootarg(dtb, "tg.bell-pong"), &ipa))
		return;
	parse_number(bootarg(dtb, "tg.bell-rounds"), &rounds);
	name = ping ? "doorbell-ping" : "doorbell-pong";
	intid = doorbell_intid(dtb, ipa);
	if (!intid) {
		fail(name, "no /reserved-memory/xen-shmem@%lx with an SPI in its DT", ipa);
		return;
	}
	spi_enable(intid);
	irq_log_reset();
	w = (volatile uint64_t *)ipa;
	t0 = timer_now();
	for (uint64_t n = 1; n <= rounds; n++) {
		uint64_t deadline = timer_now() + timer_ms_to_ticks(2000);
		struct smccc_res res;

		seen = irqs.count;
		if (ping) {
			w[0] = n;
			dsb(sy);
			res = smccc_hvc(HYPSVC_DOORBELL, ipa, 0, 0);
			if (res.a0 != 0 || !wait_bell(seen, deadline) || w[1] != n) {
				fail(name, "round %lu: ring 0x%lx, word 1 %lu", (unsigned long)n,
				     res.a0, (unsigned long)w[1]);
				return;
			}
		} else {
			if (!wait_bell(seen, deadline) || w[0] != n) {
				fail(name, "round %lu: no doorbell, or word 0 %lu",
				     (unsigned long)n, (unsigned long)w[0]);
				return;
			}
			w[1] = n;
			dsb(sy);
			res = smccc_hvc(HYPSVC_DOORBELL, ipa, 0, 0);
			if (res.a0 != 0) {
				fail(name, "round %lu: ring returned 0x%lx", (unsigned long)n,
				     res.a0);
				return;
			}
		}
	}
	pass_detail(name, "%lu round trips, doorbell INTID %u, %lu interrupts, in %lu ms", rounds,
	            intid, (unsigned long)irqs.count,
	            (unsigned long)((timer_now() - t0) * 1000 / timer_freq()));
}

unsigned long tg_flood_ms(unsigned long dtb)
{
	unsigned long ms = 0;

	return parse_number(bootarg(dtb, "tg.flood"), &ms) ? ms : 0;
}

void tg_flood(unsigned long ms)
{
	unsigned long end = counter_ms() + ms, n = 0;

	while (counter_ms() < end)
		gprintf("TG: FLOOD %lu "
		        "................................................................\n",
		        n++);
	/* A quiet second earns the budget back, so this line and the drop count get out. */
	timer_delay_ms(1000);
	gprintf("TG: FLOOD done, %lu lines in %lu ms\n", n, ms);
}

void test_isolation(unsigned long dtb)
{
	struct iso_args a;

	if (!iso_args(dtb, &a) || !iso_ram(dtb))
		return;
	markers_write(a.id);
	test_cpu_on_foreign();
	test_doorbell_foreign();
	test_ram_beyond(&a);
	if (counter_ms() > a.sync_ms - ISO_GUARD_MS) {
		fail(a.sender ? "iso-send" : "iso-listen",
		     "reached the meeting point at %lu ms, after tg.sync=%lu ms less %u",
		     counter_ms(), a.sync_ms, ISO_GUARD_MS);
	} else if (a.sender) {
		iso_send(&a);
	} else {
		iso_listen(&a);
	}
	test_ram_marker(a.id);
}
