/*
 * The GICv2 virtual distributor (vgic/vgic_v2.c, over vgic/vgic.c and
 * vgic/vgic_mmio.c) on the host, reached only the way a guest reaches it:
 * vgic_v2_init() registers its GICD handler through vm_register_mmio() (a
 * stub here, which captures it) and the test calls that handler with a
 * struct mmio_access as the data abort handler would, on the pCPU of the
 * accessing vCPU. pt_map() is a stub that records the GICV mapping.
 *
 * The GIC driver is a fake, as in test_vgic.c: each pCPU has its own list
 * registers (4), and SGIs (kicks), deactivations and SPI routing are recorded.
 *
 * One fake VM: 4 vCPUs on pCPUs 0-3, vGICv2, distributor off until a test
 * writes GICD_CTLR. Every test runs under alarm(): a deadlock (the handler
 * holds the VM's vGIC lock while it emulates) fails the run instead of hanging.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/pagetable.h"
#include "core/percpu.h"
#include "core/vm.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic.h"
#include "fake_gic.h"
#include "vgic/vgic_mmio.h"
#include "vgic/vgic_v2.h"

#define NR_TEST_VCPUS 4
#define NR_LRS        4
#define DEADLOCK_SECS 5

#define GICD_IPA 0x08000000UL
#define GICC_IPA 0x08010000UL
#define GICV_PA  0x08040000UL

/* GICv2-only distributor registers (vgic_mmio.h has the shared ones). */
#define V2_CPENDSGIR 0xf10
#define V2_SPENDSGIR 0xf20
#define V2_PIDR2     0xfe8

#define SGIR(filter, targets, intid) \
	(((uint32_t)(filter) << 24) | ((uint32_t)(targets) << 16) | (uint32_t)(intid))

/* The fake machine ------------------------------------------------------- */

_Thread_local unsigned long unit_tpidr_el2; /* this thread's pCPU (arm64_asm_shim.h) */
struct pcpu pcpus[NR_CPUS];
unsigned int nr_pcpus = NR_CPUS;

static struct vm vm;
static struct vcpu vcpu_store[NR_TEST_VCPUS];
static struct vcpu *vcpus[NR_TEST_VCPUS];

/* What vgic_v2_init() asked of vm_register_mmio() and pt_map(). */
static struct {
	unsigned int calls;
	struct vm *vm;
	uint64_t base, size;
	mmio_handler_fn handler;
	void *priv;
} reg_mmio;

static struct {
	unsigned int calls;
	struct pagetable *pt;
	uint64_t va, pa, size, attrs;
	int ret;
} map;

/* Stubs: core/vm.c, arch/arm64/pagetable.c, core/printf.c, core/lib.c -------- */

void vm_register_mmio(struct vm *v, uint64_t base, uint64_t size, mmio_handler_fn handler,
                      void *priv)
{
	reg_mmio.calls++;
	reg_mmio.vm = v;
	reg_mmio.base = base;
	reg_mmio.size = size;
	reg_mmio.handler = handler;
	reg_mmio.priv = priv;
}

int pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs)
{
	map.calls++;
	map.pt = pt;
	map.va = va;
	map.pa = pa;
	map.size = size;
	map.attrs = attrs;
	return map.ret;
}

/* Deadlock guard -------------------------------------------------------------- */

static void on_alarm(int sig)
{
	static const char msg[] = "test_vgic_v2: timed out: deadlock in the GICD emulation?\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* Fixture ------------------------------------------------------------------ */

static void vm_init(void)
{
	memset(&vm, 0, sizeof(vm));
	memset(vcpu_store, 0, sizeof(vcpu_store));
	memset(&reg_mmio, 0, sizeof(reg_mmio));
	for (unsigned int i = 0; i < NR_CPUS; i++)
		pcpus[i] = (struct pcpu){.id = i, .mpidr = i, .online = true};
	vm.name = "test";
	vm.vgic.lock = (spinlock_t)SPINLOCK_INIT;
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		vcpus[i] = &vcpu_store[i];
		*vcpus[i] = (struct vcpu){
		    .id = i,
		    .vm = &vm,
		    .vmpidr = BIT(31) | i,
		    .pcpu = i,
		    .power = VCPU_ON,
		};
		vm.vcpus[i] = vcpus[i];
		pcpus[i].vcpu = vcpus[i];
	}
	vm.nr_vcpus = NR_TEST_VCPUS;
	run_on(0);
	vgic_dist_init(&vm, 2, NR_LRS);
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++)
		vgic_cpu_reset(vcpus[i]);
}

static int setup(void **state)
{
	(void)state;
	signal(SIGALRM, on_alarm);
	alarm(DEADLOCK_SECS);
	memset(lrs, 0, sizeof(lrs));
	memset(&map, 0, sizeof(map));
	panic_jb_armed = false;
	vm_init();
	vgic_v2_init(&vm, GICD_IPA, GICC_IPA, GICV_PA);
	assert_int_equal(reg_mmio.calls, 1);
	assert_non_null(reg_mmio.handler);
	memset(&rec, 0, sizeof(rec));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	alarm(0);
	return 0;
}

/* Helpers ------------------------------------------------------------------ */

static struct vgic_irq *irq_of(unsigned int vcpu, uint32_t intid)
{
	struct vgic_irq *irq = vgic_get_irq(vcpus[vcpu], intid);

	assert_non_null(irq);
	return irq;
}

static bool lock_free(void)
{
	return !spin_is_locked(&vm.vgic.lock);
}

/* A guest access to its GICD at @offset, trapped on @v's pCPU; returns what it read. */
static uint64_t gicd(struct vcpu *v, uint32_t offset, unsigned int size, bool write, uint64_t val)
{
	struct mmio_access acc = {
	    .ipa = GICD_IPA + offset,
	    .size = size,
	    .write = write,
	    .data = write ? val : 0xdeadbeefdeadbeefUL,
	};
	unsigned long caller = unit_tpidr_el2;

	assert_true(acc.ipa >= reg_mmio.base && acc.ipa - reg_mmio.base < reg_mmio.size);
	run_on(v->pcpu);
	/* Emulated MMIO accesses always complete: refused ones are logged. */
	assert_true(reg_mmio.handler(v, &acc, reg_mmio.priv));
	unit_tpidr_el2 = caller;
	assert_true(lock_free());
	return write ? 0 : acc.data;
}

static uint64_t rd(unsigned int vcpu, uint32_t offset, unsigned int size)
{
	return gicd(vcpus[vcpu], offset, size, false, 0);
}

static void wr(unsigned int vcpu, uint32_t offset, unsigned int size, uint64_t val)
{
	gicd(vcpus[vcpu], offset, size, true, val);
}

static bool on_ap_list(unsigned int vcpu, const struct vgic_irq *irq)
{
	const struct vgic_cpu *c = &vcpus[vcpu]->vgic;

	for (unsigned int i = 0; i < c->nr_ap; i++) {
		if (c->ap_list[i] == irq)
			return true;
	}
	return false;
}

