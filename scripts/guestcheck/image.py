"""What a kernel file is: an arm64 Image (booting.rst's 64-byte header), or
one compressed the ways distributions ship it (gzip; EFI zboot), which is
unpacked first. Anything else is refused with a line saying what it is."""
import gzip
import os
import re
import struct
import zlib

ARM64_MAGIC = b"ARM\x64"
MAGIC_OFFSET = 0x38
HEADER_SIZE = 64


class SetupError(Exception):
    """The check cannot start: a bad file, a machine that cannot be made."""


class KernelImage:
    def __init__(self, path, origin, image_size, version):
        self.path = path              # the uncompressed Image the hypervisor loads
        self.origin = origin          # how it came: "Image", "gzip", "EFI zboot (gzip)"
        self.image_size = image_size  # bytes it needs from its load address (header)
        self.version = version        # "Linux version ..." if the banner is in the file

    @property
    def file_size(self):
        return os.path.getsize(self.path)


def _header(data):
    if len(data) < HEADER_SIZE or data[MAGIC_OFFSET:MAGIC_OFFSET + 4] != ARM64_MAGIC:
        return None
    text_offset, image_size = struct.unpack_from("<QQ", data, 8)
    return text_offset, image_size


def _zboot_payload(data):
    """EFI zboot (CONFIG_EFI_ZBOOT): "MZ", then "zimg", payload offset and size,
    and the compression name at 24."""
    if data[:2] != b"MZ" or data[4:8] != b"zimg":
        return None
    offset, size = struct.unpack_from("<II", data, 8)
    comp = data[24:32].split(b"\0")[0].decode("ascii", "replace")
    payload = data[offset:offset + size]
    if comp == "gzip":
        return comp, gzip.decompress(payload)
    raise SetupError("an EFI zboot image compressed with %s, which guest-check cannot unpack: "
                     "give the uncompressed Image (CONFIG_EFI_ZBOOT=n builds arch/arm64/boot/"
                     "Image)" % comp)


def _describe(data):
    if data[:4] == b"\x7fELF":
        return "an ELF file (vmlinux?): give arch/arm64/boot/Image, not vmlinux"
    if data[:2] == b"MZ":
        return "a PE/EFI file without an arm64 Image header"
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd-compressed data: decompress it first (zstd -d)"
    if data[:3] == b"BZh":
        return "bzip2-compressed data"
    if data[:6] == b"\xfd7zXZ\x00":
        return "xz-compressed data: decompress it first (xz -d)"
    if not data:
        return "an empty file"
    return "no arm64 Image magic \"ARM\\x64\" at offset 0x38"


def _version(data):
    m = re.search(rb"Linux version ([0-9][^\0\n (]{0,60})", data)
    return m.group(1).decode("ascii", "replace") if m else None


def inspect_kernel(path, workdir):
    """The Image to boot for @path, unpacked into @workdir if it was compressed."""
    if not os.path.isfile(path):
        raise SetupError("KERNEL=%s: no such file" % path)
    with open(path, "rb") as f:
        data = f.read()
    origin = "Image"
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise SetupError("KERNEL=%s: gzip data that does not unpack: %s" % (path, e))
        origin = "gzip"
    else:
        zboot = _zboot_payload(data)
        if zboot:
            origin = "EFI zboot (%s)" % zboot[0]
            data = zboot[1]
    hdr = _header(data)
    if not hdr:
        raise SetupError("KERNEL=%s is not an arm64 kernel Image: %s" % (path, _describe(data)))
    text_offset, image_size = hdr
    if origin != "Image":
        os.makedirs(workdir, exist_ok=True)
        unpacked = os.path.join(workdir, "Image")
        with open(unpacked, "wb") as f:
            f.write(data)
        path = unpacked
    # image_size 0: a kernel older than 3.17, which needs its file size and room for BSS.
    return KernelImage(path, origin, image_size or len(data), _version(data))
