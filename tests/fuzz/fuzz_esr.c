/*
 * libFuzzer target: ESR_EL2 decoding (arch/arm64/esr.c). Each 9 bytes of
 * input are an ESR and the size of the buffer esr_describe() writes into.
 * (The MMIO value extension, mmio_extend() in arch/arm64/traps.c, is static:
 * only what esr.c offers is reached here.)
 *
 * Invariants: every field esr_decode_dabt() and esr_decode_sysreg() return is
 * the ISS bits the architecture assigns it (checked against the ISS layouts
 * written out again here) and in its range (access size 1/2/4/8, registers
 * 0-31); esr_describe() writes a NUL-terminated line that fits its buffer,
 * never past it (ASan, with the buffer exactly that size), for any size
 * including 0 and 1; the class and fault-status names are never NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/esr.h"
#include "fuzz_input.h"

static void check_dabt(uint64_t esr)
{
	struct esr_dabt d = esr_decode_dabt(esr);
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);

	FUZZ_CHECK(d.isv == !!(iss & (1u << 24)), "ISV of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.size == 1u << ((iss >> 22) & 3), "SAS of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.sign_extend == !!(iss & (1u << 21)), "SSE of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.reg == ((iss >> 16) & 31), "SRT of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.sixty_four == !!(iss & (1u << 15)), "SF of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.cache_maint == !!(iss & (1u << 8)), "CM of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.s1ptw == !!(iss & (1u << 7)), "S1PTW of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.write == !!(iss & (1u << 6)), "WnR of 0x%lx", (unsigned long)esr);
	FUZZ_CHECK(d.fsc == (iss & 0x3f), "DFSC of 0x%lx", (unsigned long)esr);
}

static void check_sysreg(uint64_t esr)
{
	struct esr_sysreg s = esr_decode_sysreg(esr);
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);

	FUZZ_CHECK(s.op0 == ((iss >> 20) & 3) && s.op2 == ((iss >> 17) & 7) &&
	               s.op1 == ((iss >> 14) & 7) && s.crn == ((iss >> 10) & 15) &&
	               s.rt == ((iss >> 5) & 31) && s.crm == ((iss >> 1) & 15) &&
	               s.read == (iss & 1),
	           "sysreg fields of 0x%lx", (unsigned long)esr);
}

static void check_describe(uint64_t esr, size_t size)
{
	/* Exactly @size bytes on the heap: one byte too many written is an ASan report. */
	char *buf = malloc(size ? size : 1);

	memset(buf, 'X', size ? size : 1);
	esr_describe(esr, size ? buf : buf + 1, size); /* size 0: an end pointer, never touched */
	if (size) {
		FUZZ_CHECK(memchr(buf, '\0', size) != NULL, "no NUL in %zu bytes for 0x%lx", size,
		           (unsigned long)esr);
	} else {
		FUZZ_CHECK(buf[0] == 'X', "esr_describe wrote into a 0-byte buffer");
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	while (fin_left(&in)) {
		uint64_t esr = fin_u64(&in);
		uint8_t sz = fin_u8(&in);

		FUZZ_CHECK(esr_ec_name(esr_ec(esr)) != NULL, "EC name");
		FUZZ_CHECK(esr_fsc_name((unsigned int)(esr & 0x3f)) != NULL, "FSC name");
		FUZZ_CHECK(esr_fsc_name((unsigned int)(esr >> 32)) != NULL, "FSC name, any value");
		FUZZ_CHECK(esr_insn_len(esr) == ((esr & ESR_IL) ? 4u : 2u), "IL");
		check_dabt(esr);
		check_sysreg(esr);
		check_describe(esr, sz < 200 ? sz : 200u + (sz - 200u) * 8);
	}
	return 0;
}
