/* Boot: from the first C instruction to the first guest. */
#ifndef CORE_SETUP_H
#define CORE_SETUP_H

#include "core/compiler.h"
#include "core/percpu.h"

void start_hyp(uint64_t dtb_pa) __noreturn;
void boot_wrong_el(unsigned int el) __noreturn;
void start_secondary(struct pcpu *cpu) __noreturn;

#endif
