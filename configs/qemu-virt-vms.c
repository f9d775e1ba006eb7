/*
 * The VMs of the QEMU virt platform: one guest that owns the machine, with the
 * PL011 handed to it.
 */
#include "core/vm_config.h"

extern const uint8_t guest_image_start[], guest_image_end[];

const struct vm_config vm_configs[] = {
    {
	.name = "guest0",
	.nr_vcpus = 1,
	.ram_ipa = 0x40000000,
	.ram_size = MiB(512),
	.kernel = {guest_image_start, guest_image_end},
	.bootargs = "console=ttyAMA0 earlycon",
	.psci_conduit = SMCCC_CONDUIT_HVC,
	.owns_machine = true,
	.smc_forward_owners = BIT(SMCCC_OWNER_SIP) | BIT(SMCCC_OWNER_OEM),
	.passthrough = {{.name = "pl011", .base = 0x09000000, .size = 0x1000, .irq = 33}},
	.nr_passthrough = 1,
    },
};

const unsigned int nr_vm_configs = ARRAY_SIZE(vm_configs);
