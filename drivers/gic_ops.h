/* One backend per GIC version; drivers/gic.c picks one from the host DT. */
#ifndef DRIVERS_GIC_OPS_H
#define DRIVERS_GIC_OPS_H

#include "drivers/gic.h"

struct gic_ops {
	unsigned int version;
	void (*init)(const struct dt_gic *dt);
	void (*cpu_init)(void);
	void (*cpu_quiesce)(void);
	uint32_t (*ack)(void);
	void (*eoi)(uint32_t intid);
	void (*deactivate)(uint32_t intid);
	void (*irq_enable)(uint32_t intid, bool on);
	void (*spi_route)(uint32_t intid, uint64_t mpidr, unsigned int pcpu);
	void (*send_sgi)(uint64_t mpidr, unsigned int pcpu, unsigned int sgi);
	unsigned int (*nr_lrs)(void);
	void (*read_lr)(unsigned int i, struct gic_lr *lr);
	void (*write_lr)(unsigned int i, const struct gic_lr *lr);
	uint32_t (*empty_lrs)(void);
	void (*set_underflow_irq)(bool on);
	void (*vcpu_if_reset)(void);
	void (*maintenance)(void); /* optional */
};

extern const struct gic_ops gic_v2_ops;
extern const struct gic_ops gic_v3_ops;

#endif
