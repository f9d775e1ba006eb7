/*
 * What the hypervisor says about a vCPU's faults, and when it gives up on it.
 *
 * A guest fault the hypervisor answers with an injected exception (an access
 * to a hole, an MMIO access it cannot decode, a trap it does not handle) is
 * named on the console once; the same fault again at the same PC and address
 * is only counted, and the count is told when another fault comes or at
 * widely spaced milestones. A vCPU whose exception handler faults on its own
 * first instruction can never make progress (each injection overwrites the
 * ELR_EL1 it would need to return): after a few such faults in a row it is
 * turned off, as if it had called PSCI CPU_OFF.
 *
 * vcpu_fault_record() and vcpu_fault_injected() only decide, on a struct
 * vcpu_fault_state of their own, and are unit-tested on the host;
 * vcpu_fault_check() prints and parks.
 */
#ifndef VCPU_VCPU_FAULT_H
#define VCPU_VCPU_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* Faults in a row at the handler's own first instruction before the vCPU is stopped. */
#define VCPU_FAULT_PARK_AFTER      8
/* The first repeat count told while a fault still repeats; each next one is 10 times it. */
#define VCPU_FAULT_FIRST_MILESTONE 1000

enum vcpu_fault_kind {
	VCPU_FAULT_DATA_ABORT,  /* a load or store to an IPA with nothing behind it */
	VCPU_FAULT_INSN_ABORT,  /* an instruction fetch from outside the VM's memory */
	VCPU_FAULT_MMIO_NO_ISV, /* emulated MMIO without an instruction syndrome */
	VCPU_FAULT_UNHANDLED,   /* a trap with no handler */
};

/* One fault; two are the same fault when all three fields match. */
struct vcpu_fault {
	enum vcpu_fault_kind kind;
	uint64_t pc;
	uint64_t addr; /* the IPA, or for VCPU_FAULT_UNHANDLED the ESR_EL2 */
};

/* One vCPU's record (struct vcpu's fault); all zero is a clean record. */
struct vcpu_fault_state {
	struct vcpu_fault last;      /* the last fault named on the console, */
	bool have_last;              /* if any */
	uint64_t repeats;            /* times it came again since it was named */
	uint64_t next_milestone;     /* repeats at which to say it still repeats; 0: the first */
	uint64_t vector;             /* where the last injection sent the vCPU, */
	bool injected;               /* if it has had one */
	unsigned int handler_faults; /* faults in a row with pc == vector */
};

/* What to do about one fault, in this order. */
struct vcpu_fault_verdict {
	uint64_t repeated;  /* not 0: tell that the previous fault came this many more times */
	bool report;        /* name this fault */
	uint64_t milestone; /* not 0: tell that this fault has now come this many more times */
	unsigned int park;  /* not 0: stop the vCPU, its handler faulted this many times in a row */
};

static inline void vcpu_fault_reset(struct vcpu_fault_state *s)
{
	*s = (struct vcpu_fault_state){0};
}

/* Account for @f, which the vCPU has just taken. */
struct vcpu_fault_verdict vcpu_fault_record(struct vcpu_fault_state *s, const struct vcpu_fault *f);

/* The exception injected for the last fault sends the vCPU to @vector. */
void vcpu_fault_injected(struct vcpu_fault_state *s, uint64_t vector);

struct vcpu;

/*
 * For a trap handler about to name @f and inject an exception: prints what the
 * record says to print first, and true if the handler should name @f. If the
 * vCPU cannot make progress it is turned off here and this does not return.
 */
bool vcpu_fault_check(struct vcpu *v, const struct vcpu_fault *f);

#endif
