/*
 * The default VM of the Raspberry Pi 4: one guest that owns the board, with a
 * vCPU per core that came up, the free RAM and the PL011 console. Addresses
 * come from the DT, not from here. configs/rpi4-vms2.c has two VMs.
 */
#include "core/vm_config.h"

extern const uint8_t guest_kernel_start[], guest_kernel_end[];
extern const uint8_t guest_initrd_start[], guest_initrd_end[];

const struct vm_config vm_configs[] = {
    {
	.name = "guest0",
	.nr_vcpus = 0, /* one per CPU that came up */
	.ram_ipa = 0x00000000,
	.ram_size = 0, /* all the RAM the hypervisor does not use */
	.kernel = {guest_kernel_start, guest_kernel_end},
	.initrd = {guest_initrd_start, guest_initrd_end},
	.bootargs = "console=ttyAMA0 earlycon",
	.psci_conduit = SMCCC_CONDUIT_HVC,
	.owns_machine = true,
	.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_OS,
	.console = VM_CONSOLE_UART,
	/* The PL011's clock comes from cprman, which stays the host's: 48 MHz. */
	.fixed_clock_hz = 48000000,
    },
};

const unsigned int nr_vm_configs = ARRAY_SIZE(vm_configs);
