#!/usr/bin/python3
"""Make Debian's TF-A rpi4 bl31.bin bootable on QEMU's raspi4b without the GPU
firmware, which would otherwise fill in its stub fields: at 0xf0..0xff, four
little-endian u32s {0, 0, dtb_address, kernel_entry}.

usage: rpi4-tfa.py BL31_IN BL31_OUT DTB_ADDR KERNEL_ADDR
"""
import struct
import sys

src, dst, dtb, kernel = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4], 0)
image = bytearray(open(src, "rb").read())
if len(image) < 0x100:
    sys.exit("rpi4-tfa: %s is too small to be bl31.bin" % src)
image[0xf0:0x100] = struct.pack("<IIII", 0, 0, dtb, kernel)
open(dst, "wb").write(bytes(image))
