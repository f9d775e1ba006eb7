/* QEMU virt: constants needed before the device tree has been read. */
#ifndef CONFIGS_PLATFORM_H
#define CONFIGS_PLATFORM_H

#define PLATFORM_NAME "qemu-virt"

/* The PL011 QEMU always has; used until the DT's stdout-path is known. */
#define PLATFORM_EARLY_UART 0x09000000

#endif
