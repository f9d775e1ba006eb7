"""The Raspberry Pi 4 SD card image (make sdcard PLATFORM=rpi4): its partition
table, files, config.txt, DTB and boot.scr; then the card booted on QEMU's
raspi4b, twice:

- from U-Boot: Debian's rpi_arm64 u-boot.bin from the card, reading boot.scr,
  hyp.bin, Image and initrd.gz from the card through QEMU's SD controller. QEMU
  stands in for the GPU firmware (it loads u-boot.bin and the card's DTB,
  prepared by scripts/rpi4-dtb.sh as the firmware would; TF-A is left out);
- without U-Boot: the card's hyp.bin (-kernel) with the /chosen module nodes
  boot.scr would add written into the DTB by fdtput, and the Image and initrd
  loaded by QEMU at the addresses boot.scr uses on the Pi.
"""
import os
import re
import struct
import subprocess

import pytest

from conftest import ROOT, LinuxShell, build_path

CARD = build_path("rpi4", "sdcard.img")
PART = CARD + "@@1M"
DEPS = os.path.join(ROOT, "build", "deps", "root", "usr", "lib")
SOURCES = {
    "hyp.bin": build_path("rpi4", "hyp-none.bin"),
    "Image": build_path("guest", "Image"),
    "initrd.gz": build_path("guest", "initrd.gz"),
    "boot.scr": build_path("rpi4", "boot.scr"),
    "u-boot.bin": os.path.join(DEPS, "u-boot", "rpi_arm64", "u-boot.bin"),
    # Debian's TF-A as shipped: the GPU firmware fills its stub fields.
    "bl31.bin": os.path.join(DEPS, "arm-trusted-firmware", "rpi4", "bl31.bin"),
}
DTB_NAME = "bcm2711-rpi-4-b.dtb"
DEBIAN_DTB = build_path("guest", DTB_NAME)
BOOTARGS = "console=ttyAMA0 earlycon"
BOOT_TIMEOUT = 180
# U-Boot reads the card at well under 1 MiB/s on QEMU: the 34 MB Image alone
# takes about a minute.
UBOOT_TIMEOUT = 420


@pytest.fixture(scope="module")
def card():
    """make sdcard PLATFORM=rpi4 (up to date after make test-boot: then a no-op)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    r = subprocess.run(["make", "--no-print-directory", "PLATFORM=rpi4", "sdcard"], cwd=ROOT,
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=1200)
    assert r.returncode == 0, "make sdcard PLATFORM=rpi4 failed:\n" + r.stdout[-3000:]
    assert os.path.exists(CARD)
    return CARD


def mtools(*args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(list(args), env=env, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE).stdout


def card_file(name, dest_dir):
    """Copy ::name out of the card's FAT partition; returns the local path."""
    dest = os.path.join(str(dest_dir), name)
    mtools("mcopy", "-n", "-i", PART, "::" + name, dest)
    return dest


def card_listing():
    """{lower-case name: size} from mdir (long names where the FAT has them)."""
    out = mtools("mdir", "-i", PART, "::").decode()
    files = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+(\S*)\s+(\d+) \d{4}-\d\d-\d\d\s+\d+:\d\d\s*(.*)$", line)
        if not m:
            continue
        short, ext, size, long_name = m.groups()
        if not long_name and not ext and short.isdigit():
            continue
        name = long_name.strip() or (short + ("." + ext if ext else ""))
        files[name.lower()] = int(size)
    return files


def script_text(path, tmp_path):
    """boot.scr decoded with dumpimage (which may keep the script image's
    8-byte length table in front of the text)."""
    info = subprocess.run(["dumpimage", "-l", path], check=True, stdout=subprocess.PIPE,
                          text=True).stdout
    assert "Script" in info, info
    out = os.path.join(str(tmp_path), "boot.txt")
    subprocess.run(["dumpimage", "-T", "script", "-p", "0", "-o", out, path], check=True,
                   stdout=subprocess.PIPE)
    data = open(out, "rb").read()
    if len(data) >= 8 and data[4:8] == b"\0\0\0\0" and \
            struct.unpack(">I", data[:4])[0] == len(data) - 8:
        data = data[8:]
    return data.decode()


def script_default(text, var):
    m = re.search(r"setenv %s (0x[0-9a-fA-F]+)" % var, text)
    assert m, "boot.scr sets no default for %s" % var
    return int(m.group(1), 16)


def test_partition_table(card):
    with open(card, "rb") as f:
        mbr = f.read(512)
    assert mbr[510:512] == b"\x55\xaa", "no MBR signature"
    entries = [mbr[446 + 16 * i:446 + 16 * (i + 1)] for i in range(4)]
    boot, ptype = entries[0][0], entries[0][4]
    start, sectors = struct.unpack("<II", entries[0][8:16])
    assert boot == 0x80, "partition 1 is not marked bootable"
    assert ptype == 0x0C, "partition 1 is type 0x%02x, not FAT32 LBA (0x0c)" % ptype
    assert start == 2048, "partition 1 starts at sector %d, not 1 MiB" % start
    assert (start + sectors) * 512 <= os.path.getsize(card)
    assert all(e[4] == 0 for e in entries[1:]), "more than one partition"
    # QEMU's SD card model takes only power-of-two sizes.
    size = os.path.getsize(card)
    assert size & (size - 1) == 0, "card image of %d bytes" % size


