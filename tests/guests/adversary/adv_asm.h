/* Constants shared by the adversary guest's assembly and C. */
#ifndef ADV_ASM_H
#define ADV_ASM_H

#define ADV_MAX_CPUS    8
#define ADV_STACK_SHIFT 14 /* 16 KiB per secondary vCPU */

/* adv_call_*(): io[] words. */
#define ADV_CALL_WORDS 30 /* x0-x28 (x19 unused), SP after the call */
#define ADV_CALL_SP    29

/* adv_secondary_entry: x0-x30, SP, then ADV_NR_ENTRY_SYSREGS system registers. */
#define ADV_NR_ENTRY_SYSREGS 30
/* adv_dirty_off(): values for ADV_NR_DIRTY system registers. */
#define ADV_NR_DIRTY         24

/* Stubs of 8 bytes: counts of each table. */
#define ADV_NR_ID_REGS     56
#define ADV_NR_RAS_REGS    24
#define ADV_NR_SPACE_READS (8 * 15 * 16 * 8)

#endif
