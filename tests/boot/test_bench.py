"""The benchmark guest (tests/guests/bench) runs to completion under the
hypervisor and natively, with -icount shift=0, and reports a sane, non-zero
cost for every operation. No pass/fail on timing: `make bench` reports the
numbers; this only checks that the measuring works."""
import os
import re
import subprocess
import sys

from conftest import build_path

OPS = ["hvc-null", "psci-version-hvc", "smc-forwarded", "mmio-read", "ipi-roundtrip",
       "vtimer-latency", "ptimer-latency", "spi-passthrough"]


def run_bench(kernel, hyp):
    machine = "virt,gic-version=3" + (",virtualization=on" if hyp else "")
    out = subprocess.run(["qemu-system-aarch64", "-M", machine, "-cpu", "cortex-a57", "-smp", "4",
                          "-m", "1G", "-nographic", "-net", "none", "-icount", "shift=0",
                          "-kernel", kernel], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "BENCH done" in out.stdout, out.stdout[-2000:]
    measured = {m.group(1): (int(m.group(2)), int(m.group(3)))
                for m in re.finditer(r"BENCH (\S+) (\d+) (\d+)\r?$", out.stdout, re.M)}
    skipped = set(re.findall(r"BENCH (\S+) n/a", out.stdout))
    return out.stdout, measured, skipped


def test_bench_guest_under_the_hypervisor():
    out, measured, skipped = run_bench(build_path("qemu-virt", "hyp-bench.bin"), hyp=True)
    assert "BENCH env hyp=1" in out
    assert set(measured) == set(OPS), (measured, skipped)
    for op, (iterations, cost_x100) in measured.items():
        assert iterations > 0 and cost_x100 > 0, op
        # An exit to EL2 and back cannot be cheaper than a few dozen instructions,
        # nor cost more than a millisecond of virtual time here.
        assert 2000 < cost_x100 < 100000000, (op, cost_x100)


def test_bench_guest_natively_and_deterministically():
    out, measured, skipped = run_bench(build_path("guests", "bench.bin"), hyp=False)
    assert "BENCH env hyp=0" in out
    assert "smc-forwarded" in skipped  # no EL3 natively: SMC is undefined
    assert set(measured) | skipped == set(OPS)
    assert all(c > 0 for _, c in measured.values())
    # -icount shift=0: the same guest gives the same numbers every time.
    assert run_bench(build_path("guests", "bench.bin"), hyp=False)[1] == measured


def test_bench_vm_beside_a_neighbour():
    """make bench's latency beside another VM: the benchmark guest waits as
    bench.wait-ms asks (the check that its neighbour was at work first is
    bench.py's), and measures every figure of a VM of one vCPU."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
    import bench
    for neighbour in ("spin", "adversary"):
        measured = bench.bench_vm_run(neighbour)
        assert set(bench.NEIGHBOUR_OPS) <= set(measured), (neighbour, measured)
        assert all(measured[op] > 0 for op in bench.NEIGHBOUR_OPS), (neighbour, measured)