/* Before entering @v, on its pCPU. */
static void sync(struct vcpu *v)
{
	unsigned long caller = unit_tpidr_el2;

	run_on(v->pcpu);
	vgic_sync_lrs(v);
	unit_tpidr_el2 = caller;
	assert_true(lock_free());
}

/* The list register of @v's pCPU holding @intid. */
static struct gic_lr *lr_for(const struct vcpu *v, uint32_t intid)
{
	for (unsigned int i = 0; i < NR_LRS; i++) {
		struct gic_lr *lr = &lrs[v->pcpu][i];

		if (lr->state && lr->virq == intid)
			return lr;
	}
	fail_msg("INTID %u in no list register of vCPU %u", intid, v->id);
	return NULL;
}

/* The list register of @v's pCPU holding @intid, or -1. */
static int lr_of(const struct vcpu *v, uint32_t intid)
{
	for (unsigned int i = 0; i < NR_LRS; i++) {
		if (lrs[v->pcpu][i].state && lrs[v->pcpu][i].virq == intid)
			return (int)i;
	}
	return -1;
}

/* The guest acknowledges and EOIs @intid. */
static void guest_complete(const struct vcpu *v, uint32_t intid)
{
	struct gic_lr *lr = lr_for(v, intid);

	assert_int_equal(lr->state & GIC_LR_PENDING, GIC_LR_PENDING);
	lr->state = 0;
}

static unsigned int nr_valid_lrs(const struct vcpu *v)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_LRS; i++)
		n += lrs[v->pcpu][i].state != 0;
	return n;
}

static unsigned int total_kicks(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_CPUS; i++)
		n += rec.kicks[i];
	return n;
}

/* Every interrupt state of the VM, to check that an access changed nothing. */
struct snapshot {
	struct vgic_dist dist;
	struct vgic_cpu cpu[NR_TEST_VCPUS];
};

static void snap(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->dist = vm.vgic;
	s->dist.lock = (spinlock_t)SPINLOCK_INIT; /* taken and released by every access */
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		s->cpu[i] = vcpus[i]->vgic;
		/* A write may ask a vCPU for a sync: a request, not a state. */
		s->cpu[i].need_sync = false;
	}
}

static void assert_unchanged(const struct snapshot *before)
{
	struct snapshot now;

	snap(&now);
	assert_memory_equal(&now.dist, &before->dist, sizeof(now.dist));
	assert_memory_equal(now.cpu, before->cpu, sizeof(now.cpu));
}

/* Distributor on; SGI/PPI @intid enabled on every vCPU (through each one's bank). */
static void enable_private_everywhere(uint32_t intid)
{
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++)
		wr(i, GICD_ISENABLER, 4, BIT(intid));
}

/* Initialisation ----------------------------------------------------------- */

static void test_init_registers_gicd_and_maps_gicv(void **state)
{
	(void)state;
	assert_ptr_equal(reg_mmio.vm, &vm);
	assert_int_equal(reg_mmio.base, GICD_IPA);
	assert_int_equal(reg_mmio.size, VGIC_V2_GICD_SIZE);
	assert_int_equal(reg_mmio.size, 0x1000);
	assert_null(reg_mmio.priv);
	assert_int_equal(vm.vgic.gicd_base, GICD_IPA);
	assert_int_equal(vm.vgic.gicc_base, GICC_IPA);

	/* The guest's GICC is the hardware's GICV frame, as device memory. */
	assert_int_equal(map.calls, 1);
	assert_ptr_equal(map.pt, &vm.s2);
	assert_int_equal(map.va, GICC_IPA);
	assert_int_equal(map.pa, GICV_PA);
	assert_int_equal(map.size, 0x2000);
	assert_int_equal(map.attrs & (0xfUL << 2), S2_MEMATTR_DEVICE_nGnRE);
	assert_int_equal(map.attrs & S2_AP_RW, S2_AP_RW);
	assert_int_equal(map.attrs & S2_XN, S2_XN);
	assert_int_equal(map.attrs, S2_MEMATTR_DEVICE_nGnRE | S2_AP_RW | S2_XN | PTE_SH_INNER);
	assert_int_equal(rec.panics, 0);
}

static void test_init_map_failure_panics(void **state)
{
	volatile bool panicked = false;

	(void)state;
	vm_init();
	map.ret = -1;
	panic_jb_armed = true;
	if (setjmp(panic_jb) == 0)
		vgic_v2_init(&vm, GICD_IPA, GICC_IPA, GICV_PA);
	else
		panicked = true;
	panic_jb_armed = false;
	assert_true(panicked);
	assert_int_equal(rec.panics, 1);
}

/* Identification and control --------------------------------------------------- */

static void test_ctlr(void **state)
{
	struct vgic_irq *irq = irq_of(0, 40);

	(void)state;
	assert_int_equal(rd(0, GICD_CTLR, 4), 0);
	assert_int_equal(vm.vgic.grp_en, 0);

	wr(0, GICD_CTLR, 4, 1);
	assert_int_equal(vm.vgic.grp_en, VGIC_GRP0_EN);
	assert_int_equal(rd(0, GICD_CTLR, 4), 1);
	assert_int_equal(rd(3, GICD_CTLR, 4), 1); /* not banked */
	wr(2, GICD_CTLR, 4, 0);
	assert_int_equal(vm.vgic.grp_en, 0);
	assert_int_equal(rd(0, GICD_CTLR, 4), 0);
	/* Each group has its own enable; the other bits read as zero. */
	wr(0, GICD_CTLR, 4, 2);
	assert_int_equal(vm.vgic.grp_en, VGIC_GRP1_EN);
	assert_int_equal(rd(0, GICD_CTLR, 4), 2);
	wr(0, GICD_CTLR, 4, 0xffffffff);
	assert_int_equal(rd(0, GICD_CTLR, 4), 3);
	wr(0, GICD_CTLR, 4, 0xfffffffc);
	assert_int_equal(vm.vgic.grp_en, 0);
	assert_int_equal(rd(0, GICD_CTLR, 4), 0);

	/* Pending and enabled while the distributor is off: queued when it comes on. */
	wr(0, GICD_ISENABLER + 4, 4, BIT(40 - 32));
	wr(0, GICD_ISPENDR + 4, 4, BIT(40 - 32));
	assert_true(irq->pending && irq->enabled);
	assert_false(irq->queued);
	wr(1, GICD_CTLR, 4, 1);
	assert_true(on_ap_list(0, irq));
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 40)->state, GIC_LR_PENDING);
	assert_int_equal(rec.unhandled, 0);
}

