/*
 * The guest's virtual PSCI 1.1 and SMCCC dispatch (core/psci.c, core/smccc.c),
 * with the real vCPU power state machine of vcpu/vcpu.c (built for the host
 * through arm64_asm_shim.h: its spinlock is the real ticket lock). Everything
 * else they reach is stubbed below and records its calls: the VM lookups (as
 * core/vm.c does them), machine off/reset, EL3 (firmware_*), the GIC kick and
 * the path that starts a vCPU (enter_guest returns to the test by longjmp).
 *
 * One fake VM: 4 vCPUs made by vcpu_create() (MPIDR 0x80000000 | id, pinned
 * to pCPU id), RAM at IPA 0x40000000, 512 MiB. vCPU 0 is on and makes the
 * calls unless a test says otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arch/arm64/regs.h"
#include "arch/arm64/sysregs.h"
#include "arch/arm64/traps.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/hypsvc.h"
#include "core/psci.h"
#include "core/smccc.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"

#define NR_TEST_VCPUS 4
#define RAM_IPA       0x40000000UL
#define RAM_SIZE      MiB(512)
#define RAM_END       (RAM_IPA + RAM_SIZE)

/* The fake machine ------------------------------------------------------- */

_Thread_local unsigned long unit_tpidr_el2; /* this thread's pCPU (arm64_asm_shim.h) */
struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = NR_CPUS;
static uint64_t cpu_stacks[NR_CPUS][128] __aligned(16); /* room for the guest frame */

static struct vm_config cfg;
static struct vm vm;
static struct vcpu *vcpus[NR_TEST_VCPUS];

static void *allocations[16];
static unsigned int nr_allocations;

static void run_on_pcpu(unsigned int pcpu)
{
	unit_tpidr_el2 = (unsigned long)&pcpus[pcpu];
}

/* What the stubs saw ------------------------------------------------------ */

static struct {
	unsigned int by_mpidr, ipa_is_ram;
	unsigned int system_off, system_reset;
	struct vm *system_off_vm, *system_reset_vm;
	unsigned int sgi[NR_CPUS]; /* kicks per pCPU (atomic: racing threads) */
	unsigned int sgi_not_kick; /* an SGI other than SGI_KICK was sent */
	unsigned int fw_smc;       /* firmware_smc() calls */
	struct smccc_regs fw_in;   /* what the last one was given */
	unsigned int fw_feature;   /* firmware_arch_feature() calls */
	uint32_t fw_feature_fid;
	unsigned int vtimer_start, vtimer_stop, gic_if_reset, vgic_reset;
	unsigned int guest_state_reset; /* cpu_reset_guest_state() calls */
	struct vcpu *vtimer_stop_vcpu, *vgic_reset_vcpu;
	unsigned int entered; /* enter_guest() calls */
	struct cpu_user_regs entry_regs;
	unsigned int entry_pcpu;
} rec;

/* EL3 as the tests want it. */
static bool fw_present;
static int64_t fw_features[3]; /* ARCH_FEATURES of WORKAROUND_1, _2, _3 */
static uint64_t fw_out[SMCCC_NR_RESULTS];

/* SYSTEM_OFF / SYSTEM_RESET of a VM that owns the machine do not return. */
static jmp_buf machine_jb;
static bool machine_jb_armed;

/* enter_guest() leaves the thread's vCPU start path through here. */
static _Thread_local jmp_buf *guest_entry_jb;

/* Stubs: core/vm.c --------------------------------------------------------- */

struct vcpu *vm_vcpu_by_mpidr(struct vm *v, uint64_t mpidr)
{
	__atomic_fetch_add(&rec.by_mpidr, 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < v->nr_vcpus; i++) {
		if ((v->vcpus[i]->vmpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return v->vcpus[i];
	}
	return NULL;
}

bool vm_ipa_is_ram(const struct vm *v, uint64_t ipa, uint64_t size)
{
	__atomic_fetch_add(&rec.ipa_is_ram, 1, __ATOMIC_RELAXED);
	return ipa >= v->ram_ipa && size <= v->ram_size && ipa - v->ram_ipa <= v->ram_size - size;
}

/*
 * SYSTEM_OFF / SYSTEM_RESET never return to the guest: the machine goes off
 * or resets (owner), or the VM stops alone (core/vm.c). Either way the call
 * is over for the caller.
 */
void vm_system_off(struct vcpu *v)
{
	rec.system_off++;
	rec.system_off_vm = v->vm;
	assert_true(machine_jb_armed);
	longjmp(machine_jb, 1);
}

void vm_system_reset(struct vcpu *v)
{
	rec.system_reset++;
	rec.system_reset_vm = v->vm;
	assert_true(machine_jb_armed);
	longjmp(machine_jb, 1);
}

void vm_vcpu_stopped(struct vcpu *v)
{
	(void)v;
}

/* The doorbell's lookup (core/vm.c): region 0x60000000 rings one peer; anything else is none. */
static struct {
	unsigned int calls;
	uint64_t ipa;
} bell;

int vm_doorbell_ring(struct vm *v, uint64_t ipa)
{
	(void)v;
	bell.calls++;
	bell.ipa = ipa;
	return ipa == 0x60000000UL ? 1 : -1;
}

/* HYPSVC_STATS's printing (core/vm_stats.c): which VM, how many times. */
static struct {
	unsigned int calls;
	const struct vm *vm;
} stats_print;

void vm_stats_print(const struct vm *v)
{
	stats_print.calls++;
	stats_print.vm = v;
}

void traps_count_guest_exits(bool on)
{
	(void)on;
}

void show_guest_registers(const struct cpu_user_regs *regs)
{
	(void)regs;
}

uint64_t vm_vtcr(void)
{
	return 0;
}

/* Stubs: EL3 (drivers/platform.c) ------------------------------------------ */

bool firmware_present(void)
{
	return fw_present;
}

void firmware_smc(struct smccc_regs *r)
{
	rec.fw_smc++;
	rec.fw_in = *r;
	for (unsigned int i = 0; i < SMCCC_NR_RESULTS; i++)
		r->a[i] = fw_out[i];
}

int64_t firmware_arch_feature(uint32_t fid)
{
	rec.fw_feature++;
	rec.fw_feature_fid = fid;
	switch (fid) {
	case SMCCC_ARCH_WORKAROUND_1:
		return fw_features[0];
	case SMCCC_ARCH_WORKAROUND_2:
		return fw_features[1];
	case SMCCC_ARCH_WORKAROUND_3:
		return fw_features[2];
	default:
		fail_msg("firmware_arch_feature(0x%x): not a workaround", fid);
		return -1;
	}
}

/* Stubs: what vcpu/vcpu.c reaches ----------------------------------------- */

void *hyp_alloc(size_t size, size_t align)
{
	void *p = aligned_alloc(align, ALIGN_UP(size, align));

	assert_non_null(p);
	assert_true(nr_allocations < ARRAY_SIZE(allocations));
	allocations[nr_allocations++] = p;
	return memset(p, 0, size);
}

/* The console: the last line printed (the PSCI trace), and how many. */
static char last_line[256];
static unsigned int nr_lines;

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
	nr_lines++;
	return n;
}

void gic_send_sgi(unsigned int pcpu, unsigned int sgi)
{
	if (sgi != SGI_KICK)
		__atomic_fetch_add(&rec.sgi_not_kick, 1, __ATOMIC_RELAXED);
	if (pcpu < NR_CPUS)
		__atomic_fetch_add(&rec.sgi[pcpu], 1, __ATOMIC_RELAXED);
}

void gic_vcpu_if_reset(void)
{
	__atomic_fetch_add(&rec.gic_if_reset, 1, __ATOMIC_RELAXED);
}

void vgic_cpu_off(struct vcpu *v)
{
	(void)v;
}

void vgic_cpu_reset(struct vcpu *v)
{
	__atomic_fetch_add(&rec.vgic_reset, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rec.vgic_reset_vcpu, v, __ATOMIC_RELAXED);
}

/* A CPU with SVE and pointer authentication, as the hypervisor would read it. */
void cpu_read_id_regs(struct cpu_id_regs *id)
{
	*id = (struct cpu_id_regs){.pfr0 = 1UL << ID_PFR0_SVE, .isar1 = 1UL << ID_ISAR1_API};
}

void cpu_load_guest_controls(const struct guest_features *f, const struct guest_el2_controls *c)
{
	(void)f;
	(void)c;
}

void cpu_reset_guest_state(const struct guest_features *f)
{
	/* The vCPU is reset with the features decided for it on its own CPU. */
	if (f->sve && f->pauth)
		__atomic_fetch_add(&rec.guest_state_reset, 1, __ATOMIC_RELAXED);
}

void vtimer_vcpu_start(struct vcpu *v)
{
	(void)v;
	__atomic_fetch_add(&rec.vtimer_start, 1, __ATOMIC_RELAXED);
}

/* The PMU's interrupt: nothing to model here (vcpu/vpmu.c runs on the CPU). */
void vpmu_vcpu_start(struct vcpu *v)
{
	(void)v;
}

void vpmu_vcpu_stop(struct vcpu *v)
{
	(void)v;
}

void vtimer_vcpu_stop(struct vcpu *v)
{
	__atomic_store_n(&rec.vtimer_stop_vcpu, v, __ATOMIC_RELAXED);
	__atomic_fetch_add(&rec.vtimer_stop, 1, __ATOMIC_RELEASE);
}

/* The vCPU starts running the guest: back to whoever waits on this thread. */
void enter_guest(struct cpu_user_regs *regs)
{
	rec.entry_regs = *regs;
	rec.entry_pcpu = smp_processor_id();
	__atomic_fetch_add(&rec.entered, 1, __ATOMIC_RELEASE);
	if (!guest_entry_jb)
		abort();
	longjmp(*guest_entry_jb, 1);
}

/* Fixture ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	(void)state;
	run_on_pcpu(0);
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		pcpus[i].id = i;
		pcpus[i].mpidr = i;
		pcpus[i].stack_top = (uint64_t)(uintptr_t)&cpu_stacks[i][ARRAY_SIZE(cpu_stacks[i])];
	}
	cfg.name = "test";
	cfg.nr_vcpus = NR_TEST_VCPUS;
	cfg.ram_ipa = RAM_IPA;
	cfg.ram_size = RAM_SIZE;
	vm.name = cfg.name;
	vm.cfg = &cfg;
	vm.ram_ipa = RAM_IPA;
	vm.ram_size = RAM_SIZE;
	vm.ram_pa = 0x80000000UL;
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		vcpus[i] = vcpu_create(&vm, i, i);
		vm.vcpus[i] = vcpus[i];
	}
	vm.nr_vcpus = NR_TEST_VCPUS;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < nr_allocations; i++)
		free(allocations[i]);
	nr_allocations = 0;
	return 0;
}

static void set_power(unsigned int id, enum vcpu_power p)
{
	vcpus[id]->power = p;
}

static int setup(void **state)
{
	(void)state;
	run_on_pcpu(0);
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		vcpus[i]->power_lock = (spinlock_t)SPINLOCK_INIT;
		vcpus[i]->on_entry = 0;
		vcpus[i]->on_context = 0;
		set_power(i, i == 0 ? VCPU_ON : VCPU_OFF);
	}
	memset(&rec, 0, sizeof(rec));
	cfg.owns_machine = false;
	cfg.smc_forward_owners = 0;
	fw_present = true;
	fw_features[0] = fw_features[1] = fw_features[2] = (int64_t)SMCCC_RET_NOT_SUPPORTED;
	for (unsigned int i = 0; i < SMCCC_NR_RESULTS; i++)
		fw_out[i] = 0xf0f0f0f000000000UL | i;
	machine_jb_armed = false;
	return 0;
}

/* Calls -------------------------------------------------------------------- */

static const enum smccc_conduit conduits[] = {SMCCC_CONDUIT_HVC, SMCCC_CONDUIT_SMC};

static struct smccc_regs call_regs(struct vcpu *caller, enum smccc_conduit conduit, uint64_t x0,
                                   uint64_t x1, uint64_t x2, uint64_t x3)
{
	struct smccc_regs r = {.a = {x0, x1, x2, x3, 0x4444, 0x5555, 0x6666, 0x7777}};

	smccc_handle_call(caller, conduit, &r);
	return r;
}

/* x0 after a call from vCPU 0, as the signed value PSCI/SMCCC define. */
static int64_t call(enum smccc_conduit conduit, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	return (int64_t)call_regs(vcpus[0], conduit, x0, x1, x2, x3).a[0];
}

static int64_t hvc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	return call(SMCCC_CONDUIT_HVC, x0, x1, x2, x3);
}

