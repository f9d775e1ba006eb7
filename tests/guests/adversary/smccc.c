/*
 * HVC and SMC from a guest that means harm: random function IDs across every
 * owner range, SMC32 and SMC64, garbage in x0[63:32] and every other
 * register, non-zero immediates, yielding calls; and the PSCI calls a guest
 * may make at any time. Each answer is checked against what SMCCC 1.1, PSCI
 * 1.1 and core/psci.c specify, and x4-x17, x18 and x20-x28 must come back
 * as they went in (SMCCC 1.1: the callee writes x0-x3 only).
 */
#include "adv.h"

#define WORKAROUND_1 0x80008000U
#define WORKAROUND_2 0x80007fffU
#define WORKAROUND_3 0x80003fffU

static int64_t workaround_feature[3];

static const struct {
	adv_call_fn fn;
	bool smc;
	unsigned int imm;
} conduits[] = {
    {adv_call_hvc0, false, 0},         {adv_call_smc0, true, 0},
    {adv_call_hvc1, false, 1},         {adv_call_smc1, true, 1},
    {adv_call_hvc1234, false, 0x1234}, {adv_call_smc1234, true, 0x1234},
    {adv_call_hvcffff, false, 0xffff}, {adv_call_smcffff, true, 0xffff},
};

static uint64_t call4(adv_call_fn fn, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t io[ADV_CALL_WORDS] = {fid, a1, a2, a3};

	fn(io);
	return io[0];
}

uint64_t hvc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return call4(adv_call_hvc0, fid, a1, a2, a3);
}

uint64_t smc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return call4(adv_call_smc0, fid, a1, a2, a3);
}

uint64_t psci_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return plat.psci_smc ? smc_call(fid, a1, a2, a3) : hvc_call(fid, a1, a2, a3);
}

void smccc_init(void)
{
	static const uint32_t wa[3] = {WORKAROUND_1, WORKAROUND_2, WORKAROUND_3};

	for (unsigned int i = 0; i < 3; i++)
		workaround_feature[i] = (int64_t)hvc_call(SMCCC_ARCH_FEATURES, wa[i], 0, 0);
}

static int workaround_index(uint32_t fid)
{
	return fid == WORKAROUND_1 ? 0 : fid == WORKAROUND_2 ? 1 : fid == WORKAROUND_3 ? 2 : -1;
}

