// SPDX-License-Identifier: GPL-2.0
/*
 * The one virtual CPU.
 *
 * Whoever runs kernel code holds the CPU: an application thread inside a
 * syscall, a kernel thread, a host thread delivering an interrupt. The
 * holder is recorded by host thread id; a context switch hands the CPU to
 * the next task's thread without releasing it (see threads.c).
 *
 * Interrupts raised by host threads run at once when the CPU is free,
 * otherwise they are left pending and run by the holder when it enables
 * interrupts or releases the CPU.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/stat.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <linux/irq.h>
#include <linux/kthread.h>
#include <linux/init.h>
#include <linux/cpu.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <asm/irq_regs.h>
#include <asm/nuse.h>
#include <nuse/host.h>

static struct {
	struct nuse_host_mutex lock;
	long owner;
	long owner_pid;
	int took_over;
	int count;
	int sleepers;
	int shutdown;
	struct nuse_host_sem sem;
	/* a task switch in flight (nuse_cpu_handoff): its poster, its sem */
	long handoff_tid;
	long handoff_pid;
	struct nuse_host_sem *handoff_sem;
} cpu;

unsigned long nuse_irq_flags = ARCH_IRQ_DISABLED;
unsigned long nuse_irq_pending;

#define NUSE_NR_IRQS	64
static void (*irq_handlers[NUSE_NR_IRQS])(void);
static int irq_count;

struct task_struct *nuse_idle_host_task;

/*
 * Leaving a syscall with other tasks runnable, an application thread does
 * not switch to them itself (it would then wait for the CPU to come back
 * for its next call; measured 2-5x slower request/response). Usually its
 * next blocking call or another thread's entry schedules them soon. In
 * case none comes, it kicks this host thread, which waits a moment and
 * raises an interrupt; that schedules them if the CPU is still free. One
 * kick at a time: wake-ups cost more than the work.
 */
#define KICK_DELAY_NS	(100 * NSEC_PER_USEC)
static struct nuse_host_sem kick_sem;
static int interrupts_pending;
static struct nuse_host_thread *kick_thread;
static int kick_irq = -1;
static int kick_pending;
/* a kick that must not wait (a receive thread left, see cpu_put) */
static int kick_urgent;
static struct nuse_host_sem kick_hurry;

/* ---- setjmp/longjmp for the borrowing schedule (no libc here) ---- */
__asm__(".text\n"
	".globl nuse_setjmp\n"
	".type nuse_setjmp,@function\n"
	"nuse_setjmp:\n"
	"	mov %rbx, 0(%rdi)\n"
	"	mov %rbp, 8(%rdi)\n"
	"	mov %r12, 16(%rdi)\n"
	"	mov %r13, 24(%rdi)\n"
	"	mov %r14, 32(%rdi)\n"
	"	mov %r15, 40(%rdi)\n"
	"	lea 8(%rsp), %rdx\n"
	"	mov %rdx, 48(%rdi)\n"
	"	mov (%rsp), %rdx\n"
	"	mov %rdx, 56(%rdi)\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	".size nuse_setjmp, .-nuse_setjmp\n"
	".globl nuse_longjmp\n"
	".type nuse_longjmp,@function\n"
	"nuse_longjmp:\n"
	"	mov 0(%rdi), %rbx\n"
	"	mov 8(%rdi), %rbp\n"
	"	mov 16(%rdi), %r12\n"
	"	mov 24(%rdi), %r13\n"
	"	mov 32(%rdi), %r14\n"
	"	mov 40(%rdi), %r15\n"
	"	mov 48(%rdi), %rsp\n"
	"	mov $1, %eax\n"
	"	jmp *56(%rdi)\n"
	".size nuse_longjmp, .-nuse_longjmp\n");

struct nuse_thread_state *nuse_thread_state(void)
{
	struct nuse_host_tls *tls = nuse_host_self();
	struct nuse_thread_state *ts = tls->slot[0];

	if (likely(ts))
		return ts;
	/* first time this host thread meets the kernel; outside the CPU, so
	 * host memory, not the kernel allocator */
	ts = nuse_host_mem_alloc(PAGE_SIZE, 0);
	if (!ts)
		nuse_host_panic("nuse: out of memory for thread state");
	ts->tid = tls->tid;
	ts->pid = tls->pid;
	tls->slot[0] = ts;
	return ts;
}