static int64_t smc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	return call(SMCCC_CONDUIT_SMC, x0, x1, x2, x3);
}

static unsigned int total_kicks(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_CPUS; i++)
		n += __atomic_load_n(&rec.sgi[i], __ATOMIC_RELAXED);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000UL + (uint64_t)ts.tv_nsec;
}

/* Wait up to 5 s for *@p to become @want. */
static bool wait_for_uint(const unsigned int *p, unsigned int want)
{
	for (uint64_t end = now_ns() + 5000000000UL; now_ns() < end;) {
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == want)
			return true;
		sched_yield();
	}
	return false;
}

static bool wait_for_power(struct vcpu *v, enum vcpu_power want)
{
	for (uint64_t end = now_ns() + 5000000000UL; now_ns() < end;) {
		if (vcpu_power_state(v) == want)
			return true;
		sched_yield();
	}
	return false;
}

/* PSCI_VERSION, PSCI_FEATURES ---------------------------------------------- */

static void test_psci_version(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		assert_int_equal(call(conduits[c], PSCI_VERSION, 0, 0, 0), 0x10001);
		/* W0 is the function ID: bits 63:32 of x0 are not part of it. */
		assert_int_equal(call(conduits[c], 0xdead000000000000UL | PSCI_VERSION, 0, 0, 0),
		                 0x10001);
		assert_int_equal(call(conduits[c], 0xffffffff00000000UL | PSCI_VERSION, 0, 0, 0),
		                 0x10001);
	}
	/* There is no SMC64 PSCI_VERSION. */
	assert_int_equal(hvc(0xc4000000, 0, 0, 0), PSCI_RET_NOT_SUPPORTED);
	/* A VM allowed every owner range still gets the virtual PSCI, never EL3's. */
	cfg.smc_forward_owners = ~0UL;
	assert_int_equal(smc(PSCI_VERSION, 0, 0, 0), 0x10001);
	assert_int_equal(rec.fw_smc, 0);
}

static const uint32_t implemented_fids[] = {
    PSCI_VERSION,          PSCI_CPU_SUSPEND,      PSCI_CPU_SUSPEND_64,
    PSCI_CPU_OFF,          PSCI_CPU_ON,           PSCI_CPU_ON_64,
    PSCI_AFFINITY_INFO,    PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_INFO_TYPE,
    PSCI_SYSTEM_OFF,       PSCI_SYSTEM_RESET,     PSCI_SYSTEM_RESET2,
    PSCI_SYSTEM_RESET2_64, PSCI_FEATURES,         SMCCC_VERSION,
};

static void test_psci_features_implemented(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(implemented_fids); i++) {
			assert_int_equal(
			    call(conduits[c], PSCI_FEATURES, implemented_fids[i], 0, 0),
			    PSCI_RET_SUCCESS);
			/* The queried function ID is 32 bits wide. */
			assert_int_equal(call(conduits[c], PSCI_FEATURES,
			                      0xbad0000000000000UL | implemented_fids[i], 0, 0),
			                 PSCI_RET_SUCCESS);
		}
	}
	/* CPU_SUSPEND's feature flags: original power_state format, no OS-initiated mode. */
	assert_int_equal(hvc(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0), 0);
	assert_int_equal(rec.system_off + rec.system_reset + total_kicks(), 0);
}