def test_card_holds_the_boot_files(card, tmp_path):
    listing = card_listing()
    for name in list(SOURCES) + ["config.txt", DTB_NAME]:
        assert name.lower() in listing, "%s missing from the card: %s" % (name, listing)
    for name, src in SOURCES.items():
        assert listing[name.lower()] == os.path.getsize(src), "%s: size differs from %s" % (
            name, src)
        with open(card_file(name, tmp_path), "rb") as a, open(src, "rb") as b:
            assert a.read() == b.read(), "%s differs from %s" % (name, src)
    # hyp.bin is the loader image: an arm64 Image header, "anywhere" flag, no guest.
    with open(SOURCES["hyp.bin"], "rb") as f:
        hdr = f.read(64)
    assert hdr[0x38:0x3C] == b"ARM\x64"
    assert struct.unpack("<Q", hdr[0x18:0x20])[0] & 8, "Image flags: not 'anywhere'"


def test_config_txt(card, tmp_path):
    with open(card_file("config.txt", tmp_path), encoding="ascii") as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for required in ["arm_64bit=1", "enable_uart=1", "armstub=bl31.bin", "kernel=u-boot.bin"]:
        assert required in lines, "config.txt lacks %s: %s" % (required, lines)
    # No overlay: Debian's DTB has no __symbols__ to apply one to.
    assert not any(l.startswith("dtoverlay=") for l in lines), lines


def fdtget(dtb, node, prop, typ=None):
    args = ["fdtget"] + (["-t", typ] if typ else []) + [dtb, node, prop]
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def test_dtb_is_debians_with_the_console_on_the_pl011(card, tmp_path):
    dtb = card_file(DTB_NAME, tmp_path)
    assert fdtget(dtb, "/", "compatible") == fdtget(DEBIAN_DTB, "/", "compatible")
    # The firmware fills in memory: left as Debian has it.
    assert fdtget(dtb, "/memory@0", "reg", "x") == fdtget(DEBIAN_DTB, "/memory@0", "reg", "x")
    # What dtoverlay=disable-bt would do.
    assert fdtget(dtb, "/chosen", "stdout-path") == "serial0:115200n8"
    assert fdtget(dtb, "/aliases", "serial0") == "/soc/serial@7e201000"
    pins = fdtget(dtb, "/soc/gpio@7e200000/uart0_gpio14", "phandle", "x")
    assert fdtget(dtb, "/soc/serial@7e201000", "pinctrl-0", "x") == pins
    assert fdtget(dtb, "/soc/gpio@7e200000/uart0_gpio14", "brcm,pins", "x") == "e f"
    assert fdtget(dtb, "/soc/serial@7e215040", "status") == "disabled"
    assert fdtget(dtb, "/soc/serial@7e201000/bluetooth", "status") == "disabled"


def test_boot_script(card, tmp_path):
    text = script_text(card_file("boot.scr", tmp_path), tmp_path)
    assert not re.search(r"@[A-Z_]+@", text), "unsubstituted template variable"
    assert "setenv hyp_devtype mmc" in text and "setenv hyp_devnum 0" in text
    assert "setenv hyp_part 1" in text and "mmc 0:1" in text
    for needle in ["fdt mknode /chosen module@", '"multiboot,kernel" "multiboot,module"',
                   '"multiboot,ramdisk" "multiboot,module"', '"#address-cells" <0x2>',
                   '"#size-cells" <0x2>', "booti ${kernel_addr_r} - ${fdt_addr_r}",
                   "load ${hyp_devtype} ${hyp_devnum}:${hyp_part} ${kernel_addr_r} hyp.bin"]:
        assert needle in text, needle
    # The Pi addresses: clear of each other, of hyp.bin (at 0x80000, moved to
    # 0x200000 by booti, up to its image_size) and of U-Boot's script and DT copy.
    guest, initrd = script_default(text, "guest_addr_r"), script_default(text, "initrd_addr_r")
    with open(SOURCES["hyp.bin"], "rb") as f:
        image_size = struct.unpack("<Q", f.read(24)[16:24])[0]
    used = [(0x80000, 0x200000 + image_size), (0x2400000, 0x2500000),  # hyp; boot.scr
            (0x2600000, 0x2700000),  # DT copy at fdt_addr_r
            (guest, guest + os.path.getsize(SOURCES["Image"])),
            (initrd, initrd + os.path.getsize(SOURCES["initrd.gz"]))]
    for i, a in enumerate(used):
        for b in used[i + 1:]:
            assert a[1] <= b[0] or b[1] <= a[0], "overlap: %x-%x and %x-%x" % (a + b)
    # Below 0x8000000, where QEMU's raspi4b puts the DTB in the boots below.
    assert initrd + os.path.getsize(SOURCES["initrd.gz"]) <= 0x8000000


