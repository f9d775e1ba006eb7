/* Exception handlers called from arch/arm64/entry.S. */
#ifndef ARCH_ARM64_TRAPS_H
#define ARCH_ARM64_TRAPS_H

#include "arch/arm64/regs.h"

void do_trap_guest_sync(struct cpu_user_regs *regs);
void do_trap_hyp_sync(struct cpu_user_regs *regs);
void do_trap_irq(struct cpu_user_regs *regs);       /* taken in the hypervisor's idle loop */
void do_trap_guest_irq(struct cpu_user_regs *regs); /* taken while a guest ran */
void do_trap_guest_serror(struct cpu_user_regs *regs);
void do_bad_vector(struct cpu_user_regs *regs, unsigned int vector) __noreturn;
void leave_hypervisor_to_guest(struct cpu_user_regs *regs);
void enter_guest(struct cpu_user_regs *regs) __noreturn;

/* Print every register of @regs, the decoded ESR, FAR_EL2 and HPFAR_EL2. */
void show_registers(const struct cpu_user_regs *regs);
void panic_regs(const struct cpu_user_regs *regs, const char *fmt, ...) __printf(2, 3) __noreturn;

/* Exceptions made for the guest, as if its own EL1 had taken them. */
void inject_data_abort(struct cpu_user_regs *regs, uint64_t far);
void inject_insn_abort(struct cpu_user_regs *regs, uint64_t far);
void inject_undef(struct cpu_user_regs *regs);

#endif