static void test_psci_features_unimplemented(void **state)
{
	static const uint32_t fids[] = {
	    PSCI_MIGRATE,
	    PSCI_0_2_FN64(0x05), /* MIGRATE (SMC64) */
	    PSCI_MIGRATE_INFO_UP_CPU,
	    PSCI_0_2_FN64(0x07),
	    PSCI_0_2_FN(0x0b), /* CPU_FREEZE */
	    PSCI_0_2_FN(0x0c), /* CPU_DEFAULT_SUSPEND */
	    PSCI_0_2_FN64(0x0c),
	    PSCI_0_2_FN(0x0d), /* NODE_HW_STATE */
	    PSCI_0_2_FN64(0x0d),
	    PSCI_0_2_FN(0x0e), /* SYSTEM_SUSPEND */
	    PSCI_0_2_FN64(0x0e),
	    PSCI_0_2_FN(0x0f), /* PSCI_SET_SUSPEND_MODE */
	    PSCI_0_2_FN(0x10), /* PSCI_STAT_RESIDENCY */
	    PSCI_0_2_FN64(0x10),
	    PSCI_0_2_FN(0x11), /* PSCI_STAT_COUNT */
	    PSCI_0_2_FN64(0x11),
	    PSCI_0_2_FN(0x13), /* MEM_PROTECT */
	    PSCI_0_2_FN(0x14), /* MEM_PROTECT_CHECK_RANGE */
	    PSCI_0_2_FN64(0x14),
	    PSCI_0_2_FN(0x1f),
	    PSCI_0_2_FN64(0x00), /* 32-bit-only functions have no SMC64 form */
	    PSCI_0_2_FN64(0x02),
	    PSCI_0_2_FN64(0x0a),
	    SMCCC_ARCH_FEATURES, /* PSCI_FEATURES answers for PSCI and SMCCC_VERSION only */
	    SMCCC_ARCH_WORKAROUND_1,
	    PSCI_0_2_FN(0x20),
	    0x12345678,
	    0,
	    0xffffffff,
	};

	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(fids); i++)
			assert_int_equal(call(conduits[c], PSCI_FEATURES, fids[i], 0, 0),
			                 PSCI_RET_NOT_SUPPORTED);
	}
	assert_int_equal(hvc(PSCI_FEATURES, SMCCC_VERSION, 0, 0), PSCI_RET_SUCCESS);
}

/* CPU_ON ------------------------------------------------------------------- */

static void test_cpu_on_success(void **state)
{
	(void)state;
	/* SMC32 over HVC, with the MPIDR as Linux passes it (affinity only). */
	assert_int_equal(hvc(PSCI_CPU_ON, 1, 0x40080000, 0x1234), PSCI_RET_SUCCESS);
	assert_int_equal(vcpu_power_state(vcpus[1]), VCPU_ON_PENDING);
	assert_int_equal(vcpus[1]->on_entry, 0x40080000);
	assert_int_equal(vcpus[1]->on_context, 0x1234);
	assert_int_equal(rec.sgi[1], 1); /* its CPU is woken from the idle loop */
	assert_int_equal(total_kicks(), 1);
	assert_int_equal(rec.sgi_not_kick, 0);

	/* SMC64 over SMC, with the full register value (bit 31 is not affinity). */
	assert_int_equal(smc(PSCI_CPU_ON_64, 0x80000002UL, RAM_IPA, 0xfedcba9876543210UL),
	                 PSCI_RET_SUCCESS);
	assert_int_equal(vcpu_power_state(vcpus[2]), VCPU_ON_PENDING);
	assert_int_equal(vcpus[2]->on_entry, RAM_IPA);
	assert_int_equal(vcpus[2]->on_context, 0xfedcba9876543210UL);
	assert_int_equal(rec.sgi[2], 1);

	/* The last word of RAM is a valid entry point. */
	assert_int_equal(hvc(PSCI_CPU_ON_64, 3, RAM_END - 4, 0), PSCI_RET_SUCCESS);
	assert_int_equal(vcpus[3]->on_entry, RAM_END - 4);
	assert_int_equal(total_kicks(), 3);

	/* Nothing else moved. */
	assert_int_equal(vcpu_power_state(vcpus[0]), VCPU_ON);
	assert_int_equal(rec.fw_smc, 0);
}

static void test_cpu_on_unknown_mpidr(void **state)
{
	static const uint64_t bad[] = {
	    4,
	    0xff,
	    0x100 /* Aff1 = 1 */,
	    0x10000 /* Aff2 */,
	    0x100000000UL /* Aff3 */,
	    0x80000104UL,
	};

	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
			assert_int_equal(call(conduits[c], PSCI_CPU_ON_64, bad[i], RAM_IPA, 0),
			                 PSCI_RET_INVALID_PARAMETERS);
			/* Checked before the address. */
			assert_int_equal(call(conduits[c], PSCI_CPU_ON_64, bad[i], 0, 0),
			                 PSCI_RET_INVALID_PARAMETERS);
		}
	}
	for (unsigned int i = 1; i < NR_TEST_VCPUS; i++)
		assert_int_equal(vcpu_power_state(vcpus[i]), VCPU_OFF);
	assert_int_equal(total_kicks(), 0);
}

/* With the trace on, each CPU_ON is a line with its arguments and result; off, none. */
static void test_cpu_on_trace(void **state)
{
	(void)state;
	nr_lines = 0;
	assert_int_equal(hvc(PSCI_CPU_ON_64, 7, RAM_IPA, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(nr_lines, 0);

	psci_set_trace(true);
	assert_int_equal(hvc(PSCI_CPU_ON_64, 7, RAM_IPA, 0x55), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(nr_lines, 1);
	assert_string_equal(last_line, "hyp: test vcpu0: PSCI CPU_ON(0x7, 0x40000000, 0x55) = -2 "
	                               "(INVALID_PARAMETERS)\n");
	/* SMC32: the arguments as the call sees them, 32 bits. */
	assert_int_equal(hvc(PSCI_CPU_ON, 0x100000001UL, RAM_IPA, 0), PSCI_RET_SUCCESS);
	assert_string_equal(last_line,
	                    "hyp: test vcpu0: PSCI CPU_ON(0x1, 0x40000000, 0x0) = 0 (SUCCESS)\n");
	psci_set_trace(false);
	assert_string_equal(psci_ret_name(PSCI_RET_INVALID_ADDRESS), "INVALID_ADDRESS");
	assert_string_equal(psci_ret_name(-42), "?");
}

static void test_cpu_on_invalid_address(void **state)
{
	static const uint64_t bad[] = {
	    0,
	    RAM_IPA - 4,          /* just below */
	    RAM_IPA - 0x1000,     /* below */
	    RAM_END,              /* just above */
	    RAM_END + 0x1000,     /* above */
	    RAM_END - 2,          /* straddles the end */
	    RAM_END - 1,          /* straddles the end */
	    RAM_IPA + 1,          /* misaligned */
	    RAM_IPA + 2,          /* misaligned */
	    RAM_IPA + 0x80003,    /* misaligned */
	    0xfffffffffffffffcUL, /* ipa + size wraps */
	    RAM_IPA + GiB(4),     /* above 4 GiB, truncated would be RAM */
	};

	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
			assert_int_equal(call(conduits[c], PSCI_CPU_ON_64, 1, bad[i], 0),
			                 PSCI_RET_INVALID_ADDRESS);
	}
	/* SMC32: the address is 32 bits; an aligned one below RAM is still refused. */
	assert_int_equal(hvc(PSCI_CPU_ON, 1, RAM_IPA - 4, 0), PSCI_RET_INVALID_ADDRESS);
	assert_int_equal(hvc(PSCI_CPU_ON, 1, RAM_IPA + 2, 0), PSCI_RET_INVALID_ADDRESS);
	assert_int_equal(vcpu_power_state(vcpus[1]), VCPU_OFF);
	assert_int_equal(vcpus[1]->on_entry, 0);
	assert_int_equal(total_kicks(), 0);
}

static void test_cpu_on_already_on(void **state)
{
	(void)state;
	/* The caller itself. */
	assert_int_equal(hvc(PSCI_CPU_ON_64, 0x80000000UL, RAM_IPA, 0), PSCI_RET_ALREADY_ON);
	set_power(2, VCPU_ON);
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		assert_int_equal(call(conduits[c], PSCI_CPU_ON, 2, RAM_IPA, 7),
		                 PSCI_RET_ALREADY_ON);
		assert_int_equal(call(conduits[c], PSCI_CPU_ON_64, 2, RAM_IPA, 7),
		                 PSCI_RET_ALREADY_ON);
	}
	assert_int_equal(vcpu_power_state(vcpus[2]), VCPU_ON);
	assert_int_equal(vcpus[2]->on_context, 0);
	assert_int_equal(total_kicks(), 0);
}

static void test_cpu_on_pending(void **state)
{
	(void)state;
	assert_int_equal(hvc(PSCI_CPU_ON_64, 3, RAM_IPA + 0x1000, 11), PSCI_RET_SUCCESS);
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++)
		assert_int_equal(call(conduits[c], PSCI_CPU_ON_64, 3, RAM_IPA + 0x2000, 22),
		                 PSCI_RET_ON_PENDING);
	/* The first request stands. */
	assert_int_equal(vcpu_power_state(vcpus[3]), VCPU_ON_PENDING);
	assert_int_equal(vcpus[3]->on_entry, RAM_IPA + 0x1000);
	assert_int_equal(vcpus[3]->on_context, 11);
	assert_int_equal(rec.sgi[3], 1);
}

