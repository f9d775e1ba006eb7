/*
 * The VMs of the QEMU virt platform: one guest that owns the machine, with a
 * vCPU per physical CPU QEMU is started with (-smp 4) and the console UART.
 */
#include "core/vm_config.h"

extern const uint8_t guest_kernel_start[], guest_kernel_end[];
extern const uint8_t guest_initrd_start[], guest_initrd_end[];

const struct vm_config vm_configs[] = {
    {
	.name = "guest0",
	.nr_vcpus = 4,
	.pcpus = {0, 1, 2, 3},
	.ram_ipa = 0x40000000,
	.ram_size = MiB(512),
	.kernel = {guest_kernel_start, guest_kernel_end},
	.initrd = {guest_initrd_start, guest_initrd_end},
	.bootargs = "console=ttyAMA0 earlycon",
	.psci_conduit = SMCCC_CONDUIT_HVC,
	.owns_machine = true,
	/* EL3 services a machine owner may use; the rest of EL3 stays hidden. */
	.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_OS,
	.console_uart = true,
    },
};

const unsigned int nr_vm_configs = ARRAY_SIZE(vm_configs);
