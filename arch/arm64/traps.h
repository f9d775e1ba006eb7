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
/* The ends of a counted exit (entry.S's counting vector): vcpu_stats. */
void vcpu_stats_exit_enter(struct cpu_user_regs *regs, unsigned int kind);
void vcpu_stats_exit_leave(struct cpu_user_regs *regs);
/*
 * This CPU's guest exits are counted from now on (the counting vector), or
 * no longer. Off, the exit path does nothing for the statistics.
 */
void traps_count_guest_exits(bool on);
void enter_guest(struct cpu_user_regs *regs) __noreturn;

/* Print every register of @regs, the decoded ESR, FAR_EL2 and HPFAR_EL2. */
void show_registers(const struct cpu_user_regs *regs);
/*
 * Print a guest's registers: @regs, its frame, and the EL1 registers that
 * say where it is (read live: call on the CPU it runs on, from its exit).
 */
void show_guest_registers(const struct cpu_user_regs *regs);
void panic_regs(const struct cpu_user_regs *regs, const char *fmt, ...) __printf(2, 3) __noreturn;

/* Exceptions made for the guest, as if its own EL1 had taken them. */
void inject_data_abort(struct cpu_user_regs *regs, uint64_t far);
void inject_insn_abort(struct cpu_user_regs *regs, uint64_t far);
void inject_undef(struct cpu_user_regs *regs);

#endif