static void test_cpu_on_smc32_ignores_upper_bits(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		unsigned int target = 1 + c;

		assert_int_equal(call(conduits[c], 0xdeadbeef00000000UL | PSCI_CPU_ON,
		                      0xdeadbeef00000000UL | target, 0xdeadbeef40001000UL,
		                      0xdeadbeef12345678UL),
		                 PSCI_RET_SUCCESS);
		assert_int_equal(vcpu_power_state(vcpus[target]), VCPU_ON_PENDING);
		assert_int_equal(vcpus[target]->on_entry, 0x40001000);
		assert_int_equal(vcpus[target]->on_context, 0x12345678);
	}
}

static void test_cpu_on_smc64_uses_full_registers(void **state)
{
	(void)state;
	/* Aff3 = 0xef: no such vCPU (SMC32 would have seen vCPU 1). */
	assert_int_equal(hvc(PSCI_CPU_ON_64, 0xdeadbeef00000001UL, RAM_IPA, 0),
	                 PSCI_RET_INVALID_PARAMETERS);
	/* Above 4 GiB: not RAM (SMC32 would have seen 0x40001000). */
	assert_int_equal(hvc(PSCI_CPU_ON_64, 1, 0xdeadbeef40001000UL, 0), PSCI_RET_INVALID_ADDRESS);
	/* The context ID is 64 bits. */
	assert_int_equal(hvc(PSCI_CPU_ON_64, 1, RAM_IPA, 0xdeadbeef12345678UL), PSCI_RET_SUCCESS);
	assert_int_equal(vcpu_power_state(vcpus[1]), VCPU_ON_PENDING);
	assert_int_equal(vcpus[1]->on_context, 0xdeadbeef12345678UL);
}

/*
 * Several vCPUs CPU_ON the same off vCPU at once: exactly one wins, and the
 * target starts where the winner said.
 */
#define RACE_THREADS 8
#define RACE_ROUNDS  300

struct racer {
	pthread_barrier_t *start;
	struct vcpu *caller;
	enum smccc_conduit conduit;
	uint64_t target, entry, context;
	int64_t ret;
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	run_on_pcpu(r->caller->pcpu);
	pthread_barrier_wait(r->start);
	r->ret = (int64_t)call_regs(r->caller, r->conduit, PSCI_CPU_ON_64, r->target, r->entry,
	                            r->context)
	             .a[0];
	return NULL;
}

static void run_race(struct racer *racers, unsigned int n, uint64_t target)
{
	pthread_barrier_t start;
	pthread_t threads[RACE_THREADS];

	assert_int_equal(pthread_barrier_init(&start, NULL, n), 0);
	for (unsigned int i = 0; i < n; i++) {
		racers[i] = (struct racer){
		    .start = &start,
		    .caller = vcpus[i % 2], /* vCPUs 0 and 1 call, for 2 or 3 */
		    .conduit = conduits[i % 2],
		    .target = target,
		    .entry = RAM_IPA + 0x1000 * (i + 1),
		    .context = 0xc0de0000UL + i,
		    .ret = 1,
		};
		assert_int_equal(pthread_create(&threads[i], NULL, racer_main, &racers[i]), 0);
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	pthread_barrier_destroy(&start);
}

static void test_cpu_on_concurrent(void **state)
{
	struct racer racers[RACE_THREADS];

	(void)state;
	set_power(1, VCPU_ON);
	for (unsigned int round = 0; round < RACE_ROUNDS; round++) {
		unsigned int winners = 0, winner = 0;

		set_power(3, VCPU_OFF);
		rec.sgi[3] = 0;
		run_race(racers, RACE_THREADS, 3);
		for (unsigned int i = 0; i < RACE_THREADS; i++) {
			if (racers[i].ret == PSCI_RET_SUCCESS) {
				winners++;
				winner = i;
			} else {
				/* Nothing starts it here, so it stays ON_PENDING. */
				assert_int_equal(racers[i].ret, PSCI_RET_ON_PENDING);
			}
		}
		assert_int_equal(winners, 1);
		assert_int_equal(vcpu_power_state(vcpus[3]), VCPU_ON_PENDING);
		assert_int_equal(vcpus[3]->on_entry, racers[winner].entry);
		assert_int_equal(vcpus[3]->on_context, racers[winner].context);
		assert_int_equal(rec.sgi[3], 1);
	}
}

/* A vCPU's pCPU: the vCPU calls CPU_OFF, idles, and is started again by CPU_ON. */
struct cpu_thread {
	struct vcpu *v;
	unsigned int returned; /* CPU_OFF returned (it must not) */
	unsigned int started;  /* enter_guest() reached */
};

static void *cpu_off_main(void *arg)
{
	struct cpu_thread *t = arg;
	jmp_buf jb;

	run_on_pcpu(t->v->pcpu);
	guest_entry_jb = &jb;
	if (setjmp(jb) == 0) {
		struct smccc_regs r = {.a = {PSCI_CPU_OFF}};

		smccc_handle_call(t->v, SMCCC_CONDUIT_HVC, &r);
		__atomic_store_n(&t->returned, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	__atomic_store_n(&t->started, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_cpu_off_then_on(void **state)
{
	struct cpu_thread t = {.v = vcpus[2]};
	pthread_t thread;

	(void)state;
	set_power(2, VCPU_ON);
	assert_int_equal(pthread_create(&thread, NULL, cpu_off_main, &t), 0);
	assert_true(wait_for_power(vcpus[2], VCPU_OFF));
	assert_true(wait_for_uint(&rec.vtimer_stop, 1));
	assert_ptr_equal(rec.vtimer_stop_vcpu, vcpus[2]);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 2, 0, 0), VCPU_OFF);

	/* CPU_OFF does not return: the pCPU idles until a CPU_ON. */
	sleep_ms(20);
	assert_int_equal(__atomic_load_n(&t.returned, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(__atomic_load_n(&t.started, __ATOMIC_ACQUIRE), 0);
	assert_int_equal(rec.entered, 0);

	assert_int_equal(hvc(PSCI_CPU_ON_64, 2, RAM_IPA + 0x80000, 0xc0ffee), PSCI_RET_SUCCESS);
	assert_true(wait_for_uint(&t.started, 1));
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(t.returned, 0);

	/* It starts afresh at the entry point, context in x0, EL1h, DAIF masked. */
	assert_int_equal(rec.entered, 1);
	assert_int_equal(rec.entry_pcpu, 2);
	assert_int_equal(rec.entry_regs.pc, RAM_IPA + 0x80000);
	assert_int_equal(rec.entry_regs.x[0], 0xc0ffee);
	for (unsigned int i = 1; i < 31; i++)
		assert_int_equal(rec.entry_regs.x[i], 0);
	assert_int_equal(rec.entry_regs.cpsr, PSR_MODE_EL1h | PSR_DAIF);
	assert_int_equal(vcpu_power_state(vcpus[2]), VCPU_ON);
	assert_int_equal(rec.gic_if_reset, 1);
	assert_int_equal(rec.vgic_reset, 1);
	assert_int_equal(rec.guest_state_reset, 1); /* no FP/SVE/PAuth state from a past life */
	assert_ptr_equal(rec.vgic_reset_vcpu, vcpus[2]);
	assert_int_equal(rec.vtimer_start, 1);
	assert_int_equal(rec.sgi[2], 1);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 2, 0, 0), VCPU_ON);
	assert_int_equal(hvc(PSCI_CPU_ON_64, 2, RAM_IPA, 0), PSCI_RET_ALREADY_ON);
}

/* CPU_ON racing with the target's own start: ALREADY_ON becomes possible too. */
static void test_cpu_on_concurrent_with_start(void **state)
{
	struct racer racers[RACE_THREADS - 2];

	(void)state;
	set_power(1, VCPU_ON);
	for (unsigned int round = 0; round < 15; round++) {
		struct cpu_thread t = {.v = vcpus[3]};
		unsigned int winners = 0, winner = 0;
		pthread_t thread;

		set_power(3, VCPU_ON);
		rec.entered = 0;
		assert_int_equal(pthread_create(&thread, NULL, cpu_off_main, &t), 0);
		assert_true(wait_for_power(vcpus[3], VCPU_OFF));
		run_race(racers, ARRAY_SIZE(racers), 3);
		for (unsigned int i = 0; i < ARRAY_SIZE(racers); i++) {
			if (racers[i].ret == PSCI_RET_SUCCESS) {
				winners++;
				winner = i;
			} else if (racers[i].ret != PSCI_RET_ON_PENDING) {
				assert_int_equal(racers[i].ret, PSCI_RET_ALREADY_ON);
			}
		}
		assert_int_equal(winners, 1);
		assert_true(wait_for_uint(&t.started, 1));
		assert_int_equal(pthread_join(thread, NULL), 0);
		assert_int_equal(rec.entered, 1);
		assert_int_equal(rec.entry_regs.pc, racers[winner].entry);
		assert_int_equal(rec.entry_regs.x[0], racers[winner].context);
		assert_int_equal(vcpu_power_state(vcpus[3]), VCPU_ON);
	}
}

/* AFFINITY_INFO ------------------------------------------------------------ */

static void test_affinity_info_level0(void **state)
{
	(void)state;
	set_power(1, VCPU_ON_PENDING);
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO_64, 0, 0, 0), 0); /* ON */
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO, 1, 0, 0),
		                 2); /* ON_PENDING */
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO_64, 0x80000002UL, 0, 0),
		                 1); /* OFF */
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO, 3, 0, 0), 1);
		/* Unknown affinity. */
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO_64, 4, 0, 0),
		                 PSCI_RET_INVALID_PARAMETERS);
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO_64, 0x100, 0, 0),
		                 PSCI_RET_INVALID_PARAMETERS);
		assert_int_equal(call(conduits[c], PSCI_AFFINITY_INFO_64, 0x100000000UL, 0, 0),
		                 PSCI_RET_INVALID_PARAMETERS);
	}
	/* SMC32: upper halves of the target and the level are ignored. */
	assert_int_equal(hvc(PSCI_AFFINITY_INFO, 0xffffffff00000001UL, 0xffffffff00000000UL, 0), 2);
	/* SMC64: the target's are not (Aff3 = 0xff); the level is uint32 in both forms. */
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0xff00000001UL, 0, 0),
	                 PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 1, 0x100000000UL, 0), 2);
	/* It only looks. */
	assert_int_equal(vcpu_power_state(vcpus[1]), VCPU_ON_PENDING);
	assert_int_equal(total_kicks(), 0);
}

