/* mte-check: a small MTE program for the guest's initramfs (scripts/deps.sh
 * builds it, the CPU-model boot tests run it where the guest has MTE).
 *
 * It turns on synchronous tag checking for itself (PR_SET_TAGGED_ADDR_CTRL),
 * maps a tagged page (PROT_MTE), gives its first granule a random tag (IRG,
 * STG), reads the tag back from memory (LDG) and stores and loads through the
 * tagged pointer. That needs the allocation tags to reach the guest (the
 * hypervisor's HCR_EL2.ATA, tags in the VM's RAM). It prints
 *   mte-check: tag <t> stored, read back, access ok
 * and then touches the granule through a pointer with another tag, which the
 * CPU must refuse: the kernel kills the program with SIGSEGV (the shell sees
 * status 139). If the access goes through, it prints "mte-check: FAIL ..."
 * and exits 1.
 *
 * No libc: raw system calls, -nostdlib -static -march=armv8.5-a+memtag.
 */
#include <stdint.h>

#define SYS_write               64
#define SYS_exit_group          94
#define SYS_prctl               167
#define SYS_mmap                222
#define PR_SET_TAGGED_ADDR_CTRL 55
#define PR_TAGGED_ADDR_ENABLE   1UL
#define PR_MTE_TCF_SYNC         (1UL << 1)
#define PR_MTE_TAG_SHIFT        3
#define PROT_READ_WRITE_MTE     (0x1 | 0x2 | 0x20)
#define MAP_PRIVATE_ANONYMOUS   (0x02 | 0x20)
#define TAG_SHIFT               56

static long sys6(long nr, long x0, long x1, long x2, long x3, long x4, long x5)
{
	register long r0 __asm__("x0") = x0;
	register long r1 __asm__("x1") = x1;
	register long r2 __asm__("x2") = x2;
	register long r3 __asm__("x3") = x3;
	register long r4 __asm__("x4") = x4;
	register long r5 __asm__("x5") = x5;
	register long r8 __asm__("x8") = nr;
	__asm__ volatile("svc #0"
	                 : "+r"(r0)
	                 : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r8)
	                 : "memory");
	return r0;
}

static void put(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	sys6(SYS_write, 1, (long)s, (long)n, 0, 0, 0);
}

static __attribute__((noreturn)) void fail(const char *why)
{
	put("mte-check: FAIL ");
	put(why);
	put("\n");
	sys6(SYS_exit_group, 1, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

void _start(void)
{
	/* Any tag but 0 may be chosen by IRG. */
	long ctrl =
	    (long)(PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffeUL << PR_MTE_TAG_SHIFT));
	long page;
	uint64_t tagged, back, wrong;
	volatile uint64_t *p;
	char msg[] = "mte-check: tag X stored, read back, access ok\n";

	if (sys6(SYS_prctl, PR_SET_TAGGED_ADDR_CTRL, ctrl, 0, 0, 0, 0))
		fail("prctl(PR_SET_TAGGED_ADDR_CTRL) refused: no MTE");
	page = sys6(SYS_mmap, 0, 4096, PROT_READ_WRITE_MTE, MAP_PRIVATE_ANONYMOUS, -1, 0);
	if (page < 0 && page > -4096)
		fail("mmap(PROT_MTE) refused");
	__asm__ volatile("irg %0, %1\n\tstg %0, [%0]" : "=&r"(tagged) : "r"(page) : "memory");
	back = (uint64_t)page;
	__asm__ volatile("ldg %0, [%0]" : "+r"(back) : : "memory");
	if (tagged >> TAG_SHIFT == 0 || back != tagged)
		fail("the tag stored is not the tag read back");
	p = (volatile uint64_t *)tagged;
	*p = 0x1234;
	if (*p != 0x1234)
		fail("store/load through the tagged pointer");
	msg[15] = "0123456789abcdef"[(tagged >> TAG_SHIFT) & 0xf];
	put(msg);

	wrong = tagged ^ (1UL << TAG_SHIFT); /* the same granule, another tag */
	*(volatile uint64_t *)wrong = 0x5678;
	fail("an access with the wrong tag was not caught");
}
