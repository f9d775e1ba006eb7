#!/usr/bin/python3
"""make bench-trace: where the hypervisor's instructions go, for one exit of
each kind the benchmark guest measures (issue 24's breakdown).

For each case, QEMU runs hyp-bench.bin (-icount shift=0, stopped at start)
and gdb-multiarch single-steps one whole exit: from the guest's exception
entry (entry.S) to the eret back to EL1. The steps are counted by function
(the function around each PC, after inlining) and by phase:

  entry     the vector and `entry` (saving the frame)
  dispatch  the trap or interrupt handler, up to the return path
  sync      leave_hypervisor_to_guest: the vGIC's list-register sync
  exit      return_to_guest and `exit` (restoring the frame)

The count is of EL2 instructions only; make bench's figures add the guest's
own (its loop, its handler). QEMU's gdb stub steps with interrupts and timers
off, so one step is one instruction of the path. Reports numbers only.
"""
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ELF = os.path.join(ROOT, "build", "qemu-virt", "hyp-bench.elf")
BIN = os.path.join(ROOT, "build", "qemu-virt", "hyp-bench.bin")

# name: (title, function to wait for, its condition, hits to skip, the exit's entry label,
#        the entry's condition)
CASES = [
    ("hvc-null", "HVC null call", "smccc_handle_call", "", 20, "guest_sync",
     "$x0 == 0x4b000000"),
    ("psci-version-hvc", "PSCI_VERSION over HVC", "smccc_handle_call", "", 20, "guest_sync",
     "$x0 == 0x84000000"),
    ("mmio-read", "emulated MMIO read (GICD_IIDR)", "vgic_v3_gicd_mmio", "", 20, "guest_sync",
     ""),
    ("ipi-send", "IPI: the sender's ICC_SGI1R_EL1 trap", "vgic_v3_sgi", "", 20, "guest_sync",
     ""),
    ("ipi-receive", "IPI: the receiver's kick interrupt", "smp_do_work", "", 20, "guest_irq",
     ""),
    ("vtimer-latency", "virtual timer interrupt", "vtimer_handle_irq", "", 20, "guest_irq", ""),
    ("spi-passthrough", "passthrough SPI (PL011)", "vgic_inject_hw", "$x1 == 33", 5, "guest_irq",
     ""),
]

GDB_SCRIPT = r'''
import gdb, os
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :%(port)d")
gdb.execute("set scheduler-locking step")
b = gdb.Breakpoint("%(stop)s", type=gdb.BP_HARDWARE_BREAKPOINT)
if "%(stop_cond)s":
    b.condition = "%(stop_cond)s"
b.ignore_count = %(skip)d
gdb.execute("continue")
b.delete()
e = gdb.Breakpoint("%(entry)s", type=gdb.BP_HARDWARE_BREAKPOINT)
if "%(entry_cond)s":
    e.condition = "%(entry_cond)s"
gdb.execute("continue")
e.delete()
with open("%(out)s", "w") as out:
    for _ in range(20000):
        if (int(gdb.parse_and_eval("$cpsr")) >> 2) & 3 != 2:
            break
        out.write(gdb.execute("x/i $pc", to_string=True).strip() + "\n")
        gdb.execute("stepi", to_string=True)
    else:
        out.write("UNFINISHED\n")
gdb.execute("kill")
'''

ENTRY_LABELS = {"guest_sync", "guest_irq", "guest_error"}
EXIT_LABELS = {"return_to_guest"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def trace(case):
    name, _, stop, stop_cond, skip, entry, entry_cond = case
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "trace.txt")
        script = os.path.join(tmp, "trace.py")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT % dict(port=port, stop=stop, stop_cond=stop_cond, skip=skip,
                                      entry=entry, entry_cond=entry_cond, out=out))
        qemu = subprocess.Popen(
            ["qemu-system-aarch64", "-M", "virt,gic-version=3,virtualization=on", "-cpu",
             "cortex-a57", "-smp", "4", "-m", "1G", "-nographic", "-net", "none", "-icount",
             "shift=0", "-kernel", BIN, "-S", "-gdb", "tcp::%d" % port],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            subprocess.run(["gdb-multiarch", "-q", "-batch", "-ex", "file " + ELF, "-x", script],
                           capture_output=True, text=True, timeout=300)
        finally:
            qemu.kill()
            qemu.wait()
        if not os.path.exists(out):
            sys.exit("bench-trace: %s: gdb did not reach the exit" % name)
        lines = open(out).read().splitlines()
    if lines and lines[-1] == "UNFINISHED":
        sys.exit("bench-trace: %s: no eret within 20000 instructions" % name)
    return [re.search(r"<([A-Za-z_0-9.]+)(?:\+\d+)?>", l).group(1) for l in lines]


def phases(funcs):
    """Entry, dispatch, sync, exit counts: the sync is leave_hypervisor_to_guest's call."""
    counts = collections.Counter()
    phase = "entry"
    for f in funcs:
        if phase == "entry" and f not in ENTRY_LABELS:
            phase = "dispatch"
        if f in EXIT_LABELS:
            phase = "exit"
        elif phase == "exit" and f != "return_to_guest":
            phase = "sync"
        elif phase == "sync" and f in EXIT_LABELS:
            phase = "exit"
        counts[phase] += 1
    return counts


def main():
    if not os.path.exists(ELF):
        sys.exit("bench-trace: build %s first (make bench-trace does)" % ELF)
    for case in CASES:
        funcs = trace(case)
        ph = phases(funcs)
        by_func = collections.Counter(funcs)
        order = list(dict.fromkeys(funcs))
        print("%s: %d EL2 instructions (entry %d, dispatch %d, sync %d, exit %d)" % (
            case[1], len(funcs), ph["entry"], ph["dispatch"], ph["sync"], ph["exit"]))
        print("   " + ", ".join("%s %d" % (f, by_func[f]) for f in order))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
