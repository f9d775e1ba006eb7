/*
 * The VMs of the Raspberry Pi 4: one guest that owns the board, with a vCPU
 * per core and the PL011 console. Addresses come from the DT, not from here.
 */
#include "core/vm_config.h"

extern const uint8_t guest_kernel_start[], guest_kernel_end[];
extern const uint8_t guest_initrd_start[], guest_initrd_end[];

const struct vm_config vm_configs[] = {
    {
	.name = "guest0",
	.nr_vcpus = 4,
	.pcpus = {0, 1, 2, 3},
	.ram_ipa = 0x00000000,
	.ram_size = MiB(512),
	.kernel = {guest_kernel_start, guest_kernel_end},
	.initrd = {guest_initrd_start, guest_initrd_end},
	.bootargs = "console=ttyAMA0 earlycon",
	.psci_conduit = SMCCC_CONDUIT_HVC,
	.owns_machine = true,
	.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_OS,
	.console_uart = true,
	/* The PL011's clock comes from cprman, which stays the host's: 48 MHz. */
	.fixed_clock_hz = 48000000,
    },
};

const unsigned int nr_vm_configs = ARRAY_SIZE(vm_configs);
