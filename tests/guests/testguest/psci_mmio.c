/*
 * PSCI and emulated MMIO as their specifications say (checked by vCPU 0):
 *
 * - CPU_SUSPEND with a reserved bit of its original-format power_state set
 *   returns INVALID_PARAMETERS (PSCI 1.1, 5.4.2); a valid one returns;
 * - a big-endian guest (SCTLR_EL1.EE = 1) reads and writes emulated device
 *   registers in its own byte order, as it would RAM: a 32-bit load of
 *   GICD_IIDR returns its bytes reversed, a 32-bit store to GICD_IPRIORITYR
 *   puts its most significant byte at the lowest address, a 16-bit load
 *   reverses two bytes, and a byte is a byte.
 */
#include "gicv3.h"
#include "smccc.h"
#include "sysreg.h"
#include "testguest.h"

#define PSCI_CPU_SUSPEND    0x84000001UL
#define PSCI_CPU_SUSPEND_64 0xc4000001UL
#define SCTLR_EE            (1UL << 25)
#define GIC_IPRIORITYR      0x0400
#define BE_INTID            96 /* an SPI nothing uses: its priority bytes are scratch */

void test_cpu_suspend_power_state(void)
{
	static const unsigned long bad[] = {1UL << 17, 1UL << 23, 1UL << 26, 1UL << 31};
	long ret;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = (long)smccc_hvc(PSCI_CPU_SUSPEND, bad[i], 0, 0).a0;
		if (ret != PSCI_RET_INVALID_PARAMETERS) {
			fail("cpu-suspend-power-state",
			     "power_state 0x%lx (a reserved bit) returned "
			     "%ld, expected INVALID_PARAMETERS (-2)",
			     bad[i], ret);
			return;
		}
	}
	ret = (long)smccc_hvc(PSCI_CPU_SUSPEND_64, 0xffff0000UL << 32, 0, 0).a0;
	if (ret != PSCI_RET_SUCCESS) {
		fail("cpu-suspend-power-state",
		     "SMC64 standby with garbage in x1[63:32] "
		     "returned %ld: power_state is 32 bits",
		     ret);
		return;
	}
	ret = (long)smccc_hvc(PSCI_CPU_SUSPEND, 0x0101ffffUL, 0, 0).a0;
	if (ret != PSCI_RET_SUCCESS) {
		fail("cpu-suspend-power-state", "a valid power_state returned %ld", ret);
		return;
	}
	pass("cpu-suspend-power-state");
}

/*
 * Accesses made with SCTLR_EL1.EE set, in one asm block that touches no
 * memory but the device: the guest's own stack and data stay little-endian.
 */
/* One access @insn ("ldr %w0", "ldrh %w0", "str %w0") with SCTLR_EL1.EE set. */
#define BE_ACCESS(insn, val, addr)                                                \
	do {                                                                      \
		unsigned long sctlr_ = read_sysreg(sctlr_el1);                    \
                                                                                  \
		__asm__ volatile("msr sctlr_el1, %1\n\tisb\n\t" insn ", [%2]\n\t" \
		                 "msr sctlr_el1, %3\n\tisb"                       \
		                 : "+&r"(val)                                     \
		                 : "r"(sctlr_ | SCTLR_EE), "r"(addr), "r"(sctlr_) \
		                 : "memory");                                     \
	} while (0)

static uint32_t be_load32(unsigned long addr)
{
	uint32_t v = 0;

	BE_ACCESS("ldr %w0", v, addr);
	return v;
}

static uint32_t be_load16(unsigned long addr)
{
	uint32_t v = 0;

	BE_ACCESS("ldrh %w0", v, addr);
	return v;
}

static void be_store32(unsigned long addr, uint32_t v)
{
	BE_ACCESS("str %w0", v, addr);
}

static uint8_t read8(unsigned long addr)
{
	uint32_t v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return (uint8_t)v;
}

void test_mmio_big_endian(void)
{
	unsigned long prio = GICD_BASE + GIC_IPRIORITYR + BE_INTID;
	uint32_t le = gic_read32(GICD_BASE + GICD_IIDR), be = be_load32(GICD_BASE + GICD_IIDR);
	uint8_t bytes[4];
	uint32_t back, half;

	if (be != __builtin_bswap32(le)) {
		fail("mmio-big-endian",
		     "GICD_IIDR: 0x%x little-endian, 0x%x big-endian, expected "
		     "0x%x",
		     le, be, __builtin_bswap32(le));
		return;
	}
	be_store32(prio, 0x10203040U);
	for (unsigned int i = 0; i < 4; i++)
		bytes[i] = read8(prio + i);
	back = be_load32(prio);
	half = be_load16(prio);
	gic_write32(prio, 0);
	if (bytes[0] != 0x10 || bytes[1] != 0x20 || bytes[2] != 0x30 || bytes[3] != 0x40 ||
	    back != 0x10203040U || half != 0x1020) {
		fail("mmio-big-endian",
		     "big-endian store of 0x10203040 to GICD_IPRIORITYR: bytes "
		     "%02x %02x %02x %02x, read back 0x%x (16-bit 0x%x)",
		     bytes[0], bytes[1], bytes[2], bytes[3], back, half);
		return;
	}
	pass("mmio-big-endian");
}
