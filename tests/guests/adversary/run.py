#!/usr/bin/env python3
"""Run the adversary guest (tests/guests/adversary) under the hypervisor on QEMU
virt with a chosen seed and op count, and print its verdict and ops/s.

  python3 tests/guests/adversary/run.py [--seed 0x1234] [--ops 1000000]
                                        [--gic 3] [--cpu cortex-a57]

The guest gets its parameters from its DT's /chosen/bootargs: the hypervisor
(hyp-none.bin) is given the guest as a /chosen boot module with bootargs
"adv.seed=<seed> adv.ops=<ops>" (Xen's multiboot binding), in a copy of
QEMU's DTB. To replay a failure, pass the seed and op count the guest printed
on its "ADV: replay with" line. Exit status: 0 if the guest said
"0 failures" and QEMU exited 0 by SYSTEM_OFF, 1 otherwise."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HYP_NONE = os.path.join(ROOT, "build", "qemu-virt", "hyp-none.bin")
GUEST = os.path.join(ROOT, "build", "guests", "adversary.bin")
GUEST_ADDR = 0x50000000  # clear of QEMU's DTB and of the hypervisor at 0x40200000


def module_dtb(path, gic, cpu, bootargs):
    """QEMU virt's own DTB for this machine, with the guest as a /chosen module."""
    machine = "virt,gic-version=%d,virtualization=on,dumpdtb=%s" % (gic, path)
    subprocess.run(["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-smp", "4", "-m", "1G",
                    "-nographic", "-net", "none"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    node = "/chosen/module@%x" % GUEST_ADDR

    def fdtput(*args):
        subprocess.run(["fdtput", path] + [str(a) for a in args], check=True)
    fdtput("-t", "x", "/chosen", "#address-cells", 2)
    fdtput("-t", "x", "/chosen", "#size-cells", 2)
    fdtput("-c", node)
    fdtput("-t", "s", node, "compatible", "multiboot,kernel", "multiboot,module")
    fdtput("-t", "x", node, "reg", 0, "%x" % GUEST_ADDR, 0, "%x" % os.path.getsize(GUEST))
    fdtput("-t", "s", node, "bootargs", bootargs)


def qemu_args(dtb, gic, cpu):
    return ["qemu-system-aarch64", "-M", "virt,gic-version=%d,virtualization=on" % gic,
            "-cpu", cpu, "-smp", "4", "-m", "1G", "-nographic", "-net", "none",
            "-kernel", HYP_NONE, "-dtb", dtb,
            "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (GUEST, GUEST_ADDR)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", default="0x5eed0fadc0ffee01")
    ap.add_argument("--ops", type=int, default=1000000)
    ap.add_argument("--gic", type=int, default=3, choices=(2, 3))
    ap.add_argument("--cpu", default="cortex-a57")
    ap.add_argument("--timeout", type=int, default=1800)
    args = ap.parse_args()
    bootargs = "adv.seed=%s adv.ops=%d" % (args.seed, args.ops)
    with tempfile.TemporaryDirectory() as tmp:
        dtb = os.path.join(tmp, "adversary.dtb")
        module_dtb(dtb, args.gic, args.cpu, bootargs)
        started = time.monotonic()
        proc = subprocess.Popen(qemu_args(dtb, args.gic, args.cpu), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        console = []
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                console.append(line)
                if line.startswith("ADV:") or "PANIC" in line:
                    print(line, flush=True)
                if time.monotonic() - started > args.timeout:
                    proc.kill()
                    break
        finally:
            status = proc.wait()
        wall = time.monotonic() - started
    text = "\n".join(console)
    m = re.search(r"ADV: DONE (\d+) ops, (\d+) failures", text)
    size = len(text)
    print("run: QEMU exited %d after %.1f s; console %d bytes%s" %
          (status, wall, size, "; %d ops, %.0f ops/s (wall)" % (int(m.group(1)), int(m.group(1)) / wall)
           if m else ""))
    ok = m and m.group(2) == "0" and status == 0 and "PANIC" not in text
    print("run: %s (replay: %s --seed %s --ops %d --gic %d --cpu %s)" %
          ("PASS" if ok else "FAIL", sys.argv[0], args.seed, args.ops, args.gic, args.cpu))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
