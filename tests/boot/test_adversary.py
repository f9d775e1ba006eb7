"""The adversary guest (tests/guests/adversary): on every vCPU, what a buggy or
malicious guest can do to the hypervisor (random HVC/SMC, hostile PSCI, CPU_ON
races and CPU_OFF/CPU_ON cycles, an MMIO storm on the emulated GIC frames and
on holes, trapped system registers, WFI/WFE), a short fixed-seed run checked
by the guest itself. The hypervisor must not panic, must answer every call as
specified (the guest's "0 failures"), must keep its console small (every
message a guest can trigger is rate-limited) and must end the run by the
guest's SYSTEM_OFF with QEMU status 0. A failure is replayed with the seed
the guest printed: tests/guests/adversary/run.py --seed ... --ops ..."""
import re

import pytest

from conftest import build_path, qemu_virt_args

HYP = build_path("qemu-virt", "hyp-adversary.bin")
HYP_RPI4 = build_path("rpi4", "hyp-adversary.bin")
RPI4_DTB = build_path("rpi4", "bcm2711-rpi-4-b.dtb")

# The guest prints about 2 KiB; the hypervisor's rate-limited fault and
# emulation messages add a few KiB more. A message that is not rate-limited
# floods at thousands of lines a second.
CONSOLE_LIMIT = 32 * 1024


@pytest.mark.parametrize("gic,cpu", [(3, "cortex-a57"), (2, "cortex-a57"), (3, "max")],
                         ids=["gicv3-a57", "gicv2-a57", "gicv3-max"])
def test_adversary_short_run(qemu, gic, cpu):
    con = qemu(qemu_virt_args(HYP, gic=gic, smp=4, cpu=cpu), timeout=120)
    check_short_run(con, gic, "hyp: guest0 powered off: system off")


def test_adversary_short_run_raspi4b(qemu):
    """The same on QEMU's Raspberry Pi 4 (GIC-400, guest RAM at IPA 0, spin-table
    CPUs, no PSCI firmware: the guest's SYSTEM_OFF ends in the PM watchdog)."""
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot",
                "-dtb", RPI4_DTB, "-kernel", HYP_RPI4], timeout=120)
    check_short_run(con, 2, "hyp: no PSCI firmware: halting through the BCM2711 PM watchdog")


def check_short_run(con, gic, off_line):
    m = con.expect(r"ADV: seed (0x[0-9a-f]+) ops (\d+) life \d+: 4 vCPUs, GICv(\d)")
    assert int(m.group(3)) == gic
    m = con.expect(r"ADV: DONE (\d+) ops, (\d+) failures\r")
    ops, failures = int(m.group(1)), int(m.group(2))
    assert con.wait_exit(timeout=30) == 0, "QEMU must exit 0 through the guest's SYSTEM_OFF"
    log = con.tail(n=10 ** 7).replace("\r", "")
    assert "PANIC" not in log
    assert failures == 0, "\n".join(re.findall(r"^ADV: FAIL .*$", log, re.M)[:20])
    assert ops >= 20000, ops
    cycles = int(re.search(r"^ADV: (\d+) CPU_OFF/CPU_ON cycles", log, re.M).group(1))
    assert cycles >= 100, "the secondaries were turned off and on again %d times" % cycles
    assert "hyp: guest0 powered off: system off" in log
    assert off_line in log
    assert len(log) < CONSOLE_LIMIT, "console of %d bytes" % len(log)
