#!/usr/bin/python3
"""make bench: what the hypervisor costs, measured reproducibly on QEMU.

1. The bare-metal benchmark guest (tests/guests/bench) under the hypervisor and
   natively, with -icount shift=0: one guest instruction is 1 ns of virtual
   time, so its counter deltas are exact, repeatable instruction counts.
2. Linux boot to init under the hypervisor and natively: wall time with
   -accel tcg,thread=single (5 runs each, interleaved: min/median/max), and
   the guest's own clock at "Run /init" under -icount shift=0 (deterministic).
3. Footprint: hyp.bin, text/data/bss, RAM kept, lines of C and assembly.
4. Latency beside another VM: the benchmark guest as a VM of one vCPU on
   hyp-none.bin, alone, beside a VM of one vCPU that only computes, and
   beside the adversary (a VM of one vCPU hammering the hypervisor), in wall
   time with -accel tcg,thread=multi (each vCPU a host thread: under -icount
   QEMU runs the CPUs in turn, and a latency becomes its time slice).
   Interleaved runs, median.

Prints a table, writes it with the date, QEMU version and host CPU to
tests/bench/results.md, and puts it in README.md between the bench markers.
Then prints each figure next to the one committed in results.md (git HEAD),
with the change, so a regression shows at once.
Reports numbers only: nothing here passes or fails on timing.
"""
import datetime
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
RESULTS = os.path.join(ROOT, "tests", "bench", "results.md")
README = os.path.join(ROOT, "README.md")
# The boot tests' helpers (test_dom0less, test_vm_life) build the VMs of the two-VM figures.
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
QEMU = "qemu-system-aarch64"
VIRT_COMMON = ["-cpu", "cortex-a57", "-smp", "4", "-m", "1G", "-nographic", "-net", "none"]
BOOT_RUNS = int(os.environ.get("BENCH_BOOT_RUNS", "5"))

OPS = ["hvc-null", "psci-version-hvc", "smc-forwarded", "mmio-read", "ipi-roundtrip",
       "vtimer-latency", "ptimer-latency", "spi-passthrough", "doorbell-roundtrip"]
OP_TITLES = {
    "hvc-null": "HVC null call (unknown ID, returns -1)",
    "psci-version-hvc": "PSCI_VERSION over HVC",
    "smc-forwarded": "SMC forwarded to EL3 (SiP ID; QEMU answers)",
    "mmio-read": "emulated MMIO read (GICD_IIDR)",
    "ipi-roundtrip": "IPI round trip between two vCPUs",
    "vtimer-latency": "virtual timer: deadline to guest handler",
    "ptimer-latency": "EL1 physical timer: deadline to guest handler",
    "spi-passthrough": "passthrough SPI (PL011) delivery",
    "doorbell-roundtrip": "doorbell round trip between two VMs (HVC, SPI, WFI; both sides)",
}
DOORBELL_ROUNDS = (10000, 40000)
NEIGHBOUR_WAIT_MS = 500
NEIGHBOUR_RUNS = int(os.environ.get("BENCH_NEIGHBOUR_RUNS", "5"))
# The benchmark guest's figures on a VM of one vCPU (no IPI), without icount.
NEIGHBOUR_OPS = ["hvc-null", "mmio-read", "vtimer-latency", "ptimer-latency", "spi-passthrough"]


def dom0less_args(doms, accel, tmp):
    """QEMU's arguments for the dom0less VMs @doms on hyp-none.bin (GICv3),
    with @accel, their DT written in @tmp."""
    from test_dom0less import dom0less_dtb
    dtb = dom0less_dtb(pathlib.Path(tmp), doms)
    return (["-M", "virt,gic-version=3,virtualization=on"] + VIRT_COMMON + accel +
            ["-dtb", dtb, "-kernel", os.path.join(BUILD, "qemu-virt", "hyp-none.bin")] +
            [a for dom in doms for a in dom.loaders()])


def doorbell_ms(rounds):
    """Two test-guest VMs (dom0less nodes on hyp-none.bin) pass a counter
    @rounds times through the shared region "ring0" with the hypervisor's
    doorbell, as test_vm_life.py does, under -icount shift=0: the pinger's
    own clock for all of them, in ms of virtual time."""
    from test_dom0less import TESTGUEST, Domain
    from test_vm_life import shm_node
    rounds = "tg.bell-rounds=%d" % rounds
    doms = [Domain("owner", 1, 64, [("kernel", TESTGUEST, 0x50000000)],
                   bootargs="tg.bell-ping=0x60000000 " + rounds,
                   extra=shm_node(0x60000000, "owner")),
            Domain("borrower", 1, 64, [("kernel", TESTGUEST, 0x51000000)],
                   bootargs="tg.bell-pong=0x70000000 " + rounds,
                   extra=shm_node(0x70000000, "borrower"))]
    with tempfile.TemporaryDirectory() as d:
        args = dom0less_args(doms, ["-icount", "shift=0,sleep=off"], d)
        out = subprocess.run([QEMU] + args, capture_output=True, text=True, timeout=600).stdout
    m = re.search(r"\(owner\) TG: PASS doorbell-ping \((\d+) round trips, [^\n]* in (\d+) ms\)",
                  out)
    if not m:
        sys.exit("the doorbell ping-pong did not finish:\n%s" % out[-2000:])
    return int(m.group(2))


