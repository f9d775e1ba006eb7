#ifndef GUEST_FDT_PROP_H
#define GUEST_FDT_PROP_H

/*
 * The value of property @prop of the first node right under the root whose
 * name is @node or starts with "@node@" ("memory" finds /memory@40000000),
 * and its length in *@len. NULL if there is none (or @dtb is no DTB).
 */
const void *fdt_root_child_prop(unsigned long dtb, const char *node, const char *prop,
                                unsigned int *len);

/*
 * The value of property @prop of the node at @path ("/reserved-memory/
 * xen-shmem@60000000": each component the node's whole name), and its length
 * in *@len. NULL if there is none.
 */
const void *fdt_path_prop(unsigned long dtb, const char *path, const char *prop, unsigned int *len);

#endif
