"""Isolation between VMs (issue 22, step 5), tested from inside the guests:
the adversary guest attacks the hypervisor from one VM while a Linux VM keeps
answering its shell, and the test guest in one VM tries to reach the other's
RAM, interrupts and vCPUs. Both VMs are Xen dom0less domains
(test_dom0less.py's helpers) on hyp-none.bin."""
import os
import re
import time

import pytest

from conftest import build_path
from test_dom0less import IMAGE, INITRD, MiB, Domain, boot, merge_domains

ADVERSARY = build_path("guests", "adversary.bin")


def linux_domain(name, cpus, mib, addr):
    k = os.path.getsize(IMAGE)
    return Domain(name, cpus, mib, [("kernel", IMAGE, addr),
                                    ("ramdisk", INITRD, addr + (k + 4 * MiB) // (2 * MiB) * 2 * MiB)],
                  bootargs="console=ttyAMA0 earlycon")


ADV_OPS_BESIDE_LINUX = 2000000


@pytest.mark.parametrize("gic", [3, 2])
def test_adversary_beside_linux(qemu, tmp_path, gic):
    """The adversary's random HVCs, SMCs, hostile PSCI, MMIO storms and
    CPU_OFF/ON cycles in one VM; the Linux VM next to it answers every command
    typed while that goes on, and is still there when the adversary's own
    SYSTEM_OFF has stopped its VM alone."""
    linux = linux_domain("linux", 2, 384, 0x50000000)
    # Enough operations to outlast Linux's boot: 400,000 took 5 s on GICv3 once the
    # vGIC lock stopped convoying, and ended before Linux reached init.
    adv = Domain("adv", 2, 128, [("kernel", ADVERSARY, 0x58000000)],
                 bootargs="adv.ops=%d" % ADV_OPS_BESIDE_LINUX)
    con = boot(qemu, tmp_path, [linux, adv], gic=gic, timeout=300)
    con.expect(r"\(adv\) ADV: seed 0x[0-9a-f]+ ops %d life \d+: 2 vCPUs, GICv%d"
               % (ADV_OPS_BESIDE_LINUX, gic))
    con.expect(r"\(linux\) INIT: reached init, 0-1 online", timeout=120)
    assert "ADV: DONE" not in con.tail(1 << 22), \
        "the adversary finished before Linux reached init: raise ADV_OPS_BESIDE_LINUX"
    # Ask the Linux shell, again and again, until the adversary is done (bounded).
    answers, n, deadline = 0, 0, time.monotonic() + 600
    while True:
        assert time.monotonic() < deadline, "no ADV: DONE after %d answers" % answers
        n += 1
        con.send("echo Q$((%d*3))" % n)
        i = con.child.expect([r"\(linux\) Q%d\r" % (n * 3),
                              r"\(adv\) ADV: DONE (\d+) ops, (\d+) failures\r"], timeout=60)
        if i == 1:
            break
        answers += 1
    ops, failures = int(con.child.match.group(1)), int(con.child.match.group(2))
    assert answers >= 3, "the Linux VM answered %d times during the attack" % answers
    con.expect_exact("hyp: adv: off", timeout=30)
    log = con.tail(1 << 22).replace("\r", "")
    assert failures == 0, "\n".join(re.findall(r"^\(adv\) ADV: FAIL .*$", log, re.M)[:20])
    assert ops >= ADV_OPS_BESIDE_LINUX
    assert "PANIC" not in log
    # After the attack, Linux still answers, and its poweroff ends the machine.
    con.send("echo after$((6*7))")
    con.expect(r"\(linux\) after42\r", timeout=30)
    con.send("poweroff")
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=30) == 0


TESTGUEST = build_path("guests", "testguest.bin")
SYNC_MS = 4000  # the counter's ms at which the two VMs meet (both boot well within it)


def check_isolation_log(con):
    """Both test guests done with 0 failures, every isolation check passed, and
    the sender's storm inside the listener's window."""
    for _ in range(2):
        m = con.expect(r"\((vm\d)\) TG: DONE (\d+) passed, (\d+) failed")
        assert m.group(3) == "0", con.tail()
    con.expect_exact("hyp: every VM is off: system off")
    log = con.tail(1 << 22).replace("\r", "")
    for vm in ("vm1", "vm2"):
        for check in ("iso-cpu-on-foreign", "iso-doorbell-foreign", "iso-ram-beyond",
                      "iso-ram-marker"):
            assert re.search(r"\(%s\) TG: PASS %s\b" % (vm, check), log), (vm, check)
    send, listen = window(log, "vm1", "iso-send"), window(log, "vm2", "iso-listen")
    assert listen[0] <= send[0] and send[1] <= listen[1], (send, listen)
    sgis = int(re.search(r"\(vm1\) TG: PASS iso-send \((\d+) SGIs", log).group(1))
    assert sgis > 1000, sgis
    return log


def window(log, vm, name):
    m = re.search(r"\(%s\) TG: PASS %s \([^)\n]*from (\d+) ms to (\d+) ms" % (vm, name), log)
    assert m, "%s: no PASS %s" % (vm, name)
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("gic", [3, 2])
def test_test_guests_cannot_reach_each_other(qemu, tmp_path, gic):
    """Two test-guest VMs on -smp 4 -m 1G, each trying to reach the other
    (tests/guests/testguest/isolation.c): CPU_ON of MPIDRs it does not have,
    reads of every 2 MiB of the machine's RAM beyond its own, markers in its
    own RAM, and at a meeting point on the shared counter one VM's SGIs to
    everyone and SPIs pended everywhere while the other listens with every
    interrupt enabled."""
    args = "tg.iso=%d tg.role=%s tg.sync=%d tg.ram-end=0x80000000"
    doms = [Domain("vm%d" % i, 2, 256, [("kernel", TESTGUEST, 0x50000000 + i * 0x1000000)],
                   bootargs=args % (i, role, SYNC_MS))
            for i, role in ((1, "send"), (2, "listen"))]
    con = boot(qemu, tmp_path, doms, gic=gic, timeout=60)
    log = check_isolation_log(con)
    assert con.wait_exit(timeout=20) == 0
    # Every read of the other VM's RAM by its physical address was an abort.
    m = re.search(r"\(vm1\) TG: PASS iso-ram-beyond \((\d+) reads from (0x[0-9a-f]+) to "
                  r"0x[0-9a-f]+ aborted\)", log)  # whole: the focused VM's cut lines show again
    assert int(m.group(1)) == (0x80000000 - int(m.group(2), 16)) // (2 << 20)


def test_test_guests_cannot_reach_each_other_raspi4b(qemu, tmp_path):
    """The same on QEMU's Raspberry Pi 4 model (GIC-400, spin-table CPUs, guest
    RAM at IPA 0): two test guests built for the Pi, 2 vCPUs and 128 MiB each,
    every 2 MiB beyond a VM's RAM up to the DT's 960 MiB probed."""
    tg = build_path("guests", "testguest-rpi4.bin")
    args = "tg.iso=%d tg.role=%s tg.sync=%d tg.ram-end=0x3c000000"
    doms = [Domain("vm%d" % i, 2, 128, [("kernel", tg, 0x30000000 + i * 0x1000000)],
                   bootargs=args % (i, role, SYNC_MS))
            for i, role in ((1, "send"), (2, "listen"))]
    dtb = merge_domains(tmp_path, build_path("rpi4", "bcm2711-rpi-4-b.dtb"), doms)
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot", "-dtb", dtb,
                "-kernel", build_path("rpi4", "hyp-none.bin")] +
               [a for d in doms for a in d.loaders()], timeout=60)
    log = check_isolation_log(con)
    assert con.wait_exit(timeout=30) == 0
    m = re.search(r"\(vm1\) TG: PASS iso-ram-beyond \((\d+) reads from (0x[0-9a-f]+) to "
                  r"0x[0-9a-f]+ aborted\)", log)  # whole: the focused VM's cut lines show again
    assert int(m.group(1)) == (0x3c000000 - int(m.group(2), 16)) // (2 << 20)


