/*
 * Two VMs on QEMU virt (make run VMS=2): Debian's Linux twice, each with 2
 * vCPUs, 384 MiB and an emulated PL011 multiplexed on the console (Ctrl-A
 * three times switches the input). Neither owns the machine: each one's
 * SYSTEM_OFF and SYSTEM_RESET are its own, and the machine powers off with
 * the last one. Only guest0 may reach EL3's SiP/OEM/Trusted OS services.
 */
#include "core/vm_config.h"

extern const uint8_t guest_kernel_start[], guest_kernel_end[];
extern const uint8_t guest_initrd_start[], guest_initrd_end[];

#define LINUX_VM(vm_name, owners)                                                            \
	{                                                                                    \
		.name = vm_name, .nr_vcpus = 2, .ram_ipa = 0x40000000, .ram_size = MiB(384), \
		.kernel = {guest_kernel_start, guest_kernel_end},                            \
		.initrd = {guest_initrd_start, guest_initrd_end},                            \
		.bootargs = "console=ttyAMA0 earlycon", .psci_conduit = SMCCC_CONDUIT_HVC,   \
		.smc_forward_owners = owners, .console = VM_CONSOLE_VPL011,                  \
	}

const struct vm_config vm_configs[] = {
    LINUX_VM("guest0", SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_OS),
    LINUX_VM("guest1", 0),
};

const unsigned int nr_vm_configs = ARRAY_SIZE(vm_configs);
