"""scripts/guest-check, the users' CI check of a kernel's PSCI bring-up (issue
11): Debian's kernel passes every check, and each failure made on purpose is
found and named the way the README says (maxcpus=1: the missing CPUs and what
the hypervisor saw; a kernel panic; a kernel that hangs; a file that is not a
kernel), with the exit status, JUnit XML and JSON a CI system reads."""
import json
import os
import struct
import subprocess
from xml.etree import ElementTree as ET

import pytest

from conftest import ROOT, build_path

CHECK = os.path.join(ROOT, "scripts", "guest-check")
IMAGE = build_path("guest", "Image")
IMAGE_BACKPORTS = build_path("guest", "Image-backports")  # scripts/deps.sh
LINUX_CHECKS = ["hypervisor", "kernel-boot", "shell", "psci", "smccc", "cpus-online",
                "cpu-hotplug", "timer-irqs", "ipis", "kernel-log", "reboot", "poweroff"]


def guest_check(tmp_path, *args, timeout=600):
    """Run guest-check; returns (exit status, stdout, JSON report, JUnit root)."""
    js, xml = tmp_path / "report.json", tmp_path / "report.xml"
    out = subprocess.run([CHECK, "--out", str(tmp_path), "--json", str(js),
                          "--junit", str(xml)] + list(args),
                         cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    report = json.loads(js.read_text()) if js.exists() else None
    junit = ET.parse(str(xml)).getroot() if xml.exists() else None
    return out.returncode, out.stdout + out.stderr, report, junit


def results(report):
    return {r["name"]: r for r in report["results"]}


@pytest.mark.parametrize("image,version", [
    pytest.param(IMAGE, "6.1.", id="bookworm-6.1"),
    pytest.param(IMAGE_BACKPORTS, "6.12.", id="bookworm-backports-6.12"),
])
def test_debian_kernels_pass_every_check(tmp_path, image, version):
    """Two kernels nobody here wrote, as Debian ships them."""
    status, out, report, junit = guest_check(tmp_path, "--kernel", image)
    assert status == 0, out
    assert [r["name"] for r in report["results"]] == LINUX_CHECKS
    assert all(r["status"] == "pass" for r in report["results"]), out
    r = results(report)
    assert r["psci"]["message"] == "PSCI v1.1, conduit HVC (from the DT's /psci)"
    assert r["smccc"]["message"] == "SMCCC v1.1"
    assert r["cpus-online"]["message"] == "all 4 CPUs online (0-3)"
    assert r["cpu-hotplug"]["message"] == "CPU1-3 each unplugged and plugged back 3 times"
    assert report["properties"]["kernel_version"].startswith(version)
    # One progress line per check, with the time since QEMU started.
    for name in LINUX_CHECKS:
        assert "PASS  %s" % name in out
    suite = junit.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("12", "0", "0")
    assert [c.get("name") for c in suite.findall("testcase")] == LINUX_CHECKS
    # The console log is kept, with the hypervisor's PSCI trace of the hotplug rounds.
    log = (tmp_path / "console.log").read_text()
    assert "hyp: guest0 vcpu0: PSCI CPU_ON(0x3, " in log
    assert "hyp: guest0 vcpu3: PSCI CPU_OFF" in log


def test_raspi4b_passes_every_check(tmp_path):
    """PLATFORM=rpi4: QEMU's raspi4b with Debian's Raspberry Pi 4 DT, spin-table
    CPUs under the hypervisor's PSCI, and reboot and poweroff through the
    BCM2711 watchdog."""
    status, out, report, _ = guest_check(tmp_path, "--platform", "rpi4", "--kernel", IMAGE)
    assert status == 0, out
    assert [r["name"] for r in report["results"]] == LINUX_CHECKS
    assert report["properties"]["machine"].startswith("QEMU raspi4b")
    assert results(report)["cpus-online"]["message"] == "all 4 CPUs online (0-3)"


def test_raspi4b_has_one_shape(tmp_path):
    status, out, report, _ = guest_check(tmp_path, "--platform", "rpi4", "--kernel", IMAGE,
                                         "--cpus", "2")
    assert status == 2, out
    assert report["setup_error"] == "CPUS=2: QEMU's raspi4b has CPUS=4 only"


def test_maxcpus_1_names_the_missing_cpus(tmp_path):
    status, out, report, junit = guest_check(
        tmp_path, "--kernel", IMAGE, "--bootargs", "console=ttyAMA0 maxcpus=1",
        "--no-reboot-check")
    assert status == 1, out
    cpus = results(report)["cpus-online"]
    assert cpus["status"] == "fail"
    assert cpus["message"] == "1 of 4 CPUs online; not: CPU1, CPU2, CPU3"
    for c in (1, 2, 3):
        assert ("CPU%d is not online: the hypervisor saw no PSCI CPU_ON for MPIDR 0x%d; the "
                "command line limits the CPUs" % (c, c)) in cpus["details"]
    assert results(report)["cpu-hotplug"]["status"] == "skip"
    assert results(report)["poweroff"]["status"] == "pass"
    failure = [c for c in junit.iter("testcase") if c.get("name") == "cpus-online"][0]
    assert failure.find("failure").get("message") == cpus["message"]


def test_kernel_panic_is_reported_with_the_console(tmp_path):
    status, out, report, _ = guest_check(
        tmp_path, "--kernel", IMAGE, "--bootargs", "console=ttyAMA0 rdinit=/nonexistent")
    assert status == 1, out
    r = results(report)
    assert r["shell"]["status"] == "fail"
    assert r["shell"]["message"].startswith("kernel panic: Kernel panic - not syncing")
    assert "Kernel panic - not syncing" in r["shell"]["details"]
    assert all(r[n]["status"] == "skip" for n in LINUX_CHECKS[3:])


def test_a_kernel_that_hangs_is_caught(tmp_path):
    """An Image whose code is all zeros: the hypervisor starts it, it faults at
    once, its console stays silent, and the check reports a hang."""
    with open(IMAGE, "rb") as f:
        header = bytearray(f.read(64))
    struct.pack_into("<Q", header, 16, 4 << 20)  # image_size
    dead = tmp_path / "dead-Image"
    dead.write_bytes(bytes(header) + bytes(2 << 20))
    status, out, report, _ = guest_check(tmp_path, "--kernel", str(dead), "--hang-timeout", "5",
                                         timeout=120)
    assert status == 1, out
    r = results(report)
    assert r["hypervisor"]["status"] == "pass"
    assert r["kernel-boot"]["message"].startswith("hang: no console output for 5 s")
    assert "last console lines:" in r["kernel-boot"]["details"]


def test_a_file_that_is_not_a_kernel_is_a_setup_error(tmp_path):
    status, out, report, junit = guest_check(tmp_path, "--kernel",
                                             build_path("guest", "initrd.gz"))
    assert status == 2, out
    assert "is not an arm64 kernel Image" in report["setup_error"]
    assert junit.find("testsuite/testcase/error") is not None


def test_a_machine_too_small_is_a_setup_error(tmp_path):
    status, out, report, _ = guest_check(tmp_path, "--kernel", IMAGE, "--mem", "128M")
    assert status == 2, out
    assert "do not fit in MEM=128M" in report["setup_error"]


def test_an_initrd_that_does_not_fit_is_a_setup_error(tmp_path):
    big = tmp_path / "big.cpio.gz"
    with open(str(big), "wb") as f:
        f.truncate(1 << 30)  # sparse: 1 GiB that takes no disk
    status, out, report, _ = guest_check(tmp_path, "--kernel", IMAGE, "--initrd", str(big))
    assert status == 2, out
    assert "initrd (1024.0 MiB) do not fit in MEM=1G" in report["setup_error"]


def test_conformance_mode_runs_the_bare_metal_guest(tmp_path):
    status, out, report, _ = guest_check(tmp_path, "--conformance", timeout=120)
    assert status == 0, out
    names = [r["name"] for r in report["results"]]
    for name in ("hvc-psci-version", "cpu-on-bad-mpidr", "cpu-on-already-on", "psci-features",
                 "psci-return-codes", "smccc-version", "affinity-info-transitions",
                 "cpu-on-race", "system-off"):
        assert name in names
    assert report["counts"]["fail"] == 0


def test_make_run_takes_a_users_kernel_and_refuses_what_is_not_one():
    out = subprocess.run(["make", "--no-print-directory", "run", "KERNEL=README.md"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "KERNEL=README.md is not an arm64 kernel Image" in out.stdout + out.stderr
