/* A virtual machine: its memory map (stage 2), its vCPUs and its emulated devices. */
#ifndef CORE_VM_H
#define CORE_VM_H

#include "arch/arm64/pagetable.h"
#include "core/dt.h"
#include "core/ratelimit.h"
#include "core/vm_config.h"
#include "vgic/vgic.h"

#define VM_MAX_VCPUS 8
#define VM_MAX_MMIO  8

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
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct mmio_region mmio[VM_MAX_MMIO];
	unsigned int nr_mmio;
	struct vgic_dist vgic;
	struct ratelimit log_limit; /* for vm_log() */
};

/* Build every VM of configs/ from the host's description. Returns the first. */
struct vm *vm_create_all(const struct dt_host *host, const void *host_fdt);
/* The first VM's vCPU 0 runs on the boot CPU; every other vCPU waits for CPU_ON. */
void vm_start(struct vm *vm) __noreturn;

/* Trap an IPA range to @handler. */
void vm_register_mmio(struct vm *vm, uint64_t base, uint64_t size, mmio_handler_fn handler,
                      void *priv);
const struct mmio_region *vm_find_mmio(struct vm *vm, uint64_t ipa);
bool vm_emulate_mmio(struct vcpu *v, struct mmio_access *acc);

/* The vCPU whose MPIDR affinity is @mpidr, or NULL. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);
/* Is [ipa, ipa + size) inside the VM's RAM? */
bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size);

/* PSCI SYSTEM_OFF / SYSTEM_RESET from the guest: return only if the VM may not. */
void vm_system_off(struct vm *vm);
void vm_system_reset(struct vm *vm);

/*
 * printk() for a line the guest caused (a fault, an access the hypervisor
 * does not handle, a refused request): at most RATELIMIT_BURST a second per
 * VM, the rest counted and the count told (core/vm_log.c).
 */
void vm_log(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/* Values of VTCR_EL2 for this machine (same for every VM). */
uint64_t vm_vtcr(void);

#endif