/* PSCI_FEATURES(@fid): what core/psci.c implements. */
static bool psci_implemented(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_64(PSCI_CPU_SUSPEND):
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_64(PSCI_CPU_ON):
	case PSCI_AFFINITY_INFO:
	case PSCI_64(PSCI_AFFINITY_INFO):
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
	case PSCI_64(PSCI_SYSTEM_RESET2):
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

static bool features_ok(uint32_t fid, int64_t ret)
{
	if (!psci_implemented(fid))
		return ret == RET_NOT_SUPPORTED;
	if (fid == PSCI_CPU_SUSPEND || fid == PSCI_64(PSCI_CPU_SUSPEND))
		return ret >= 0 && ret <= 3; /* feature flags: OS-initiated, extended format */
	return ret == RET_SUCCESS;
}

/* Affinity fields at and above level @level (0-3), as AFFINITY_INFO compares them. */
static uint64_t affinity_mask(uint64_t level)
{
	static const uint64_t masks[] = {0xff00ffffffUL, 0xff00ffff00UL, 0xff00ff0000UL,
	                                 0xff00000000UL};
	return masks[level];
}

/* AFFINITY_INFO(@target, @level): INVALID_PARAMETERS, or one of ON/OFF/ON_PENDING. */
static bool affinity_ok(uint64_t target, uint64_t level, int64_t ret)
{
	uint64_t mask;

	if (level > 3)
		return ret == RET_INVALID_PARAMS;
	mask = affinity_mask(level);
	for (unsigned int i = 0; i < plat.nr_cpus; i++) {
		if ((plat.mpidr[i] & mask) == (target & mask)) {
			/* The caller itself is ON: any level that covers it says ON. */
			if ((this_cpu()->id == i || level > 0))
				return ret == AFF_ON || (level == 0 && ret >= 0 && ret <= 2);
			return ret >= 0 && ret <= 2;
		}
	}
	return ret == RET_INVALID_PARAMS;
}

/*
 * Make the arguments of a PSCI call harmless (it must not turn us off, start
 * a vCPU at a random address or end the run) but keep them hostile.
 */
static void psci_defuse(uint64_t *io, uint32_t fid, uint64_t *r)
{
	unsigned int fn = fid & 0x1f;
	bool is64 = fid & 0x40000000U;

	if (fn == 0x02 && !is64) /* CPU_OFF */
		io[0] = (io[0] & ~0xffffffffUL) | PSCI_VERSION;
	if (fn == 0x03) /* CPU_ON: an MPIDR with Aff2 set names no vCPU */
		io[1] |= 0x00ff0000UL;
	if ((fn == 0x08 || fn == 0x09) && !is64) /* SYSTEM_OFF, SYSTEM_RESET */
		io[0] = (io[0] & ~0xffffffffUL) | PSCI_MIGRATE_INFO_TYPE;
	if (fn == 0x12 && !(uint32_t)io[1]) /* SYSTEM_RESET2(SYSTEM_WARM_RESET) */
		io[1] |= 1 + (rng_next(r) & 0x7fffffff);
}

/* Is @ret the specified answer to the PSCI call in @io (x0 already W0)? Sets *why. */
static bool psci_ok(const uint64_t *in, int64_t ret, const char **why)
{
	uint32_t fid = (uint32_t)in[0];
	unsigned int fn = fid & 0x1f;
	bool is64 = fid & 0x40000000U;
	uint64_t a1 = is64 ? in[1] : (uint32_t)in[1], a2 = is64 ? in[2] : (uint32_t)in[2];

	*why = "PSCI";
	if ((fid & 0xbfffffe0U) != 0x84000000U)
		return ret == RET_NOT_SUPPORTED;
	switch (fn) {
	case 0x00:
		*why = "PSCI_VERSION";
		return is64 ? ret == RET_NOT_SUPPORTED : ret == 0x10001;
	case 0x01:
		/* power_state (32 bits in both forms): reserved bits 31:26, 23:17 refuse it. */
		*why = "CPU_SUSPEND";
		return ret == (((uint32_t)in[1] & ~0x0301ffffU) ? RET_INVALID_PARAMS : RET_SUCCESS);
	case 0x03:
		*why = "CPU_ON of no vCPU";
		return ret == RET_INVALID_PARAMS;
	case 0x04:
		*why = "AFFINITY_INFO";
		return affinity_ok(a1, a2, ret);
	case 0x06:
		*why = "MIGRATE_INFO_TYPE";
		return is64 ? ret == RET_NOT_SUPPORTED : ret == 2;
	case 0x0a:
		*why = "PSCI_FEATURES";
		return is64 ? ret == RET_NOT_SUPPORTED : features_ok((uint32_t)in[1], ret);
	case 0x12:
		*why = "SYSTEM_RESET2 (not a warm reset)";
		return (a1 & 0x80000000UL) ? ret == RET_NOT_SUPPORTED || ret == RET_INVALID_PARAMS
		                           : ret == RET_INVALID_PARAMS;
	default:
		*why = "unimplemented PSCI function";
		return ret == RET_NOT_SUPPORTED;
	}
}

/* The specified x0 for the call in @in over @conduit; false if any answer will do. */
static bool expected_x0(const uint64_t *in, unsigned int conduit, int64_t ret, const char **why)
{
	uint32_t fid = (uint32_t)in[0];
	unsigned int owner = (fid >> 24) & 0x3f;
	int wa;

	*why = "unknown function";
	if (conduits[conduit].imm) {
		*why = "non-zero immediate";
		return ret == RET_NOT_SUPPORTED;
	}
	if (!(fid & 0x80000000U)) {
		*why = "yielding call";
		return ret == RET_NOT_SUPPORTED;
	}
	if (owner == 0) {
		if (fid == SMCCC_VERSION) {
			*why = "SMCCC_VERSION";
			return ret == 0x10001;
		}
		if (fid == SMCCC_ARCH_FEATURES) {
			uint32_t q = (uint32_t)in[1];

			*why = "SMCCC_ARCH_FEATURES";
			if (q == SMCCC_VERSION || q == SMCCC_ARCH_FEATURES)
				return ret == RET_SUCCESS;
			wa = workaround_index(q);
			if (wa >= 0)
				return ret == workaround_feature[wa];
			return ret == RET_NOT_SUPPORTED;
		}
		wa = workaround_index(fid);
		if (wa >= 0 && workaround_feature[wa] >= 0)
			return true; /* the mitigation runs in EL3: its answer */
		return ret == RET_NOT_SUPPORTED;
	}
	if (owner == 4)
		return psci_ok(in, ret, why);
	/* The hypervisor's own calls (core/hypsvc.h); this VM shares no memory, so no doorbell. */
	if (fid == 0x8600ff01U) {
		*why = "hypervisor UID";
		return ret == 0x8c2e41d6;
	}
	if (fid == 0x8600ff03U) {
		*why = "hypervisor revision";
		return ret == 1;
	}
	if (fid == 0x86000001U) {
		*why = "doorbell of a region this VM does not have";
		return ret == -3;
	}
	if (fid == 0x86000002U) {
		*why = "statistics of a VM not allowed to ask (no hyp,stats)";
		return ret == RET_NOT_SUPPORTED;
	}
	return ret == RET_NOT_SUPPORTED;
}

static const uint32_t owner_bases[] = {
    0x80000000U, 0x81000000U, 0x82000000U, 0x83000000U, 0x84000000U, 0x85000000U, 0x86000000U,
    0x87000000U, 0xaf000000U, 0xb0000000U, 0xb1000000U, 0xb2000000U, 0xbf000000U,
};

static uint32_t random_fid(uint64_t *r)
{
	uint64_t x = rng_next(r);
	uint32_t fid;

	switch (x & 7) {
	case 0: /* the PSCI range, any number */
		fid = 0x84000000U | (uint32_t)((x >> 8) & 0x1f);
		break;
	case 1: /* the Arm architecture calls */
		fid = (x >> 8) & 1 ? SMCCC_VERSION + (uint32_t)((x >> 9) & 3)
		                   : (uint32_t[]){WORKAROUND_1, WORKAROUND_2, WORKAROUND_3,
		                                  0x80000003U}[(x >> 9) & 3];
		break;
	case 2: /* any owner, low numbers */
		fid =
		    owner_bases[(x >> 8) % ARRAY_SIZE(owner_bases)] | (uint32_t)((x >> 16) & 0xff);
		break;
	case 3: /* anything */
		fid = (uint32_t)(x >> 16);
		break;
	default: /* any owner, any number */
		fid = 0x80000000U | ((uint32_t)(x >> 8) & 0x3f000000U) |
		      (uint32_t)((x >> 32) & 0xffff);
		break;
	}
	if (x & (1UL << 60))
		fid |= 0x40000000U; /* SMC64 */
	if (!(x & (15UL << 56)))
		fid &= ~0x80000000U; /* yielding */
	return fid;
}

static void check_call(struct adv_cpu *c, unsigned int conduit, uint64_t *in)
{
	uint64_t io[ADV_CALL_WORDS];
	uint64_t before = c->unexpected;
	const char *why;

	for (unsigned int i = 0; i < ADV_CALL_WORDS; i++)
		io[i] = in[i];
	conduits[conduit].fn(io);
	CHECK(c->unexpected == before, "%s #0x%x fid 0x%lx raised an exception",
	      conduits[conduit].smc ? "SMC" : "HVC", conduits[conduit].imm, in[0]);
	/* The function ID is W0; x0[63:32] must not change the answer. */
	in[0] = (uint32_t)in[0];
	CHECK(expected_x0(in, conduit, (int64_t)io[0], &why),
	      "%s #0x%x fid 0x%lx (%s) x1 0x%lx x2 0x%lx: x0 = 0x%lx",
	      conduits[conduit].smc ? "SMC" : "HVC", conduits[conduit].imm, in[0], why, in[1],
	      in[2], io[0]);
	for (unsigned int i = 4; i <= 28; i++) {
		if (i == 19)
			continue;
		CHECK(io[i] == in[i], "%s fid 0x%lx changed x%u: 0x%lx -> 0x%lx",
		      conduits[conduit].smc ? "SMC" : "HVC", in[0], i, in[i], io[i]);
	}
}

static void random_regs(uint64_t *r, uint64_t *io)
{
	for (unsigned int i = 0; i < ADV_CALL_WORDS; i++)
		io[i] = rng_next(r);
}

void op_smccc(struct adv_cpu *c)
{
	uint64_t io[ADV_CALL_WORDS];
	uint64_t x = rng_next(&c->rng);
	unsigned int conduit =
	    (x & 0xf0) ? (x & 1) : (unsigned int)((x >> 1) % ARRAY_SIZE(conduits));
	uint32_t fid = random_fid(&c->rng);

	c->op_class = "smccc";
	random_regs(&c->rng, io);
	if (x & 0x100)
		io[0] = ((uint64_t)(uint32_t)io[0] << 32) | fid; /* garbage above W0 */
	else
		io[0] = fid;
	if ((fid & 0xbfffffe0U) == 0x84000000U)
		psci_defuse(io, fid, &c->rng);
	check_call(c, conduit, io);
}

/* --- PSCI with hostile arguments --- */

/* QEMU virt: flash, GICD, PL011; the top of the address space, past 48 and 52 bits. */
static const uint64_t bad_entries_fixed[] = {
    0x0, 0x1000, 0x08000000, 0x09000000, 0xfffffffffffffffcUL, 1UL << 48, 1UL << 52,
};

/* An entry point CPU_ON must refuse with INVALID_ADDRESS. */
static uint64_t bad_entry(uint64_t *r)
{
	uint64_t x = rng_next(r);

	switch (x & 3) {
	case 0: {
		/* Device space and holes on QEMU virt; on another board some are RAM. */
		uint64_t e = bad_entries_fixed[(x >> 8) % ARRAY_SIZE(bad_entries_fixed)];

		if (!(e & 3) && e >= plat.ram_base && e - plat.ram_base < plat.ram_size)
			return plat.ram_base + plat.ram_size + (e & 0xffff);
		return e;
	}
	case 1: /* unaligned, in RAM */
		return plat.ram_base + ((x >> 8) % plat.ram_size & ~3UL) + 1 + ((x >> 40) % 3);
	case 2: /* just past RAM, or the last bytes of it */
		return plat.ram_base + plat.ram_size + (((x >> 8) & 0xff) << 2) -
		       ((x >> 20) & 1 ? 2 : 0);
	default: /* below RAM, or far above */
		if ((x >> 8) & 1 && plat.ram_base >= 0x1000)
			return plat.ram_base - 4 - ((x >> 12) % (plat.ram_base - 4) & ~3UL);
		return plat.ram_base + plat.ram_size + (x >> 16);
	}
}

void op_psci(struct adv_cpu *c)
{
	uint64_t io[ADV_CALL_WORDS];
	uint64_t x = rng_next(&c->rng);
	unsigned int conduit = x & 1, n = plat.nr_cpus;
	bool is64 = x & 2;
	int64_t ret;

	c->op_class = "psci";
	random_regs(&c->rng, io);
	switch ((x >> 2) % 8) {
	case 0: /* PSCI_FEATURES of every function of the range */
		io[0] = PSCI_FEATURES;
		io[1] = (is64 ? 0xc4000000UL : 0x84000000UL) | ((x >> 8) & 0x1f) |
		        ((x >> 13) & 1 ? io[1] << 32 : 0);
		check_call(c, conduit, io);
		break;
	case 1: /* AFFINITY_INFO: valid targets at any level, invalid levels, garbage */
		io[0] = is64 ? PSCI_64(PSCI_AFFINITY_INFO) : PSCI_AFFINITY_INFO;
		if ((x >> 8) & 1) {
			io[1] = plat.mpidr[(x >> 9) % n] | ((x >> 12) & 1 ? 0x80000000UL : 0);
			io[2] = (x >> 16) % 6;
		}
		check_call(c, conduit, io);
		break;
	case 2: /* CPU_ON of an MPIDR that names no vCPU */
		io[0] = is64 ? PSCI_64(PSCI_CPU_ON) : PSCI_CPU_ON;
		io[1] = (x >> 8) & 1 ? (plat.mpidr[0] & ~0xffUL) | (n + ((x >> 9) % (256 - n)))
		                     : plat.mpidr[(x >> 9) % n] |
		                           (((x >> 20) & 3) + 1) << (8 * (1 + ((x >> 24) % 2)));
		/* Aff3 (bits 39:32) exists only in the SMC64 form: SMC32 passes W1. */
		if (is64 && (x >> 26) & 1)
			io[1] = plat.mpidr[(x >> 9) % n] | (((x >> 27) & 0xff) | 1) << 32;
		io[2] = plat.ram_base + 0x200000;
		ret = (int64_t)psci_call(io[0], io[1], io[2], io[3]);
		CHECK(ret == RET_INVALID_PARAMS, "CPU_ON(0x%lx) of no vCPU returned %ld", io[1],
		      ret);
		break;
	case 3: /* CPU_ON with an entry point outside RAM or unaligned */
		io[0] = is64 ? PSCI_64(PSCI_CPU_ON) : PSCI_CPU_ON;
		io[1] = plat.mpidr[(x >> 8) % n];
		io[2] = bad_entry(&c->rng);
		if (!is64 && (uint32_t)io[2] >= plat.ram_base &&
		    (uint32_t)io[2] < plat.ram_base + plat.ram_size && !((uint32_t)io[2] & 3))
			io[2] = 1; /* SMC32 sees W2 only: keep it outside */
		ret = (int64_t)psci_call(io[0], io[1], io[2], 0);
		CHECK(ret == RET_INVALID_ADDR,
		      "CPU_ON(0x%lx, entry 0x%lx)%s returned %ld, expected -9", io[1], io[2],
		      is64 ? "" : " (SMC32)", ret);
		break;
	case 4: /* CPU_ON of ourselves, and of vCPU 0 (always on) */
		io[1] = (x >> 8) & 1 ? plat.mpidr[c->id] : plat.mpidr[0];
		ret = (int64_t)psci_call(is64 ? PSCI_64(PSCI_CPU_ON) : PSCI_CPU_ON, io[1],
		                         plat.ram_base + 0x200000, 0);
		CHECK(ret == RET_ALREADY_ON, "CPU_ON(0x%lx) of a running vCPU returned %ld", io[1],
		      ret);
		break;
	case 5: /* CPU_SUSPEND with every power_state shape */
		io[0] = is64 ? PSCI_64(PSCI_CPU_SUSPEND) : PSCI_CPU_SUSPEND;
		switch ((x >> 8) & 3) {
		case 0:
			io[1] = (x >> 10) & 0xffff; /* standby, StateID */
			break;
		case 1:
			io[1] = (1UL << 16) | ((x >> 10) & 3) << 24 |
			        ((x >> 12) & 0xffff); /* powerdown */
			break;
		default:
			break; /* garbage */
		}
		io[2] = plat.ram_base + 0x200000;
		check_call(c, conduit, io);
		break;
	case 6: /* SYSTEM_RESET2 with vendor and reserved types: refused, no reset */
		io[0] = is64 ? PSCI_64(PSCI_SYSTEM_RESET2) : PSCI_SYSTEM_RESET2;
		io[1] = (x >> 8) & 1 ? 0x80000000UL | (uint32_t)(x >> 16)
		                     : 1 + ((x >> 16) & 0x7ffffffe);
		check_call(c, conduit, io);
		break;
	default: /* PSCI_VERSION, MIGRATE_INFO_TYPE, SMCCC_VERSION */
		io[0] =
		    (uint32_t[]){PSCI_VERSION, PSCI_MIGRATE_INFO_TYPE, SMCCC_VERSION}[(x >> 8) % 3];
		check_call(c, conduit, io);
		break;
	}
}

/* Every ID of both PSCI ranges, over both conduits. */
void psci_features_sweep(struct adv_cpu *c);
void psci_features_sweep(struct adv_cpu *c)
{
	c->op_class = "psci-features";
	for (unsigned int conduit = 0; conduit < 2; conduit++) {
		for (unsigned int range = 0; range < 2; range++) {
			for (uint32_t n = 0; n < 0x20; n++) {
				uint64_t io[ADV_CALL_WORDS] = {
				    PSCI_FEATURES, (range ? 0xc4000000U : 0x84000000U) + n};

				check_call(c, conduit, io);
			}
		}
	}
}
