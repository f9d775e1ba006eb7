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
from test_dom0less import IMAGE, INITRD, MiB, Domain, boot

ADVERSARY = build_path("guests", "adversary.bin")


def linux_domain(name, cpus, mib, addr):
    k = os.path.getsize(IMAGE)
    return Domain(name, cpus, mib, [("kernel", IMAGE, addr),
                                    ("ramdisk", INITRD, addr + (k + 4 * MiB) // (2 * MiB) * 2 * MiB)],
                  bootargs="console=ttyAMA0 earlycon")


@pytest.mark.parametrize("gic", [3, 2])
def test_adversary_beside_linux(qemu, tmp_path, gic):
    """The adversary's random HVCs, SMCs, hostile PSCI, MMIO storms and
    CPU_OFF/ON cycles in one VM; the Linux VM next to it answers every command
    typed while that goes on, and is still there when the adversary's own
    SYSTEM_OFF has stopped its VM alone."""
    linux = linux_domain("linux", 2, 384, 0x50000000)
    adv = Domain("adv", 2, 128, [("kernel", ADVERSARY, 0x58000000)],
                 bootargs="adv.ops=400000")
    con = boot(qemu, tmp_path, [linux, adv], gic=gic, timeout=300)
    con.expect(r"\(adv\) ADV: seed 0x[0-9a-f]+ ops 400000 life \d+: 2 vCPUs, GICv%d" % gic)
    con.expect(r"\(linux\) INIT: reached init, 0-1 online", timeout=120)
    # Ask the Linux shell, again and again, until the adversary is done.
    answers, n = 0, 0
    while True:
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
    assert ops >= 400000
    assert "PANIC" not in log
    # After the attack, Linux still answers, and its poweroff ends the machine.
    con.send("echo after$((6*7))")
    con.expect(r"\(linux\) after42\r", timeout=30)
    con.send("poweroff")
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=30) == 0
