/*
 * VM lifecycle: start, stop, reset, and the lookups every handler uses.
 * Definitions (core/vm_def.c) and construction (core/vm_build.c) are
 * elsewhere; here a VM is only ever running, stopping or off.
 *
 * Stopping a VM (its SYSTEM_OFF or SYSTEM_RESET) asks each of its vCPUs to
 * stop and kicks their CPUs; each vCPU acknowledges on its own CPU, on its
 * way back to the guest or in its idle loop, so that its list registers and
 * timer are released where they live. The last one to acknowledge finishes:
 * the VM stays off, or is loaded again from its boot source and its vCPU 0
 * powered on. No other VM is touched. The machine powers off with the last VM.
 */
#include "arch/arm64/sysregs.h"
#include "core/hypsvc.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/smp.h"
#include "core/vm.h"
#include "core/vm_build.h"
#include "core/vm_console.h"
#include "core/vm_stats.h"
#include "drivers/platform.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic_v3.h"

static struct vm vms[MAX_VMS];
static unsigned int nr_vms;
static spinlock_t vms_lock = SPINLOCK_INIT; /* orders the "last VM off" decision */

struct vm *vm_new(const struct vm_config *cfg)
{
	struct vm *vm;

	if (nr_vms == MAX_VMS)
		return NULL;
	vm = &vms[nr_vms];
	*vm = (struct vm){.name = cfg->name, .cfg = cfg};
	vm->id = nr_vms;
	vm->vmid = (uint16_t)(nr_vms + 1); /* VMID 0 is left unused */
	vm->state = VM_STATE_OFF;
	vm->state_lock = (spinlock_t)SPINLOCK_INIT;
	vm->counting = cfg->stats;
	nr_vms++;
	return vm;
}

struct vm *vm_get(unsigned int id)
{
	return id < nr_vms ? &vms[id] : NULL;
}

unsigned int vm_count(void)
{
	return nr_vms;
}

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_STATE_RUNNING:
		return "running";
	case VM_STATE_STOPPING:
		return "stopping";
	case VM_STATE_OFF:
		return "off";
	}
	return "?";
}

static void vm_power_on(struct vm *vm)
{
	spin_lock(&vm->state_lock);
	vm->state = VM_STATE_RUNNING;
	vm->started_at = READ_SYSREG(cntpct_el0);
	spin_unlock(&vm->state_lock);
	vcpu_power_on(vm->vcpus[0], vm->entry_ipa, vm->dtb_ipa);
}

uint64_t vm_uptime_ms(const struct vm *vm)
{
	uint64_t freq = READ_SYSREG(cntfrq_el0);

	if (READ_ONCE(vm->state) == VM_STATE_OFF || !freq)
		return 0;
	return vm_stats_ticks_to_us(READ_SYSREG(cntpct_el0) - READ_ONCE(vm->started_at), freq) /
	       1000;
}

/*
 * When the VMs are ready to start, on the system counter: the hypervisor's own
 * boot time on QEMU (its counter starts at reset; make bench reads it under
 * -icount), the firmware's and the boot loader's too on a board.
 */
static void vm_print_setup_time(void)
{
	uint64_t freq = READ_SYSREG(cntfrq_el0);
	uint64_t us;

	if (!freq)
		return; /* no counter frequency from the firmware: no time to tell */
	us = vm_stats_ticks_to_us(READ_SYSREG(cntpct_el0), freq);
	printk("hyp: VMs ready at %lu.%03lu ms on the system counter\n", us / 1000, us % 1000);
}

void vm_start_all(void)
{
	struct vcpu *mine = this_cpu()->vcpu;

	printk("hyp: memory: %zu KiB of the %lu KiB pool used, %lu KiB kept in all\n",
	       hyp_pool_used() >> 10, HYP_POOL_SIZE >> 10,
	       (hyp_image_end() - hyp_image_start()) >> 10);
	vm_print_setup_time();
	for (unsigned int i = 0; i < nr_vms; i++) {
		printk("hyp: starting %s\n", vms[i].name);
		vm_power_on(&vms[i]);
	}
	if (mine)
		vcpu_idle_loop(mine);
	/* No vCPU here: this CPU only takes the hypervisor's own interrupts (the console). */
	for (;;) {
		local_irq_enable();
		wfi();
	}
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if ((vm->vcpus[i]->vmpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return vm->vcpus[i];
	}
	return NULL;
}

bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size)
{
	return ipa >= vm->ram_ipa && size <= vm->ram_size &&
	       ipa - vm->ram_ipa <= vm->ram_size - size;
}

void vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size, mmio_handler_fn handler,
                      void *priv)
{
	if (vm->nr_mmio == VM_MAX_MMIO)
		panic("%s: too many emulated MMIO regions", vm->name);
	vm->mmio[vm->nr_mmio++] =
	    (struct mmio_region){.base = base, .size = size, .handler = handler, .priv = priv};
}

const struct mmio_region *vm_find_mmio(struct vm *vm, uint64_t ipa)
{
	for (unsigned int i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_region *r = &vm->mmio[i];

		if (ipa >= r->base && ipa - r->base < r->size)
			return r;
	}
	return NULL;
}

