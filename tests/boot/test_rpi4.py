"""The hypervisor on QEMU's raspi4b (the Raspberry Pi 4 model) with Debian's
bcm2711-rpi-4-b.dtb: GIC-400, spin-table CPUs, the PL011 console, the BCM2711
watchdog; and with Debian's TF-A bl31.bin as EL3 (PSCI CPU bring-up, SMCCC
answers from TF-A, SYSTEM_OFF to TF-A)."""
import re
import subprocess

from conftest import ROOT, LinuxShell, build_path

HYP = build_path("rpi4", "hyp.bin")
DTB = build_path("rpi4", "bcm2711-rpi-4-b.dtb")
BL31 = build_path("rpi4", "bl31.bin")
BOOT_TIMEOUT = 180


def raspi4b_args():
    return ["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot",
            "-dtb", DTB, "-kernel", HYP]


def raspi4b_tfa_args(dtb=DTB):
    """No -kernel: TF-A at 0 enters the hypervisor at 0x200000 with the DTB at
    0x8000000 (REFERENCE §3), with the two QEMU options TF-A needs. QEMU leaves
    a DTB loaded this way as it is (with -dtb it rewrites /memory)."""
    return ["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot",
            "-global", "arm_gic.has-security-extensions=true",
            "-global", "cortex-a72-arm-cpu.cntfrq=54000000",
            "-device", "loader,file=%s,addr=0x0,force-raw=on" % BL31,
            "-device", "loader,file=%s,addr=0x200000,force-raw=on" % HYP,
            "-device", "loader,file=%s,addr=0x8000000,force-raw=on" % dtb]


def test_rpi4_spin_table_linux_hotplug_and_watchdog_poweroff(qemu):
    con = qemu(raspi4b_args(), timeout=BOOT_TIMEOUT)
    con.expect_exact("hyp: minimal ARM64 hypervisor (rpi4 build), at EL2")
    con.expect_exact("hyp: machine: Raspberry Pi 4 Model B")
    con.expect_exact("hyp: CPUs: 4, enable-method spin-table, firmware PSCI none")
    con.expect_exact("hyp: GIC: v2 (arm,gic-400), GICD 0xff841000, GICC 0xff842000, GICH 0xff844000, "
                     "GICV 0xff846000, maintenance INTID 25")
    con.expect_exact("hyp: UART: PL011 at 0xfe201000, INTID 153 (/soc/serial@7e201000)")
    for cpu in (1, 2, 3):
        con.expect_exact("hyp: CPU%d up (MPIDR 0x%d, spin-table)" % (cpu, cpu))
    con.expect_exact("hyp: 4 of 4 CPUs online")
    con.expect_exact("smp: Brought up 1 node, 4 CPUs")
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    # Under the hypervisor the guest has PSCI, so its CPUs can be unplugged
    # (natively, spin-table CPUs cannot).
    sh.hotplug_secondaries()
    # No EL3 to ask: the Spectre-v2 firmware mitigation is reported missing.
    assert "Vulnerable" in sh.check("cat /sys/devices/system/cpu/vulnerabilities/spectre_v2")
    con.send("poweroff")
    con.expect_exact("hyp: no PSCI firmware: halting through the BCM2711 PM watchdog")
    assert con.wait_exit(timeout=60) == 0


def test_rpi4_tfa_psci_smccc_and_system_off(qemu):
    con = qemu(raspi4b_tfa_args(), timeout=BOOT_TIMEOUT)
    con.expect_exact("Changed device tree to advertise PSCI")
    con.expect_exact("hyp: CPUs: 4, enable-method psci, firmware PSCI smc")
    # What TF-A reports for the Spectre workarounds, probed at boot.
    m = con.expect(r"hyp: EL3 firmware: SMCCC >= 1\.1, ARCH_WORKAROUND_1/2/3 features "
                   r"(-?\d+)/(-?\d+)/(-?\d+)\r")
    assert int(m.group(1)) >= 0, "TF-A 2.8 implements WORKAROUND_1 on the Cortex-A72"
    for cpu in (1, 2, 3):
        con.expect_exact("hyp: CPU%d up (MPIDR 0x%d, PSCI)" % (cpu, cpu))
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    sh.hotplug_secondaries()
    # The guest asked ARCH_FEATURES(WORKAROUND_1) and got TF-A's answer: it
    # uses the firmware mitigation (without TF-A the same guest says Vulnerable).
    v2 = sh.check("cat /sys/devices/system/cpu/vulnerabilities/spectre_v2")
    assert v2.startswith("Mitigation"), v2
    con.send("poweroff")
    con.expect_exact("hyp: guest0 powered off: system off")
    assert con.wait_exit(timeout=60) == 0


