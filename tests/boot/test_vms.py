"""Several VMs on one machine (issue 22), step 1: the compiled-in two-VM
configuration (configs/qemu-virt-vms2.c) with the bare-metal test guest in
both. Each VM gets CPUs, RAM and a console of its own, runs every check of
the test guest inside its partition, and powers itself off; the machine goes
off with the last one. Both consoles share the one UART, each line prefixed
with its VM's name, and no line of one VM is cut by the other's."""
import re

import pytest

from conftest import build_path, qemu_virt_args

HYP_TG2 = build_path("qemu-virt", "hyp-testguest-vms2.bin")
VM_LINE = re.compile(r"hyp: (guest\d): (\d+) vCPU\(s\) on CPU(\d+)-(\d+), RAM IPA "
                     r"(0x[0-9a-f]+)-(0x[0-9a-f]+) at PA (0x[0-9a-f]+) \((\d+) MiB\), .*"
                     r"console emulated PL011")


@pytest.mark.parametrize("gic", [3, 2])
def test_two_test_guest_vms_each_in_its_partition(qemu, gic):
    con = qemu(qemu_virt_args(HYP_TG2, gic=gic, smp=4), timeout=60)
    vms = {}
    for _ in range(2):
        m = con.expect(VM_LINE.pattern)
        vms[m.group(1)] = dict(vcpus=int(m.group(2)), cpus=(int(m.group(3)), int(m.group(4))),
                               pa=int(m.group(7), 16), mib=int(m.group(8)))
    assert sorted(vms) == ["guest0", "guest1"]
    # Two vCPUs each, on CPUs of its own; RAM of its own at the same IPA.
    assert vms["guest0"]["cpus"] == (0, 1) and vms["guest1"]["cpus"] == (2, 3)
    a, b = vms["guest0"], vms["guest1"]
    assert a["mib"] == b["mib"] == 384
    assert a["pa"] + (a["mib"] << 20) <= b["pa"] or b["pa"] + (b["mib"] << 20) <= a["pa"]

    done = {}
    for _ in range(2):
        m = con.expect(r"\((guest\d)\) TG: DONE (\d+) passed, (\d+) failed(?:, (\d+) skipped)?\r")
        done[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))
    for vm, (passed, failed, skipped) in done.items():
        assert failed == 0, (vm, con.tail())
        assert passed >= 40 and skipped == 1, (vm, passed, skipped)  # cpu-on-race needs 3
    # Each VM's SYSTEM_OFF is its own; the machine goes off with the last.
    con.expect_exact("hyp: every VM is off: system off")
    assert con.wait_exit(timeout=20) == 0

    log = con.tail(1 << 20).replace("\r", "")
    for vm in ("guest0", "guest1"):
        assert "hyp: %s: system off: stopping its 2 vCPU(s)\n" % vm in log, vm
        assert "hyp: %s: off\n" % vm in log, vm
    # Each VM saw its own 2 CPUs in its DT.
    for vm in ("guest0", "guest1"):
        assert re.search(r"\(%s\) TG: PASS dtb \([^)]*, 2 CPUs\)" % vm, log), vm
    assert "TG: FAIL" not in log
    # Every guest line starts with its VM's name, and no line holds a second VM's text.
    for line in log.split("\n"):
        if "TG" in line:
            assert re.match(r"\(guest[01]\) ", line), line
        assert not re.search(r".\(guest\d\) ", line), line