static void test_typer_iidr_pidr2(void **state)
{
	uint64_t typer;

	(void)state;
	typer = rd(0, GICD_TYPER, 4);
	assert_int_equal(typer & 0x1f, VGIC_NR_IRQS / 32 - 1); /* ITLinesNumber */
	assert_int_equal((typer >> 5) & 7, NR_TEST_VCPUS - 1); /* CPUNumber */
	assert_int_equal(typer, 0x67);
	assert_int_equal(rd(3, GICD_TYPER, 4), typer);
	/* Read-only. */
	wr(0, GICD_TYPER, 4, 0);
	assert_int_equal(rd(0, GICD_TYPER, 4), typer);

	assert_int_equal(rd(0, GICD_IIDR, 4), 0x0100043b);
	assert_int_equal(rd(0, GICD_IIDR, 4) & 0xfff, 0x43b); /* Arm */
	wr(0, GICD_IIDR, 4, 0);
	assert_int_equal(rd(1, GICD_IIDR, 4), 0x0100043b);

	assert_int_equal(rd(0, V2_PIDR2, 4), 0x2b);
	assert_int_equal((rd(2, V2_PIDR2, 4) >> 4) & 0xf, 2); /* ArchRev: GICv2 */
	wr(0, V2_PIDR2, 4, 0);
	assert_int_equal(rd(0, V2_PIDR2, 4), 0x2b);
	assert_int_equal(rec.unhandled, 0);

	/* CPUNumber follows the VM's vCPU count. */
	vm.nr_vcpus = 1;
	assert_int_equal((rd(0, GICD_TYPER, 4) >> 5) & 7, 0);
	vm.nr_vcpus = 2;
	assert_int_equal((rd(0, GICD_TYPER, 4) >> 5) & 7, 1);
	vm.nr_vcpus = NR_TEST_VCPUS;
}

/* Banked (private) and shared (SPI) registers ------------------------------------ */

static void test_isenabler0_banked(void **state)
{
	(void)state;
	wr(1, GICD_ISENABLER, 4, 0x0001ffff); /* SGIs and PPI 16 */
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
		assert_int_equal(irq_of(1, i)->enabled, i <= 16);
		assert_false(irq_of(0, i)->enabled);
		assert_false(irq_of(2, i)->enabled);
		assert_false(irq_of(3, i)->enabled);
	}
	assert_int_equal(rd(1, GICD_ISENABLER, 4), 0x0001ffff);
	assert_int_equal(rd(1, GICD_ICENABLER, 4), 0x0001ffff);
	assert_int_equal(rd(0, GICD_ISENABLER, 4), 0);
	assert_int_equal(rd(2, GICD_ISENABLER, 4), 0);
	assert_int_equal(rd(3, GICD_ICENABLER, 4), 0);

	wr(3, GICD_ISENABLER, 4, 0x80000000);
	assert_int_equal(rd(3, GICD_ISENABLER, 4), 0x80000000);
	assert_int_equal(rd(1, GICD_ISENABLER, 4), 0x0001ffff);

	/* ICENABLER0 is banked too. */
	wr(0, GICD_ICENABLER, 4, 0xffffffff);
	assert_int_equal(rd(1, GICD_ISENABLER, 4), 0x0001ffff);
	wr(1, GICD_ICENABLER, 4, 0x00000003);
	assert_int_equal(rd(1, GICD_ISENABLER, 4), 0x0001fffc);
	assert_int_equal(rd(3, GICD_ISENABLER, 4), 0x80000000);
	/* Private enables leave the SPIs alone. */
	for (uint32_t i = 32; i < VGIC_NR_IRQS; i++)
		assert_false(irq_of(0, i)->enabled);
}

static void test_ipriorityr_private_banked(void **state)
{
	(void)state;
	wr(2, GICD_IPRIORITYR + 5, 1, 0x80);
	assert_int_equal(irq_of(2, 5)->priority, 0x80);
	assert_int_equal(irq_of(2, 4)->priority, 0);
	assert_int_equal(irq_of(2, 6)->priority, 0);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		if (v != 2)
			assert_int_equal(irq_of(v, 5)->priority, 0);
	}
	assert_int_equal(rd(2, GICD_IPRIORITYR + 5, 1), 0x80);
	assert_int_equal(rd(2, GICD_IPRIORITYR + 4, 4), 0x8000);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 5, 1), 0);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 4, 4), 0);

	/* Word writes to all eight private words, different per vCPU. */
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t w = 0; w < 8; w++)
			wr(v, GICD_IPRIORITYR + 4 * w, 4, 0x01010101u * (0x10 * v + w));
	}
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t w = 0; w < 8; w++) {
			assert_int_equal(rd(v, GICD_IPRIORITYR + 4 * w, 4),
			                 0x01010101u * (0x10 * v + w));
			for (uint32_t b = 0; b < 4; b++) {
				assert_int_equal(irq_of(v, 4 * w + b)->priority, 0x10 * v + w);
				assert_int_equal(rd(v, GICD_IPRIORITYR + 4 * w + b, 1),
				                 0x10 * v + w);
			}
		}
	}
	/* The SPIs after them are untouched. */
	assert_int_equal(rd(0, GICD_IPRIORITYR + 32, 4), 0);
}

static void test_icfgr_banked_sgis_edge(void **state)
{
	(void)state;
	/* SGIs are always edge: ICFGR0 reads 0b10 per field and ignores writes. */
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++)
		assert_int_equal(rd(v, GICD_ICFGR, 4), 0xaaaaaaaa);
	wr(1, GICD_ICFGR, 4, 0);
	wr(2, GICD_ICFGR, 4, 0x55555555);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		assert_int_equal(rd(v, GICD_ICFGR, 4), 0xaaaaaaaa);
		for (uint32_t i = 0; i < GIC_NR_SGIS; i++)
			assert_true(irq_of(v, i)->edge);
	}

	/* ICFGR1 (PPIs): level until configured, per vCPU. */
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++)
		assert_int_equal(rd(v, GICD_ICFGR + 4, 4), 0);
	wr(1, GICD_ICFGR + 4, 4, 0xffffffff);
	assert_int_equal(rd(1, GICD_ICFGR + 4, 4), 0xaaaaaaaa);
	assert_int_equal(rd(0, GICD_ICFGR + 4, 4), 0);
	assert_int_equal(rd(2, GICD_ICFGR + 4, 4), 0);
	assert_int_equal(rd(3, GICD_ICFGR + 4, 4), 0);
	for (uint32_t i = 16; i < 32; i++) {
		assert_true(irq_of(1, i)->edge);
		assert_false(irq_of(0, i)->edge);
		assert_false(irq_of(3, i)->edge);
	}
	wr(3, GICD_ICFGR + 4, 4, 0x80000000); /* PPI 31 edge on vCPU 3 */
	assert_int_equal(rd(3, GICD_ICFGR + 4, 4), 0x80000000);
	assert_true(irq_of(3, 31)->edge);
	assert_false(irq_of(3, 30)->edge);
	assert_int_equal(rd(1, GICD_ICFGR + 4, 4), 0xaaaaaaaa);
}