static void test_affinity_info_higher_levels(void **state)
{
	(void)state;
	/* Level 1: the cluster of Aff3.Aff2.Aff1 = 0.0.0 holds all four; Aff0 ignored. */
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x3, 1, 0), 0); /* vCPU 0 is on */
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0xff, 1, 0), 0);
	set_power(0, VCPU_OFF);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0, 1, 0), 1); /* all off */
	set_power(2, VCPU_ON_PENDING);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0, 1, 0), 2); /* one pending, none on */
	set_power(3, VCPU_ON);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0, 1, 0), 0); /* any on: on */
	/* Levels 2 and 3 match as well; another cluster does not exist. */
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x1ff, 2, 0), 0);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0xffffff, 3, 0), 0);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x100, 1, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x10000, 2, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x100000000UL, 3, 0),
	                 PSCI_RET_INVALID_PARAMETERS);
	/* Levels above 3 do not exist. */
	for (uint64_t level = 4; level < 8; level++)
		assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0, level, 0),
		                 PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO, 0, 0xffffffff, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0, ~0UL, 0), PSCI_RET_INVALID_PARAMETERS);
	/*
	 * lowest_affinity_level is uint32 in the SMC64 form as well: bits 63:32
	 * are not part of it (found by tests/fuzz/fuzz_psci_smccc).
	 */
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x3, 0xdead000000000001UL, 0), 0);
	assert_int_equal(hvc(PSCI_AFFINITY_INFO_64, 0x100, 0xdead000000000003UL, 0), 0);
}

/* The rest of PSCI --------------------------------------------------------- */

static void test_migrate_info_type(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++)
		assert_int_equal(call(conduits[c], PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
}

static bool fid_implemented(uint32_t fid)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(implemented_fids); i++) {
		if (implemented_fids[i] == fid)
			return true;
	}
	return false;
}

static void test_unimplemented_psci_functions(void **state)
{
	unsigned int checked = 0;

	(void)state;
	cfg.smc_forward_owners = ~0UL; /* even so, never EL3's PSCI */
	assert_int_equal(hvc(PSCI_MIGRATE, 1, 0, 0), PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(hvc(PSCI_MIGRATE_INFO_UP_CPU, 0, 0, 0), PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(hvc(PSCI_0_2_FN(0x0b), 0, 0, 0), PSCI_RET_NOT_SUPPORTED); /* CPU_FREEZE */
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (uint32_t n = 0; n <= PSCI_FN_MAX; n++) {
			const uint32_t fids[] = {PSCI_0_2_FN(n), PSCI_0_2_FN64(n)};

			for (unsigned int k = 0; k < ARRAY_SIZE(fids); k++) {
				if (fid_implemented(fids[k]))
					continue;
				assert_int_equal(call(conduits[c], fids[k], 1, RAM_IPA, 0),
				                 PSCI_RET_NOT_SUPPORTED);
				checked++;
			}
		}
	}
	assert_int_equal(checked, 2 * (2 * (PSCI_FN_MAX + 1) - (ARRAY_SIZE(implemented_fids) - 1)));
	assert_int_equal(rec.fw_smc, 0);
	assert_int_equal(rec.system_off + rec.system_reset + total_kicks(), 0);
	for (unsigned int i = 1; i < NR_TEST_VCPUS; i++)
		assert_int_equal(vcpu_power_state(vcpus[i]), VCPU_OFF);
}

static void test_cpu_suspend(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		assert_int_equal(call(conduits[c], PSCI_CPU_SUSPEND, 0, RAM_IPA, 0),
		                 PSCI_RET_SUCCESS);
		assert_int_equal(call(conduits[c], PSCI_CPU_SUSPEND_64, 0x10000, RAM_IPA, 5),
		                 PSCI_RET_SUCCESS);
		/* StateID, StateType and PowerLevel all set: still valid. */
		assert_int_equal(call(conduits[c], PSCI_CPU_SUSPEND, 0x0301ffff, RAM_IPA, 0),
		                 PSCI_RET_SUCCESS);
		/* Reserved bits (23:17, 31:26) set: INVALID_PARAMETERS (PSCI 1.1, 5.4.2). */
		for (unsigned int bit = 17; bit < 32; bit++) {
			if (bit == 24 || bit == 25)
				continue;
			assert_int_equal(
			    call(conduits[c], PSCI_CPU_SUSPEND, 1UL << bit, RAM_IPA, 0),
			    PSCI_RET_INVALID_PARAMETERS);
			assert_int_equal(
			    call(conduits[c], PSCI_CPU_SUSPEND_64, 1UL << bit, RAM_IPA, 0),
			    PSCI_RET_INVALID_PARAMETERS);
		}
		/* power_state is 32 bits in the SMC64 form too: bits 63:32 are not its. */
		assert_int_equal(
		    call(conduits[c], PSCI_CPU_SUSPEND_64, 0xdead000000000000UL, RAM_IPA, 0),
		    PSCI_RET_SUCCESS);
	}
	assert_int_equal(vcpu_power_state(vcpus[0]), VCPU_ON);
	assert_int_equal(rec.vtimer_stop + total_kicks(), 0);
}