def firmware_dtb(card, tmp_path):
    """The card's DTB as the GPU firmware would pass it (scripts/rpi4-dtb.sh)."""
    out = os.path.join(str(tmp_path), "fw.dtb")
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "rpi4-dtb.sh"),
                    card_file(DTB_NAME, tmp_path), out], check=True)
    return out


def expect_linux_and_poweroff(con):
    con.expect_exact("hyp: minimal ARM64 hypervisor (rpi4 build), at EL2, image 0x200000-")
    con.expect_exact("hyp: UART: PL011 at 0xfe201000, INTID 153 (/soc/serial@7e201000)")
    con.expect(r"hyp: module[^\r\n]*kernel")
    con.expect(r"hyp: module[^\r\n]*ramdisk")
    con.expect_exact("hyp: 4 of 4 CPUs online")
    con.expect_exact("hyp: starting guest0")
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    assert sh.check("cat /sys/devices/system/cpu/online").strip() == "0-3"
    assert BOOTARGS in sh.check("cat /proc/cmdline")
    con.send("poweroff")
    con.expect_exact("hyp: no PSCI firmware: halting through the BCM2711 PM watchdog")
    assert con.wait_exit(timeout=60) == 0


def test_card_boots_through_uboot_on_raspi4b(card, qemu, tmp_path):
    dtb = firmware_dtb(card, tmp_path)
    text = script_text(card_file("boot.scr", tmp_path), tmp_path)
    guest, initrd = script_default(text, "guest_addr_r"), script_default(text, "initrd_addr_r")
    uboot = card_file("u-boot.bin", tmp_path)
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot",
                "-dtb", dtb, "-kernel", uboot,
                "-drive", "if=sd,file=%s,format=raw,snapshot=on" % card],
               timeout=UBOOT_TIMEOUT)
    con.expect(r"U-Boot 20\d\d\.\d\d")
    con.expect(r"Scanning mmc \d:1\.\.\.")
    con.expect_exact("Found U-Boot script /boot.scr")
    con.expect(r"boot.scr: hypervisor boot from mmc \d:1 \(built for mmc 0:1\)")
    con.expect_exact("boot.scr: loading hyp.bin at 0x00080000")
    con.expect_exact("boot.scr: loading Image at 0x%x" % guest)
    con.expect_exact("boot.scr: loading initrd.gz at 0x%x" % initrd)
    con.expect_exact("boot.scr: module@%x: multiboot,kernel" % guest)
    con.expect_exact("boot.scr: module@%x: multiboot,ramdisk" % initrd)
    con.expect_exact("Moving Image from 0x80000 to 0x200000")
    con.expect_exact("Starting kernel ...")
    expect_linux_and_poweroff(con)


def test_card_hyp_with_script_modules_on_raspi4b(card, qemu, tmp_path):
    dtb = firmware_dtb(card, tmp_path)
    text = script_text(card_file("boot.scr", tmp_path), tmp_path)
    guest, initrd = script_default(text, "guest_addr_r"), script_default(text, "initrd_addr_r")
    hyp = card_file("hyp.bin", tmp_path)
    image = card_file("Image", tmp_path)
    ramdisk = card_file("initrd.gz", tmp_path)

    # The nodes boot.scr adds, with the same fdt operations.
    def fdtput(*args):
        subprocess.run(["fdtput"] + list(args), check=True)

    fdtput("-t", "x", dtb, "/chosen", "#address-cells", "2")
    fdtput("-t", "x", dtb, "/chosen", "#size-cells", "2")
    kmod, rmod = "/chosen/module@%x" % guest, "/chosen/module@%x" % initrd
    fdtput("-c", dtb, kmod, rmod)
    fdtput("-t", "s", dtb, kmod, "compatible", "multiboot,kernel", "multiboot,module")
    fdtput("-t", "x", dtb, kmod, "reg", "0", "%x" % guest, "0", "%x" % os.path.getsize(image))
    fdtput("-t", "s", dtb, kmod, "bootargs", BOOTARGS)
    fdtput("-t", "s", dtb, rmod, "compatible", "multiboot,ramdisk", "multiboot,module")
    fdtput("-t", "x", dtb, rmod, "reg", "0", "%x" % initrd, "0", "%x" % os.path.getsize(ramdisk))

    # QEMU puts the Image (hyp.bin) at 0x200000 and the DTB at 0x8000000.
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot",
                "-dtb", dtb, "-kernel", hyp,
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (image, guest),
                "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (ramdisk, initrd)],
               timeout=BOOT_TIMEOUT)
    expect_linux_and_poweroff(con)