static void test_spi_registers_shared(void **state)
{
	(void)state;
	wr(0, GICD_ISENABLER + 4, 4, 0x00000f00); /* SPIs 40-43 */
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		assert_int_equal(rd(v, GICD_ISENABLER + 4, 4), 0x00000f00);
		assert_int_equal(rd(v, GICD_ICENABLER + 4, 4), 0x00000f00);
	}
	assert_true(irq_of(2, 40)->enabled);
	assert_ptr_equal(irq_of(2, 40), irq_of(0, 40));
	wr(3, GICD_ICENABLER + 4, 4, 0x00000300);
	assert_int_equal(rd(2, GICD_ISENABLER + 4, 4), 0x00000c00);
	assert_int_equal(rd(0, GICD_ISENABLER + 4, 4), 0x00000c00);

	/* Priority and configuration of SPIs: shared as well. */
	wr(1, GICD_IPRIORITYR + 64, 4, 0xa0b0c0d0);
	assert_int_equal(rd(3, GICD_IPRIORITYR + 64, 4), 0xa0b0c0d0);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 66, 1), 0xb0);
	wr(2, GICD_ICFGR + 8, 4, 0x2);
	assert_int_equal(rd(0, GICD_ICFGR + 8, 4), 0x2);
	assert_true(irq_of(1, 32)->edge);
	/* The private words are still everyone's own. */
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++)
		assert_int_equal(rd(v, GICD_ISENABLER, 4), 0);
}

/* Access sizes ----------------------------------------------------------------- */

static void test_ipriorityr_byte_and_word(void **state)
{
	(void)state;
	wr(0, GICD_IPRIORITYR + 41, 1, 0xc8);
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++)
		assert_int_equal(irq_of(0, i)->priority, i == 41 ? 0xc8 : 0);
	assert_int_equal(rd(2, GICD_IPRIORITYR + 41, 1), 0xc8);
	assert_int_equal(rd(2, GICD_IPRIORITYR + 40, 1), 0);
	assert_int_equal(rd(2, GICD_IPRIORITYR + 40, 4), 0x0000c800);

	/* A word covers four INTIDs, byte 0 the lowest. */
	wr(1, GICD_IPRIORITYR + 44, 4, 0x11223344);
	assert_int_equal(irq_of(0, 44)->priority, 0x44);
	assert_int_equal(irq_of(0, 45)->priority, 0x33);
	assert_int_equal(irq_of(0, 46)->priority, 0x22);
	assert_int_equal(irq_of(0, 47)->priority, 0x11);
	assert_int_equal(irq_of(0, 43)->priority, 0);
	assert_int_equal(irq_of(0, 48)->priority, 0);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 44, 4), 0x11223344);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 46, 1), 0x22);
	/* A byte write inside that word changes only its INTID. */
	wr(3, GICD_IPRIORITYR + 45, 1, 0xff);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 44, 4), 0x1122ff44);

	/* The last SPI this vGIC has; above it, reads as zero, writes ignored. */
	wr(0, GICD_IPRIORITYR + 255, 1, 0x70);
	assert_int_equal(irq_of(0, 255)->priority, 0x70);
	wr(0, GICD_IPRIORITYR + 256, 4, 0xffffffff);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 256, 4), 0);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 252, 4), 0x70000000);
	assert_int_equal(rec.unhandled, 0);
}

static void test_bit_registers_refuse_narrow_and_wide(void **state)
{
	static const uint32_t bit_regs[] = {GICD_IGROUPR,   GICD_ISENABLER, GICD_ICENABLER,
	                                    GICD_ISPENDR,   GICD_ICPENDR,   GICD_ISACTIVER,
	                                    GICD_ICACTIVER, GICD_ICFGR};
	static const unsigned int bad_sizes[] = {1, 2, 8};
	struct snapshot before;
	unsigned int expect = 0;

	(void)state;
	/* Some state that a read of the right size would show. */
	wr(0, GICD_ISENABLER + 4, 4, 0xffffffff);
	wr(0, GICD_IGROUPR + 4, 4, 0xffffffff);
	wr(0, GICD_ICFGR + 8, 4, 0xffffffff);
	wr(0, GICD_ISENABLER, 4, 0xffffffff);
	snap(&before);
	rec.printks = rec.unhandled = 0;

	for (unsigned int r = 0; r < ARRAY_SIZE(bit_regs); r++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(bad_sizes); s++) {
			for (uint32_t off = 0; off <= 4; off += 4) {
				uint32_t reg =
				    bit_regs[r] + (bit_regs[r] == GICD_ICFGR ? 2 * off : off);

				wr(0, reg, bad_sizes[s], ~0ULL);
				assert_int_equal(rec.unhandled, ++expect);
				assert_non_null(strstr(rec.last_printk, "write"));
				assert_int_equal(rd(0, reg, bad_sizes[s]), 0);
				assert_int_equal(rec.unhandled, ++expect);
				assert_non_null(strstr(rec.last_printk, "read"));
			}
		}
	}
	assert_unchanged(&before);
	/* The message names the access. */
	wr(1, GICD_ISENABLER + 4, 2, 0xffff);
	assert_string_equal(rec.last_printk,
	                    "hyp: test vcpu1: unhandled 2-byte write of GICD+0x104\n");
	assert_int_equal(rec.printks, rec.unhandled);

	/* Word accesses are fine. */
	assert_int_equal(rd(0, GICD_ISENABLER + 4, 4), 0xffffffff);
	assert_int_equal(rd(0, GICD_ICFGR + 8, 4), 0xaaaaaaaa);

	/* Wider than a word: refused on byte-field registers too. */
	expect = rec.unhandled;
	wr(0, GICD_IPRIORITYR + 40, 8, ~0ULL);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 40, 8), 0);
	assert_int_equal(rec.unhandled, expect + 2);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 40, 4), 0);
	/* Control registers: words only. */
	wr(0, GICD_CTLR, 1, 1);
	assert_int_equal(vm.vgic.grp_en, 0);
	assert_int_equal(rd(0, GICD_TYPER, 2), 0);
	assert_int_equal(rd(0, GICD_TYPER, 8), 0);
	assert_int_equal(rec.unhandled, expect + 5);
}

/* ITARGETSR -------------------------------------------------------------------- */

static void test_itargetsr_private_reads_own_mask(void **state)
{
	struct snapshot before;

	(void)state;
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			assert_int_equal(rd(v, GICD_ITARGETSR + i, 1), 1u << v);
		for (uint32_t w = 0; w < 8; w++)
			assert_int_equal(rd(v, GICD_ITARGETSR + 4 * w, 4), 0x01010101u << v);
	}

	/* Read-only: writes of either size are ignored. */
	snap(&before);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t w = 0; w < 8; w++)
			wr(v, GICD_ITARGETSR + 4 * w, 4, 0x0f0f0f0f);
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			wr(v, GICD_ITARGETSR + i, 1, 0x08);
	}
	assert_unchanged(&before);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			assert_int_equal(irq_of(v, i)->target, v);
		assert_int_equal(rd(v, GICD_ITARGETSR + 28, 4), 0x01010101u << v);
	}
	assert_int_equal(rec.routes + rec.sgis + rec.unhandled, 0);
}