/* The conduit and x1 call_returns() uses. */
static enum smccc_conduit current_conduit = SMCCC_CONDUIT_HVC;
static uint64_t reset_arg1;

/* Does the call return to the guest, or does the machine (or the VM) go off / reset? */
static bool call_returns(uint32_t fid)
{
	volatile bool returned = false;

	machine_jb_armed = true;
	if (setjmp(machine_jb) == 0) {
		call(current_conduit, fid, reset_arg1, 0, 0);
		returned = true;
	}
	machine_jb_armed = false;
	return returned;
}

static void test_system_off_reset_not_owner(void **state)
{
	(void)state;
	/* A VM that does not own the machine stops alone: the call does not return either. */
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		current_conduit = conduits[c];
		assert_false(call_returns(PSCI_SYSTEM_OFF));
		assert_false(call_returns(PSCI_SYSTEM_RESET));
	}
	assert_int_equal(rec.system_off, 2);
	assert_int_equal(rec.system_reset, 2);
	assert_ptr_equal(rec.system_off_vm, &vm);
	assert_ptr_equal(rec.system_reset_vm, &vm);
}

static void test_system_off_reset_owner(void **state)
{
	(void)state;
	cfg.owns_machine = true;
	assert_false(call_returns(PSCI_SYSTEM_OFF));
	assert_false(call_returns(PSCI_SYSTEM_RESET));
	assert_false(call_returns(PSCI_SYSTEM_RESET2));
	assert_false(call_returns(PSCI_SYSTEM_RESET2_64));
	cfg.owns_machine = false;
	assert_int_equal(rec.system_off, 1);
	assert_int_equal(rec.system_reset, 3);
}

static void test_system_reset2(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		/* Architectural warm reset: a reset, which does not return. */
		current_conduit = conduits[c];
		assert_false(call_returns(PSCI_SYSTEM_RESET2));
		assert_false(call_returns(PSCI_SYSTEM_RESET2_64));
	}
	assert_int_equal(rec.system_reset, 4);
	/* Bits 63:32 of x1 are not part of reset_type, in SMC32 and in SMC64 (uint32). */
	current_conduit = SMCCC_CONDUIT_HVC;
	reset_arg1 = 0xffffffff00000000UL;
	assert_false(call_returns(PSCI_SYSTEM_RESET2));
	reset_arg1 = 0xdead000000000000UL;
	assert_false(call_returns(PSCI_SYSTEM_RESET2_64));
	reset_arg1 = 0;
	assert_int_equal(rec.system_reset, 6);

	/* Other architectural types and vendor resets are not offered. */
	static const uint64_t types[] = {1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff};

	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
			assert_int_equal(call(conduits[c], PSCI_SYSTEM_RESET2, types[i], 0, 0),
			                 PSCI_RET_INVALID_PARAMETERS);
			assert_int_equal(call(conduits[c], PSCI_SYSTEM_RESET2_64, types[i], 0, 0),
			                 PSCI_RET_INVALID_PARAMETERS);
		}
	}
	assert_int_equal(rec.system_reset, 6);
	assert_int_equal(rec.system_off, 0);
}

/* SMCCC: Arm architecture calls ------------------------------------------- */

static void test_smccc_version(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		assert_int_equal(call(conduits[c], SMCCC_VERSION, 0, 0, 0), 0x10001);
		assert_int_equal(call(conduits[c], 0xffffffff00000000UL | SMCCC_VERSION, 0, 0, 0),
		                 0x10001);
	}
	/* Owner 0 in the SMC64 range has nothing. */
	assert_int_equal(hvc(0xc0000000, 0, 0, 0), PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(rec.fw_smc, 0);
}

static void test_smccc_arch_features(void **state)
{
	static const uint32_t workarounds[] = {SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
	                                       SMCCC_ARCH_WORKAROUND_3};
	static const int64_t answers[] = {0, 1, -1, -2};
	static const uint32_t unknown[] = {
	    SMCCC_ARCH_SOC_ID, 0x80001234, 0x80008001, PSCI_VERSION, PSCI_FEATURES, 0xc0000001, 0,
	};

	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		assert_int_equal(call(conduits[c], SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0), 0);
		assert_int_equal(call(conduits[c], SMCCC_ARCH_FEATURES, SMCCC_ARCH_FEATURES, 0, 0),
		                 0);
		for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++)
			assert_int_equal(call(conduits[c], SMCCC_ARCH_FEATURES, unknown[i], 0, 0),
			                 -1);
	}
	assert_int_equal(rec.fw_feature, 0);

	/* The workarounds: what EL3 said, whatever it said. */
	for (unsigned int a = 0; a < ARRAY_SIZE(answers); a++) {
		for (unsigned int w = 0; w < ARRAY_SIZE(workarounds); w++) {
			fw_features[0] = fw_features[1] = fw_features[2] = 99;
			fw_features[w] = answers[a];
			for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
				assert_int_equal(
				    call(conduits[c], SMCCC_ARCH_FEATURES, workarounds[w], 0, 0),
				    answers[a]);
				assert_int_equal(rec.fw_feature_fid, workarounds[w]);
			}
		}
	}
	/* ARCH_FEATURES takes a 32-bit function ID. */
	fw_features[0] = 0;
	assert_int_equal(
	    hvc(SMCCC_ARCH_FEATURES, 0xdead000000000000UL | SMCCC_ARCH_WORKAROUND_1, 0, 0), 0);
	assert_int_equal(rec.fw_smc, 0); /* asking is not calling */
}

static void test_smccc_workaround_calls(void **state)
{
	static const uint32_t workarounds[] = {SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
	                                       SMCCC_ARCH_WORKAROUND_3};

	(void)state;
	for (unsigned int w = 0; w < ARRAY_SIZE(workarounds); w++) {
		for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
			struct smccc_regs r;

			/* Not implemented by EL3: refused, EL3 not called. */
			fw_features[w] = -1;
			rec.fw_smc = 0;
			assert_int_equal(call(conduits[c], workarounds[w], 1, 0, 0), -1);
			fw_features[w] = -2; /* NOT_REQUIRED */
			assert_int_equal(call(conduits[c], workarounds[w], 1, 0, 0), -1);
			assert_int_equal(rec.fw_smc, 0);

			/* Implemented (0) or not needed on this CPU (1): run in EL3. */
			for (int64_t answer = 0; answer <= 1; answer++) {
				fw_features[w] = answer;
				r = call_regs(vcpus[0], conduits[c],
				              0xabcd000000000000UL | workarounds[w], 1, 2, 3);
				assert_int_equal(rec.fw_smc, (unsigned int)answer + 1);
				assert_int_equal(rec.fw_in.a[0], workarounds[w]);
				assert_int_equal(rec.fw_in.a[1], 1);
				for (unsigned int i = 0; i < SMCCC_NR_RESULTS; i++)
					assert_int_equal(r.a[i], fw_out[i]);
			}
			fw_features[w] = -1;
		}
	}
}

/* SMCCC: other owners ------------------------------------------------------ */

