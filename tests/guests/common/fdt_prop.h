#ifndef GUEST_FDT_PROP_H
#define GUEST_FDT_PROP_H

/*
 * The value of property @prop of the node at @path ("/reserved-memory/
 * xen-shmem@60000000"; a component without a unit address also names the
 * first node of that name with one, as in Linux: "/memory"), and its length
 * in *@len. NULL if there is none.
 */
const void *fdt_path_prop(unsigned long dtb, const char *path, const char *prop, unsigned int *len);

#endif
