// SPDX-License-Identifier: GPL-2.0
/*
 * What a thread that died inside the stack left half done.
 *
 * In the in-process modes the program's threads run the stack's code,
 * softirqs and timer interrupts included (a loopback send runs the
 * receiver's path on the sender's thread), and SIGKILL stops a thread
 * anywhere.  The next thread to want the CPU takes it over (cpu.c) and
 * finds the state the dead one left mid-way.  A real CPU never vanishes,
 * so the kernel has no recovery for this; the states that stopped the
 * whole stack for good are put right here, before anything else runs:
 *
 *  - net_rx_action() moves the NAPI instances it polls (the loopback's
 *    backlog) to a list on its own stack and sets sd->in_net_rx_action,
 *    which tells ____napi_schedule() not to raise NET_RX.  Killed there,
 *    the backlog stayed "scheduled" but on no list the stack polls, and
 *    every later packet queued behind it: no connection moved again
 *    (the kill storm, 2 runs in 5 under sud).
 *  - __do_softirq() clears the pending mask before it runs the handlers:
 *    those not yet run were lost.
 *  - hrtimer_interrupt() and __run_hrtimer() mark the timer base busy
 *    (in_hrtirq: no reprogramming of the clock event; running: a cancel
 *    of that timer waits for ever), and a tick whose handler died is no
 *    longer queued.
 *
 * Nothing here follows a pointer into the dead thread's stack: softirqs
 * and interrupts also run on a thread's own host stack (when it leaves
 * the stack, nuse_cpu_put()), which is gone with its process, or, at the
 * same address, another process's memory.
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/interrupt.h>
#include <linux/hrtimer.h>
#include <linux/tick.h>
#include <net/net_namespace.h>
#include <asm/nuse.h>
#include <../kernel/time/tick-sched.h>

/* kernel/time/hrtimer.c's, in no header */
DECLARE_PER_CPU(struct hrtimer_cpu_base, hrtimer_bases);

/* Scheduled, not disabled, and on no list but a dead thread's. */
static int repair_napi(struct softnet_data *sd, struct napi_struct *n)
{
	unsigned long state = READ_ONCE(n->state);
	struct napi_struct *q;

	if (!(state & NAPIF_STATE_SCHED) || (state & NAPIF_STATE_DISABLE))
		return 0;
	list_for_each_entry(q, &sd->poll_list, poll_list)
		if (q == n)
			return 0;
	/* not list_del(): the list it is on may be on the dead thread's
	 * host stack, unmapped here or another process's memory */
	INIT_LIST_HEAD(&n->poll_list);
	list_add_tail(&n->poll_list, &sd->poll_list);
	return 1;
}

static int repair_net(void)
{
	struct softnet_data *sd = this_cpu_ptr(&softnet_data);
	struct net_device *dev;
	struct napi_struct *n;
	struct net *net;
	int fixed;

	sd->in_net_rx_action = false;
	fixed = repair_napi(sd, &sd->backlog);
	rcu_read_lock();
	for_each_net_rcu(net)
		for_each_netdev_rcu(net, dev)
			list_for_each_entry_rcu(n, &dev->napi_list, dev_list)
				fixed += repair_napi(sd, n);
	rcu_read_unlock();
	return fixed;
}

static void repair_timers(void)
{
	struct hrtimer_cpu_base *cb = this_cpu_ptr(&hrtimer_bases);
	struct tick_sched *ts = tick_get_tick_sched(smp_processor_id());
	int i;

	for (i = 0; i < HRTIMER_MAX_CLOCK_BASES; i++)
		cb->clock_base[i].running = NULL;
	cb->in_hrtirq = 0;
	if ((ts->flags & TS_FLAG_HIGHRES) && !(ts->flags & TS_FLAG_STOPPED) &&
	    !hrtimer_is_queued(&ts->sched_timer)) {
		hrtimer_forward_now(&ts->sched_timer, TICK_NSEC);
		hrtimer_start_expires(&ts->sched_timer,
				      HRTIMER_MODE_ABS_PINNED_HARD);
	}
}

/* With the CPU just taken over from a dead thread, interrupts off. */
void nuse_repair_after_death(void)
{
	int napis;

	/* the dead one's XDP redirect context, on its stack */
	current->bpf_net_context = NULL;
	napis = repair_net();
	repair_timers();
	/* what __do_softirq() may have taken off the mask unrun (one with
	 * nothing to do costs a look); they run on the way out of the
	 * timer interrupt posted next, which also programs the clock event
	 * again.  No wake-up here: the taker may be inside __switch_to. */
	or_softirq_pending(BIT(HI_SOFTIRQ) | BIT(TIMER_SOFTIRQ) |
			   BIT(NET_TX_SOFTIRQ) | BIT(NET_RX_SOFTIRQ) |
			   BIT(TASKLET_SOFTIRQ) | BIT(HRTIMER_SOFTIRQ) |
			   BIT(RCU_SOFTIRQ));
	nuse_time_repair();
	if (napis)
		pr_warn("nuse: %d NAPI instance(s) a dead thread was polling put back\n",
			napis);
}