static void test_smccc_unknown_hvc(void **state)
{
	static const uint64_t fids[] = {
	    0x4b000000,                        /* yielding */
	    0x86000000,                        /* vendor hypervisor */
	    0xc6000001,                        /* vendor hypervisor, SMC64 */
	    0x85000000,                        /* standard hypervisor */
	    0x82000001,                        /* SiP */
	    0xc2000001,                        /* SiP, SMC64 */
	    0x83000000,                        /* OEM */
	    0x81000000,                        /* CPU service */
	    0xb2000000,                        /* trusted OS */
	    0xbf00ffff,                        /* trusted OS */
	    0xb0000000,                        /* trusted application */
	    0x32000000,                        /* yielding, trusted OS */
	    0xffffffff00000000UL | 0x86000000, /* x0 upper bits: still vendor hyp */
	};

	(void)state;
	cfg.smc_forward_owners = ~0UL; /* SMC only: HVC is ours, whatever the VM may reach */
	for (unsigned int i = 0; i < ARRAY_SIZE(fids); i++) {
		struct smccc_regs r = call_regs(vcpus[0], SMCCC_CONDUIT_HVC, fids[i], 1, 2, 3);

		assert_int_equal(r.a[0], SMCCC_RET_NOT_SUPPORTED);
		/* x1-x3 are left as they were (SMCCC: unused result registers preserved). */
		assert_int_equal(r.a[1], 1);
		assert_int_equal(r.a[2], 2);
		assert_int_equal(r.a[3], 3);
	}
	assert_int_equal(rec.fw_smc, 0);
}

struct forward_case {
	uint32_t fid;
	uint64_t owners; /* the one owner mask that lets it through */
};

static const struct forward_case forward_cases[] = {
    {0x82000000, SMCCC_OWNERS_SIP},         {0x8200ff01, SMCCC_OWNERS_SIP},
    {0xc2000001, SMCCC_OWNERS_SIP},         {0x83000010, SMCCC_OWNERS_OEM},
    {0xc3000010, SMCCC_OWNERS_OEM},         {0xb0000001, SMCCC_OWNERS_TRUSTED_APP},
    {0xb1000001, SMCCC_OWNERS_TRUSTED_APP}, {0xb2000000, SMCCC_OWNERS_TRUSTED_OS},
    {0xbf00ffff, SMCCC_OWNERS_TRUSTED_OS},  {0xf2000005, SMCCC_OWNERS_TRUSTED_OS},
};

static void test_hypervisor_service_calls(void **state)
{
	struct smccc_regs r;

	(void)state;
	cfg.smc_forward_owners = ~0UL; /* the vendor hypervisor range is ours: never EL3's */
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		rec.fw_smc = 0;
		r = call_regs(vcpus[0], conduits[c], HYPSVC_UID, 0, 0, 0);
		assert_int_equal(r.a[0], HYPSVC_UID_0);
		assert_int_equal(r.a[1], HYPSVC_UID_1);
		assert_int_equal(r.a[2], HYPSVC_UID_2);
		assert_int_equal(r.a[3], HYPSVC_UID_3);
		r = call_regs(vcpus[0], conduits[c], HYPSVC_REVISION, 0, 0, 0);
		assert_int_equal(r.a[0], 1);
		assert_int_equal(r.a[1], 0);
		bell.calls = 0;
		r = call_regs(vcpus[0], conduits[c], HYPSVC_DOORBELL, 0x60000000UL, 0, 0);
		assert_int_equal(r.a[0], 0);
		assert_int_equal(r.a[1], 1);
		assert_int_equal(bell.calls, 1);
		assert_int_equal(bell.ipa, 0x60000000UL);
		/* A region that is not the caller's: refused, nothing rung. */
		assert_int_equal(call(conduits[c], HYPSVC_DOORBELL, 0x70000000UL, 0, 0), -3);
		/* Other numbers of the range, and the SMC64 forms: not there. */
		assert_int_equal(call(conduits[c], 0x8600ff00, 0, 0, 0), -1);
		assert_int_equal(call(conduits[c], 0xc6000001, 0x60000000UL, 0, 0), -1);
		assert_int_equal(call(conduits[c], 0x86000003, 0, 0, 0), -1);
		assert_int_equal(call(conduits[c], 0xc6000002, 0, 0, 0), -1);
		assert_int_equal(rec.fw_smc, 0);
	}
}

/* STATS prints the caller's VM's statistics only if its definition says "stats". */
static void test_hypervisor_service_stats(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		stats_print.calls = 0;
		cfg.stats = false;
		assert_int_equal(call(conduits[c], HYPSVC_STATS, 0, 0, 0), -1);
		assert_int_equal(stats_print.calls, 0);
		cfg.stats = true;
		assert_int_equal(call(conduits[c], HYPSVC_STATS, 0, 0, 0), 0);
		assert_int_equal(stats_print.calls, 1);
		assert_ptr_equal(stats_print.vm, &vm);
	}
	cfg.stats = false;
}

static void test_smccc_smc_forwarded_when_allowed(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(forward_cases); i++) {
		const struct forward_case *fc = &forward_cases[i];
		struct smccc_regs r;

		cfg.smc_forward_owners = fc->owners;
		rec.fw_smc = 0;
		r = call_regs(vcpus[0], SMCCC_CONDUIT_SMC, 0x5a5a000000000000UL | fc->fid, 0x11,
		              0x22, 0x33);
		assert_int_equal(rec.fw_smc, 1);
		/* EL3 gets W0 as the function ID and the guest's x1-x7 as they were. */
		assert_int_equal(rec.fw_in.a[0], fc->fid);
		assert_int_equal(rec.fw_in.a[1], 0x11);
		assert_int_equal(rec.fw_in.a[2], 0x22);
		assert_int_equal(rec.fw_in.a[3], 0x33);
		assert_int_equal(rec.fw_in.a[4], 0x4444);
		assert_int_equal(rec.fw_in.a[7], 0x7777);
		/* and the guest gets x0-x3 back. */
		for (unsigned int k = 0; k < SMCCC_NR_RESULTS; k++)
			assert_int_equal(r.a[k], fw_out[k]);

		/* The same call over HVC is never forwarded. */
		assert_int_equal(hvc(fc->fid, 0, 0, 0), -1);
		assert_int_equal(rec.fw_smc, 1);
	}
	/* All allowed ranges at once: each is forwarded. */
	cfg.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_APP |
	                         SMCCC_OWNERS_TRUSTED_OS;
	rec.fw_smc = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(forward_cases); i++)
		smc(forward_cases[i].fid, 0, 0, 0);
	assert_int_equal(rec.fw_smc, ARRAY_SIZE(forward_cases));
}

static void test_smccc_smc_refused_when_not_allowed(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(forward_cases); i++) {
		const struct forward_case *fc = &forward_cases[i];
		struct smccc_regs r;

		/* Default: nothing reaches EL3. */
		cfg.smc_forward_owners = 0;
		r = call_regs(vcpus[0], SMCCC_CONDUIT_SMC, fc->fid, 0x11, 0x22, 0x33);
		assert_int_equal(r.a[0], SMCCC_RET_NOT_SUPPORTED);
		assert_int_equal(r.a[1], 0x11);
		/* Every range but its own. */
		cfg.smc_forward_owners = (SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM |
		                          SMCCC_OWNERS_TRUSTED_APP | SMCCC_OWNERS_TRUSTED_OS) &
		                         ~fc->owners;
		assert_int_equal(smc(fc->fid, 0, 0, 0), -1);
		/* Allowed, but there is no EL3. */
		cfg.smc_forward_owners = fc->owners;
		fw_present = false;
		assert_int_equal(smc(fc->fid, 0, 0, 0), -1);
		fw_present = true;
	}
	assert_int_equal(rec.fw_smc, 0);
}

static void test_smccc_smc_hypervisor_ranges_not_forwarded(void **state)
{
	static const uint32_t fids[] = {0x85000000, 0x8500ffff, 0xc5000001, 0x86000000,
	                                0x8600ff00, 0xc6000001, 0x81000000, 0xc1000001};

	(void)state;
	/* Every range a VM can be given: the hypervisors' own are not among them. */
	cfg.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_APP |
	                         SMCCC_OWNERS_TRUSTED_OS;
	for (unsigned int i = 0; i < ARRAY_SIZE(fids); i++)
		assert_int_equal(smc(fids[i], 0, 0, 0), -1);
	assert_int_equal(rec.fw_smc, 0);
}

