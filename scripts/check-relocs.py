#!/usr/bin/python3
"""Refuse a hyp.elf whose dynamic relocations boot/head.S cannot apply.

The boot code handles R_AARCH64_RELATIVE only; anything else (an absolute
reference to an undefined symbol, a GOT entry needing a symbol lookup) would
leave a wrong pointer in the running image, so it must fail the build.
"""
import subprocess
import sys

readelf, elf = sys.argv[1], sys.argv[2]
out = subprocess.run([readelf, "-rW", elf], check=True, capture_output=True, text=True).stdout
bad = [line for line in out.splitlines()
       if line[:1].isalnum() and "R_AARCH64_" in line and "R_AARCH64_RELATIVE" not in line]
if bad:
    sys.stderr.write("check-relocs: relocations the boot code cannot apply:\n")
    sys.stderr.write("\n".join(bad) + "\n")
    sys.exit(1)
