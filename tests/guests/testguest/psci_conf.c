/*
 * PSCI 1.1 (Arm DEN0022) and SMCCC 1.1 (Arm DEN0028) as the specifications
 * describe them, the way a kernel relies on them (checked by vCPU 0, with
 * the last two vCPUs as the others):
 *
 * - PSCI_FEATURES: 0 for every function the hypervisor implements, in both
 *   calling conventions, NOT_SUPPORTED for the optional ones it does not and
 *   for IDs that are not PSCI's; SMCCC_VERSION reported as implemented;
 * - return codes for bad arguments: an MPIDR that is no vCPU, an affinity
 *   level above 3, a misaligned entry point, a reset type that is not
 *   offered; MIGRATE_INFO_TYPE 2 (no Trusted OS) and MIGRATE not offered;
 * - SMCCC_VERSION 1.1, SMCCC_ARCH_FEATURES for the calls it knows and not
 *   for others;
 * - AFFINITY_INFO across a vCPU's life: OFF, ON_PENDING or ON right after
 *   CPU_ON, ON once it runs, OFF after its CPU_OFF;
 * - CPU_ON races: two vCPUs starting the same third one at the same moment,
 *   again and again, the target staying on until both calls returned:
 *   exactly one gets SUCCESS, the other ALREADY_ON or ON_PENDING, and the
 *   target starts exactly once.
 */
#include "smccc.h"
#include "sysreg.h"
#include "testguest.h"
#include "timer.h"

#define PSCI_FN(n)   (0x84000000UL + (n))
#define PSCI_FN64(n) (0xc4000000UL + (n))

#define PSCI_CPU_OFF            PSCI_FN(0x02)
#define PSCI_AFFINITY_INFO_64   PSCI_FN64(0x04)
#define PSCI_CPU_ON_64          PSCI_FN64(0x03)
#define PSCI_MIGRATE            PSCI_FN(0x05)
#define PSCI_MIGRATE_INFO_TYPE  PSCI_FN(0x06)
#define PSCI_MIGRATE_INFO_UP    PSCI_FN(0x07)
#define PSCI_FEATURES           PSCI_FN(0x0a)
#define PSCI_SYSTEM_RESET2      PSCI_FN(0x12)
#define SMCCC_VERSION           0x80000000UL
#define SMCCC_ARCH_FEATURES     0x80000001UL
#define SMCCC_ARCH_WORKAROUND_1 0x80008000UL

#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_ON_PENDING    (-5)

#define CONF_PARKED 0xc0dec0f1UL /* run until told to turn off */
#define CONF_RACER  0xc0dec0f2UL /* race vCPU 0 to CPU_ON the target */
#define CONF_TARGET 0xc0dec0f3UL /* count a start, turn off */

#define RACE_ROUNDS 20
/* The last vCPUs do the work: any vCPU but 0 is off when these checks run. */
#define PARKED_VCPU (nr_vcpus - 1)
#define RACER_VCPU  (nr_vcpus - 2)
#define TARGET_VCPU (nr_vcpus - 1)

extern char secondary_entry[]; /* start.S */

/* Shared with the secondaries; each field written by one side only. */
static volatile struct {
	bool parked_running, parked_release;
	bool racer_ready, go, racer_done, target_release;
	long racer_ret;
	unsigned int target_starts;
} conf;

static long psci(unsigned long fid, unsigned long a1, unsigned long a2, unsigned long a3)
{
	return (long)smccc_hvc(fid, a1, a2, a3).a0;
}

static long affinity(unsigned long mpidr)
{
	return psci(PSCI_AFFINITY_INFO_64, mpidr, 0, 0);
}

static bool wait_until(volatile bool *flag, unsigned int ms)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(ms);

	while (!*flag)
		if (timer_now() >= deadline)
			return false;
	return true;
}

static bool wait_off(unsigned long mpidr, unsigned int ms)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(ms);

	while (affinity(mpidr) != PSCI_AFFINITY_OFF)
		if (timer_now() >= deadline)
			return false;
	return true;
}