def doorbell_round_trip():
    """Virtual ns (instructions of both VMs and the hypervisor) per round trip:
    the difference of two runs, so the wait for the other VM to come up (the
    pinger's clock starts before it, about 90 ms) falls out. sleep=off: with
    every CPU in WFI, virtual time jumps to the next event instead of running
    in real time (measured: 10,000/20,000/40,000 rounds in 118/145/198 ms with
    it, 118/115/168 ms without)."""
    (n1, n2) = DOORBELL_ROUNDS
    return (doorbell_ms(n2) - doorbell_ms(n1)) * 1e6 / (n2 - n1)


# The neighbour VM of the latency figures: what it runs, and what it prints once at work.
NEIGHBOURS = {
    "alone": None,
    # The benchmark guest again, told to spin for 10 minutes first: no exits meanwhile.
    "spin": ("bench.bin", "bench.wait-ms=600000", "bench: waiting 600000 ms"),
    # Exits at full rate: GIC MMIO, IPIs, timers, PSCI, bad accesses.
    "adversary": ("adversary.bin", "adv.ops=100000000", "ADV: seed"),
}


def bench_vm_run(neighbour):
    """The benchmark guest as a dom0less VM of one vCPU on hyp-none.bin, beside
    @neighbour (NEIGHBOURS) as a second VM of one vCPU, in MTTCG:
    {op: ns of wall time per operation}."""
    from test_dom0less import Domain
    guests = os.path.join(BUILD, "guests")
    # Both VMs start at once: the benchmark waits until its neighbour is at work.
    doms = [Domain("bench", 1, 64, [("kernel", os.path.join(guests, "bench.bin"), 0x50000000)],
                   bootargs="bench.wait-ms=%d" % NEIGHBOUR_WAIT_MS)]
    other = NEIGHBOURS[neighbour]
    if other:
        doms.append(Domain(neighbour, 1, 64,
                           [("kernel", os.path.join(guests, other[0]), 0x51000000)],
                           bootargs=other[1]))
    with tempfile.TemporaryDirectory() as d:
        args = dom0less_args(doms, ["-accel", "tcg,thread=multi"], d)
        child = pexpect.spawn(QEMU, args, encoding="utf-8", timeout=120)
        try:
            child.expect("BENCH done")
            out = child.before
        finally:
            child.terminate(force=True)
    if other and not 0 <= out.find(other[2]) < out.find("BENCH hvc-null"):
        sys.exit("bench: the %s VM was not at work before the benchmark:\n%s" %
                 (neighbour, out[-2000:]))
    results = {}
    for m in re.finditer(r"BENCH (\S+) (\d+) (\d+)\r", out):
        results[m.group(1)] = int(m.group(3)) / 100.0
    return results


def neighbour_latency():
    """{neighbour: [run, ...]} for each of NEIGHBOURS, interleaved."""
    runs = {n: [] for n in NEIGHBOURS}
    for _ in range(NEIGHBOUR_RUNS):
        for n in NEIGHBOURS:
            runs[n].append(bench_vm_run(n))
    return runs


def run_bench_guest(kernel, hyp):
    machine = "virt,gic-version=3" + (",virtualization=on" if hyp else "")
    args = ["-M", machine] + VIRT_COMMON + ["-icount", "shift=0", "-kernel", kernel]
    out = subprocess.run([QEMU] + args, capture_output=True, text=True, timeout=300).stdout
    if "BENCH done" not in out:
        sys.exit("bench guest did not finish (%s):\n%s" % (kernel, out[-2000:]))
    results = {}
    for m in re.finditer(r"BENCH (\S+) (\d+) (\d+)", out):
        results[m.group(1)] = int(m.group(3)) / 100.0
    for m in re.finditer(r"BENCH (\S+) n/a (.*)", out):
        results[m.group(1)] = None
    return results


