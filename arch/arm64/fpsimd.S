/*
 * Clearing the FP/SIMD and SVE registers of a CPU before a vCPU starts on it,
 * so that nothing from an earlier life of that CPU (a vCPU turned off, a VM
 * reset, another VM) reaches the new guest. The hypervisor itself never uses
 * these registers after boot (-mgeneral-regs-only), so this is the only code
 * that touches them. The caller makes sure FP/SIMD (and SVE) are not trapped
 * at EL2, and for SVE that ZCR_EL2 allows the longest vector, so that every
 * bit of every Z register is cleared.
 */
	.arch	armv8.2-a+fp+simd+sve
	.text

/* void fpsimd_zero_state(void): V0-V31, FPSR and FPCR. */
	.global	fpsimd_zero_state
	.type	fpsimd_zero_state, %function
fpsimd_zero_state:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	movi	v\n\().2d, #0
	.endr
	msr	fpsr, xzr
	msr	fpcr, xzr
	ret
	.size	fpsimd_zero_state, . - fpsimd_zero_state

/* void sve_zero_state(void): Z0-Z31, P0-P15, FFR, FPSR and FPCR. */
	.global	sve_zero_state
	.type	sve_zero_state, %function
sve_zero_state:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	dup	z\n\().b, #0
	.endr
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	pfalse	p\n\().b
	.endr
	wrffr	p0.b		/* p0 is all false now */
	msr	fpsr, xzr
	msr	fpcr, xzr
	ret
	.size	sve_zero_state, . - sve_zero_state
