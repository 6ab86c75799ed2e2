/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces of the nuse architecture port. */
#ifndef _ASM_NUSE_NUSE_H
#define _ASM_NUSE_NUSE_H

#include <linux/types.h>

struct task_struct;

/* Per host thread, kernel side (behind nuse_host_tls.slot[0]). */
struct nuse_thread_state {
	long tid;
	long pid;
	/* the task this host thread runs syscalls as (application threads) */
	struct task_struct *task;
	/* set while this thread borrows a parked task to call schedule():
	 * when the CPU goes to another host thread, __switch_to jumps back */
	int jb_armed;
	unsigned long jb[8];
	/* frames this thread writes once it gave up the CPU (netdev-tx.c) */
	struct nuse_tx_pending *tx_pending;
	/* a writer to wake then, for the frames it queued */
	struct nuse_netdev *tx_wake;
	/* the ERESTART* code the last interrupted call ended with, or 0 */
	long interrupted;
	/* ... and whether Linux would call it again after the handler */
	int restart;
	/* set during a call: where a wait that can never end (the session's
	 * keeper is gone) leaves the call with -ENETDOWN (syscalls.c) */
	int escape_armed;
	unsigned long escape[8];
};

struct nuse_thread_state *nuse_thread_state(void);

int nuse_setjmp(unsigned long *jb) __attribute__((returns_twice));
void nuse_longjmp(unsigned long *jb) __attribute__((noreturn));

/* virtual CPU (kernel/cpu.c) */
int nuse_cpu_get(void);
void nuse_cpu_put(void);
void nuse_cpu_put_now(void);
void nuse_cpu_set_owner(long tid, long pid);
int nuse_cpu_took_over(void);
void nuse_repair_after_death(void);
struct timer_list;
/* repair-tcp.c: TCP's sockets after a death inside the stack; @timer
 * (NULL: not looked at) queues again a timer a dead thread had taken */
typedef int (*nuse_timer_repair_fn)(void *ctx, struct timer_list *t);
struct nuse_tcp_repairs {
	int timers;	/* timers queued again */
	int anchors;	/* transmit queue links put back */
};
void nuse_repair_tcp(nuse_timer_repair_fn timer, void *ctx,
		     struct nuse_tcp_repairs *r);
/* faultinject.c: timers a test leaves on a dead thread's list */
#define NUSE_FAULT_COMPANIONS 3
extern struct timer_list nuse_fault_companions[NUSE_FAULT_COMPANIONS];
struct nuse_host_sem;
void nuse_cpu_handoff(struct nuse_host_sem *sem);
void nuse_cpu_handoff_claim(struct nuse_host_sem *sem);
int nuse_cpu_wait_turn(struct nuse_host_sem *sem);
void nuse_interrupt_task(struct task_struct *task, unsigned long seq);
void nuse_cpu_shutdown(void);
int nuse_irq_request(void (*handler)(void));
/* runnable.c: a task other than current waits for the CPU */
bool nuse_others_runnable(void);
void nuse_irq_raise(int irq);
void nuse_irq_post(int irq);
extern struct task_struct *nuse_idle_host_task;

/* netdev-tx.c: write this thread's pending frames; call without the CPU;
 * may_run: the thread may take the CPU again to free them (not in
 * __switch_to) */
void nuse_netdev_tx_flush(int may_run);
/* a thread is about to block: writers send what is queued (netdev-tx.c) */
void nuse_netdev_tx_hurry(void);

/* threads (kernel/threads.c) */
extern struct task_struct *nuse_prev_task;
void nuse_switch_to_host_task(struct task_struct *task);
int nuse_sched_jb(void);
struct task_struct *nuse_host_task_create(void);
int nuse_host_task_stub(void *unused);
/* A parked task cloned from current with @flags: its pid or -errno. */
pid_t nuse_host_task_clone(unsigned long flags);
extern struct task_struct *nuse_host0;
void nuse_threads_halt(void);

/* entry (kernel/syscalls.c) */
int nuse_enter(void);
void nuse_leave(void);
long nuse_on_task_stack(long (*fn)(void *), void *arg);

/* memory (kernel/mem.c) */
/* 4 GiB: above where non-PIE programs load, far below mmap's area */
#define NUSE_MEM_ADDR	0x100000000UL
int nuse_mem_init(unsigned long size);

/* processes of a session (kernel/proc.c) */
extern int nuse_session_mem_fd;
extern unsigned long nuse_session_mem_size;
struct task_struct *nuse_proc_template(void);
void nuse_inflight_enter(long nr, long fd);
void nuse_inflight_leave(void);

/* time (kernel/time.c) */
void nuse_time_halt(void);
void nuse_time_repair(void);

/* boot (kernel/setup.c) */
extern int nuse_halted;

#endif