def boot_to_init(args):
    """Seconds of wall time to 'INIT: reached init', the guest's clock at
    'Run /init', and the hypervisor's set-up before it (0 natively): when it
    says its VMs are ready, on the system counter, which starts at reset."""
    start = time.monotonic()
    child = pexpect.spawn(QEMU, args, encoding="utf-8", timeout=300)
    i = child.expect([r"hyp: VMs ready at (\d+\.\d+) ms on the system counter\r",
                      r"Booting Linux on physical CPU"])
    setup = float(child.match.group(1)) / 1000 if i == 0 else 0.0
    child.expect(r"\[\s*(\d+\.\d+)\] Run /init as init process")
    guest_clock = float(child.match.group(1))
    child.expect("INIT: reached init")
    wall = time.monotonic() - start
    child.terminate(force=True)
    return wall, guest_clock, setup


def linux_args(hyp, accel):
    if hyp:
        return ["-M", "virt,virtualization=on,gic-version=3"] + VIRT_COMMON + accel + [
            "-kernel", os.path.join(BUILD, "qemu-virt", "hyp-linux.bin")]
    return ["-M", "virt,gic-version=3"] + VIRT_COMMON + accel + [
        "-kernel", os.path.join(BUILD, "guest", "Image"),
        "-initrd", os.path.join(BUILD, "guest", "initrd.gz"),
        "-append", "console=ttyAMA0 earlycon"]


def linux_boot():
    walls = {True: [], False: []}
    for _ in range(BOOT_RUNS):  # interleaved, so drift on the host hits both alike
        for hyp in (True, False):
            walls[hyp].append(boot_to_init(linux_args(hyp, ["-accel", "tcg,thread=single"]))[0])
    icount = {hyp: boot_to_init(linux_args(hyp, ["-icount", "shift=0"]))[1:]
              for hyp in (True, False)}
    return walls, icount


def sizes():
    elf = os.path.join(BUILD, "qemu-virt", "hyp-none.elf")
    out = subprocess.run(["aarch64-linux-gnu-size", elf], capture_output=True,
                         text=True).stdout.splitlines()[1].split()
    text, data, bss = (int(x) for x in out[:3])
    binsize = os.path.getsize(os.path.join(BUILD, "qemu-virt", "hyp-none.bin"))
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True,
                           text=True).stdout.split()
    hyp_dirs = ("arch/", "boot/", "core/", "vcpu/", "vgic/", "drivers/", "configs/")
    def lines(exts):
        return sum(sum(1 for _ in open(os.path.join(ROOT, f)))
                   for f in files if f.startswith(hyp_dirs) and f.endswith(exts))
    return {"bin": binsize, "text": text, "data": data, "bss": bss,
            "c": lines((".c", ".h")), "asm": lines((".S",))}


def fmt(v):
    return "n/a" if v is None else ("%.0f" % v if v >= 100 else "%.2f" % v)


NEIGHBOUR_TITLES = {
    "alone": "alone",
    "spin": "beside a VM that only computes",
    "adversary": "beside the adversary",
}


def neighbour_table(runs):
    """The latency figures beside another VM: medians, in ns of wall time."""
    rows = ["| operation, ns of wall time (`-accel tcg,thread=multi`), median of %d | %s |" % (
                NEIGHBOUR_RUNS, " | ".join(NEIGHBOUR_TITLES[n] for n in NEIGHBOURS)),
            "|---|" + "---:|" * len(NEIGHBOURS)]
    for op in NEIGHBOUR_OPS:
        cells = []
        for n in NEIGHBOURS:
            values = [r[op] for r in runs[n] if op in r]
            cells.append("%.0f" % statistics.median(values) if values else "n/a")
        rows.append("| wall: %s | %s |" % (OP_TITLES[op], " | ".join(cells)))
    rows.append("")
    rows.append("The benchmark guest as a VM of one vCPU on `hyp-none.bin`, alone, beside a VM "
                "of one vCPU that only computes (no exits), and beside the adversary (one vCPU, "
                "exits at full rate); each vCPU a host thread. Host scheduling and QEMU's own "
                "locks, not the hypervisor, make most of these: see the README.")
    return "\n".join(rows)