void vm_count_mmio(struct vm *vm, uint64_t ipa)
{
	struct mmio_region *r = (struct mmio_region *)vm_find_mmio(vm, ipa);

	if (r) /* the VM's vCPUs count at once, on their own CPUs */
		__atomic_fetch_add(&r->accesses, 1, __ATOMIC_RELAXED);
}

bool vm_emulate_mmio(struct vcpu *v, const struct mmio_region *r, struct mmio_access *acc)
{
	return r->handler(v, acc, r->priv);
}

int vm_doorbell_ring(struct vm *vm, uint64_t ipa)
{
	const struct vm_config *cfg = vm->cfg;
	unsigned int i;
	int rung = 0;

	for (i = 0; i < cfg->nr_shm && cfg->shm[i].ipa != ipa; i++)
		;
	if (i == cfg->nr_shm)
		return -1;
	for (unsigned int k = 0; k < nr_vms; k++) {
		struct vm *peer = &vms[k];

		if (peer == vm || READ_ONCE(peer->state) != VM_STATE_RUNNING)
			continue;
		for (unsigned int j = 0; j < peer->cfg->nr_shm; j++) {
			if (strcmp(peer->cfg->shm[j].id, cfg->shm[i].id) == 0) {
				vgic_inject(peer->vcpus[0], HYPSVC_DOORBELL_INTID(j));
				rung++;
			}
		}
	}
	return rung;
}

/* Ask every vCPU of @vm to stop. False if the VM is already stopping (or off). */
static bool vm_request_stop(struct vm *vm, enum vm_stop_action action)
{
	spin_lock(&vm->state_lock);
	if (vm->state != VM_STATE_RUNNING) {
		spin_unlock(&vm->state_lock);
		return false;
	}
	vm->state = VM_STATE_STOPPING;
	vm->stop_action = action;
	vm->nr_stopped = 0;
	spin_unlock(&vm->state_lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_request_stop(vm->vcpus[i]);
	return true;
}

static bool all_vms_off(void)
{
	for (unsigned int i = 0; i < nr_vms; i++) {
		if (READ_ONCE(vms[i].state) != VM_STATE_OFF)
			return false;
	}
	return true;
}

void vm_start_again(struct vm *vm)
{
	vm_console_reset(vm);
	vgic_dist_reset(vm);
	if (vm->vgic.version == 3)
		vgic_v3_reset(vm);
	vm_reload(vm);
	vm->nr_resets++;
	printk("hyp: %s: reset, starting again (reset %u)\n", vm->name, vm->nr_resets);
	vm_power_on(vm);
}

/* The last vCPU of @vm has stopped: reset it, or leave it off. */
static void vm_finish_stop(struct vm *vm)
{
	if (vm->stop_action == VM_STOP_RESET) {
		vm_start_again(vm);
		return;
	}
	bool last;

	spin_lock(&vms_lock);
	spin_lock(&vm->state_lock);
	vm->state = VM_STATE_OFF;
	spin_unlock(&vm->state_lock);
	last = all_vms_off(); /* true for one VM only: the lock orders them */
	spin_unlock(&vms_lock);
	printk("hyp: %s: off\n", vm->name);
	if (READ_ONCE(vm->counting))
		vm_stats_print(vm);
	if (last) {
		printk("hyp: every VM is off: system off\n");
		platform_system_off();
	}
}

void vm_vcpu_stopped(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool last;

	spin_lock(&vm->state_lock);
	last = ++vm->nr_stopped == vm->nr_vcpus;
	spin_unlock(&vm->state_lock);
	if (last)
		vm_finish_stop(vm);
}

bool vm_restart(struct vm *vm)
{
	bool was_off;

	spin_lock(&vm->state_lock);
	was_off = vm->state == VM_STATE_OFF;
	if (was_off)
		vm->state = VM_STATE_STOPPING; /* ours until vm_power_on() */
	spin_unlock(&vm->state_lock);
	if (was_off) {
		/*
		 * Its RAM is wiped and its images copied again: long work, done by
		 * the CPU of its vCPU 0, which is idle, not by the console's.
		 */
		smp_cpu_work(vm->vcpus[0]->pcpu, PCPU_WORK_START_VM);
		return true;
	}
	if (!vm_request_stop(vm, VM_STOP_RESET))
		return false;
	printk("hyp: %s: reset from the console: stopping its %u vCPU(s)\n", vm->name,
	       vm->nr_vcpus);
	return true;
}

/* SYSTEM_OFF/RESET of @v's VM: its own stop, then the calling vCPU stops too. */
static void __noreturn vm_stop_self(struct vcpu *v, enum vm_stop_action action)
{
	struct vm *vm = v->vm;

	if (vm_request_stop(vm, action))
		printk("hyp: %s: system %s: stopping its %u vCPU(s)\n", vm->name,
		       action == VM_STOP_OFF ? "off" : "reset", vm->nr_vcpus);
	vcpu_stop(v);
}

void vm_system_off(struct vcpu *v)
{
	if (v->vm->cfg->owns_machine) {
		printk("hyp: %s powered off: system off\n", v->vm->name);
		platform_system_off();
	}
	vm_stop_self(v, VM_STOP_OFF);
}

void vm_system_reset(struct vcpu *v)
{
	if (v->vm->cfg->owns_machine) {
		printk("hyp: %s asked for a reset: system reset\n", v->vm->name);
		platform_system_reset();
	}
	vm_stop_self(v, VM_STOP_RESET);
}
