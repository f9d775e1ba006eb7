/* A virtual machine: its memory map (stage 2), its vCPUs and its emulated devices. */
#ifndef CORE_VM_H
#define CORE_VM_H

#include "arch/arm64/pagetable.h"
#include "core/dt.h"
#include "core/ratelimit.h"
#include "core/vm_config.h"
#include "vgic/vgic.h"

#define VM_MAX_MMIO 8

struct vm_console;

struct vcpu;

/* One access to emulated MMIO, as decoded from the data abort. */
struct mmio_access {
	uint64_t ipa;
	unsigned int size; /* bytes */
	bool write;
	uint64_t data; /* written value, or the value read */
};

typedef bool (*mmio_handler_fn)(struct vcpu *v, struct mmio_access *acc, void *priv);

struct mmio_region {
	uint64_t base;
	uint64_t size;
	mmio_handler_fn handler;
	void *priv;
	uint64_t accesses; /* by every vCPU of the VM while it counts (the 's' key) */
};

/*
 * What a VM boots, resolved from its definition: pristine images that stay
 * where they are for the VM's whole life, so a reset loads them again.
 */
struct vm_boot_source {
	const uint8_t *kernel;
	size_t kernel_size;
	const uint8_t *initrd;
	size_t initrd_size;
	const char *bootargs;
	const void *fdt; /* the DT the guest's is generated from */
};

/* A VM's life (core/vm.c): running, being stopped by SYSTEM_OFF/RESET, or off. */
enum vm_state {
	VM_STATE_RUNNING,
	VM_STATE_STOPPING, /* every vCPU is asked to stop; the last one finishes */
	VM_STATE_OFF,
};

enum vm_stop_action {
	VM_STOP_OFF,   /* stay off */
	VM_STOP_RESET, /* reload from the boot source and start again */
};

struct vm {
	unsigned int id;
	const char *name;
	const struct vm_config *cfg;
	uint16_t vmid;
	uint64_t ram_ipa, ram_pa, ram_size;
	struct pagetable s2;
	uint64_t vttbr;
	uint64_t entry_ipa; /* where vCPU 0 starts */
	uint64_t dtb_ipa;   /* x0 for vCPU 0 */
	uint64_t initrd_ipa, initrd_size;
	struct vm_passthrough devices[VM_MAX_PASSTHROUGH + 1]; /* what it was given */
	unsigned int nr_devices;
	uint64_t shm_pa[VM_MAX_SHM]; /* cfg->shm[i] is RAM at shm_pa[i], shared with its peers */
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct mmio_region mmio[VM_MAX_MMIO];
	unsigned int nr_mmio;
	struct vgic_dist vgic;
	struct ratelimit log_limit; /* for vm_log() */

	struct vm_boot_source src; /* what it boots, again at every reset */
	const struct dt_host *host;

	spinlock_t state_lock; /* orders the fields below */
	enum vm_state state;
	enum vm_stop_action stop_action;
	unsigned int nr_stopped; /* vCPUs that have acknowledged the stop */
	unsigned int nr_resets;
	uint64_t started_at; /* CNTPCT_EL0 when it last started */
	/*
	 * Are its guests' exits counted (vcpu_stats)? From its definition's
	 * "stats", switched by the console's 'c' key; its CPUs follow at once.
	 */
	bool counting;

	struct vm_console *console; /* its emulated PL011, NULL if none */
};

/*
 * Lifecycle (core/vm.c). Start every VM that was built: each one's vCPU 0 is
 * powered on on its own CPU; the boot CPU then runs its own vCPU, if any, or
 * idles. Does not return.
 */
void vm_start_all(void) __noreturn;
/* For construction (core/vm_build.c): a new VM slot for @cfg, or NULL if all are used. */
struct vm *vm_new(const struct vm_config *cfg);
/* Every VM slot in use (built VMs, in definition order). */
struct vm *vm_get(unsigned int id);
unsigned int vm_count(void);
const char *vm_state_name(enum vm_state s);

/*
 * Ring the doorbell of @vm's shared-memory region at @ipa: the doorbell SPI
 * of every other running VM sharing it. Returns how many were rung, or -1 if
 * @ipa is none of @vm's regions.
 */
int vm_doorbell_ring(struct vm *vm, uint64_t ipa);

/* Trap an IPA range to @handler. */
void vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size, mmio_handler_fn handler,
                      void *priv);
const struct mmio_region *vm_find_mmio(struct vm *vm, uint64_t ipa);
/* @acc on @r, the region vm_find_mmio() found for it: false if the device refused it. */
bool vm_emulate_mmio(struct vcpu *v, const struct mmio_region *r, struct mmio_access *acc);
/* One more access to @vm's emulated MMIO region at @ipa, if one is there. */
void vm_count_mmio(struct vm *vm, uint64_t ipa);

/* The vCPU whose MPIDR affinity is @mpidr, or NULL. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);
/* Is [ipa, ipa + size) inside the VM's RAM? */
bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size);

/*
 * PSCI SYSTEM_OFF / SYSTEM_RESET from a vCPU of @v's VM. A VM that owns the
 * machine turns it off or resets it; any other VM stops alone (and, for a
 * reset, starts again from its boot source). Do not return to the guest.
 */
void vm_system_off(struct vcpu *v) __noreturn;
void vm_system_reset(struct vcpu *v) __noreturn;
/*
 * The hypervisor console's reset key: a running VM stops and starts again
 * from its boot source, as its own SYSTEM_RESET would do; an off one starts
 * again. False if it is stopping already.
 */
bool vm_restart(struct vm *vm);
/*
 * Every vCPU of @vm is off: start it again from pristine images in wiped RAM.
 * A reset's second half, and vm_restart()'s for an off VM, which runs it on
 * the CPU of its vCPU 0 (core/smp.c).
 */
void vm_start_again(struct vm *vm);
/* Milliseconds since @vm last started (0 if it is off). */
uint64_t vm_uptime_ms(const struct vm *vm);

/*
 * A vCPU of a stopping VM acknowledges the stop on its own CPU (from the
 * exit path or its idle loop); the last one finishes it. Returns to the
 * caller, whose vCPU is now off.
 */
void vm_vcpu_stopped(struct vcpu *v);

/*
 * printk() for a line the guest caused (a fault, an access the hypervisor
 * does not handle, a refused request): at most RATELIMIT_BURST a second per
 * VM, the rest counted and the count told (core/vm_log.c).
 */
void vm_log(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/* Values of VTCR_EL2 for this machine (same for every VM). */
uint64_t vm_vtcr(void);

#endif