void nuse_cpu_set_owner(long tid, long pid)
{
	__atomic_store_n(&cpu.owner, tid, __ATOMIC_RELEASE);
	cpu.owner_pid = pid;
}

/*
 * The stack is shared by processes. One killed while it held the CPU (in
 * a syscall, or its task just switched to) must not stop the others: a
 * waiter that finds the holder's thread gone takes the CPU over. What the
 * dead task held (a socket lock, say) stays held; see docs/stack.md.
 */
static int owner_dead(void)
{
	return cpu.owner && cpu.owner_pid &&
	       !nuse_host_alive(cpu.owner_pid, cpu.owner);
}

/* Called with the CPU after nuse_cpu_get(): repair the dead task's CPU
 * state (it may have died with interrupts off or inside a softirq). */
int nuse_cpu_took_over(void)
{
	if (likely(!cpu.took_over))
		return 0;
	cpu.took_over = 0;
	pr_warn("nuse: a thread died inside the stack (task %s/%d); taking over\n",
		current->comm, task_pid_nr(current));
	current_thread_info()->preempt_count = INIT_PREEMPT_COUNT;
	/* interrupts run when the taker next enables them or leaves: it
	 * may be inside __switch_to here (nuse_cpu_wait_turn) */
	nuse_irq_flags = ARCH_IRQ_DISABLED;
	nuse_repair_after_death();
	nuse_irq_flags = ARCH_IRQ_ENABLED;
	return 1;
}

/*
 * __switch_to makes the next task's thread the CPU's owner, then posts
 * that task's semaphore.  A switching thread killed between the two left
 * the owner asleep for ever, holding the CPU: its owner is alive, so no
 * takeover looks at it, and every thread of the session waited (the kill
 * storm, under load, CPU owned by a sleeping ksoftirqd).  So a switch is
 * recorded until the woken thread claims it; a thread waiting for the
 * CPU that finds it unclaimed with its poster dead posts it instead.
 */
void nuse_cpu_handoff(struct nuse_host_sem *sem)
{
	struct nuse_thread_state *ts = nuse_thread_state();

	cpu.handoff_sem = sem;
	cpu.handoff_pid = ts->pid;
	__atomic_store_n(&cpu.handoff_tid, ts->tid, __ATOMIC_RELEASE);
}

/*
 * The switched-to thread, woken: if a waiter recovered the handoff, its
 * post is a second one, which must not wake this thread later.  (Bounded:
 * the recovering thread may be killed between its claim and its post.)
 */
void nuse_cpu_handoff_claim(struct nuse_host_sem *sem)
{
	if (!__atomic_exchange_n(&cpu.handoff_tid, 0, __ATOMIC_ACQ_REL))
		nuse_host_sem_down_timeout(sem, NSEC_PER_SEC);
}