/* A secondary started with one of this file's contexts: does its part, turns off. */
bool psci_conf_secondary(unsigned long context)
{
	switch (context) {
	case CONF_PARKED:
		conf.parked_running = true;
		dsb(sy);
		while (!conf.parked_release)
			;
		break;
	case CONF_RACER:
		conf.racer_ready = true;
		dsb(sy);
		while (!conf.go)
			;
		conf.racer_ret =
		    psci(PSCI_CPU_ON_64, TARGET_VCPU, (unsigned long)secondary_entry, CONF_TARGET);
		dsb(sy);
		conf.racer_done = true;
		break;
	case CONF_TARGET:
		/*
		 * A plain increment: with the MMU off memory is Device, where
		 * exclusives need not work, and one start at a time is what is checked.
		 */
		conf.target_starts = conf.target_starts + 1;
		dsb(sy);
		/* On until both CPU_ONs have returned: neither may find it off again. */
		while (!conf.target_release)
			;
		break;
	default:
		return false;
	}
	dsb(sy);
	psci(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		wfi();
}

void test_psci_features(void)
{
	static const unsigned long implemented[] = {
	    PSCI_FN(0x00),   PSCI_FN(0x01), PSCI_FN64(0x01), PSCI_FN(0x02),   PSCI_FN(0x03),
	    PSCI_FN64(0x03), PSCI_FN(0x04), PSCI_FN64(0x04), PSCI_FN(0x06),   PSCI_FN(0x08),
	    PSCI_FN(0x09),   PSCI_FN(0x0a), PSCI_FN(0x12),   PSCI_FN64(0x12), SMCCC_VERSION,
	};
	/* Optional in PSCI 1.1 and not offered; then IDs outside PSCI altogether. */
	static const unsigned long absent[] = {
	    PSCI_MIGRATE,  PSCI_FN64(0x05), PSCI_MIGRATE_INFO_UP, PSCI_FN(0x0b), PSCI_FN(0x0c),
	    PSCI_FN(0x0d), PSCI_FN(0x0e),   PSCI_FN(0x0f),        PSCI_FN(0x10), PSCI_FN(0x11),
	    PSCI_FN(0x13), PSCI_FN(0x14),   PSCI_FN(0x1f),        0x86000000UL,  0x8400ff00UL,
	};
	long ret;

	for (unsigned int i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++) {
		ret = psci(PSCI_FEATURES, implemented[i], 0, 0);
		if (ret != 0) {
			fail("psci-features",
			     "PSCI_FEATURES(0x%lx) = %ld, expected 0 (implemented)", implemented[i],
			     ret);
			return;
		}
	}
	for (unsigned int i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		ret = psci(PSCI_FEATURES, absent[i], 0, 0);
		if (ret != PSCI_RET_NOT_SUPPORTED) {
			fail("psci-features", "PSCI_FEATURES(0x%lx) = %ld, expected NOT_SUPPORTED",
			     absent[i], ret);
			return;
		}
	}
	pass_detail("psci-features", "%u implemented, %u not",
	            (unsigned int)(sizeof(implemented) / sizeof(implemented[0])),
	            (unsigned int)(sizeof(absent) / sizeof(absent[0])));
}

struct expected_ret {
	const char *what;
	unsigned long fid, a1, a2, a3;
	long ret;
};

void test_psci_return_codes(void)
{
	const unsigned long entry = (unsigned long)secondary_entry;
	const struct expected_ret calls[] = {
	    {"MIGRATE_INFO_TYPE (no Trusted OS)", PSCI_MIGRATE_INFO_TYPE, 0, 0, 0, 2},
	    {"MIGRATE", PSCI_MIGRATE, 0, 0, 0, PSCI_RET_NOT_SUPPORTED},
	    {"MIGRATE_INFO_UP_CPU", PSCI_MIGRATE_INFO_UP, 0, 0, 0, PSCI_RET_NOT_SUPPORTED},
	    {"AFFINITY_INFO of no vCPU", PSCI_AFFINITY_INFO_64, nr_vcpus, 0, 0,
	     PSCI_RET_INVALID_PARAMETERS},
	    {"AFFINITY_INFO at level 4", PSCI_AFFINITY_INFO_64, 0, 4, 0,
	     PSCI_RET_INVALID_PARAMETERS},
	    {"AFFINITY_INFO at level 1 (vCPU 0's cluster runs)", PSCI_AFFINITY_INFO_64, 0, 1, 0,
	     PSCI_AFFINITY_ON},
	    {"CPU_ON with a misaligned entry", PSCI_CPU_ON_64, TARGET_VCPU, entry + 2, 0,
	     PSCI_RET_INVALID_ADDRESS},
	    {"CPU_ON of no vCPU", PSCI_CPU_ON_64, 0x100, entry, 0, PSCI_RET_INVALID_PARAMETERS},
	    {"SYSTEM_RESET2 of an architectural type not defined", PSCI_SYSTEM_RESET2, 1, 0, 0,
	     PSCI_RET_INVALID_PARAMETERS},
	    {"SYSTEM_RESET2 of a vendor type not offered", PSCI_SYSTEM_RESET2, 0x80000000UL, 0, 0,
	     PSCI_RET_INVALID_PARAMETERS},
	};

	for (unsigned int i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct expected_ret *c = &calls[i];
		long ret = psci(c->fid, c->a1, c->a2, c->a3);

		if (ret != c->ret) {
			fail("psci-return-codes",
			     "%s: 0x%lx(0x%lx, 0x%lx) returned %ld, expected %ld", c->what, c->fid,
			     c->a1, c->a2, ret, c->ret);
			return;
		}
	}
	pass_detail("psci-return-codes", "%u calls",
	            (unsigned int)(sizeof(calls) / sizeof(calls[0])));
}

void test_smccc_version_and_features(void)
{
	long version = psci(SMCCC_VERSION, 0, 0, 0);
	long wa1 = psci(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0);
	long ret;

	if (version < 0x10001 || (version >> 16) != 1) {
		fail("smccc-version", "SMCCC_VERSION = 0x%lx, expected 1.1 or a later 1.x",
		     version);
		return;
	}
	if ((ret = psci(SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0)) != 0 ||
	    (ret = psci(SMCCC_ARCH_FEATURES, SMCCC_ARCH_FEATURES, 0, 0)) != 0) {
		fail("smccc-version", "SMCCC_ARCH_FEATURES of a call SMCCC 1.1 defines = %ld", ret);
		return;
	}
	if ((ret = psci(SMCCC_ARCH_FEATURES, 0x8000ff00UL, 0, 0)) != PSCI_RET_NOT_SUPPORTED) {
		fail("smccc-version", "SMCCC_ARCH_FEATURES(0x8000ff00) = %ld, expected -1", ret);
		return;
	}
	if (wa1 != 0 && wa1 != 1 && wa1 != PSCI_RET_NOT_SUPPORTED) {
		fail("smccc-version", "SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1) = %ld", wa1);
		return;
	}
	pass_detail("smccc-version", "SMCCC %ld.%ld, ARCH_WORKAROUND_1 %ld", version >> 16,
	            version & 0xffff, wa1);
}

void test_affinity_info_transitions(void)
{
	const char *name = "affinity-info-transitions";
	long ret, state;

	if ((state = affinity(PARKED_VCPU)) != PSCI_AFFINITY_OFF) {
		fail(name, "vCPU %u before CPU_ON: %ld, expected OFF (1)", PARKED_VCPU, state);
		return;
	}
	conf.parked_running = conf.parked_release = false;
	dsb(sy);
	ret = psci(PSCI_CPU_ON_64, PARKED_VCPU, (unsigned long)secondary_entry, CONF_PARKED);
	state = affinity(PARKED_VCPU);
	if (ret != PSCI_RET_SUCCESS ||
	    (state != PSCI_AFFINITY_ON && state != PSCI_AFFINITY_ON_PENDING)) {
		fail(name,
		     "CPU_ON = %ld, then AFFINITY_INFO = %ld, expected 0 then ON or ON_PENDING",
		     ret, state);
		return;
	}
	if (!wait_until(&conf.parked_running, TIMEOUT_MS)) {
		fail(name, "vCPU %u did not run within %u ms", PARKED_VCPU, TIMEOUT_MS);
		return;
	}
	if ((state = affinity(PARKED_VCPU)) != PSCI_AFFINITY_ON) {
		fail(name, "vCPU %u runs, but AFFINITY_INFO = %ld, expected ON (0)", PARKED_VCPU,
		     state);
		return;
	}
	conf.parked_release = true;
	dsb(sy);
	if (!wait_off(PARKED_VCPU, TIMEOUT_MS)) {
		fail(name, "vCPU %u called CPU_OFF, but AFFINITY_INFO = %ld after %u ms",
		     PARKED_VCPU, affinity(PARKED_VCPU), TIMEOUT_MS);
		return;
	}
	pass_detail(name, "OFF, ON_PENDING/ON, ON, OFF");
}

/* One round: vCPU 0 and the racer both CPU_ON the target at once. 0 if it went as it must. */
static int cpu_on_race_round(unsigned int round, long *mine, long *theirs)
{
	const char *name = "cpu-on-race";
	unsigned int starts = conf.target_starts;
	long ret;

	conf.racer_ready = conf.go = conf.racer_done = conf.target_release = false;
	dsb(sy);
	ret = psci(PSCI_CPU_ON_64, RACER_VCPU, (unsigned long)secondary_entry, CONF_RACER);
	if (ret != PSCI_RET_SUCCESS || !wait_until(&conf.racer_ready, TIMEOUT_MS)) {
		fail(name, "round %u: the racer (vCPU %u) did not start: CPU_ON = %ld", round,
		     RACER_VCPU, ret);
		return -1;
	}
	conf.go = true;
	dsb(sy);
	*mine = psci(PSCI_CPU_ON_64, TARGET_VCPU, (unsigned long)secondary_entry, CONF_TARGET);
	if (!wait_until(&conf.racer_done, TIMEOUT_MS)) {
		fail(name, "round %u: the racer's CPU_ON did not return", round);
		return -1;
	}
	conf.target_release = true;
	dsb(sy);
	if (!wait_off(TARGET_VCPU, TIMEOUT_MS) || !wait_off(RACER_VCPU, TIMEOUT_MS)) {
		fail(name, "round %u: the racer or the target did not finish and turn off", round);
		return -1;
	}
	*theirs = conf.racer_ret;
	if ((*mine == PSCI_RET_SUCCESS) == (*theirs == PSCI_RET_SUCCESS) ||
	    (*mine != PSCI_RET_SUCCESS && *mine != PSCI_RET_ALREADY_ON &&
	     *mine != PSCI_RET_ON_PENDING) ||
	    (*theirs != PSCI_RET_SUCCESS && *theirs != PSCI_RET_ALREADY_ON &&
	     *theirs != PSCI_RET_ON_PENDING)) {
		fail(name,
		     "round %u: CPU_ON of vCPU %u returned %ld to vCPU 0 and %ld to vCPU %u; "
		     "expected one SUCCESS and one ALREADY_ON or ON_PENDING",
		     round, TARGET_VCPU, *mine, *theirs, RACER_VCPU);
		return -1;
	}
	if (conf.target_starts != starts + 1) {
		fail(name, "round %u: the target started %u times", round,
		     conf.target_starts - starts);
		return -1;
	}
	return 0;
}

void test_cpu_on_race(void)
{
	unsigned int won = 0, pending = 0;

	if (nr_vcpus < 3) {
		skip("cpu-on-race", "it needs a racer and a target besides vCPU 0: 3 vCPUs");
		return;
	}
	for (unsigned int round = 1; round <= RACE_ROUNDS; round++) {
		long mine, theirs;

		if (cpu_on_race_round(round, &mine, &theirs))
			return;
		won += mine == PSCI_RET_SUCCESS;
		pending += mine == PSCI_RET_ON_PENDING || theirs == PSCI_RET_ON_PENDING;
	}
	pass_detail("cpu-on-race", "%u rounds: vCPU 0 won %u, ON_PENDING seen %u times",
	            RACE_ROUNDS, won, pending);
}
