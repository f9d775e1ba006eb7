/*
 * The adversary guest (tests/guests/adversary): what every part shares. See
 * main.c for what it does and README "Hostile guests" for how to run it.
 */
#ifndef ADV_H
#define ADV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "adv_asm.h"
#include "exception.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define READ_ONCE(x)  (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)                                   \
	do {                                               \
		*(volatile __typeof__(x) *)&(x) = (v);     \
		__asm__ volatile("dsb sy" : : : "memory"); \
	} while (0)

/* What the guest DT says (fdt.c). */
struct adv_platform {
	uint64_t ram_base, ram_size;
	uint64_t gicd, gicd_size;
	uint64_t gicr, gicr_size; /* GICv3: the redistributor region */
	uint64_t gicc, gicc_size; /* GICv2: the CPU interface (the hardware's GICV) */
	unsigned int gic_version;
	uint64_t uart;
	unsigned int nr_cpus;
	uint64_t mpidr[ADV_MAX_CPUS];
	bool psci_smc; /* the DT's PSCI conduit */
	uint64_t dtb, dtb_size;
};
extern struct adv_platform plat;

bool fdt_parse(uint64_t dtb, struct adv_platform *p);

/* Deterministic per-vCPU random numbers (xorshift64*). */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dUL;
}

static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

/* What each vCPU keeps; only its own vCPU writes it, except where said. */
struct adv_cpu {
	unsigned int id;
	uint64_t rng;
	volatile uint64_t ops;      /* operations done, all lives */
	volatile uint64_t failures; /* checks that failed */
	uint64_t life_ops, life_len;
	const char *op_class; /* of the operation running, for failure lines */
	/* Exceptions: expected ones are recorded and stepped over. */
	volatile bool expect;
	volatile bool taken;
	volatile uint64_t esr, far, elr;
	volatile uint64_t unexpected; /* exceptions nobody asked for */
	/* Interrupts this vCPU handled, by INTID (the first 64). */
	volatile uint64_t irqs[64];
	volatile uint64_t irqs_total;
	/* The ID registers as first read: they must never change. */
	uint64_t id_first[ADV_NR_ID_REGS];
	bool id_known;
};
extern struct adv_cpu cpus[ADV_MAX_CPUS];

struct adv_cpu *this_cpu(void);

/* The run's parameters (main.c). */
extern uint64_t adv_seed, adv_ops;
extern bool ras_shown;

/* Console (console.c): one line at a time, under a lock. */
void adv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void adv_vprintf(const char *fmt, va_list ap);
int adv_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap);
void adv_console_flush(void);

/* A failed check: counted, and the first ones printed with their vCPU and op. */
void adv_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define CHECK(cond, ...)                       \
	do {                                   \
		if (!(cond))                   \
			adv_fail(__VA_ARGS__); \
	} while (0)

/*
 * Run one instruction that may take a synchronous exception: the handler
 * records it (this_cpu()->taken, esr, far, elr) and steps over it.
 */
static inline void expect_begin(struct adv_cpu *c)
{
	c->taken = false;
	c->expect = true;
}

static inline bool expect_end(struct adv_cpu *c)
{
	c->expect = false;
	return c->taken;
}

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL      (1UL << 25)
#define EC_UNKNOWN  0x00
#define EC_DABT_CUR 0x25
#define DFSC_SEA    0x10
#define ESR_WNR     (1UL << 6)

/* SMCCC calls with every register chosen (adv.S). */
typedef void (*adv_call_fn)(uint64_t io[ADV_CALL_WORDS]);
void adv_call_hvc0(uint64_t io[ADV_CALL_WORDS]);
void adv_call_smc0(uint64_t io[ADV_CALL_WORDS]);
void adv_call_hvc1(uint64_t io[ADV_CALL_WORDS]);
void adv_call_smc1(uint64_t io[ADV_CALL_WORDS]);
void adv_call_hvc1234(uint64_t io[ADV_CALL_WORDS]);
void adv_call_smc1234(uint64_t io[ADV_CALL_WORDS]);
void adv_call_hvcffff(uint64_t io[ADV_CALL_WORDS]);
void adv_call_smcffff(uint64_t io[ADV_CALL_WORDS]);

/* A plain SMCCC call over the DT's conduit (x0-x3 in, x0 out). */
uint64_t psci_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
uint64_t hvc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
uint64_t smc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/* PSCI. */
#define PSCI_VERSION           0x84000000U
#define PSCI_CPU_SUSPEND       0x84000001U
#define PSCI_CPU_OFF           0x84000002U
#define PSCI_CPU_ON            0x84000003U
#define PSCI_AFFINITY_INFO     0x84000004U
#define PSCI_MIGRATE_INFO_TYPE 0x84000006U
#define PSCI_SYSTEM_OFF        0x84000008U
#define PSCI_SYSTEM_RESET      0x84000009U
#define PSCI_FEATURES          0x8400000aU
#define PSCI_SYSTEM_RESET2     0x84000012U
#define PSCI_64(fid)           ((fid) | 0x40000000U)
#define SMCCC_VERSION          0x80000000U
#define SMCCC_ARCH_FEATURES    0x80000001U

#define RET_SUCCESS        0L
#define RET_NOT_SUPPORTED  (-1L)
#define RET_INVALID_PARAMS (-2L)
#define RET_DENIED         (-3L)
#define RET_ALREADY_ON     (-4L)
#define RET_ON_PENDING     (-5L)
#define RET_INVALID_ADDR   (-9L)
#define AFF_ON             0
#define AFF_OFF            1
#define AFF_ON_PENDING     2

/* The classes of operations; each returns after one operation. */
void op_smccc(struct adv_cpu *c);
void op_psci(struct adv_cpu *c);
void op_mmio(struct adv_cpu *c);
void op_sysreg(struct adv_cpu *c);
void op_wfx(struct adv_cpu *c);
void smccc_init(void);

/* GIC (gic.c). */
void gic_init_cpu(struct adv_cpu *c, bool distributor);
void gic_send_sgi_self(struct adv_cpu *c, unsigned int intid);
void gic_send_sgi_to(unsigned int target, unsigned int intid);
void gic_handle_irqs(struct adv_cpu *c);
void gic_quiesce(void);
bool gic_check_sgi_self(struct adv_cpu *c, unsigned int intid);
bool gic_check_timer(struct adv_cpu *c, bool phys);

/* vCPU bookkeeping (main.c). */
uint64_t vcpu_mpidr(unsigned int n);

#endif