/* With cpu.lock: post a handoff whose poster died before it posted. */
static void handoff_recover(void)
{
	long tid = __atomic_load_n(&cpu.handoff_tid, __ATOMIC_ACQUIRE);
	struct nuse_host_sem *sem = cpu.handoff_sem;

	if (!tid || nuse_host_alive(cpu.handoff_pid, tid))
		return;
	if (__atomic_compare_exchange_n(&cpu.handoff_tid, &tid, 0, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		nuse_host_sem_up(sem);
}

/*
 * Wait on sem for the scheduler to hand the CPU to the caller's task,
 * which is runnable (it woke it).  0: handed over.  1: the thread the CPU
 * went to instead is dead (its process was killed with its task on the
 * runqueue, or it died holding the CPU) and the caller took the CPU over:
 * it runs as the dead task now.  Only waiters for the CPU itself checked
 * on its holder: the keeper entering the stack to reap the dead process
 * waited for its turn for ever once no other process was calling in.
 */
int nuse_cpu_wait_turn(struct nuse_host_sem *sem)
{
	struct nuse_thread_state *ts = nuse_thread_state();

	while (nuse_host_sem_down_timeout(sem, 100 * NSEC_PER_MSEC)) {
		nuse_host_mutex_lock(&cpu.lock);
		handoff_recover();
		if (cpu.count && owner_dead()) {
			cpu.owner = ts->tid;
			cpu.owner_pid = ts->pid;
			cpu.took_over = 1;
			/* a switch to the dead thread stays unclaimed */
			__atomic_store_n(&cpu.handoff_tid, 0, __ATOMIC_RELEASE);
			nuse_host_mutex_unlock(&cpu.lock);
			nuse_cpu_took_over();
			return 1;
		}
		nuse_host_mutex_unlock(&cpu.lock);
	}
	nuse_cpu_handoff_claim(sem);
	return 0;
}

int nuse_cpu_get(void)
{
	struct nuse_thread_state *ts = nuse_thread_state();
	long self = ts->tid;

	nuse_host_mutex_lock(&cpu.lock);
	if (cpu.shutdown) {
		nuse_host_mutex_unlock(&cpu.lock);
		return -ESHUTDOWN;
	}
	while (cpu.count && cpu.owner != self) {
		int timed_out;

		cpu.sleepers++;
		nuse_host_mutex_unlock(&cpu.lock);
		timed_out = nuse_host_sem_down_timeout(&cpu.sem, 100 * NSEC_PER_MSEC);
		nuse_host_mutex_lock(&cpu.lock);
		if (timed_out)
			cpu.sleepers--;
		if (cpu.shutdown) {
			nuse_host_mutex_unlock(&cpu.lock);
			return -ESHUTDOWN;
		}
		/* the keeper is gone: the CPU may never come back */
		if (timed_out && nuse_host_keeper_lost()) {
			nuse_host_mutex_unlock(&cpu.lock);
			return -ENETDOWN;
		}
		if (timed_out && cpu.count && owner_dead()) {
			cpu.count = 0;
			cpu.took_over = 1;
			__atomic_store_n(&cpu.handoff_tid, 0, __ATOMIC_RELEASE);
		} else if (timed_out && cpu.count) {
			handoff_recover();
		}
	}
	cpu.count++;
	cpu.owner = self;
	cpu.owner_pid = ts->pid;
	nuse_host_mutex_unlock(&cpu.lock);
	return 0;
}

/*
 * An interrupt entry, as an architecture's would be: the handlers run in
 * hard interrupt context with the interrupted "registers" published.
 * Without irq regs the tick handler (tick_nohz_handler) only updates
 * jiffies and skips update_process_times(): no run_local_timers(), so
 * TIMER_SOFTIRQ was never raised after the switch to high resolution
 * mode and no timer_list ever expired again (TCP's retransmit, delayed
 * ACK and loss probe timers, neighbour and IPv6 address timers, delayed
 * work); nor did the scheduler tick run. Nothing runs in user mode here,
 * so the registers are a dummy that says "kernel".
 */
static void run_irqs(void)
{
	struct pt_regs regs = { .ip = _THIS_IP_ }, *old_regs;
	unsigned long pending, flags;
	int i;

	local_irq_save(flags);
	old_regs = set_irq_regs(&regs);
	irq_enter();
	while ((pending = __atomic_exchange_n(&nuse_irq_pending, 0, __ATOMIC_ACQ_REL))) {
		for (i = 0; i < NUSE_NR_IRQS; i++)
			if ((pending & (1UL << i)) && irq_handlers[i])
				irq_handlers[i]();
	}
	irq_exit();
	set_irq_regs(old_regs);
	local_irq_restore(flags);
}

/* Interrupts were enabled with some pending. */
void nuse_irq_enable_slowpath(void)
{
	if (in_interrupt())
		return;
	run_irqs();
}

/* Wake the kick thread (once per kick); urgent: no 100 us wait first. */
static void post_kick(int urgent)
{
	if (urgent) {
		__atomic_store_n(&kick_urgent, 1, __ATOMIC_RELEASE);
		nuse_host_sem_up(&kick_hurry);
	}
	if (!__atomic_exchange_n(&kick_pending, 1, __ATOMIC_ACQ_REL))
		nuse_host_sem_up(&kick_sem);
}

static void cpu_put(int lazy)
{
	int kick = 0;

	for (;;) {
		nuse_host_mutex_lock(&cpu.lock);
		if (__atomic_load_n(&nuse_irq_pending, __ATOMIC_ACQUIRE) &&
		    !irqs_disabled() && !in_interrupt()) {
			nuse_host_mutex_unlock(&cpu.lock);
			run_irqs();
			continue;
		}
		/*
		 * Other tasks are runnable (woken by an interrupt or by this
		 * syscall): schedule them instead of leaving the CPU idle.
		 * current is parked (it stands for a host thread), so it can
		 * be put to sleep; the CPU then passes to the next task.
		 */
		if (cpu.count == 1 && !cpu.shutdown && !in_interrupt() &&
		    test_thread_flag(TIF_HOST_THREAD) && nuse_others_runnable()) {
			struct nuse_thread_state *ts = nuse_thread_state();

			if (ts->task == current && kick_thread) {
				kick = 1;
				break;
			}
			nuse_host_mutex_unlock(&cpu.lock);
			if (nuse_sched_jb()) {
				nuse_netdev_tx_flush(1);
				return;
			}
			continue;
		}
		break;
	}
	if (--cpu.count == 0) {
		cpu.owner = 0;
		cpu.owner_pid = 0;
		if (cpu.sleepers) {
			/* a waiting thread takes the CPU and schedules anyway */
			cpu.sleepers--;
			nuse_host_sem_up(&cpu.sem);
			kick = 0;
		}
	}
	nuse_host_mutex_unlock(&cpu.lock);
	/* frames this thread queued leave now, without the CPU (netdev.c) */
	nuse_netdev_tx_flush(1);
	if (kick)
		post_kick(!lazy);
}

void nuse_cpu_put(void)
{
	cpu_put(1);
}

/*
 * The same for a thread that delivers work and goes away (a backend's
 * receive thread): tasks its frames woke (a reader blocked in recv or
 * poll, a sender waiting for ACKs) must run soon, and the thread's next
 * call may be far. The lazy kick waited 100 us first: that was most of a
 * round trip over tap (~240 us). This kick raises its interrupt at once.
 * (Switching to the woken task on this thread instead cost half the bulk
 * throughput over tap: the receive thread then had to win the CPU and its
 * own task back for every batch.)
 */
void nuse_cpu_put_now(void)
{
	cpu_put(0);
}

/*
 * A host signal handler ran on an application thread blocked in the stack
 * (and SA_RESTART did not restart its wait): the blocked syscall must end
 * with EINTR as in Linux. The thread cannot take the CPU from where it
 * waits, so it queues its task here and the kick thread's interrupt sends
 * the task a signal, which ends its interruptible wait (-ERESTARTSYS).
 */
#define NUSE_MAX_INTERRUPTS 64
static struct nuse_host_mutex interrupt_lock;
static struct {
	struct task_struct *task;
	unsigned long seq;
} interrupt_req[NUSE_MAX_INTERRUPTS];
static int interrupt_count;

void nuse_interrupt_task(struct task_struct *task, unsigned long seq)
{
	nuse_host_mutex_lock(&interrupt_lock);
	if (interrupt_count < NUSE_MAX_INTERRUPTS) {
		interrupt_req[interrupt_count].task = task;
		interrupt_req[interrupt_count].seq = seq;
		interrupt_count++;
	}
	nuse_host_mutex_unlock(&interrupt_lock);
	__atomic_store_n(&interrupts_pending, 1, __ATOMIC_RELEASE);
	nuse_host_sem_up(&kick_sem);
}

static void kick_handler(void)
{
	int i, n;

	/* scheduling: nuse_cpu_put() after the interrupt does it */
	nuse_host_mutex_lock(&interrupt_lock);
	n = interrupt_count;
	interrupt_count = 0;
	for (i = 0; i < n; i++) {
		struct task_struct *t = interrupt_req[i].task;

		/* still in the same syscall, still asleep */
		if (task_thread_info(t)->in_syscall &&
		    task_thread_info(t)->syscall_seq == interrupt_req[i].seq &&
		    !task_is_running(t))
			send_sig(SIGUSR1, t, 1);
	}
	nuse_host_mutex_unlock(&interrupt_lock);
}

static void kick_loop(void *unused)
{
	for (;;) {
		nuse_host_sem_down(&kick_sem);
		if (cpu.shutdown)
			return;
		if (!__atomic_exchange_n(&interrupts_pending, 0, __ATOMIC_ACQ_REL) &&
		    !__atomic_exchange_n(&kick_urgent, 0, __ATOMIC_ACQ_REL))
			nuse_host_sem_down_timeout(&kick_hurry, KICK_DELAY_NS);
		/* hurry posts of kicks already served */
		while (!nuse_host_sem_down_timeout(&kick_hurry, 0))
			;
		__atomic_store_n(&kick_pending, 0, __ATOMIC_RELEASE);
		nuse_irq_raise(kick_irq);
	}
}

static int __init nuse_kick_init(void)
{
	nuse_host_sem_init(&kick_sem, 0);
	nuse_host_sem_init(&kick_hurry, 0);
	kick_irq = nuse_irq_request(kick_handler);
	if (kick_irq < 0)
		return kick_irq;
	kick_thread = nuse_host_thread_create(kick_loop, NULL);
	return kick_thread ? 0 : -ENOMEM;
}
early_initcall(nuse_kick_init);

void nuse_cpu_shutdown(void)
{
	nuse_host_mutex_lock(&cpu.lock);
	cpu.shutdown = 1;
	if (kick_thread)
		nuse_host_sem_up(&kick_sem);
	while (cpu.sleepers) {
		cpu.sleepers--;
		nuse_host_sem_up(&cpu.sem);
	}
	nuse_host_mutex_unlock(&cpu.lock);
}

int nuse_irq_request(void (*handler)(void))
{
	if (irq_count >= NUSE_NR_IRQS)
		return -ENOSPC;
	irq_handlers[irq_count] = handler;
	return irq_count++;
}

/* Called by any host thread, with or without the CPU. */
void nuse_irq_raise(int irq)
{
	long self = nuse_thread_state()->tid;

	__atomic_or_fetch(&nuse_irq_pending, 1UL << irq, __ATOMIC_ACQ_REL);
	nuse_host_mutex_lock(&cpu.lock);
	if (cpu.count == 0 && !cpu.shutdown) {
		/* the CPU is free: take it; nuse_cpu_put() runs the irq */
		cpu.count = 1;
		cpu.owner = self;
		cpu.owner_pid = nuse_host_getpid();
		nuse_host_mutex_unlock(&cpu.lock);
		nuse_cpu_put();
		return;
	}
	nuse_host_mutex_unlock(&cpu.lock);
}

/*
 * Raise an interrupt without ever taking the CPU here: for a thread that
 * must not run kernel code where it is (in __switch_to, between handing
 * the CPU over and sleeping). The holder runs it when it enables
 * interrupts or releases the CPU; a free CPU gets it from the kick thread.
 */
void nuse_irq_post(int irq)
{
	int idle;

	__atomic_or_fetch(&nuse_irq_pending, 1UL << irq, __ATOMIC_ACQ_REL);
	nuse_host_mutex_lock(&cpu.lock);
	idle = cpu.count == 0 && !cpu.shutdown;
	nuse_host_mutex_unlock(&cpu.lock);
	if (idle && kick_thread)
		post_kick(1);
}

void __init init_IRQ(void)
{
}

/*
 * The idle task has nothing to do: hand over to the idle helper task,
 * whose thread releases the CPU and sleeps until the scheduler needs it.
 */
void arch_cpu_idle(void)
{
	raw_local_irq_enable();
	if (nuse_idle_host_task) {
		if (!need_resched())
			wake_up_process(nuse_idle_host_task);
		return;
	}
	/* early boot, no helper yet: spin; pending irqs run on enable */
	cpu_relax();
}

static int idle_host_loop(void *unused)
{
	struct thread_info *ti = current_thread_info();

	set_thread_flag(TIF_HOST_THREAD);
	nuse_idle_host_task = current;
	for (;;) {
		nuse_cpu_put();
		nuse_host_sem_down(&ti->sched_sem);
		if (test_ti_thread_flag(ti, TIF_NUSE_EXIT))
			nuse_host_thread_exit();
		nuse_cpu_handoff_claim(&ti->sched_sem);
		schedule_tail(nuse_prev_task);
	}
	return 0;
}

static int __init nuse_idle_host_init(void)
{
	struct task_struct *t = kthread_run(idle_host_loop, NULL, "nuse-idle");

	return PTR_ERR_OR_ZERO(t);
}
early_initcall(nuse_idle_host_init);
