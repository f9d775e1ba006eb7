/*
 * What a VM is made of: its definition. Compiled-in VMs are written as plain C
 * data in configs/<platform>-vms.c, so the compiler checks them; VMs defined
 * at boot (Xen's dom0less "xen,domain" nodes under /chosen, core/dt_domains.c)
 * are parsed into the same structure. Construction (core/vm_build.c) and
 * lifecycle (core/vm.c) only ever see this description.
 */
#ifndef CORE_VM_CONFIG_H
#define CORE_VM_CONFIG_H

#include "core/compiler.h"
#include "core/smccc.h"

/*
 * An image a VM boots: linked into hyp.bin (configs/guest-images.S) or a boot
 * module in RAM (identity mapped). Both stay untouched for the VM's whole
 * life, so a VM reset loads pristine copies. start == end: none.
 */
struct guest_image {
	const uint8_t *start;
	const uint8_t *end;
};

/* A physical device handed to the VM at the same address, named by its host DT path. */
struct vm_passthrough {
	const char *dt_path;
	uint64_t base;
	uint64_t size;
	unsigned int irq; /* INTID routed to this VM, 0 if none */
};

enum vm_console_kind {
	VM_CONSOLE_NONE,   /* no UART at all */
	VM_CONSOLE_UART,   /* the host's /chosen stdout-path UART, if it is the only console */
	VM_CONSOLE_VPL011, /* an emulated PL011 (core/vpl011.c), multiplexed on the host UART */
};

/* A region of RAM two VMs share (Xen's "xen,domain-shared-memory-v1"). */
struct vm_shm_config {
	const char *id; /* the name both VMs use, e.g. "ring0" */
	uint64_t ipa;   /* where this VM sees it */
	uint64_t size;  /* bytes, 2 MiB multiple */
	bool owner;     /* the owner's definition decides the size; the peer's must match */
};

#define MAX_VMS            4
#define VM_MAX_VCPUS       16
#define VM_MAX_PASSTHROUGH 8
#define VM_MAX_SHM         2
#define VM_NAME_MAX        16

struct vm_config {
	const char *name;
	/* vCPUs; 0: one for every online CPU no other VM was given (or for each CPU of pcpu_mask).
	 */
	unsigned int nr_vcpus;
	/* The physical CPUs its vCPUs run on (bit n: CPUn), vCPU i on the i-th; 0: the lowest free.
	 */
	uint64_t pcpu_mask;
	/*
	 * Xen's "xen,vcpu" hard-affinity, when pcpu_mask is 0: vCPU i runs on a
	 * CPU of vcpu_affinity[i] (bit n: CPUn; 0: any), one of its own. All 0: none given.
	 */
	uint64_t vcpu_affinity[VM_MAX_VCPUS];
	uint64_t ram_ipa;  /* guest physical base of its RAM */
	uint64_t ram_size; /* 0: all the RAM no one else uses */
	struct guest_image kernel;
	struct guest_image initrd; /* empty: none */
	/* A partial DT ("multiboot,device-tree"): the DT the guest's is built from. */
	struct guest_image dtb;
	const char *bootargs;
	enum smccc_conduit psci_conduit; /* what the guest DT's /psci says */
	bool owns_machine;               /* its SYSTEM_OFF/RESET are the machine's */
	uint64_t smc_forward_owners;     /* SMCCC_OWNERS_*: SMC owner ranges forwarded to EL3 */
	/*
	 * Its exits are counted from boot (core/vm_stats.h), printed when it
	 * powers off, and it may print them itself (HYPSVC_STATS).
	 */
	bool stats;
	enum vm_console_kind console;
	uint32_t fixed_clock_hz; /* non-zero: device clocks become fixed clocks of this rate */
	struct vm_passthrough passthrough[VM_MAX_PASSTHROUGH];
	unsigned int nr_passthrough;
	struct vm_shm_config shm[VM_MAX_SHM];
	unsigned int nr_shm;
};

extern const struct vm_config vm_configs[];
extern const unsigned int nr_vm_configs;

#endif
