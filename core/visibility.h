/*
 * Force-included into every file of the hypervisor (Makefile CFLAGS).
 *
 * Every symbol is hidden: the hypervisor is one static position-independent
 * image, and nothing can preempt a symbol of it. Without this, -fpie with
 * -fno-plt makes each call to a function of another file an indirect call
 * through the GOT (adrp, ldr, blr) and each use of another file's variable an
 * extra load. Hidden, they are a bl and an adrp/add, as within a file. The
 * flag -fvisibility=hidden would not do: it leaves declarations, so every
 * call across files, at the default visibility.
 */
#ifndef CORE_VISIBILITY_H
#define CORE_VISIBILITY_H

#ifndef __ASSEMBLY__
#pragma GCC visibility push(hidden)
#endif

#endif