static void test_itargetsr_spi_byte_and_word(void **state)
{
	(void)state;
	/* SPIs start on vCPU 0. */
	assert_int_equal(rd(0, GICD_ITARGETSR + 32, 1), 0x01);
	assert_int_equal(rd(3, GICD_ITARGETSR + 252, 4), 0x01010101);

	wr(0, GICD_ITARGETSR + 40, 1, 0x04);
	assert_int_equal(irq_of(0, 40)->v2_targets, 0x04);
	assert_int_equal(irq_of(0, 40)->target, 2);
	assert_int_equal(irq_of(0, 41)->target, 0);
	assert_int_equal(irq_of(0, 39)->target, 0);
	assert_int_equal(rd(0, GICD_ITARGETSR + 40, 1), 0x04);
	assert_int_equal(rd(1, GICD_ITARGETSR + 40, 4), 0x01010104);

	/* A word: four SPIs, byte 0 the lowest INTID. */
	wr(1, GICD_ITARGETSR + 44, 4, 0x08040201);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(irq_of(0, 44 + i)->v2_targets, 1u << i);
		assert_int_equal(irq_of(0, 44 + i)->target, i);
	}
	assert_int_equal(rd(2, GICD_ITARGETSR + 44, 4), 0x08040201);
	assert_int_equal(rd(2, GICD_ITARGETSR + 46, 1), 0x04);
	assert_int_equal(irq_of(0, 43)->target, 0);
	assert_int_equal(irq_of(0, 48)->target, 0);

	/* Several targets: read back as written. */
	wr(0, GICD_ITARGETSR + 50, 1, 0x0f);
	assert_int_equal(rd(0, GICD_ITARGETSR + 50, 1), 0x0f);
	assert_int_equal(irq_of(0, 50)->target, 0);

	/* The last SPI; past it, reads as zero and writes go nowhere. */
	wr(0, GICD_ITARGETSR + 255, 1, 0x02);
	assert_int_equal(irq_of(0, 255)->target, 1);
	wr(0, GICD_ITARGETSR + 256, 4, 0x02020202);
	assert_int_equal(rd(0, GICD_ITARGETSR + 256, 4), 0);
	assert_int_equal(rd(0, GICD_ITARGETSR + 1019, 1), 0);
	assert_int_equal(rd(0, GICD_ITARGETSR + 252, 4), 0x02010101);
	assert_int_equal(rec.unhandled, 0);

	/* Half-word: refused, reads as zero, changes nothing. */
	wr(0, GICD_ITARGETSR + 60, 2, 0x0404);
	assert_int_equal(irq_of(0, 60)->target, 0);
	assert_int_equal(irq_of(0, 61)->target, 0);
	assert_int_equal(rd(0, GICD_ITARGETSR + 40, 2), 0);
	assert_int_equal(rec.unhandled, 2);
	assert_int_equal(rec.routes, 0); /* no hw interrupt involved */
}

static void test_itargetsr_retarget_pending_spi(void **state)
{
	struct vgic_irq *irq = irq_of(0, 40);

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_IPRIORITYR + 40, 1, 0x40);
	wr(0, GICD_ISENABLER + 4, 4, BIT(40 - 32));
	wr(0, GICD_ISPENDR + 4, 4, BIT(40 - 32));
	assert_true(on_ap_list(0, irq));
	assert_int_equal(total_kicks(), 0); /* vCPU 0 on its own pCPU */

	wr(0, GICD_ITARGETSR + 40, 1, 0x04);
	assert_int_equal(irq->target, 2);
	assert_false(on_ap_list(0, irq));
	assert_true(on_ap_list(2, irq));
	assert_int_equal(rec.kicks[2], 1);
	assert_int_equal(total_kicks(), 1);
	assert_int_equal(rec.not_kick, 0);
	sync(vcpus[0]);
	assert_int_equal(nr_valid_lrs(vcpus[0]), 0);
	sync(vcpus[2]);
	assert_int_equal(lr_for(vcpus[2], 40)->state, GIC_LR_PENDING);
	assert_int_equal(lr_for(vcpus[2], 40)->priority, 0x40);

	/* Pending later: straight to the new target. */
	wr(0, GICD_ITARGETSR + 41, 1, 0x08);
	wr(0, GICD_ISENABLER + 4, 4, BIT(41 - 32));
	rec.kicks[3] = 0;
	wr(0, GICD_ISPENDR + 4, 4, BIT(41 - 32));
	assert_true(on_ap_list(3, irq_of(0, 41)));
	assert_int_equal(rec.kicks[3], 1);
	sync(vcpus[3]);
	assert_int_equal(lr_for(vcpus[3], 41)->state, GIC_LR_PENDING);
}

static void test_itargetsr_several_targets_lowest_wins(void **state)
{
	struct vgic_irq *irq = irq_of(0, 42);

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_ISENABLER + 4, 4, BIT(42 - 32));
	wr(0, GICD_ISPENDR + 4, 4, BIT(42 - 32));
	assert_true(on_ap_list(0, irq));

	wr(3, GICD_ITARGETSR + 42, 1, 0x06); /* vCPUs 1 and 2 */
	assert_int_equal(irq->target, 1);
	assert_int_equal(rd(0, GICD_ITARGETSR + 42, 1), 0x06);
	assert_true(on_ap_list(1, irq));
	assert_false(on_ap_list(2, irq) || on_ap_list(0, irq));
	assert_int_equal(rec.kicks[1], 1);
	assert_int_equal(rec.kicks[2], 0);
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 42)->state, GIC_LR_PENDING);

	wr(3, GICD_ITARGETSR + 43, 1, 0x0c); /* vCPUs 2 and 3 */
	assert_int_equal(irq_of(0, 43)->target, 2);
	wr(3, GICD_ITARGETSR + 43, 1, 0x09); /* vCPUs 0 and 3 */
	assert_int_equal(irq_of(0, 43)->target, 0);
}

static void test_itargetsr_nonexistent_vcpus_masked(void **state)
{
	struct vgic_irq *irq = irq_of(0, 44);

	(void)state;
	wr(0, GICD_ITARGETSR + 44, 1, 0x08);
	assert_int_equal(irq->target, 3);

	/* Only CPUs 4-7, which this VM lacks: no target left, forwarded to no one. */
	wr(0, GICD_ITARGETSR + 44, 1, 0xf0);
	assert_int_equal(rd(0, GICD_ITARGETSR + 44, 1), 0x00);
	assert_int_equal(irq->target, VGIC_NO_TARGET);

	/* Mixed: the bits of absent vCPUs drop off. */
	wr(0, GICD_ITARGETSR + 44, 1, 0xf2);
	assert_int_equal(rd(0, GICD_ITARGETSR + 44, 1), 0x02);
	assert_int_equal(irq->target, 1);
	wr(0, GICD_ITARGETSR + 44, 4, 0x80c0a0f4);
	assert_int_equal(rd(0, GICD_ITARGETSR + 44, 4), 0x00000004);
	assert_int_equal(irq->target, 2);
	assert_int_equal(irq_of(0, 45)->target, VGIC_NO_TARGET);
	assert_int_equal(irq_of(0, 46)->target, VGIC_NO_TARGET);
	assert_int_equal(irq_of(0, 47)->target, VGIC_NO_TARGET);

	/* With two vCPUs, 0x04 names nobody either. */
	vm.nr_vcpus = 2;
	wr(0, GICD_ITARGETSR + 48, 1, 0x04);
	assert_int_equal(rd(0, GICD_ITARGETSR + 48, 1), 0);
	assert_int_equal(irq_of(0, 48)->target, VGIC_NO_TARGET);
	wr(1, GICD_ITARGETSR + 48, 1, 0x06);
	assert_int_equal(rd(0, GICD_ITARGETSR + 48, 1), 0x02);
	assert_int_equal(irq_of(0, 48)->target, 1);
	vm.nr_vcpus = NR_TEST_VCPUS;
}