static void test_smccc_yielding_calls(void **state)
{
	(void)state;
	/* A yielding call belongs to a Trusted OS: SMC, allowed range, EL3 present. */
	cfg.smc_forward_owners = SMCCC_OWNERS_TRUSTED_OS;
	assert_int_equal(smc(0x32000000, 0, 0, 0), (int64_t)fw_out[0]);
	assert_int_equal(smc(0x3f000001, 0, 0, 0), (int64_t)fw_out[0]);
	assert_int_equal(rec.fw_smc, 2);
	assert_int_equal(hvc(0x32000000, 0, 0, 0), -1);
	fw_present = false;
	assert_int_equal(smc(0x32000000, 0, 0, 0), -1);
	fw_present = true;
	cfg.smc_forward_owners = SMCCC_OWNERS_SIP;
	assert_int_equal(smc(0x32000000, 0, 0, 0), -1);
	assert_int_equal(rec.fw_smc, 2);

	/* A yielding call with owner 0 or 4 is neither an Arm call nor PSCI. */
	cfg.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_APP |
	                         SMCCC_OWNERS_TRUSTED_OS;
	assert_int_equal(smc(SMCCC_VERSION & ~SMCCC_FAST_CALL, 0, 0, 0), -1);
	assert_int_equal(hvc(SMCCC_VERSION & ~SMCCC_FAST_CALL, 0, 0, 0), -1);
	assert_int_equal(hvc(PSCI_SYSTEM_OFF & ~SMCCC_FAST_CALL, 0, 0, 0), -1);
	assert_int_equal(hvc(PSCI_CPU_ON_64 & ~SMCCC_FAST_CALL, 1, RAM_IPA, 0), -1);
	assert_int_equal(smc(PSCI_VERSION & ~SMCCC_FAST_CALL, 0, 0, 0), -1);
	assert_int_equal(rec.fw_smc, 2);
	assert_int_equal(rec.system_off + total_kicks(), 0);
	assert_int_equal(vcpu_power_state(vcpus[1]), VCPU_OFF);
}

static void test_smccc_standard_service_beyond_psci(void **state)
{
	static const uint32_t fids[] = {
	    0x84000020,
	    0x84000021,
	    0x840000ff,
	    0x8400ffff,
	    0xc4000020,
	    0xc400ffff,
	    /* Bits 23:16 set: not SYSTEM_OFF / CPU_ON / PSCI_VERSION. */
	    0x84010008,
	    0x84ff0008,
	    0xc4010003,
	    0x84800000,
	};

	(void)state;
	cfg.smc_forward_owners = ~0UL;
	for (unsigned int c = 0; c < ARRAY_SIZE(conduits); c++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(fids); i++)
			assert_int_equal(call(conduits[c], fids[i], 1, RAM_IPA, 0), -1);
	}
	assert_int_equal(rec.fw_smc, 0);
	assert_int_equal(rec.system_off + total_kicks(), 0);
	assert_int_equal(vcpu_power_state(vcpus[1]), VCPU_OFF);
}

static void test_smccc_x0_upper_bits_ignored(void **state)
{
	(void)state;
	assert_int_equal(hvc(0xdead000084000000UL, 0, 0, 0), 0x10001);
	assert_int_equal(smc(0x0000000184000000UL, 0, 0, 0), 0x10001);
	assert_int_equal(hvc(0xdead000080000000UL, 0, 0, 0), 0x10001);
	assert_int_equal(hvc(0xdead000084000006UL, 0, 0, 0), 2);
	assert_int_equal(hvc(0xdead0000c4000003UL, 2, RAM_IPA, 0), PSCI_RET_SUCCESS);
	assert_int_equal(vcpu_power_state(vcpus[2]), VCPU_ON_PENDING);
	/* Unknown whatever the upper bits. */
	assert_int_equal(hvc(0xdead000086000000UL, 0, 0, 0), -1);
	assert_int_equal(hvc(0x0000000100000000UL, 0, 0, 0), -1); /* W0 = 0: a yielding call */
}

static void test_smccc_owner_forwarded(void **state)
{
	(void)state;
	assert_true(smccc_owner_forwarded(SMCCC_OWNERS_SIP, 0x82000000));
	assert_true(smccc_owner_forwarded(SMCCC_OWNERS_SIP, 0xc2ffffff));
	assert_false(smccc_owner_forwarded(SMCCC_OWNERS_SIP, 0x83000000));
	assert_true(smccc_owner_forwarded(SMCCC_OWNERS_OEM, 0x83000000));
	assert_true(smccc_owner_forwarded(SMCCC_OWNERS_TRUSTED_APP, 0xb0000000));
	assert_true(smccc_owner_forwarded(SMCCC_OWNERS_TRUSTED_APP, 0xb1000000));
	assert_false(smccc_owner_forwarded(SMCCC_OWNERS_TRUSTED_APP, 0xb2000000));
	for (uint32_t owner = 0x32; owner <= 0x3f; owner++)
		assert_true(
		    smccc_owner_forwarded(SMCCC_OWNERS_TRUSTED_OS, 0x80000000 | owner << 24));
	assert_false(smccc_owner_forwarded(SMCCC_OWNERS_TRUSTED_OS, 0xb1000000));
	for (uint32_t owner = 0; owner < 0x40; owner++)
		assert_false(smccc_owner_forwarded(0, 0x80000000 | owner << 24));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_psci_version, setup),
	    cmocka_unit_test_setup(test_psci_features_implemented, setup),
	    cmocka_unit_test_setup(test_psci_features_unimplemented, setup),
	    cmocka_unit_test_setup(test_cpu_on_success, setup),
	    cmocka_unit_test_setup(test_cpu_on_unknown_mpidr, setup),
	    cmocka_unit_test_setup(test_cpu_on_trace, setup),
	    cmocka_unit_test_setup(test_cpu_on_invalid_address, setup),
	    cmocka_unit_test_setup(test_cpu_on_already_on, setup),
	    cmocka_unit_test_setup(test_cpu_on_pending, setup),
	    cmocka_unit_test_setup(test_cpu_on_smc32_ignores_upper_bits, setup),
	    cmocka_unit_test_setup(test_cpu_on_smc64_uses_full_registers, setup),
	    cmocka_unit_test_setup(test_cpu_on_concurrent, setup),
	    cmocka_unit_test_setup(test_cpu_off_then_on, setup),
	    cmocka_unit_test_setup(test_cpu_on_concurrent_with_start, setup),
	    cmocka_unit_test_setup(test_affinity_info_level0, setup),
	    cmocka_unit_test_setup(test_affinity_info_higher_levels, setup),
	    cmocka_unit_test_setup(test_migrate_info_type, setup),
	    cmocka_unit_test_setup(test_unimplemented_psci_functions, setup),
	    cmocka_unit_test_setup(test_cpu_suspend, setup),
	    cmocka_unit_test_setup(test_system_off_reset_not_owner, setup),
	    cmocka_unit_test_setup(test_system_off_reset_owner, setup),
	    cmocka_unit_test_setup(test_system_reset2, setup),
	    cmocka_unit_test_setup(test_smccc_version, setup),
	    cmocka_unit_test_setup(test_smccc_arch_features, setup),
	    cmocka_unit_test_setup(test_smccc_workaround_calls, setup),
	    cmocka_unit_test_setup(test_smccc_unknown_hvc, setup),
	    cmocka_unit_test_setup(test_hypervisor_service_calls, setup),
	    cmocka_unit_test_setup(test_hypervisor_service_stats, setup),
	    cmocka_unit_test_setup(test_smccc_smc_forwarded_when_allowed, setup),
	    cmocka_unit_test_setup(test_smccc_smc_refused_when_not_allowed, setup),
	    cmocka_unit_test_setup(test_smccc_smc_hypervisor_ranges_not_forwarded, setup),
	    cmocka_unit_test_setup(test_smccc_yielding_calls, setup),
	    cmocka_unit_test_setup(test_smccc_standard_service_beyond_psci, setup),
	    cmocka_unit_test_setup(test_smccc_x0_upper_bits_ignored, setup),
	    cmocka_unit_test_setup(test_smccc_owner_forwarded, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