def table(hyp, native, walls, icount, size, neighbours):
    rows = ["| operation | under the hypervisor | native | added by the hypervisor |",
            "|---|---:|---:|---:|"]
    for op in OPS:
        h, n = hyp.get(op), native.get(op)
        added = "%.0f" % (h - n) if h is not None and n is not None else "n/a"
        rows.append("| %s | %s | %s | %s |" % (OP_TITLES[op], fmt(h), fmt(n), added))
    rows.append("")
    rows.append("Guest-visible cost per operation, in instructions (ns of virtual time with "
                "`-icount shift=0`), averaged over many iterations.")
    rows.append("")
    rows.append("| Linux boot to init (Debian 6.1, 4 vCPUs) | under the hypervisor | native | "
                "ratio |")
    rows.append("|---|---:|---:|---:|")
    def mmm(v):
        return "%.2f / %.2f / %.2f s" % (min(v), statistics.median(v), max(v))
    rows.append("| wall, `-accel tcg,thread=single`, min / median / max of %d | %s | %s | "
                "%.2fx |" % (BOOT_RUNS, mmm(walls[True]), mmm(walls[False]),
                             statistics.median(walls[True]) / statistics.median(walls[False])))
    (clock_h, setup_h), (clock_n, _) = icount[True], icount[False]
    rows.append("| guest clock at `Run /init`, `-icount shift=0` | %.3f s | %.3f s | %.2fx |" %
                (clock_h, clock_n, clock_h / clock_n))
    rows.append("| the same plus the hypervisor's set-up before the guest starts (%.1f ms) | "
                "%.3f s | %.3f s | %.2fx |" % (setup_h * 1000, setup_h + clock_h, clock_n,
                                               (setup_h + clock_h) / clock_n))
    rows.append("")
    rows.append(neighbour_table(neighbours))
    rows.append("")
    rows.append("| footprint | |")
    rows.append("|---|---|")
    rows.append("| hyp.bin (no guest linked in) | %d bytes |" % size["bin"])
    rows.append("| text / data / bss | %d / %d / %d bytes |" % (size["text"], size["data"],
                                                            size["bss"]))
    rows.append("| RAM the hypervisor keeps (image_size: code, data, stacks, DTB copy, pool) | "
                "%.1f MiB |" % ((size["text"] + size["data"] + size["bss"]) / 2 ** 20))
    rows.append("| lines of C (with headers) / assembly | %d / %d |" % (size["c"], size["asm"]))
    return "\n".join(rows)


def environment():
    qemu = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return "%s, %s, host CPU: %s (%d cores)" % (
        datetime.date.today().isoformat(), qemu, cpu, os.cpu_count())


def update_readme(text):
    readme = open(README).read()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in readme:
        return
    head, rest = readme.split(start, 1)
    tail = rest.split(end, 1)[1]
    open(README, "w").write(head + start + "\n" + text + "\n" + end + tail)


def committed_figures():
    """The under-the-hypervisor figure of each operation in the committed
    tests/bench/results.md (git HEAD; the file itself if git has none):
    {title: value}."""
    try:
        text = subprocess.run(["git", "show", "HEAD:tests/bench/results.md"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        text = open(RESULTS).read() if os.path.exists(RESULTS) else ""
    figures = {}
    for line in text.splitlines():
        m = re.match(r"\| ([^|]+?) \| ([0-9.]+) \|", line)
        if m:
            figures[m.group(1)] = float(m.group(2))
    return figures


def changes(hyp, committed):
    """Each figure next to the committed one: a regression shows at once."""
    rows = ["| operation | now | committed | change |", "|---|---:|---:|---:|"]
    for op in OPS:
        now, was = hyp.get(op), committed.get(OP_TITLES[op])
        if now is None or was is None or was == 0:
            change = "n/a"
        else:
            change = "%+.0f (%+.1f%%)" % (now - was, (now - was) * 100 / was)
        rows.append("| %s | %s | %s | %s |" % (OP_TITLES[op], fmt(now), fmt(was), change))
    return "\n".join(rows)


def main():
    print("bench: benchmark guest, under the hypervisor and natively (-icount shift=0)")
    hyp = run_bench_guest(os.path.join(BUILD, "qemu-virt", "hyp-bench.bin"), True)
    native = run_bench_guest(os.path.join(BUILD, "guests", "bench.bin"), False)
    print("bench: doorbell ping-pong between two VMs (-icount shift=0)")
    hyp["doorbell-roundtrip"], native["doorbell-roundtrip"] = doorbell_round_trip(), None
    print("bench: Linux boot, %d interleaved runs each, then icount" % BOOT_RUNS)
    walls, icount = linux_boot()
    print("bench: latency beside another VM, %d interleaved runs each (MTTCG)" % NEIGHBOUR_RUNS)
    neighbours = neighbour_latency()
    text = "Measured %s.\n\n%s" % (environment(),
                                    table(hyp, native, walls, icount, sizes(), neighbours))
    print()
    print(text)
    print("\nAgainst the figures committed in tests/bench/results.md:\n")
    print(changes(hyp, committed_figures()))
    with open(RESULTS, "w") as f:
        f.write("# Benchmark results (`make bench`)\n\n" + text + "\n")
    update_readme(text)
    print("\nbench: written to %s and README.md" % os.path.relpath(RESULTS, ROOT))


if __name__ == "__main__":
    main()