static void test_itargetsr_hw_spi_routes(void **state)
{
	struct vgic_irq *irq = irq_of(0, 50);

	(void)state;
	vgic_inject_hw(vcpus[0], 50); /* distributor off: only marks it hw */
	assert_true(irq->hw);
	assert_int_equal(rec.routes, 0);

	wr(1, GICD_ITARGETSR + 50, 1, 0x08);
	assert_int_equal(rec.routes, 1);
	assert_int_equal(rec.route_intid, 50);
	assert_int_equal(rec.route_pcpu, vcpus[3]->pcpu);

	/* Word write: only the hw one of the four is routed. */
	wr(0, GICD_ITARGETSR + 48, 4, 0x01020402);
	assert_int_equal(rec.routes, 1 + 1);
	assert_int_equal(rec.route_intid, 50);
	assert_int_equal(rec.route_pcpu, vcpus[1]->pcpu); /* 0x02 */
	assert_int_equal(irq->target, 1);

	/* Several targets: routed to the lowest one's pCPU. */
	wr(0, GICD_ITARGETSR + 50, 1, 0x0c);
	assert_int_equal(rec.routes, 3);
	assert_int_equal(rec.route_pcpu, vcpus[2]->pcpu);

	/* Nobody that exists: no target; the physical one is not rerouted. */
	wr(0, GICD_ITARGETSR + 50, 1, 0xf0);
	assert_int_equal(rec.routes, 3);
	assert_int_equal(irq->target, VGIC_NO_TARGET);

	/* A software SPI is never routed. */
	wr(0, GICD_ITARGETSR + 51, 1, 0x08);
	assert_int_equal(rec.routes, 3);
}

/* GICD_SGIR ---------------------------------------------------------------------- */

static void sgi_setup(uint32_t intid)
{
	wr(0, GICD_CTLR, 4, 1);
	enable_private_everywhere(intid);
	memset(rec.kicks, 0, sizeof(rec.kicks));
	rec.sgis = 0;
}

static void assert_sgi_on(uint32_t intid, unsigned int mask, unsigned int source)
{
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		struct vgic_irq *irq = irq_of(v, intid);
		bool hit = mask & (1u << v);

		assert_int_equal(irq->pending, hit);
		assert_int_equal(on_ap_list(v, irq), hit);
		if (hit)
			assert_int_equal(irq->sgi_pend_src, 1u << source);
		/* The other SGIs are untouched. */
		for (uint32_t i = 0; i < GIC_NR_SGIS; i++) {
			if (i != intid)
				assert_false(irq_of(v, i)->pending);
		}
	}
}

static void test_sgir_target_list(void **state)
{
	(void)state;
	sgi_setup(5);
	wr(0, GICD_SGIR, 4, SGIR(0, 0x0a, 5)); /* vCPUs 1 and 3 */
	assert_sgi_on(5, 0x0a, 0);
	assert_int_equal(rec.kicks[1], 1);
	assert_int_equal(rec.kicks[3], 1);
	assert_int_equal(rec.kicks[0] + rec.kicks[2], 0);
	assert_int_equal(rec.not_kick, 0);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++)
		assert_false(irq_of(v, 5 + 1)->pending);

	/* Each target's list register names the source. */
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 5)->state, GIC_LR_PENDING);
	assert_int_equal(lr_for(vcpus[1], 5)->source, 0);
	assert_false(lr_for(vcpus[1], 5)->group1); /* GICv2: IGROUPR decides, group 0 */
	sync(vcpus[3]);
	assert_int_equal(lr_for(vcpus[3], 5)->source, 0);
	sync(vcpus[0]);
	sync(vcpus[2]);
	assert_int_equal(nr_valid_lrs(vcpus[0]) + nr_valid_lrs(vcpus[2]), 0);

	/* Reading GICD_SGIR: zero. */
	assert_int_equal(rd(0, GICD_SGIR, 4), 0);
	assert_int_equal(rd(3, GICD_SGIR, 4), 0);
	assert_int_equal(rec.unhandled, 0);
}

static void test_sgir_source_is_writer(void **state)
{
	(void)state;
	sgi_setup(2);
	wr(3, GICD_SGIR, 4, SGIR(0, 0x01, 2));
	assert_sgi_on(2, 0x01, 3);
	assert_int_equal(rec.kicks[0], 1);
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 2)->source, 3);

	/* The guest takes it; then vCPU 2 sends one: a new instance, from 2. */
	lr_for(vcpus[0], 2)->state = 0; /* acked and EOIed */
	sync(vcpus[0]);
	assert_false(irq_of(0, 2)->pending);
	wr(2, GICD_SGIR, 4, SGIR(0, 0x01, 2));
	sync(vcpus[0]);
	assert_int_equal(lr_for(vcpus[0], 2)->source, 2);

	/* To itself with a target list: no kick, its own source. */
	rec.sgis = 0;
	wr(1, GICD_SGIR, 4, SGIR(0, 0x02, 2));
	assert_true(irq_of(1, 2)->pending);
	assert_int_equal(irq_of(1, 2)->sgi_pend_src, 1u << 1);
	assert_int_equal(rec.sgis, 0);
}

static void test_sgir_all_but_self(void **state)
{
	(void)state;
	sgi_setup(7);
	wr(2, GICD_SGIR, 4, SGIR(1, 0, 7));
	assert_sgi_on(7, 0x0b, 2);
	assert_int_equal(rec.kicks[0], 1);
	assert_int_equal(rec.kicks[1], 1);
	assert_int_equal(rec.kicks[3], 1);
	assert_int_equal(rec.kicks[2], 0);
	/* The target list is ignored with this filter. */
	wr(0, GICD_SGIR, 4, SGIR(1, 0x01, 8));
	assert_false(irq_of(0, 8)->pending);
	for (unsigned int v = 1; v < NR_TEST_VCPUS; v++) {
		assert_true(irq_of(v, 8)->pending);
		assert_int_equal(irq_of(v, 8)->sgi_pend_src, 1u << 0);
	}
	sync(vcpus[3]);
	assert_int_equal(lr_for(vcpus[3], 7)->source, 2);
}

static void test_sgir_self_only(void **state)
{
	(void)state;
	sgi_setup(3);
	wr(3, GICD_SGIR, 4, SGIR(2, 0x07, 3)); /* the list is ignored */
	assert_sgi_on(3, 0x08, 3);
	assert_int_equal(rec.sgis, 0); /* its own pCPU: no kick */
	sync(vcpus[3]);
	assert_int_equal(lr_for(vcpus[3], 3)->source, 3);
	assert_int_equal(lr_for(vcpus[3], 3)->state, GIC_LR_PENDING);
}

