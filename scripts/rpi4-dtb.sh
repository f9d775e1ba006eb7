#!/usr/bin/env bash
# Prepare Debian's bcm2711-rpi-4-b.dtb the way the Pi's GPU firmware would:
#   - fill /memory@0 (the file has reg = <0 0 0>): the first 960 MiB, below the
#     peripherals (QEMU raspi4b has 2 GiB; the rest needs the firmware's
#     high-memory bank, which this DT does not describe);
#   - put the console on serial0, the PL011 (enable_uart=1 with Bluetooth moved);
#   - for QEMU's raspi4b only: disable the six nodes at 0xfef0_0000 QEMU does not
#     model (Linux panics probing them). Harmless on a real board? No: those are
#     the HDMI/I2C blocks, so only QEMU images get this (QEMU=1, the default).
set -euo pipefail
in=$1
out=$2
mkdir -p "$(dirname "$out")"
cp "$in" "$out.tmp"
fdtput -t x "$out.tmp" /memory@0 reg 0 0 0x3c000000
fdtput -t s "$out.tmp" /chosen stdout-path "serial0:115200n8"
if [ "${QEMU:-1}" = 1 ]; then
	for node in clock@7ef00000 interrupt-controller@7ef00100 hdmi@7ef00700 \
		i2c@7ef04500 hdmi@7ef05700 i2c@7ef09500; do
		fdtput -t s "$out.tmp" "/soc/$node" status disabled
	done
fi
mv "$out.tmp" "$out"
