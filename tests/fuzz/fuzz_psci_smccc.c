/*
 * libFuzzer target: SMCCC dispatch and the virtual PSCI (core/smccc.c,
 * core/psci.c) over the real vCPU power state machine (vcpu/vcpu.c), linked
 * as tests/unit/test_psci.c links them, with the same kind of stubs (the VM
 * lookups as core/vm.c does them, EL3, the GIC kick, the vCPU start path).
 *
 * An input is a VM (1-8 vCPUs, whether it owns the machine, which SMC owner
 * ranges it may forward, what EL3 is and answers for the Spectre workarounds)
 * then steps: a call (function ID from a table of interesting ones or raw,
 * with junk in bits 63:32, x1-x3 made of vCPU MPIDRs, RAM addresses and raw
 * values) over HVC or SMC from a vCPU that is on; or an off vCPU's pCPU
 * running its idle loop once (vcpu_idle_loop(): a WFI comes back here by
 * SIGTRAP, see fuzz_wfi_shim.h; a start comes back through enter_guest()).
 *
 * Invariants, from the specifications (SMCCC 1.1, PSCI 1.1) and vcpu.h:
 *  - every return code is one the function may return (PSCI_VERSION 1.1,
 *    CPU_ON SUCCESS/INVALID_PARAMETERS/INVALID_ADDRESS/ALREADY_ON/ON_PENDING,
 *    AFFINITY_INFO ON/OFF/ON_PENDING/INVALID_PARAMETERS, NOT_SUPPORTED for
 *    what is not implemented, EL3's answer only for what is forwarded, ...);
 *  - x4-x7 are never changed (SMCCC 1.1), and x1-x3 are left alone by
 *    everything the hypervisor answers itself (nothing leaks);
 *  - EL3 is only reached for SMCs of an allowed owner range, or for a
 *    workaround EL3 implements; SYSTEM_OFF/RESET end the machine (its owner)
 *    or the VM alone (core/vm.c), and nothing else does;
 *  - CPU_ON state machine: a model of every vCPU's power state agrees with
 *    the real one after every step: CPU_ON of an OFF vCPU succeeds (once),
 *    makes it ON_PENDING and kicks its pCPU; ON_PENDING and ON answer
 *    ON_PENDING and ALREADY_ON; CPU_OFF never returns and leaves the caller
 *    OFF; the idle loop starts an ON_PENDING vCPU at the CPU_ON entry point
 *    with x0 = context (EL1h, DAIF masked, all else zero) and makes it ON,
 *    and sleeps otherwise; AFFINITY_INFO answers from the same states; no
 *    power lock is left held.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

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
#include "fuzz_input.h"
#include "vcpu/vcpu.h"

#define MAX_VCPUS 8
#define RAM_IPA   0x40000000UL
#define RAM_SIZE  0x20000000UL

_Thread_local unsigned long unit_tpidr_el2; /* this thread's pCPU (arm64_asm_shim.h) */
struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = NR_CPUS;
static uint64_t cpu_stacks[NR_CPUS][128] __attribute__((aligned(16)));

static struct vm_config cfg;
static struct vm vm;
static struct vcpu *vcpus[MAX_VCPUS];

static bool fw_present;
static int64_t fw_features[3];
static const uint64_t fw_out[4] = {0xf00d0000, 0xf00d0001, 0xf00d0002, 0xf00d0003};

static struct {
	unsigned int fw_smc, kicks[NR_CPUS], not_kick, entered, system_off, system_reset;
	struct cpu_user_regs entry_regs;
	unsigned int entry_pcpu;
} rec;

/* Where the stubs that do not return go back to. */
static sigjmp_buf idle_jb; /* WFI in the idle loop (SIGTRAP) */
static jmp_buf entry_jb;   /* enter_guest() */
static jmp_buf machine_jb; /* the machine is off or reset */
static bool in_call;

static void run_on(unsigned int pcpu)
{
	unit_tpidr_el2 = (unsigned long)&pcpus[pcpu];
}

/* Stubs: core/vm.c --------------------------------------------------------- */

