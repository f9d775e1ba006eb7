/* sve-check: a small SVE program for the guest's initramfs (scripts/deps.sh
 * builds it, the CPU-model boot tests run it on the SVE models).
 *
 * It reads its vector length with RDVL, checks that the kernel's
 * PR_SVE_GET_VL agrees, adds two int32 arrays whose length is not a multiple of
 * any vector length with a predicated WHILELO loop (and reduces the result
 * with a predicated ADDV), and checks every element, the sum and an untouched
 * sentinel after the end. Then it does the same at every vector length it
 * can set with PR_SVE_SET_VL (16 to 256 bytes; the kernel rounds down to
 * one the CPU supports). It prints
 *   sve-check: VLs <b> <b> ... bytes
 *   sve-check: VL=<bytes> bytes ok
 * (the first line lists each vector length it ran at; the second the one it
 * started with, the default) and exits 0, or prints "sve-check: FAIL ..."
 * and exits 1. On a CPU without SVE the first RDVL raises SIGILL.
 *
 * No libc (the cross toolchain has no static glibc): raw system calls,
 * -nostdlib -static; scripts/deps.sh builds it with -march=armv8-a+sve
 * -ffreestanding -nostdlib -static -fno-tree-vectorize (the checks stay
 * scalar, independent of what they check) -fno-tree-loop-distribute-patterns
 * (no memset() calls).
 */
#include <arm_sve.h>
#include <stdint.h>

#define SYS_write          64
#define SYS_exit_group     94
#define SYS_prctl          167
#define PR_SVE_SET_VL      50
#define PR_SVE_GET_VL      51
#define PR_SVE_VL_LEN_MASK 0xffff

/* 1003 elements: odd, so never a multiple of the lanes per vector (4..64). */
#define N        1003
#define SENTINEL 0x5a5a5a5a

static int32_t a[N], b[N], c[N + 1];

/* A real call (noinline): the compiler must assume it clobbers the SVE
 * registers, as the kernel may on any system call. */
__attribute__((noinline)) static long sys5(long nr, long x0, long x1, long x2, long x3, long x4)
{
	register long r0 __asm__("x0") = x0;
	register long r1 __asm__("x1") = x1;
	register long r2 __asm__("x2") = x2;
	register long r3 __asm__("x3") = x3;
	register long r4 __asm__("x4") = x4;
	register long r8 __asm__("x8") = nr;
	__asm__ volatile("svc #0"
	                 : "+r"(r0)
	                 : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r8)
	                 : "memory");
	return r0;
}

#define sys3(nr, x0, x1, x2) sys5(nr, x0, x1, x2, 0, 0)

static unsigned long str_len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sys3(SYS_write, 1, (long)s, (long)str_len(s));
}

static void put_num(long v)
{
	char buf[24];
	int i = sizeof(buf) - 1;
	int neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
	buf[i] = 0;
	do {
		buf[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (neg)
		buf[--i] = '-';
	put(&buf[i]);
}

static __attribute__((noreturn)) void fail(const char *what, long got, long want)
{
	put("sve-check: FAIL ");
	put(what);
	put(": got ");
	put_num(got);
	put(", expected ");
	put_num(want);
	put("\n");
	sys3(SYS_exit_group, 1, 0, 0);
	__builtin_unreachable();
}

static long rdvl(void)
{
	long vl;
	__asm__ volatile("rdvl %0, #1" : "=r"(vl));
	return vl;
}

/* c = a + b over N elements, one vector at a time; returns the ADDV sum. */
__attribute__((noinline)) static int64_t sve_add(void)
{
	int64_t sum = 0;
	for (uint64_t i = 0; i < N; i += svcntw()) {
		svbool_t pg = svwhilelt_b32_u64(i, N); /* WHILELO */
		svint32_t va = svld1_s32(pg, &a[i]);
		svint32_t vb = svld1_s32(pg, &b[i]);
		svint32_t vc = svadd_s32_x(pg, va, vb);
		svst1_s32(pg, &c[i], vc);
		sum += svaddv_s32(pg, vc); /* SADDV: active lanes, widened to 64 bits */
	}
	return sum;
}

static void check_at_current_vl(long vl)
{
	long got = rdvl();
	if (got != vl)
		fail("RDVL after PR_SVE_SET_VL", got, vl);
	if ((long)svcntb() != vl)
		fail("CNTB", (long)svcntb(), vl);

	for (int i = 0; i < N; i++) {
		a[i] = i * 7 - 3000 + (int)vl;
		b[i] = 100000 - i * i;
		c[i] = 0;
	}
	c[N] = SENTINEL;

	int64_t sum = sve_add();

	int64_t want_sum = 0;
	for (int i = 0; i < N; i++) {
		int32_t want = a[i] + b[i];
		if (c[i] != want) {
			put("sve-check: FAIL at element ");
			put_num(i);
			put(" with VL=");
			put_num(vl);
			put("\n");
			fail("c[i]", c[i], want);
		}
		want_sum += want;
	}
	if (c[N] != SENTINEL)
		fail("sentinel past the end (predication)", c[N], SENTINEL);
	if (sum != want_sum)
		fail("ADDV sum", sum, want_sum);
}

int main(void)
{
	long vl0 = rdvl(); /* SIGILL here without SVE */
	if (vl0 < 16 || vl0 > 256 || vl0 % 16)
		fail("RDVL", vl0, 16);
	long kvl = sys3(SYS_prctl, PR_SVE_GET_VL, 0, 0);
	if (kvl < 0)
		fail("PR_SVE_GET_VL", kvl, vl0);
	if ((kvl & PR_SVE_VL_LEN_MASK) != vl0)
		fail("PR_SVE_GET_VL vs RDVL", kvl & PR_SVE_VL_LEN_MASK, vl0);
	check_at_current_vl(vl0);

	/* Every length the kernel lets us set, from 16 bytes up. */
	long done[16];
	int ndone = 0;
	for (long want = 16; want <= 256; want *= 2) {
		long r = sys3(SYS_prctl, PR_SVE_SET_VL, want, 0);
		if (r < 0)
			fail("PR_SVE_SET_VL", r, want);
		long vl = r & PR_SVE_VL_LEN_MASK;
		if (vl > want || vl < 16)
			fail("PR_SVE_SET_VL length", vl, want);
		check_at_current_vl(vl);
		if (ndone == 0 || done[ndone - 1] != vl)
			done[ndone++] = vl;
	}
	put("sve-check: VLs");
	for (int i = 0; i < ndone; i++) {
		put(" ");
		put_num(done[i]);
	}
	put(" bytes\n");

	put("sve-check: VL=");
	put_num(vl0);
	put(" bytes ok\n");
	return 0;
}

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "	mov	x29, #0\n"
        "	mov	x30, #0\n"
        "	bl	main\n"
        "	mov	x8, #94\n" /* exit_group(main's return value) */
        "	svc	#0\n");