static void test_sgir_reserved_filter_and_no_targets(void **state)
{
	struct snapshot before;

	(void)state;
	sgi_setup(4);
	snap(&before);
	wr(1, GICD_SGIR, 4, SGIR(3, 0xff, 4));
	wr(1, GICD_SGIR, 4, SGIR(0, 0x00, 4));
	wr(1, GICD_SGIR, 4, SGIR(0, 0xf0, 4)); /* CPUs this VM lacks */
	assert_unchanged(&before);
	assert_int_equal(rec.sgis, 0);
	assert_int_equal(rec.unhandled, 0);
}

static void test_sgir_intid_from_low_bits(void **state)
{
	(void)state;
	sgi_setup(15);
	enable_private_everywhere(9);
	/* NSATT (bit 15) and the SBZ bits 14:4 do not change the INTID. */
	wr(0, GICD_SGIR, 4, SGIR(0, 0x02, 0xfff9));
	assert_sgi_on(9, 0x02, 0);
	wr(2, GICD_SGIR, 4, SGIR(0, 0x08, 15));
	assert_true(irq_of(3, 15)->pending);
	assert_int_equal(irq_of(3, 15)->sgi_pend_src, 1u << 2);
	/* Bits 31:26 are SBZ too. */
	wr(0, GICD_SGIR, 4, 0xfc000000u | SGIR(0, 0x04, 0));
	assert_true(irq_of(2, 0)->pending);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		for (uint32_t i = GIC_NR_SGIS; i < VGIC_NR_PRIVATE; i++)
			assert_false(irq_of(v, i)->pending);
	}
	for (uint32_t i = 32; i < VGIC_NR_IRQS; i++)
		assert_false(irq_of(0, i)->pending);
}

static void test_sgir_disabled_sgi_waits(void **state)
{
	struct vgic_irq *irq = irq_of(1, 6);

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_SGIR, 4, SGIR(0, 0x02, 6));
	assert_true(irq->pending);
	assert_false(irq->queued);
	assert_int_equal(irq->sgi_pend_src, 1u << 0);
	sync(vcpus[1]);
	assert_int_equal(nr_valid_lrs(vcpus[1]), 0);
	/* Enabled by its owner: delivered, with its source. */
	wr(1, GICD_ISENABLER, 4, BIT(6));
	assert_true(on_ap_list(1, irq));
	sync(vcpus[1]);
	assert_int_equal(lr_for(vcpus[1], 6)->source, 0);
}

/*
 * An SGI raised by two sources before its target takes it is two interrupts:
 * delivered once from each, lowest source first; while the first is in the
 * list register, the guest's EOI of it asks for a maintenance interrupt.
 */
static void test_sgir_several_sources_each_delivered(void **state)
{
	struct gic_lr *lr;

	(void)state;
	sgi_setup(1);
	wr(2, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	wr(0, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	assert_int_equal(irq_of(1, 1)->sgi_pend_src, 0x05);
	assert_int_equal(vcpus[1]->vgic.nr_ap, 1);
	sync(vcpus[1]);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->source, 0);
	assert_int_equal(lr->state, GIC_LR_PENDING);
	assert_true(lr->eoi_irq);

	lr->state = GIC_LR_ACTIVE; /* the guest read source 0 from GICC_IAR */
	sync(vcpus[1]);
	assert_int_equal(irq_of(1, 1)->sgi_pend_src, 0x04);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->source, 0); /* its EOI must match: never rewritten with 2 */
	assert_int_equal(lr->state, GIC_LR_ACTIVE);
	assert_true(lr->eoi_irq);

	lr->state = 0; /* EOI: the maintenance interrupt brings us back */
	sync(vcpus[1]);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->source, 2);
	assert_int_equal(lr->state, GIC_LR_PENDING);
	assert_false(lr->eoi_irq);
	guest_complete(vcpus[1], 1);
	sync(vcpus[1]);
	assert_false(irq_of(1, 1)->pending);
	assert_int_equal(irq_of(1, 1)->sgi_pend_src, 0);

	/* Active from 3, raised again by 3: pending and active, one register. */
	wr(3, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	sync(vcpus[1]);
	lr_for(vcpus[1], 1)->state = GIC_LR_ACTIVE;
	wr(3, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	sync(vcpus[1]);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->state, GIC_LR_PENDING | GIC_LR_ACTIVE);
	assert_int_equal(lr->source, 3);
	assert_false(lr->eoi_irq);
}

/*
 * The guest EOIs the active instance of an SGI pending again from the same
 * source, with another source waiting: the register goes from pending and
 * active to pending without an exit, and a sync must leave it as it is, not
 * move it to the lowest source (fuzz_vgic_v2, crasher
 * v2-sgi-source-moved-after-eoi-of-active: the skipped sync and a whole one
 * left different registers).
 */
static void test_sgir_source_kept_after_eoi_of_active(void **state)
{
	struct gic_lr *lr;

	(void)state;
	sgi_setup(1);
	wr(2, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	sync(vcpus[1]);
	lr_for(vcpus[1], 1)->state = GIC_LR_ACTIVE; /* the guest took source 2's */
	wr(2, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	wr(0, GICD_SGIR, 4, SGIR(0, 0x02, 1));
	sync(vcpus[1]);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->state, GIC_LR_PENDING | GIC_LR_ACTIVE);
	assert_int_equal(lr->source, 2);
	assert_true(lr->eoi_irq);

	lr->state = GIC_LR_PENDING; /* EOI of the active instance: no exit */
	sync(vcpus[1]);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->state, GIC_LR_PENDING);
	assert_int_equal(lr->source, 2);
	assert_true(lr->eoi_irq);

	lr->state = 0; /* source 2's second, done: source 0's comes next */
	sync(vcpus[1]);
	lr = lr_for(vcpus[1], 1);
	assert_int_equal(lr->source, 0);
	assert_false(lr->eoi_irq);
}

/* Reads see what the guest did with the accessing vCPU's list registers. */
static void test_reads_fold_own_list_registers(void **state)
{
	struct vgic_irq *irq = irq_of(0, 40);

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_ISENABLER + 4, 4, BIT(40 - 32));
	wr(0, GICD_ISPENDR + 4, 4, BIT(40 - 32));
	sync(vcpus[0]);
	assert_int_equal(rd(0, GICD_ISPENDR + 4, 4), BIT(8));
	assert_int_equal(rd(0, GICD_ISACTIVER + 4, 4), 0);

	lr_for(vcpus[0], 40)->state = GIC_LR_ACTIVE; /* the guest acknowledged it */
	assert_int_equal(rd(0, GICD_ISPENDR + 4, 4), 0);
	assert_int_equal(rd(0, GICD_ISACTIVER + 4, 4), BIT(8));
	assert_true(irq->active && !irq->pending);

	lr_for(vcpus[0], 40)->state = 0; /* and EOIed it */
	assert_int_equal(rd(0, GICD_ICACTIVER + 4, 4), 0);
	assert_int_equal(irq->lr, -1);
	assert_int_equal(vcpus[0]->vgic.nr_eois, 1);
}

