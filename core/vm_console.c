/*
 * The glue between a VM, its emulated PL011 and the console multiplexer (see
 * vm_console.h). The model (core/vpl011.c) is pure; here it gets a lock, its
 * guest accesses, its input characters and its interrupt line, which is a
 * virtual SPI injected whenever the line is (or stays) high after an event
 * that could have raised it.
 */
#include "core/console.h"
#include "core/irq.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/printf.h"
#include "core/vm_console.h"
#include "core/smp.h"
#include "core/vm_plan.h"
#include "core/vm_stats.h"
#include "core/vpl011.h"
#include "vcpu/vcpu.h"

struct vm_console {
	struct console_port port;
	struct vm *vm;
	spinlock_t lock; /* the model; taken before the vGIC's and the console's locks */
	struct vpl011 uart;
	uint64_t base;    /* IPA */
	unsigned int irq; /* INTID, 0: none */
};

/* Raise the SPI if the UART's line is high: @rising, or for news (a character came in). */
static void vm_console_update_irq(struct vm_console *c, bool was_high, bool news)
{
	bool high = vpl011_irq_level(&c->uart);

	if (c->irq && high && (!was_high || news))
		vgic_inject(c->vm->vcpus[0], c->irq);
}

static bool vm_console_mmio(struct vcpu *v, struct mmio_access *acc, void *priv)
{
	struct vm_console *c = priv;
	bool ok, was_high;
	int tx = -1;

	(void)v;
	spin_lock(&c->lock);
	was_high = vpl011_irq_level(&c->uart);
	ok = vpl011_access(&c->uart, acc->ipa - c->base, acc->size, acc->write, &acc->data, &tx);
	if (tx >= 0)
		console_port_putc(&c->port, (char)tx);
	vm_console_update_irq(c, was_high, false);
	spin_unlock(&c->lock);
	/* A read of UARTDR, or RX or the FIFO turned on, may have made room for queued input. */
	console_port_rx_ready(&c->port);
	return ok;
}

static bool vm_console_input(struct console_port *p, char ch)
{
	struct vm_console *c = container_of(p, struct vm_console, port);
	bool was_high, taken;

	spin_lock(&c->lock);
	was_high = vpl011_irq_level(&c->uart);
	/* No room: the character waits in the console's queue, not an overrun. */
	taken = vpl011_rx_space(&c->uart) && vpl011_rx_push(&c->uart, (uint8_t)ch);
	if (taken)
		vm_console_update_irq(c, was_high, true);
	spin_unlock(&c->lock);
	return taken;
}

void vm_console_attach(struct vm *vm)
{
	const struct dt_host *host = vm->host;
	struct vm_console *c;

	if (vm->cfg->console != VM_CONSOLE_VPL011)
		return;
	c = hyp_alloc(sizeof(*c), 64);
	*c = (struct vm_console){
	    .port = {.name = vm->name, .input = vm_console_input},
	    .vm = vm,
	    .lock = SPINLOCK_INIT,
	    /* Where the host's UART is (QEMU virt's default if it names none). */
	    .base = host->uart.type != DT_UART_NONE ? host->uart.reg.base : PLATFORM_EARLY_UART,
	    .irq = host->uart.irq,
	};
	vpl011_reset(&c->uart);
	vm->console = c;
	vm_register_mmio(vm, c->base, VPL011_SIZE, vm_console_mmio, c);
	if (!console_is_multiplexed())
		irq_claim_console(host);
	console_port_add(&c->port);
}

void vm_console_dt_params(const struct vm *vm, struct dt_guest_params *p)
{
	if (!vm->console)
		return;
	p->vuart = (struct dt_region){vm->console->base, VPL011_SIZE};
	p->vuart_irq = vm->console->irq;
}

void vm_console_reset(struct vm *vm)
{
	struct vm_console *c = vm->console;

	if (!c)
		return;
	spin_lock(&c->lock);
	vpl011_reset(&c->uart);
	spin_unlock(&c->lock);
	console_port_reset(&c->port);
}

/* The hypervisor's keys, while it has the console focus. */

/* @vm's physical CPUs as vm_cpu_list() writes them ("0-1", "3,1"). */
static void vm_console_cpus(const struct vm *vm, char cpus[VM_CPU_LIST_MAX])
{
	unsigned int pcpu[VM_MAX_VCPUS];

	for (unsigned int v = 0; v < vm->nr_vcpus; v++)
		pcpu[v] = vm->vcpus[v]->pcpu;
	vm_cpu_list(cpus, VM_CPU_LIST_MAX, pcpu, vm->nr_vcpus);
}