@pytest.mark.parametrize("flood_first", [True, False], ids=["focused", "unfocused"])
def test_a_flooding_vm_is_rate_limited(qemu, tmp_path, flood_first):
    """One VM prints without end for 3 s (the focused one, written through as it
    types, or one written a line at a time); its output is held to 8 KiB/s
    after a 32 KiB burst, whole lines dropped and their bytes counted, and the
    other VM runs every check meanwhile."""
    flood = Domain("flood", 2, 128, [("kernel", TESTGUEST, 0x50000000)],
                   bootargs="tg.flood=3000")
    other = Domain("other", 2, 128, [("kernel", TESTGUEST, 0x51000000)])
    con = boot(qemu, tmp_path, [flood, other] if flood_first else [other, flood], timeout=60)
    m = con.expect(r"\(other\) TG: DONE (\d+) passed, (\d+) failed")
    assert m.group(2) == "0"
    m = con.expect(r"\(flood\) TG: FLOOD done, (\d+) lines in 3000 ms")
    lines = int(m.group(1))
    con.expect_exact("hyp: every VM is off: system off")
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(1 << 24).replace("\r", "")
    assert log.index("(other) TG: DONE") < log.index("(flood) TG: FLOOD done")
    # The drop counts, told at most once a second (4 s of flood and quiet: at most 5).
    told = [int(n) for n in re.findall(
        r"^hyp: flood: (\d+) bytes of console output dropped \(over 8192 bytes/s\)$", log, re.M)]
    assert 1 <= len(told) <= 5, told
    dropped = sum(told)
    flood = re.compile(r"\(flood\) TG: FLOOD (\d+) \.{64}")
    # By number: a focused line cut just before its newline shows whole twice.
    out = {int(m.group(1)) for m in map(flood.fullmatch, log.split("\n")) if m}
    flood_bytes = sum(len("TG: FLOOD %d " % n) + 64 + 2 for n in out)
    # The burst, 8 KiB a second for the 3 s of flood and the quiet second, and one line.
    assert flood_bytes <= 32768 + 4 * 8192 + 100, flood_bytes
    # Every line the VM wrote went out whole or was dropped whole, and counted.
    produced = sum(len("TG: FLOOD %d " % n) + 64 + 2 for n in range(lines))
    assert flood_bytes + dropped == produced, (lines, produced, flood_bytes, dropped)
    assert dropped > flood_bytes, (dropped, flood_bytes)
    # Whole lines only: every flood line that got out is complete. The focused VM's
    # line cut by another writer shows a piece of it first, marked " [...]", then
    # the whole line again.
    for l in log.split("\n"):
        if l.startswith("(flood) ") and "done" not in l and "started" not in l:
            if flood.fullmatch(l):
                continue
            assert flood_first and l.endswith(" [...]"), l
            piece = l[len("(flood) "):-len(" [...]")]
            assert "TG: FLOOD ".startswith(piece) or re.fullmatch(r"TG: FLOOD \d+( \.*)?",
                                                                 piece), l
