/* Raspberry Pi 4 (BCM2711): constants needed before the device tree has been read. */
#ifndef CONFIGS_PLATFORM_H
#define CONFIGS_PLATFORM_H

#define PLATFORM_NAME "rpi4"

/* UART0, the PL011 (serial0). Used until the DT's console is known. */
#define PLATFORM_EARLY_UART 0xfe201000

#endif
