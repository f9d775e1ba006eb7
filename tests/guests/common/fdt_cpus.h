#ifndef GUEST_FDT_CPUS_H
#define GUEST_FDT_CPUS_H

/* The number of /cpus/cpu@... nodes in the DTB at @dtb (0 if it is no DTB). */
unsigned int fdt_count_cpus(unsigned long dtb);

#endif