struct vcpu *vm_vcpu_by_mpidr(struct vm *v, uint64_t mpidr)
{
	for (unsigned int i = 0; i < v->nr_vcpus; i++)
		if ((v->vcpus[i]->vmpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return v->vcpus[i];
	return NULL;
}

bool vm_ipa_is_ram(const struct vm *v, uint64_t ipa, uint64_t size)
{
	return ipa >= v->ram_ipa && size <= v->ram_size && ipa - v->ram_ipa <= v->ram_size - size;
}

/* SYSTEM_OFF / RESET never return: the machine, or the VM alone, stops (core/vm.c). */
void vm_system_off(struct vcpu *v)
{
	(void)v;
	rec.system_off++;
	longjmp(machine_jb, 1);
}

void vm_system_reset(struct vcpu *v)
{
	(void)v;
	rec.system_reset++;
	longjmp(machine_jb, 1);
}

void vm_vcpu_stopped(struct vcpu *v)
{
	(void)v;
}

/* The doorbell's lookup (core/vm.c): one region, at 0x60000000. */
int vm_doorbell_ring(struct vm *v, uint64_t ipa)
{
	(void)v;
	return ipa == 0x60000000UL ? 1 : -1;
}

/* HYPSVC_STATS prints (core/vm_stats.c); counted to check it only when allowed. */
static unsigned int stats_prints;

void vm_stats_print(const struct vm *v)
{
	(void)v;
	stats_prints++;
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

/* Stubs: EL3 ----------------------------------------------------------------- */

bool firmware_present(void)
{
	return fw_present;
}

void firmware_smc(struct smccc_regs *r)
{
	FUZZ_CHECK(fw_present, "EL3 called when there is none");
	rec.fw_smc++;
	for (unsigned int i = 0; i < 4; i++)
		r->a[i] = fw_out[i];
}

int64_t firmware_arch_feature(uint32_t fid)
{
	switch (fid) {
	case SMCCC_ARCH_WORKAROUND_1:
		return fw_features[0];
	case SMCCC_ARCH_WORKAROUND_2:
		return fw_features[1];
	case SMCCC_ARCH_WORKAROUND_3:
		return fw_features[2];
	default:
		FUZZ_CHECK(0, "firmware_arch_feature(0x%x): not a workaround", fid);
		return -1;
	}
}

/* Stubs: what vcpu/vcpu.c reaches -------------------------------------------- */

void *hyp_alloc(size_t size, size_t align)
{
	void *p = aligned_alloc(align, ALIGN_UP(size, align));

	return memset(p, 0, size);
}

/* The PSCI trace's console lines: the fuzzer leaves the trace off; nothing to print. */
int printk(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

void gic_send_sgi(unsigned int pcpu, unsigned int sgi)
{
	FUZZ_CHECK(pcpu < NR_CPUS, "SGI to pCPU %u", pcpu);
	rec.kicks[pcpu] += sgi == SGI_KICK;
	rec.not_kick += sgi != SGI_KICK;
}

void gic_vcpu_if_reset(void)
{
}

void vgic_cpu_reset(struct vcpu *v)
{
	(void)v;
}

void vgic_cpu_off(struct vcpu *v)
{
	(void)v;
}

void cpu_read_id_regs(struct cpu_id_regs *id)
{
	memset(id, 0, sizeof(*id));
}

void cpu_load_guest_controls(const struct guest_features *f, const struct guest_el2_controls *c)
{
	(void)f;
	(void)c;
}

void cpu_reset_guest_state(const struct guest_features *f)
{
	(void)f;
}

void vtimer_vcpu_start(struct vcpu *v)
{
	(void)v;
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
	(void)v;
}

void enter_guest(struct cpu_user_regs *regs)
{
	rec.entry_regs = *regs;
	rec.entry_pcpu = smp_processor_id();
	rec.entered++;
	longjmp(entry_jb, 1);
}

static void on_sigtrap(int sig)
{
	(void)sig;
	FUZZ_CHECK(!in_call, "a CPU went to sleep in the middle of a call that returns");
	siglongjmp(idle_jb, 1);
}

/* The model ------------------------------------------------------------------- */

static enum vcpu_power model[MAX_VCPUS];
static uint64_t model_entry[MAX_VCPUS], model_context[MAX_VCPUS];

static void check_model(void)
{
	for (unsigned int i = 0; i < vm.nr_vcpus; i++) {
		FUZZ_CHECK(vcpus[i]->power == model[i], "vcpu%u power %d, expected %d", i,
		           vcpus[i]->power, model[i]);
		FUZZ_CHECK(!spin_is_locked(&vcpus[i]->power_lock), "vcpu%u power lock left held",
		           i);
	}
}

/* The vCPU whose MPIDR affinity is @mpidr, -1 if none (what vm_vcpu_by_mpidr does). */
static int model_by_mpidr(uint64_t mpidr)
{
	for (unsigned int i = 0; i < vm.nr_vcpus; i++)
		if ((vcpus[i]->vmpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return (int)i;
	return -1;
}

/* Inputs ------------------------------------------------------------------------ */

static const uint32_t fids[] = {
    PSCI_VERSION,
    PSCI_CPU_SUSPEND,
    PSCI_CPU_OFF,
    PSCI_CPU_ON,
    PSCI_AFFINITY_INFO,
    PSCI_MIGRATE,
    PSCI_MIGRATE_INFO_TYPE,
    PSCI_MIGRATE_INFO_UP_CPU,
    PSCI_SYSTEM_OFF,
    PSCI_SYSTEM_RESET,
    PSCI_FEATURES,
    PSCI_SYSTEM_RESET2,
    PSCI_CPU_SUSPEND_64,
    PSCI_CPU_ON_64,
    PSCI_AFFINITY_INFO_64,
    PSCI_SYSTEM_RESET2_64,
    PSCI_0_2_FN(0x0e),
    PSCI_0_2_FN(0x1f),
    PSCI_0_2_FN(0x20),
    PSCI_0_2_FN64(0x00),
    PSCI_0_2_FN64(0x02),
    PSCI_0_2_FN64(0x0a),
    SMCCC_VERSION,
    SMCCC_ARCH_FEATURES,
    SMCCC_ARCH_SOC_ID,
    SMCCC_ARCH_WORKAROUND_1,
    SMCCC_ARCH_WORKAROUND_2,
    SMCCC_ARCH_WORKAROUND_3,
    0x82000000,
    0xc2000001,
    0x83000000,
    0x85000000,
    0x86000000,
    0xb0000000,
    0xb2000000,
    0xbf00ffff,
    0x04000003,
    0x32000000,
    0x80000100,
};

static uint32_t pick_fid(struct fuzz_in *in)
{
	uint8_t sel = fin_u8(in);

	if (sel < 4 * ARRAY_SIZE(fids))
		return fids[sel % ARRAY_SIZE(fids)];
	return fin_u32(in);
}

static uint64_t pick_arg(struct fuzz_in *in)
{
	uint8_t how = fin_u8(in);
	uint64_t junk = (how & 0x80) ? (uint64_t)fin_u32(in) << 32 : 0;

	switch (how & 7) {
	case 0: /* a vCPU's MPIDR, maybe with junk above Aff2 */
		return (BIT(31) | (fin_u8(in) % (MAX_VCPUS + 1))) | junk;
	case 1: /* somewhere in (or just around) RAM */
		return (RAM_IPA + ((uint64_t)fin_u32(in) % (RAM_SIZE + 0x2000)) - 0x1000) | junk;
	case 2:
		return (uint64_t)(fin_u8(in) & 7) | junk; /* small: levels, types, indices */
	case 3:
		return pick_fid(in) | junk; /* a function ID (PSCI_FEATURES, ARCH_FEATURES) */
	default:
		return fin_u64(in);
	}
}

/* One call ----------------------------------------------------------------------- */

static bool in_list(int64_t v, const int64_t *list, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

#define ONE_OF(v, ...)                               \
	in_list((v), (const int64_t[]){__VA_ARGS__}, \
	        sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static bool psci_implemented(uint32_t fid)
{
	static const uint32_t impl[] = {
	    PSCI_VERSION,          PSCI_CPU_SUSPEND,      PSCI_CPU_SUSPEND_64,
	    PSCI_CPU_OFF,          PSCI_CPU_ON,           PSCI_CPU_ON_64,
	    PSCI_AFFINITY_INFO,    PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_INFO_TYPE,
	    PSCI_SYSTEM_OFF,       PSCI_SYSTEM_RESET,     PSCI_SYSTEM_RESET2,
	    PSCI_SYSTEM_RESET2_64, PSCI_FEATURES,         SMCCC_VERSION,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(impl); i++)
		if (impl[i] == fid)
			return true;
	return false;
}

static bool is_workaround(uint32_t fid)
{
	return fid == SMCCC_ARCH_WORKAROUND_1 || fid == SMCCC_ARCH_WORKAROUND_2 ||
	       fid == SMCCC_ARCH_WORKAROUND_3;
}

static int64_t feature_of(uint32_t fid)
{
	return fid == SMCCC_ARCH_WORKAROUND_1   ? fw_features[0]
	       : fid == SMCCC_ARCH_WORKAROUND_2 ? fw_features[1]
	                                        : fw_features[2];
}

/* Returns false when the machine or the VM is gone (SYSTEM_OFF/RESET). */
static bool call_step(struct fuzz_in *in)
{
	unsigned int ci = fin_u8(in) % vm.nr_vcpus;
	struct vcpu *caller = vcpus[ci];
	enum smccc_conduit conduit = (fin_u8(in) & 1) ? SMCCC_CONDUIT_SMC : SMCCC_CONDUIT_HVC;
	uint8_t hi = fin_u8(in);
	struct smccc_regs r, before;
	unsigned int fw_before = rec.fw_smc, kicks_before[NR_CPUS], prints_before = stats_prints;
	uint32_t fid, owner;
	bool is64, forwarded_ok, returned;
	int64_t ret;

	if (model[ci] != VCPU_ON)
		return true; /* only a running vCPU makes calls */
	r.a[0] = pick_fid(in) | ((hi & 1) ? (uint64_t)fin_u32(in) << 32 : 0);
	for (unsigned int i = 1; i < 8; i++)
		r.a[i] = i < 4 ? pick_arg(in) : fin_u64(in);
	before = r;
	memcpy(kicks_before, rec.kicks, sizeof(kicks_before));
	fid = (uint32_t)r.a[0];
	owner = SMCCC_OWNER(fid);
	is64 = fid & SMCCC_64BIT;

	run_on(caller->pcpu);
	if (sigsetjmp(idle_jb, 1) == 0) {
		if (setjmp(machine_jb) != 0) {
			in_call = false;
			FUZZ_CHECK(fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET ||
			               fid == PSCI_SYSTEM_RESET2 || fid == PSCI_SYSTEM_RESET2_64,
			           "0x%x ended the machine", fid);
			return false;
		}
		in_call = fid != PSCI_CPU_OFF;
		smccc_handle_call(caller, conduit, &r);
		in_call = false;
		returned = true;
	} else {
		returned = false; /* CPU_OFF: the caller's pCPU sleeps in its idle loop */
	}
	in_call = false;
	ret = (int64_t)r.a[0];

	if (!returned) {
		FUZZ_CHECK(fid == PSCI_CPU_OFF, "0x%x did not return", fid);
		model[ci] = VCPU_OFF;
		return true;
	}
	FUZZ_CHECK(fid != PSCI_CPU_OFF, "CPU_OFF returned %ld", (long)ret);
	for (unsigned int i = 4; i < 8; i++)
		FUZZ_CHECK(r.a[i] == before.a[i], "fid 0x%x changed x%u", fid, i);

	/* The vendor hypervisor range's fast calls are the hypervisor's own (core/hypsvc.c). */
	forwarded_ok = conduit == SMCCC_CONDUIT_SMC && fw_present &&
	               (cfg.smc_forward_owners & (1UL << owner)) &&
	               !((fid & SMCCC_FAST_CALL) && owner == SMCCC_OWNER_VENDOR_HYP);
	if (rec.fw_smc != fw_before) {
		/* EL3 answered: only where the VM may go, or a workaround EL3 implements. */
		FUZZ_CHECK(rec.fw_smc == fw_before + 1, "EL3 called twice");
		if (owner == SMCCC_OWNER_ARCH && (fid & SMCCC_FAST_CALL))
			FUZZ_CHECK(is_workaround(fid) && feature_of(fid) >= 0,
			           "arch call 0x%x forwarded", fid);
		else
			FUZZ_CHECK(forwarded_ok &&
			               !((fid & SMCCC_FAST_CALL) && owner == SMCCC_OWNER_STANDARD),
			           "0x%x over %s forwarded to EL3", fid,
			           conduit == SMCCC_CONDUIT_SMC ? "SMC" : "HVC");
		for (unsigned int i = 0; i < 4; i++)
			FUZZ_CHECK(r.a[i] == fw_out[i], "EL3's x%u not passed back", i);
		return true;
	}
	if ((fid & SMCCC_FAST_CALL) && owner == SMCCC_OWNER_VENDOR_HYP) {
		if (fid == HYPSVC_UID)
			FUZZ_CHECK(r.a[0] == HYPSVC_UID_0 && r.a[1] == HYPSVC_UID_1 &&
			               r.a[2] == HYPSVC_UID_2 && r.a[3] == HYPSVC_UID_3,
			           "UID 0x%lx", (unsigned long)r.a[0]);
		else if (fid == HYPSVC_REVISION)
			FUZZ_CHECK(r.a[0] == 1 && r.a[1] == 0, "revision %ld", (long)ret);
		else if (fid == HYPSVC_DOORBELL)
			FUZZ_CHECK(before.a[1] == 0x60000000UL ? ret == 0 && r.a[1] == 1
			                                       : ret == -3,
			           "doorbell of 0x%lx: %ld", (unsigned long)before.a[1], (long)ret);
		else if (fid == HYPSVC_STATS)
			FUZZ_CHECK(cfg.stats ? ret == 0 && stats_prints == prints_before + 1
			                     : ret == -1 && stats_prints == prints_before,
			           "STATS (allowed: %d): %ld", cfg.stats, (long)ret);
		else
			FUZZ_CHECK(ret == -1, "0x%x: %ld", fid, (long)ret);
		return true;
	}
	for (unsigned int i = 1; i < 4; i++)
		FUZZ_CHECK(r.a[i] == before.a[i], "fid 0x%x changed x%u", fid, i);

	if (!(fid & SMCCC_FAST_CALL) ||
	    (owner != SMCCC_OWNER_ARCH && owner != SMCCC_OWNER_STANDARD)) {
		FUZZ_CHECK(ret == -1 && !forwarded_ok, "0x%x: %ld, not forwarded", fid, (long)ret);
		return true;
	}
	if (owner == SMCCC_OWNER_ARCH) {
		if (fid == SMCCC_VERSION)
			FUZZ_CHECK(ret == 0x10001, "SMCCC_VERSION %ld", (long)ret);
		else if (fid == SMCCC_ARCH_FEATURES) {
			uint32_t q = (uint32_t)before.a[1];

			if (q == SMCCC_VERSION || q == SMCCC_ARCH_FEATURES)
				FUZZ_CHECK(ret == 0, "ARCH_FEATURES(0x%x) %ld", q, (long)ret);
			else if (is_workaround(q))
				FUZZ_CHECK(ret == feature_of(q),
				           "ARCH_FEATURES(0x%x) %ld, EL3 says %ld", q, (long)ret,
				           (long)feature_of(q));
			else
				FUZZ_CHECK(ret == -1, "ARCH_FEATURES(0x%x) %ld", q, (long)ret);
		} else {
			FUZZ_CHECK(ret == -1 && !(is_workaround(fid) && feature_of(fid) >= 0),
			           "arch call 0x%x: %ld", fid, (long)ret);
		}
		return true;
	}

	/* PSCI */
	{
		/* DEN0022: 64-bit in the SMC64 form except where the argument is uint32. */
		uint64_t a1 = is64 ? before.a[1] : (uint32_t)before.a[1];
		uint64_t a2 = is64 ? before.a[2] : (uint32_t)before.a[2];
		uint64_t a3 = is64 ? before.a[3] : (uint32_t)before.a[3];
		uint32_t reset_type = (uint32_t)before.a[1];   /* SYSTEM_RESET2 */
		uint32_t lowest_level = (uint32_t)before.a[2]; /* AFFINITY_INFO */

		if (SMCCC_NUMBER(fid) > PSCI_FN_MAX || !psci_implemented(fid) ||
		    fid == SMCCC_VERSION) {
			FUZZ_CHECK(ret == -1, "unimplemented 0x%x: %ld", fid, (long)ret);
			return true;
		}
		switch (fid) {
		case PSCI_VERSION:
			FUZZ_CHECK(ret == 0x10001, "PSCI_VERSION %ld", (long)ret);
			break;
		case PSCI_CPU_SUSPEND:
		case PSCI_CPU_SUSPEND_64: {
			/* power_state is 32 bits in both forms; reserved bits refuse it. */
			long want = ((uint32_t)before.a[1] & ~0x0301ffffU)
			                ? PSCI_RET_INVALID_PARAMETERS
			                : PSCI_RET_SUCCESS;

			FUZZ_CHECK(ret == want, "CPU_SUSPEND(0x%lx) %ld, expected %ld",
			           (unsigned long)before.a[1], (long)ret, want);
			break;
		}
		case PSCI_CPU_ON:
		case PSCI_CPU_ON_64: {
			int t = model_by_mpidr(a1);
			long want;

			FUZZ_CHECK(ONE_OF(ret, 0, -2, -4, -5, -9), "CPU_ON %ld", (long)ret);
			if (t < 0)
				want = PSCI_RET_INVALID_PARAMETERS;
			else if (!vm_ipa_is_ram(&vm, a2, 4) || (a2 & 3))
				want = PSCI_RET_INVALID_ADDRESS;
			else if (model[t] == VCPU_OFF)
				want = PSCI_RET_SUCCESS;
			else if (model[t] == VCPU_ON_PENDING)
				want = PSCI_RET_ON_PENDING;
			else
				want = PSCI_RET_ALREADY_ON;
			FUZZ_CHECK(ret == want, "CPU_ON(0x%lx, 0x%lx): %ld, expected %ld",
			           (unsigned long)a1, (unsigned long)a2, (long)ret, want);
			for (unsigned int p = 0; p < NR_CPUS; p++)
				FUZZ_CHECK(rec.kicks[p] - kicks_before[p] ==
				               (ret == 0 && p == vcpus[t]->pcpu ? 1u : 0u),
				           "CPU_ON: %u kicks to pCPU %u",
				           rec.kicks[p] - kicks_before[p], p);
			if (ret == 0) {
				model[t] = VCPU_ON_PENDING;
				model_entry[t] = a2;
				model_context[t] = a3;
			}
			break;
		}
		case PSCI_AFFINITY_INFO:
		case PSCI_AFFINITY_INFO_64: {
			static const uint64_t masks[] = {0xff00ffffffUL, 0xff00ffff00UL,
			                                 0xff00ff0000UL, 0xff00000000UL};
			bool found = false, on = false, pending = false;
			long want;

			FUZZ_CHECK(ONE_OF(ret, 0, 1, 2, -2), "AFFINITY_INFO %ld", (long)ret);
			for (unsigned int i = 0; lowest_level <= 3 && i < vm.nr_vcpus; i++) {
				if ((vcpus[i]->vmpidr & masks[lowest_level]) !=
				    (a1 & masks[lowest_level]))
					continue;
				found = true;
				on |= model[i] == VCPU_ON;
				pending |= model[i] == VCPU_ON_PENDING;
			}
			want = !found ? -2 : on ? 0 : pending ? 2 : 1;
			FUZZ_CHECK(ret == want, "AFFINITY_INFO(0x%lx, 0x%lx): %ld, expected %ld",
			           (unsigned long)a1, (unsigned long)before.a[2], (long)ret, want);
			break;
		}
		case PSCI_MIGRATE_INFO_TYPE:
			FUZZ_CHECK(ret == 2, "MIGRATE_INFO_TYPE %ld", (long)ret);
			break;
		case PSCI_SYSTEM_OFF:
		case PSCI_SYSTEM_RESET:
			FUZZ_CHECK(false, "0x%x returned %ld", fid, (long)ret);
			break;
		case PSCI_SYSTEM_RESET2:
		case PSCI_SYSTEM_RESET2_64:
			/* Only a refused reset_type returns: type 0 resets the machine or the VM.
			 */
			FUZZ_CHECK(reset_type && ret == PSCI_RET_INVALID_PARAMETERS,
			           "SYSTEM_RESET2(0x%lx): %ld", (unsigned long)before.a[1],
			           (long)ret);
			break;
		case PSCI_FEATURES:
			FUZZ_CHECK(ret == (psci_implemented((uint32_t)before.a[1]) ? 0 : -1),
			           "PSCI_FEATURES(0x%x): %ld", (uint32_t)before.a[1], (long)ret);
			break;
		}
	}
	return true;
}

/* An off vCPU's pCPU runs its idle loop: it starts the vCPU if CPU_ON asked. */
static void idle_step(struct fuzz_in *in)
{
	unsigned int i = fin_u8(in) % vm.nr_vcpus;
	struct vcpu *v = vcpus[i];
	volatile bool slept = false;

	if (model[i] == VCPU_ON)
		return; /* its pCPU runs the guest */
	run_on(v->pcpu);
	rec.entered = 0;
	if (sigsetjmp(idle_jb, 1) == 0) {
		if (setjmp(entry_jb) == 0)
			vcpu_idle_loop(v);
	} else {
		slept = true;
	}
	if (model[i] == VCPU_OFF) {
		FUZZ_CHECK(slept && !rec.entered, "vcpu%u started while OFF", i);
		return;
	}
	FUZZ_CHECK(!slept && rec.entered == 1, "vcpu%u ON_PENDING but not started", i);
	FUZZ_CHECK(rec.entry_pcpu == v->pcpu, "vcpu%u started on pCPU %u", i, rec.entry_pcpu);
	FUZZ_CHECK(rec.entry_regs.pc == model_entry[i] && rec.entry_regs.x[0] == model_context[i],
	           "vcpu%u started at 0x%lx x0 0x%lx", i, (unsigned long)rec.entry_regs.pc,
	           (unsigned long)rec.entry_regs.x[0]);
	FUZZ_CHECK(rec.entry_regs.cpsr == (PSR_MODE_EL1h | PSR_DAIF), "vcpu%u cpsr 0x%lx", i,
	           (unsigned long)rec.entry_regs.cpsr);
	for (unsigned int r = 1; r < 31; r++)
		FUZZ_CHECK(rec.entry_regs.x[r] == 0, "vcpu%u starts with x%u set", i, r);
	model[i] = VCPU_ON;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sigaction sa;

	(void)argc;
	(void)argv;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigtrap;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTRAP, &sa, NULL);
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		pcpus[i].id = i;
		pcpus[i].mpidr = i;
		pcpus[i].stack_top = (uint64_t)(uintptr_t)&cpu_stacks[i][ARRAY_SIZE(cpu_stacks[i])];
	}
	run_on(0);
	cfg.name = "fuzz";
	cfg.ram_ipa = RAM_IPA;
	cfg.ram_size = RAM_SIZE;
	vm.name = cfg.name;
	vm.cfg = &cfg;
	vm.ram_ipa = RAM_IPA;
	vm.ram_size = RAM_SIZE;
	for (unsigned int i = 0; i < MAX_VCPUS; i++)
		vcpus[i] = vcpu_create(&vm, i, i);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t features[] = {0, 1, -1, -2, 0, -1};
	struct fuzz_in in = {data, size};
	uint8_t shape = fin_u8(&in);

	memset(&rec, 0, sizeof(rec));
	in_call = false;
	vm.nr_vcpus = 1 + (shape & 7);
	cfg.nr_vcpus = vm.nr_vcpus;
	cfg.owns_machine = shape & 8;
	cfg.stats = shape & 64;
	fw_present = !(shape & 16);
	cfg.smc_forward_owners = (shape & 32) ? fin_u64(&in) : 0;
	for (unsigned int i = 0; i < 3; i++)
		fw_features[i] = fw_present ? features[fin_u8(&in) % ARRAY_SIZE(features)] : -1;
	for (unsigned int i = 0; i < MAX_VCPUS; i++) {
		vm.vcpus[i] = i < vm.nr_vcpus ? vcpus[i] : NULL;
		vcpus[i]->power_lock = (spinlock_t)SPINLOCK_INIT;
		vcpus[i]->power = model[i] = i == 0 ? VCPU_ON : VCPU_OFF;
		vcpus[i]->on_entry = vcpus[i]->on_context = 0;
	}
	check_model();
	for (unsigned int steps = 0; fin_left(&in) && steps < 256; steps++) {
		if (fin_u8(&in) & 1) {
			if (!call_step(&in))
				break;
		} else {
			idle_step(&in);
		}
		check_model();
	}
	return 0;
}