/* Registers that are not kept ------------------------------------------------------ */

/*
 * GICD_SPENDSGIRn / GICD_CPENDSGIRn: the accessing vCPU's SGIs, a byte each,
 * a bit per source; the SGI bits of GICD_ISPENDR0 / ICPENDR0 are read-only.
 */
static void test_spendsgir_cpendsgir(void **state)
{
	struct vgic_irq *irq = irq_of(2, 5);

	(void)state;
	sgi_setup(5);
	wr(0, GICD_SGIR, 4, SGIR(0, 0x0f, 5)); /* SGI 5 from 0 on every vCPU */
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		assert_int_equal(rd(v, V2_SPENDSGIR + 4, 4), 0x0100);
		assert_int_equal(rd(v, V2_CPENDSGIR + 4, 4), 0x0100);
		assert_int_equal(rd(v, GICD_ISPENDR, 4) & 0xffff, BIT(5));
	}
	/* Set from sources 1 and 3 (byte access); absent sources 4-7 are dropped. */
	wr(2, V2_SPENDSGIR + 5, 1, 0xfa);
	assert_int_equal(irq->sgi_pend_src, 0x0b);
	assert_int_equal(rd(2, V2_SPENDSGIR + 4, 4), 0x0b00);
	assert_int_equal(rd(1, V2_SPENDSGIR + 4, 4), 0x0100); /* banked */
	wr(2, V2_CPENDSGIR + 4, 4, 0x0100);
	assert_int_equal(irq->sgi_pend_src, 0x0a);
	assert_true(irq->pending);
	sync(vcpus[2]);
	assert_int_equal(lr_for(vcpus[2], 5)->source, 1);
	/* All cleared: no longer pending, out of its list register. */
	wr(2, V2_CPENDSGIR + 5, 1, 0xff);
	assert_int_equal(irq->sgi_pend_src, 0);
	assert_false(irq->pending);
	sync(vcpus[2]);
	assert_int_equal(lr_of(vcpus[2], 5), -1);

	/* ISPENDR0 / ICPENDR0 do not change an SGI's pending state on a GICv2. */
	wr(1, GICD_ISPENDR, 4, 0xffff);
	assert_false(irq_of(1, 6)->pending);
	wr(3, GICD_ICPENDR, 4, 0xffff);
	assert_true(irq_of(3, 5)->pending);
	assert_int_equal(rec.unhandled, 0);
	assert_int_equal(rec.panics, 0);
}

/* An SPI whose ITARGETSR byte is 0 goes to no vCPU, until a target is set. */
static void test_itargetsr_zero_forwards_nowhere(void **state)
{
	struct vgic_irq *irq = irq_of(0, 60);

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_ITARGETSR + 60, 1, 0x02);
	wr(0, GICD_ISENABLER + 4, 4, BIT(60 - 32));
	wr(0, GICD_ITARGETSR + 60, 1, 0x00);
	wr(0, GICD_ISPENDR + 4, 4, BIT(60 - 32));
	assert_true(irq->pending);
	assert_false(irq->queued);
	for (unsigned int v = 0; v < NR_TEST_VCPUS; v++) {
		sync(vcpus[v]);
		assert_int_equal(lr_of(vcpus[v], 60), -1);
	}
	/* Pending in a list register when its target goes: out of it, still pending. */
	wr(0, GICD_ITARGETSR + 60, 1, 0x04);
	assert_true(on_ap_list(2, irq));
	sync(vcpus[2]);
	assert_int_equal(lr_for(vcpus[2], 60)->state, GIC_LR_PENDING);
	wr(0, GICD_ITARGETSR + 60, 1, 0x00);
	sync(vcpus[2]);
	assert_int_equal(lr_of(vcpus[2], 60), -1);
	assert_true(irq->pending);
	wr(1, GICD_ITARGETSR + 60, 1, 0x08);
	sync(vcpus[3]);
	assert_int_equal(lr_for(vcpus[3], 60)->state, GIC_LR_PENDING);
}

static void test_unknown_offsets(void **state)
{
	static const uint32_t offsets[] = {GICD_TYPER2, 0x010, 0x07c, 0xbfc, 0xe00, 0xefc,
	                                   0xf04,       0xf30, 0xfe4, 0xfec, 0xffc};
	struct snapshot before;

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_ISENABLER + 4, 4, 0xffffffff);
	snap(&before);
	for (unsigned int i = 0; i < ARRAY_SIZE(offsets); i++) {
		unsigned int n = rec.unhandled;

		assert_int_equal(rd(1, offsets[i], 4), 0);
		wr(1, offsets[i], 4, 0xffffffff);
		assert_int_equal(rec.unhandled, n + 2);
	}
	/* 0xd00-0xd7c (IGRPMODR, GICv3 only; GIC-400's PPI/SPI status): zero, quietly. */
	for (uint32_t off = 0xd00; off < 0xd80; off += 4) {
		assert_int_equal(rd(2, off, 4), 0);
		wr(2, off, 4, 0xffffffff);
	}
	assert_unchanged(&before);
	assert_int_equal(rd(0, GICD_CTLR, 4), 1);
	assert_int_equal(rec.panics, 0);
}

/* Locking ------------------------------------------------------------------------ */

static void test_handler_releases_lock(void **state)
{
	(void)state;
	/* Every path of the handler leaves the lock free (checked after each access). */
	sgi_setup(1);
	wr(0, GICD_SGIR, 4, SGIR(1, 0, 1));
	wr(0, GICD_ITARGETSR + 40, 1, 0x02);
	wr(0, GICD_ISPENDR + 4, 4, 0xffffffff);
	wr(0, 0xe00, 4, 1);
	wr(0, GICD_ISENABLER, 2, 1);
	rd(0, V2_CPENDSGIR, 4);
	/* And the rest of the vGIC can take it afterwards. */
	vgic_inject(vcpus[2], 40);
	vgic_sync_lrs(vcpus[0]);
	run_on(2);
	vgic_sync_lrs(vcpus[2]);
	run_on(0);
	assert_true(lock_free());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_registers_gicd_and_maps_gicv, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_init_map_failure_panics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ctlr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_typer_iidr_pidr2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_isenabler0_banked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipriorityr_private_banked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icfgr_banked_sgis_edge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spi_registers_shared, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipriorityr_byte_and_word, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bit_registers_refuse_narrow_and_wide, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_private_reads_own_mask, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_spi_byte_and_word, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_retarget_pending_spi, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_several_targets_lowest_wins, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_nonexistent_vcpus_masked, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_hw_spi_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_target_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_source_is_writer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_all_but_self, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_self_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_reserved_filter_and_no_targets, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_intid_from_low_bits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_disabled_sgi_waits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_several_sources_each_delivered, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sgir_source_kept_after_eoi_of_active, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_reads_fold_own_list_registers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spendsgir_cpendsgir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_itargetsr_zero_forwards_nowhere, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_offsets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_releases_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