def test_rpi4_ram_comes_from_the_dt_memory_nodes(qemu, tmp_path):
    """RAM is what the DT's memory nodes say, in as many banks as they list: a
    board whose firmware describes a second bank (QEMU's raspi4b has 2 GiB; its
    DT names 960 MiB) gets it. The hypervisor reports both banks and the VM
    takes the largest free range, here all of the second bank, which Linux
    counts to the page."""
    dtb = str(tmp_path / "two-banks.dtb")
    subprocess.run(["cp", DTB, dtb], check=True)
    subprocess.run(["fdtput", "-c", dtb, "/memory@40000000"], check=True)
    subprocess.run(["fdtput", "-t", "s", dtb, "/memory@40000000", "device_type", "memory"],
                   check=True)
    subprocess.run(["fdtput", "-t", "x", dtb, "/memory@40000000", "reg", "0", "40000000",
                    "40000000"], check=True)
    con = qemu(raspi4b_tfa_args(dtb), timeout=BOOT_TIMEOUT)
    con.expect_exact("hyp: RAM: bank 0 0x40000000-0x7fffffff (1024 MiB)")
    con.expect_exact("hyp: RAM: bank 1 0x0-0x3bffffff (960 MiB)")
    m = con.expect(r"hyp: RAM: 1984 MiB; the hypervisor keeps (\d+) MiB [^\r\n]*; (\d+) MiB free for VMs")
    assert int(m.group(2)) >= 1984 - 64, m.group(0)
    con.expect_exact("hyp: guest0: 4 vCPU(s) on CPU0-3, RAM IPA 0x0-0x3fffffff at PA 0x40000000 "
                     "(1024 MiB)")
    con.expect_exact("Memory: ", timeout=BOOT_TIMEOUT)
    con.expect_exact("/1048576K available")
    con.expect_exact("INIT: reached init, 0-3 online", timeout=BOOT_TIMEOUT)
    con.expect(LinuxShell.PROMPT, timeout=BOOT_TIMEOUT)
    con.send("poweroff -f")
    con.expect_exact("hyp: guest0 powered off: system off")
    assert con.wait_exit(timeout=60) == 0


HYP_NONE = build_path("rpi4", "hyp-none.bin")
VMS2_DTB = build_path("rpi4", "vms2.dtb")
VMS2_IMAGES = [build_path("guest", "Image"), build_path("guest", "initrd.gz"),
               build_path("guests", "testguest-rpi4.bin")]


def test_rpi4_two_vms_linux_and_the_test_guest(qemu):
    """make run PLATFORM=rpi4 VMS=2: the board's DT with two "xen,domain" nodes
    (scripts/rpi4-vms2.sh): Debian's Linux on 3 CPUs and 512 MiB, the bare-metal
    test guest (built for the Pi's addresses) on 1 CPU and 64 MiB, each with an
    emulated PL011 on the board's one UART. The test guest runs every check a
    single vCPU allows and powers its VM off; Linux keeps answering; its
    poweroff ends the machine through the BCM2711 watchdog."""
    loaders = subprocess.run(["bash", "scripts/rpi4-vms2.sh", "-loaders"] + VMS2_IMAGES,
                             check=True, capture_output=True, text=True,
                             cwd=ROOT).stdout.split()
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot",
                "-dtb", VMS2_DTB, "-kernel", HYP_NONE] + loaders, timeout=BOOT_TIMEOUT)
    con.expect_exact('hyp: 2 VM(s) defined by "xen,domain" nodes under /chosen')
    con.expect(r"hyp: linux: 3 vCPU\(s\) on CPU0-2, RAM IPA 0x0-0x1fffffff [^\r\n]*\(512 MiB\)")
    con.expect(r"hyp: testguest: 1 vCPU\(s\) on CPU3, RAM IPA 0x0-0x3ffffff [^\r\n]*\(64 MiB\)")
    m = con.expect(r"\(testguest\) TG: DONE (\d+) passed, (\d+) failed, (\d+) skipped\r")
    passed, failed, skipped = (int(g) for g in m.groups())
    log = con.tail(1 << 20).replace("\r", "")
    assert failed == 0, "\n".join(re.findall(r"^\(testguest\) TG: FAIL .*$", log, re.M))
    assert passed >= 25 and skipped <= 12, (passed, skipped)
    assert re.search(r"\(testguest\) TG: PASS dtb \([^)]*, 1 CPUs\)", log)
    con.expect_exact("hyp: testguest: off", timeout=30)
    con.expect_exact("(linux) INIT: reached init, 0-2 online", timeout=BOOT_TIMEOUT)
    con.send("")
    con.expect(r"\(linux\) / # ", timeout=60)
    con.send("echo P$((6*7))-$(grep -c ^processor /proc/cpuinfo)-$(sed -n 's/MemTotal: *//p' "
             "/proc/meminfo)")
    m = con.expect(r"\(linux\) P42-(\d+)-(\d+) kB", timeout=60)
    assert int(m.group(1)) == 3
    assert 400 * 1024 < int(m.group(2)) <= 512 * 1024, m.group(2)
    con.send("poweroff")
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=60) == 0