/* 'l': each VM's console, with what was dropped of its input and output. */
static void vm_console_list(void)
{
	printk("hyp: %u VM(s):\n", vm_count());
	for (unsigned int i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_get(i);
		char cpus[VM_CPU_LIST_MAX];

		vm_console_cpus(vm, cpus);
		printk("hyp:   %u %-8s %-8s %u vCPU(s) on CPU%s, %lu MiB, %u reset(s), %s, %lu "
		       "input character(s) dropped, %lu output byte(s) dropped\n",
		       vm->id, vm->name, vm_state_name(READ_ONCE(vm->state)), vm->nr_vcpus, cpus,
		       vm->ram_size >> 20, vm->nr_resets,
		       vm->console ? "emulated PL011" : "no emulated console",
		       vm->console ? vm->console->port.rx_dropped : 0UL,
		       vm->console ? vm->console->port.out_dropped_total : 0UL);
	}
}

/* 'v': each VM's state, CPUs, RAM, uptime and resets. */
static void vm_console_list_vms(void)
{
	printk("hyp: %u VM(s):\n", vm_count());
	for (unsigned int i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_get(i);
		char cpus[VM_CPU_LIST_MAX];
		uint64_t up = vm_uptime_ms(vm);

		vm_console_cpus(vm, cpus);
		printk(
		    "hyp:   %u %-8s %-8s %u vCPU(s) on CPU%s, %lu MiB, up %lu.%lu s, %u reset(s)\n",
		    vm->id, vm->name, vm_state_name(READ_ONCE(vm->state)), vm->nr_vcpus, cpus,
		    vm->ram_size >> 20, up / 1000, up % 1000 / 100, vm->nr_resets);
	}
}

/* 's': each VM's statistics (core/vm_stats.h). */
static void vm_console_stats(void)
{
	for (unsigned int i = 0; i < vm_count(); i++)
		vm_stats_print(vm_get(i));
}

/* 'c': count every VM's exits, or, if every VM counts already, none. */
static void vm_console_count(void)
{
	bool all = true;

	for (unsigned int i = 0; i < vm_count(); i++)
		all = all && READ_ONCE(vm_get(i)->counting);
	for (unsigned int i = 0; i < vm_count(); i++)
		vm_stats_count(vm_get(i), !all);
	printk("hyp: %s\n", all ? "exits no longer counted (c counts them again)"
	                        : "every VM's exits counted from now on (s shows them, c stops)");
}

/*
 * 'r': every vCPU's registers. Only a vCPU's own CPU has them, so each one
 * is asked in turn (an SGI), and this CPU waits for its answer to keep the
 * dumps apart; a CPU that does not answer in time is named.
 */
#define SHOW_VCPU_TIMEOUT_MS 100

static void vm_console_registers(void)
{
	for (unsigned int i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		for (unsigned int n = 0; n < vm->nr_vcpus; n++) {
			struct vcpu *v = vm->vcpus[n];

			if (!smp_cpu_work_wait(v->pcpu, PCPU_WORK_SHOW_VCPU, SHOW_VCPU_TIMEOUT_MS))
				printk("hyp: %s vcpu%u on CPU%u: no answer in %u ms\n", vm->name,
				       v->id, v->pcpu, SHOW_VCPU_TIMEOUT_MS);
		}
	}
}

static void vm_console_help(void)
{
	/* Lines under the console's 256-byte line buffer. */
	printk("hyp: keys: h this list; v the VMs (state, CPUs, RAM, uptime); r every vCPU's "
	       "registers\n");
	printk("hyp:   s what each vCPU cost (exits, calls, interrupts, time) and each MMIO "
	       "region's accesses; c count them, or stop\n");
	printk("hyp:   l their consoles (input and output dropped); 0-9 reset that VM, or start "
	       "it if it is off (y confirms)\n");
	printk("hyp:   Ctrl-A three times gives the input to the next VM\n");
}

/* A digit key's VM, waiting for its 'y'; -1 if none. */
static int restart_asked = -1;

static void vm_console_restart_key(unsigned int id)
{
	const struct vm *vm = id < vm_count() ? vm_get(id) : NULL;

	if (!vm) {
		printk("hyp: no VM %u (v lists them)\n", id);
		return;
	}
	restart_asked = (int)id;
	printk("hyp: %s VM %u (%s)? y confirms, any other key does not\n",
	       READ_ONCE(vm->state) == VM_STATE_OFF ? "start" : "reset", id, vm->name);
}

static void vm_console_restart_confirm(char c)
{
	struct vm *vm = vm_get((unsigned int)restart_asked);

	restart_asked = -1;
	if (c != 'y') {
		printk("hyp: %s left as it is\n", vm->name);
		return;
	}
	if (!vm_restart(vm))
		printk("hyp: %s is stopping already\n", vm->name);
}

void console_hyp_key(char c)
{
	if (restart_asked >= 0) {
		vm_console_restart_confirm(c);
		return;
	}
	if (c >= '0' && c <= '9') {
		vm_console_restart_key((unsigned int)(c - '0'));
		return;
	}
	switch (c) {
	case 'v':
		vm_console_list_vms();
		break;
	case 's':
		vm_console_stats();
		break;
	case 'c':
		vm_console_count();
		break;
	case 'r':
		vm_console_registers();
		break;
	case 'l':
		vm_console_list();
		break;
	case '\r':
	case '\n':
		break;
	default:
		vm_console_help();
		break;
	}
}
