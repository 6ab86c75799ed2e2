// SPDX-License-Identifier: GPL-2.0
/*
 * What a thread that died inside the stack left half done in TCP's
 * sockets (repair.c has the rest): each socket of the stack's ehash
 * (established and closing ones, TIME_WAIT, requests) is looked at once
 * per takeover.
 *
 *  - tcp_skb_tsorted_save() zeroes an skb's tcp_tsorted_anchor.next (the
 *    word is shared with _skb_refdst) while __tcp_transmit_skb() clones
 *    the skb, and puts it back after.  Killed in the clone (a loopback
 *    ACK runs the sender's transmit on the receiver's thread), the skb
 *    kept a NULL next, and the socket's owner crashed in list_move_tail()
 *    at its next send (the kill storm, seccomp: a child's SIGSEGV in
 *    tcp_update_skb_after_send()).  An unsent skb's anchor links to
 *    itself; a sent one's is on tsorted_sent_queue, whose prev links are
 *    intact and give each next back.
 *  - The timers a dead __run_timers() had taken off the wheel: handed
 *    to repair.c, which knows the wheel.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/inet_connection_sock.h>
#include <net/tcp.h>
#include <asm/nuse.h>

/* a bound on a walk of a list a dead thread may have left in any state */
#define WALK_MAX (1 << 20)

static int repair_anchors(struct sock *sk)
{
	struct sk_buff_head *q = &sk->sk_write_queue;
	struct list_head *head = &tcp_sk(sk)->tsorted_sent_queue, *n, *p;
	struct sk_buff *skb;
	int fixed = 0, steps = 0;

	for (skb = q->next; skb && skb != (struct sk_buff *)q &&
			    steps++ < WALK_MAX;
	     skb = skb->next) {
		struct list_head *a = &skb->tcp_tsorted_anchor;

		if (!a->next && a->prev == a) {
			a->next = a;
			fixed++;
		}
	}
	for (n = head, steps = 0; (p = n->prev) && steps++ < WALK_MAX;
	     n = p) {
		if (!p->next) {
			p->next = n;
			fixed++;
		}
		if (p == head)
			break;
	}
	return fixed;
}

static void repair_hash(struct inet_hashinfo *h, nuse_timer_repair_fn timer,
			void *ctx, struct nuse_tcp_repairs *r)
{
	struct hlist_nulls_node *node;
	struct sock *sk;
	unsigned int i;

	for (i = 0; i <= h->ehash_mask; i++) {
		sk_nulls_for_each_rcu(sk, node, &h->ehash[i].chain) {
			if (sk->sk_state == TCP_TIME_WAIT) {
				if (timer)
					r->timers += timer(ctx, &inet_twsk(sk)->tw_timer);
			} else if (sk->sk_state == TCP_NEW_SYN_RECV) {
				if (timer)
					r->timers += timer(ctx, &inet_reqsk(sk)->rsk_timer);
			} else {
				struct inet_connection_sock *icsk =
					inet_csk(sk);

				r->anchors += repair_anchors(sk);
				if (!timer)
					continue;
				r->timers += timer(ctx, &icsk->icsk_retransmit_timer);
				r->timers += timer(ctx, &icsk->icsk_delack_timer);
				r->timers += timer(ctx, &sk->sk_timer);
			}
		}
	}
}

void nuse_repair_tcp(nuse_timer_repair_fn timer, void *ctx,
		     struct nuse_tcp_repairs *r)
{
	bool global_done = false;
	struct net *net;

	/* namespaces share tcp_hashinfo unless given an ehash of their own */
	rcu_read_lock();
	for_each_net_rcu(net) {
		struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;

		if (!h || (h == &tcp_hashinfo && global_done))
			continue;
		global_done |= h == &tcp_hashinfo;
		repair_hash(h, timer, ctx, r);
	}
	rcu_read_unlock();
}
