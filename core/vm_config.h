/*
 * What a VM is made of, written as plain C data in configs/<platform>-vms.c so
 * the compiler checks it. Adding a second VM is adding a second entry.
 */
#ifndef CORE_VM_CONFIG_H
#define CORE_VM_CONFIG_H

#include "core/compiler.h"
#include "core/smccc.h"

/* A guest image linked into hyp.bin (configs/guest-images.S). */
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

#define VM_MAX_PASSTHROUGH 8

struct vm_config {
	const char *name;
	unsigned int nr_vcpus;
	/*
	 * vCPU n runs on physical CPU pcpus[n] (logical index, host DT order) for
	 * its whole life, and no physical CPU runs two vCPUs: a vCPU's EL1 state
	 * therefore lives in its CPU and is never switched.
	 */
	unsigned int pcpus[8];
	uint64_t ram_ipa;  /* guest physical base of its RAM */
	uint64_t ram_size; /* 0: all the RAM no one else uses */
	struct guest_image kernel;
	struct guest_image initrd; /* empty: none */
	const char *bootargs;
	enum smccc_conduit psci_conduit; /* what the guest DT's /psci says */
	bool owns_machine;               /* may turn the machine off or reset it */
	uint64_t smc_forward_owners;     /* SMCCC_OWNERS_*: SMC owner ranges forwarded to EL3 */
	bool console_uart;       /* hand over the host's /chosen stdout-path UART (from its DT) */
	uint32_t fixed_clock_hz; /* non-zero: device clocks become fixed clocks of this rate */
	struct vm_passthrough passthrough[VM_MAX_PASSTHROUGH];
	unsigned int nr_passthrough;
};

extern const struct vm_config vm_configs[];
extern const unsigned int nr_vm_configs;

#endif
