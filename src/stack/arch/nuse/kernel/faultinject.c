// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/nuse/die_in_timer: a thread made to die inside the stack on
 * purpose, where a SIGKILL of its process can stop it by chance (the kill
 * storm), so that the repairs (repair.c, repair-tcp.c) are tested every
 * time (tests/stack/test_stack.c, thread_dead_in_timer and
 * thread_dead_in_tcp_clone).
 *
 *   write 1  arm a timer whose callback ends the writing host thread
 *            (SYS_exit) once it runs on that thread, with
 *            NUSE_FAULT_COMPANIONS timers of the same expiry behind it in
 *            the bucket, which __run_timers() has then taken onto the
 *            dead thread's list;
 *   write 2  arm one more timer for the next tick;
 *   write 100 + FD
 *            leave the last skb of TCP socket FD's write queue as
 *            __tcp_transmit_skb() leaves one while it clones it
 *            (tcp_skb_tsorted_save(): the anchor's next zeroed), and end
 *            the writing thread there;
 *   read     how many of those other timers have run.
 *
 * A process of a session can already die inside the stack at will (a
 * SIGKILL of itself mid-call): this gives a program no other power.
 */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/sysctl.h>
#include <linux/timer.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <asm/nuse.h>
#include <nuse/host.h>

static struct timer_list killer, probe;
struct timer_list nuse_fault_companions[NUSE_FAULT_COMPANIONS];
static long victim_tid;
static int fired, tries;

static void companion_fn(struct timer_list *t)
{
	fired++;
}

static void arm_batch(unsigned long when)
{
	int i;

	/* the killer queued last goes first in the bucket, so runs first */
	for (i = 0; i < NUSE_FAULT_COMPANIONS; i++)
		mod_timer(&nuse_fault_companions[i], when);
	mod_timer(&killer, when);
}

static void killer_fn(struct timer_list *t)
{
	if (!victim_tid)
		return;
	/* another thread holds the CPU at this tick: the next one, for
	 * 10 s at most (the victim may be gone, its id reused) */
	if (nuse_host_gettid() != victim_tid) {
		if (++tries < 10 * HZ)
			arm_batch(jiffies + 1);
		else
			victim_tid = 0;
		return;
	}
	victim_tid = 0;
	nuse_host_thread_exit();
}

static int die_in_tcp_clone(int fd)
{
	struct sk_buff *skb;
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return err;
	if (sock->sk->sk_protocol != IPPROTO_TCP ||
	    !(skb = skb_peek_tail(&sock->sk->sk_write_queue))) {
		sockfd_put(sock);
		return -ENOENT;
	}
	skb->_skb_refdst = 0UL;
	nuse_host_thread_exit();
}

static int die_in_timer_handler(const struct ctl_table *table, int write,
				void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table t = *table;
	int v = fired, r;

	t.data = &v;
	r = proc_dointvec(&t, write, buffer, lenp, ppos);
	if (r || !write)
		return r;
	switch (v) {
	case 1:
		tries = 0;
		victim_tid = nuse_host_gettid();
		arm_batch(jiffies + 1);
		return 0;
	case 2:
		mod_timer(&probe, jiffies + 1);
		return 0;
	default:
		return v >= 100 ? die_in_tcp_clone(v - 100) : -EINVAL;
	}
}

static struct ctl_table fault_table[] = {
	{
		.procname = "die_in_timer",
		.maxlen = sizeof(int),
		.mode = 0600,
		.proc_handler = die_in_timer_handler,
	},
};

static int __init fault_init(void)
{
	int i;

	timer_setup(&killer, killer_fn, 0);
	timer_setup(&probe, companion_fn, 0);
	for (i = 0; i < NUSE_FAULT_COMPANIONS; i++)
		timer_setup(&nuse_fault_companions[i], companion_fn, 0);
	return register_sysctl("nuse", fault_table) ? 0 : -ENOMEM;
}
late_initcall(fault_init);
