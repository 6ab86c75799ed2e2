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
 *  - __run_timers() moves the expired timer_list timers to lists on its
 *    own stack, then runs them one by one with base->running_timer set.
 *    Killed there, the base kept running_timer, and __run_timers()
 *    returns at once while it is set: no timer_list of the stack fired
 *    again (TCP's retransmissions, delayed ACKs, TIME_WAIT's end; the
 *    kill storm: a dead process's socket left in LAST_ACK for good).
 *    And each timer not yet run stayed "pending" on the dead list.  The
 *    mark is cleared, and TCP's timers pending on no bucket of the wheel
 *    are queued again (repair-tcp.c; other subsystems' timers are not
 *    looked for, but for those of the test hook, faultinject.c).
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
#include <linux/timer.h>
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

/*
 * kernel/time/timer.c's struct timer_base, which is in no header: Linux
 * 6.12's layout, checked at run time against the real bases (their
 * distance in the per-CPU array, their cpu field) before it is used.
 */
#define WHEEL_LVL_DEPTH (HZ > 100 ? 9 : 8)
#define WHEEL_BUCKETS (64 * WHEEL_LVL_DEPTH)

struct wheel_base {
	raw_spinlock_t lock;
	struct timer_list *running_timer;
#ifdef CONFIG_PREEMPT_RT
	spinlock_t expiry_lock;
	atomic_t timer_waiters;
#endif
	unsigned long clk;
	unsigned long next_expiry;
	unsigned int cpu;
	bool next_expiry_recalc;
	bool is_idle;
	bool timers_pending;
	DECLARE_BITMAP(pending_map, WHEEL_BUCKETS);
	struct hlist_head vectors[WHEEL_BUCKETS];
} ____cacheline_aligned;

enum { WHEEL_PINNED, WHEEL_STD, WHEEL_DEF, WHEEL_KINDS };
static const unsigned int wheel_flags[WHEEL_KINDS] = { TIMER_PINNED, 0,
						       TIMER_DEFERRABLE };

/* the bucket a queued timer is in (timer.c's timer_get_idx()) */
static unsigned int wheel_idx(const struct timer_list *t)
{
	return (t->flags & TIMER_ARRAYMASK) >> TIMER_ARRAYSHIFT;
}

static void probe_fn(struct timer_list *t)
{
}

/*
 * The base a timer with @flags is queued on: a probe queued an hour ahead
 * goes first in its bucket (hlist_add_head), so its pprev is the bucket.
 */
static struct wheel_base *wheel_base_of(unsigned int flags)
{
	static struct timer_list probe;
	struct hlist_head *bucket;
	unsigned int idx;

	timer_setup(&probe, probe_fn, flags);
	probe.expires = jiffies + 3600 * HZ;
	add_timer(&probe);
	bucket = (struct hlist_head *)probe.entry.pprev;
	idx = wheel_idx(&probe);
	del_timer(&probe);
	return (struct wheel_base *)((char *)(bucket - idx) -
				     offsetof(struct wheel_base, vectors));
}

static bool wheel_find(struct wheel_base *b[WHEEL_KINDS])
{
	int k;

	for (k = 0; k < WHEEL_KINDS; k++) {
		b[k] = wheel_base_of(wheel_flags[k]);
		if (b[k]->cpu != smp_processor_id())
			return false;
	}
#ifdef CONFIG_NO_HZ_COMMON
	/* timer_bases[BASE_LOCAL], [BASE_GLOBAL], [BASE_DEF] */
	return b[WHEEL_STD] == b[WHEEL_PINNED] + 1 &&
	       b[WHEEL_DEF] == b[WHEEL_STD] + 1;
#else
	return b[WHEEL_STD] == b[WHEEL_PINNED] && b[WHEEL_DEF] == b[WHEEL_STD];
#endif
}

/* Pending, but in no bucket of its base: on a dead __run_timers' list. */
static int requeue_orphan(struct wheel_base *b[WHEEL_KINDS],
			  struct timer_list *t)
{
	unsigned int idx = wheel_idx(t);
	struct wheel_base *base = b[t->flags & TIMER_DEFERRABLE ? WHEEL_DEF :
				    t->flags & TIMER_PINNED    ? WHEEL_PINNED :
								 WHEEL_STD];
	struct hlist_node *n;

	if (!timer_pending(t) || idx >= WHEEL_BUCKETS)
		return 0;
	hlist_for_each(n, &base->vectors[idx])
		if (n == &t->entry)
			return 0;
	/* not detached: its neighbours are on the dead list.  Its expiry
	 * is past: it runs at the next tick, with the reference on its
	 * socket it was queued with. */
	t->entry.pprev = NULL;
	t->entry.next = NULL;
	add_timer(t);
	return 1;
}

static int requeue_cb(void *ctx, struct timer_list *t)
{
	return requeue_orphan(ctx, t);
}

/* The running marks, and the timers (TCP's, repair-tcp.c) taken. */
static void repair_wheel(void)
{
	static bool layout_warned;
	struct wheel_base *b[WHEEL_KINDS];
	struct nuse_tcp_repairs r = { 0 };
	bool wheel = wheel_find(b);
	int k, running = 0;

	if (!wheel && !layout_warned) {
		pr_warn("nuse: the timer wheel is not laid out as repair.c expects: timers a dead thread held are not repaired\n");
		layout_warned = true;
	}
	for (k = 0; wheel && k < WHEEL_KINDS; k++) {
		if (b[k]->running_timer) {
			b[k]->running_timer = NULL;
			running++;
		}
	}
	nuse_repair_tcp(wheel ? requeue_cb : NULL, b, &r);
	for (k = 0; wheel && k < NUSE_FAULT_COMPANIONS; k++)
		r.timers += requeue_orphan(b, &nuse_fault_companions[k]);
	if (running || r.timers)
		pr_warn("nuse: timer wheel: %d running mark(s) of a dead thread cleared, %d timer(s) it had taken queued again\n",
			running, r.timers);
	if (r.anchors)
		pr_warn("nuse: %d TCP transmit queue link(s) a dead thread had cleared put back\n",
			r.anchors);
}

/* With the CPU just taken over from a dead thread, interrupts off. */
void nuse_repair_after_death(void)
{
	int napis;

	/* the dead one's XDP redirect context, on its stack */
	current->bpf_net_context = NULL;
	napis = repair_net();
	repair_timers();
	repair_wheel();
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
