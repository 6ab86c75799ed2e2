// SPDX-License-Identifier: GPL-2.0
/*
 * Processes sharing one stack (a session).
 *
 * The kernel's data and memory live in two memfds mapped at fixed
 * addresses: forked children inherit the mappings, a new image (execve)
 * maps them again through the keeper's /proc/PID/fd. Each host process
 * has its own descriptor table, as in Linux: a "template" task per
 * process, never run by a thread, whose table is a copy of the parent's
 * made at fork; the process's threads get tasks cloned from it with
 * CLONE_FILES. The keeper watches the registered processes and reaps
 * the table of one that is gone, which closes its sockets as exit does.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/fdtable.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/hash.h>
#include <linux/file.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include <asm/nuse.h>
#include <nuse/host.h>
#include <nuse/stack.h>
/* deactivate_task(): a dead process's runnable task leaves the runqueue */
#include <../kernel/sched/sched.h>

extern char __nuse_shared_start[], __nuse_shared_end[];

int nuse_session_mem_fd = -1;
unsigned long nuse_session_mem_size;

#define NUSE_MAX_PROCS 4096

static struct nuse_proc_entry procs[NUSE_MAX_PROCS];
static struct nuse_host_mutex procs_lock;

int nuse_session_create(unsigned long mem_size, struct nuse_session *s)
{
	unsigned long len = __nuse_shared_end - __nuse_shared_start;
	int data, mem, ret;

	nuse_host_init();
	if (nuse_session_mem_fd >= 0)
		return -EALREADY;
	mem_size = PAGE_ALIGN(mem_size ? mem_size : NUSE_DEFAULT_MEM);
	data = nuse_host_mem_share_fd(__nuse_shared_start, len,
				      "nuse-kernel-data");
	if (data < 0)
		return data;
	mem = nuse_host_memfd("nuse-kernel-memory", mem_size);
	if (mem < 0) {
		ret = mem;
		goto fail_data;
	}
	ret = nuse_host_mmap_fd((void *)NUSE_MEM_ADDR, mem_size, mem, 0);
	if (ret)
		goto fail_mem;
	/* in the shared data from here on: the keeper boots with these */
	nuse_session_mem_fd = mem;
	nuse_session_mem_size = mem_size;
	s->keeper = 0;
	s->data_fd = data;
	s->mem_fd = mem;
	s->mem_size = mem_size;
	return 0;
fail_mem:
	nuse_host_close(mem);
fail_data:
	nuse_host_close(data);
	return ret;
}

static int map_keeper_fd(const struct nuse_session *s, int fd, void *addr,
			 unsigned long len, int replace)
{
	char path[64];
	int mfd, ret;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", s->keeper, fd);
	mfd = nuse_host_open_rw(path);
	if (mfd < 0)
		return mfd;
	ret = nuse_host_mmap_fd(addr, len, mfd, replace);
	nuse_host_close(mfd);
	return ret;
}

int nuse_session_join(const struct nuse_session *s)
{
	int ret;

	nuse_host_init();
	/* this image's own (never booted) kernel data goes away */
	ret = map_keeper_fd(s, s->data_fd, __nuse_shared_start,
			    __nuse_shared_end - __nuse_shared_start, 1);
	if (ret)
		return ret;
	return map_keeper_fd(s, s->mem_fd, (void *)NUSE_MEM_ADDR, s->mem_size,
			     0);
}

void nuse_session_watch_keeper(long pid)
{
	nuse_host_keeper_set(pid);
}

int nuse_session_lost(void)
{
	return nuse_host_keeper_known_lost();
}

/* The task this process's threads are cloned from. */
struct task_struct *nuse_proc_template(void)
{
	long token = nuse_host_proc_get();
	struct task_struct *t;

	if (!token)
		return nuse_host0;
	rcu_read_lock();
	t = find_task_by_pid_ns(token, &init_pid_ns);
	rcu_read_unlock();
	return t ? t : nuse_host0;
}

static long clone_template(void *unused)
{
	/* no CLONE_FILES: the copy of the table fork makes; no CLONE_THREAD:
	 * a thread group of its own, with copies of rlimits and actions */
	return nuse_host_task_clone(CLONE_VM | CLONE_FS | CLONE_SYSVSEM);
}

long nuse_proc_fork_prepare(void)
{
	struct nuse_thread_state *ts;
	struct task_struct *t;
	long pid;

	pid = nuse_enter();
	if (pid)
		return pid;
	ts = nuse_thread_state();
	pid = nuse_on_task_stack(clone_template, NULL);
	if (pid > 0) {
		rcu_read_lock();
		t = find_task_by_pid_ns(pid, &init_pid_ns);
		rcu_read_unlock();
		snprintf(t->comm, sizeof(t->comm), "proc%ld", pid);
		/* park it: run as it once, then back to our own task */
		nuse_switch_to_host_task(t);
		nuse_switch_to_host_task(ts->task);
	}
	nuse_leave();
	return pid;
}

long nuse_proc_self(void)
{
	return nuse_host_proc_get();
}

int nuse_proc_register(long token, long pid)
{
	int i, ret = -ENOSPC;

	nuse_host_mutex_lock(&procs_lock);
	for (i = 0; i < NUSE_MAX_PROCS; i++) {
		if (procs[i].token == token) {
			procs[i].pid = pid;
			ret = 0;
			goto out;
		}
	}
	for (i = 0; i < NUSE_MAX_PROCS; i++) {
		if (!procs[i].token) {
			procs[i].token = token;
			procs[i].pid = pid;
			ret = 0;
			break;
		}
	}
out:
	nuse_host_mutex_unlock(&procs_lock);
	return ret;
}

static void unregister(long token)
{
	int i;

	nuse_host_mutex_lock(&procs_lock);
	for (i = 0; i < NUSE_MAX_PROCS; i++)
		if (procs[i].token == token)
			procs[i].token = procs[i].pid = 0;
	nuse_host_mutex_unlock(&procs_lock);
}

int nuse_proc_list(struct nuse_proc_entry *out, int max)
{
	int i, n = 0;

	nuse_host_mutex_lock(&procs_lock);
	for (i = 0; i < NUSE_MAX_PROCS && n < max; i++)
		if (procs[i].token && procs[i].pid)
			out[n++] = procs[i];
	nuse_host_mutex_unlock(&procs_lock);
	return n;
}

/*
 * The file a task's blocking call holds.  fdget() takes a reference (the
 * table is shared by the process's tasks), which the call drops when it
 * returns — never, for a task whose process died inside it: its socket
 * would stay open (a listener blocked in accept() keeps its port).  The
 * entry records the file at the call's start; reaping drops that
 * reference if the descriptor still names the same file.  All of this
 * runs with the virtual CPU held: no other lock.
 */
#define INFLIGHT_SLOTS 4096

static struct {
	struct task_struct *task;
	struct file *file;
	int fd;
} inflight[INFLIGHT_SLOTS];

/* x86-64 numbers (nuse_syscall's): calls that may sleep holding arg 0 */
static bool holds_fd(long nr)
{
	switch (nr) {
	case 0: /* read */
	case 1: /* write */
	case 19: /* readv */
	case 20: /* writev */
	case 42: /* connect */
	case 43: /* accept */
	case 44: /* sendto */
	case 45: /* recvfrom */
	case 46: /* sendmsg */
	case 47: /* recvmsg */
	case 232: /* epoll_wait */
	case 281: /* epoll_pwait */
	case 288: /* accept4 */
	case 299: /* recvmmsg */
	case 307: /* sendmmsg */
	case 441: /* epoll_pwait2 */
		return true;
	}
	return false;
}

static unsigned int inflight_hash(struct task_struct *t)
{
	return hash_ptr(t, 12) % INFLIGHT_SLOTS;
}

void nuse_inflight_enter(long nr, long fd)
{
	unsigned int i, h;

	if (!holds_fd(nr) || fd < 0 || !current->files)
		return;
	h = inflight_hash(current);
	for (i = 0; i < INFLIGHT_SLOTS; i++) {
		unsigned int k = (h + i) % INFLIGHT_SLOTS;

		if (inflight[k].task && inflight[k].task != current)
			continue;
		inflight[k].task = current;
		inflight[k].fd = (int)fd;
		rcu_read_lock();
		inflight[k].file =
			files_lookup_fd_raw(current->files, (unsigned int)fd);
		rcu_read_unlock();
		return;
	}
}

static int inflight_find(struct task_struct *t)
{
	unsigned int i, h = inflight_hash(t);

	for (i = 0; i < INFLIGHT_SLOTS; i++) {
		unsigned int k = (h + i) % INFLIGHT_SLOTS;

		if (inflight[k].task == t)
			return (int)k;
		if (!inflight[k].task)
			return -1;
	}
	return -1;
}

static void inflight_del(struct task_struct *t)
{
	int k = inflight_find(t);
	unsigned int j, next;

	if (k < 0)
		return;
	/* delete from the open-addressing chain: move later entries back */
	inflight[k].task = NULL;
	for (j = (k + 1) % INFLIGHT_SLOTS; inflight[j].task; j = next) {
		unsigned int want = inflight_hash(inflight[j].task);
		bool move;

		next = (j + 1) % INFLIGHT_SLOTS;
		/* can the entry at j live in the hole at k? */
		if (k <= (int)j)
			move = want <= (unsigned int)k || want > j;
		else
			move = want <= (unsigned int)k && want > j;
		if (move) {
			inflight[k] = inflight[j];
			inflight[j].task = NULL;
			k = (int)j;
		}
	}
}

void nuse_inflight_leave(void)
{
	inflight_del(current);
}

/*
 * Before exit_files(t): the file t's dead call still holds, or NULL.  The
 * entry goes (a dead task's entries filled the table after 4096 kills).
 */
static struct file *inflight_take(struct task_struct *t)
{
	int k = inflight_find(t);
	struct file *f = NULL;

	if (k < 0)
		return NULL;
	rcu_read_lock();
	if (t->files &&
	    files_lookup_fd_raw(t->files, inflight[k].fd) == inflight[k].file)
		f = inflight[k].file;
	rcu_read_unlock();
	inflight_del(t);
	return f;
}

/*
 * The socket lock (lock_sock) of the socket a dead task's call was on,
 * if that task holds it: a process SIGKILLed between lock_sock() and
 * release_sock() (running in the stack, or switched out there) left the
 * socket owned for good, and the reap's close of it then waited for the
 * lock for ever, holding up every later reap (the kill storm).  The lock
 * has no owner field: t is taken for the owner when it does not wait for
 * the lock itself and no other task is in a call on the socket.  A lock
 * t took on another socket (accept's new one) stays held.
 */
static void unlock_dead_owner(struct task_struct *t, struct file *f)
{
	struct socket *sock = f ? sock_from_file(f) : NULL;
	struct sock *sk = sock ? sock->sk : NULL;
	struct wait_queue_entry *w;
	bool waiter = false;
	int k;

	if (!sk || !sock_owned_by_user_nocheck(sk))
		return;
	spin_lock_bh(&sk->sk_lock.slock);
	list_for_each_entry(w, &sk->sk_lock.wq.head, entry)
		if (w->private == t)
			waiter = true;
	spin_unlock_bh(&sk->sk_lock.slock);
	if (waiter)
		return;
	for (k = 0; k < INFLIGHT_SLOTS; k++)
		if (inflight[k].task && inflight[k].task != t &&
		    inflight[k].file == f)
			return;
	pr_warn("nuse: socket lock of a dead task (%s/%d) released\n",
		t->comm, task_pid_nr(t));
	release_sock(sk);
}

/*
 * A task of a dead process never runs again: off the runqueue if it is
 * on it, and in a state no wake-up (TASK_NORMAL) ends.  Not the running
 * task: that is the reaper.
 */
static void stop_task(struct task_struct *t)
{
	struct rq_flags rf;
	struct rq *rq = task_rq_lock(t, &rf);

	update_rq_clock(rq);
	/* asleep but left queued (EEVDF's delayed dequeue): as
	 * wait_task_inactive() does */
	if (t->se.sched_delayed)
		dequeue_task(rq, t, DEQUEUE_SLEEP | DEQUEUE_DELAYED |
			     DEQUEUE_NOCLOCK);
	else if (task_on_rq_queued(t) && !task_current(rq, t))
		deactivate_task(rq, t, DEQUEUE_NOCLOCK);
	WRITE_ONCE(t->__state, __TASK_STOPPED);
	task_rq_unlock(rq, t, &rf);
}

struct reap {
	long token;
	struct task_struct *keep; /* NULL, or the template to keep */
};

/*
 * What do_exit would do for the tasks of a process whose host threads are
 * gone: drop their descriptor table references (the last one closes the
 * sockets). They cannot run again: one asleep in a call is marked stopped,
 * which no wait-queue wake-up (TASK_NORMAL) ends.
 */
static long reap_tasks(void *data)
{
	struct reap *r = data;
	struct task_struct *leader, *t, **tasks;
	int n = 0, max, i;

	rcu_read_lock();
	leader = find_task_by_pid_ns(r->token, &init_pid_ns);
	if (!leader ||
	    !test_ti_thread_flag(task_thread_info(leader), TIF_HOST_THREAD)) {
		rcu_read_unlock();
		return -ESRCH;
	}
	max = get_nr_threads(leader) + 1;
	rcu_read_unlock();

	tasks = kmalloc_array(max, sizeof(*tasks), GFP_KERNEL);
	if (!tasks)
		return -ENOMEM;
	rcu_read_lock();
	leader = find_task_by_pid_ns(r->token, &init_pid_ns);
	if (leader) {
		for_each_thread(leader, t)
		{
			if (n == max)
				break;
			if (t == current || t == r->keep)
				continue;
			get_task_struct(t);
			tasks[n++] = t;
		}
	}
	rcu_read_unlock();

	for (i = 0; i < n; i++) {
		struct file *held;

		t = tasks[i];
		/*
		 * Every task of the process is switched out, in schedule():
		 * asleep in a call, parked between calls, or woken and not
		 * yet run again (a process killed while its thread waited for
		 * the CPU, very common under load).  The last kind was left
		 * on the runqueue with its call's file reference: the socket
		 * stayed open for good, and when the scheduler picked the
		 * task the CPU went to a dead thread until a waiter took it
		 * over 100 ms later.  Take it off the runqueue too.
		 */
		stop_task(t);
		held = inflight_take(t);
		unlock_dead_owner(t, held);
		exit_files(t);
		if (held)
			fput(held); /* the dead call's fdget() reference */
		put_task_struct(t);
	}
	kfree(tasks);
	return 0;
}

static long proc_call(long (*fn)(void *), void *arg)
{
	long ret = nuse_enter();

	if (ret)
		return ret;
	ret = nuse_on_task_stack(fn, arg);
	nuse_leave();
	return ret;
}

int nuse_proc_reap(long token)
{
	struct reap r = { token, NULL };
	long ret;

	if (token <= 0)
		return -EINVAL;
	ret = proc_call(reap_tasks, &r);
	unregister(token);
	return (int)ret;
}

static long keep_template(void *data)
{
	struct reap *r = data;

	r->keep = nuse_proc_template();
	return reap_tasks(r);
}

int nuse_proc_attach(long token, long pid)
{
	struct reap r = { token, NULL };
	long ret;

	if (token <= 0)
		return -EINVAL;
	nuse_host_proc_set(token);
	/*
	 * After execve the old image's threads are gone but their tasks hold
	 * the table: drop them (after fork there are none but the template).
	 */
	ret = proc_call(keep_template, &r);
	if (ret)
		return (int)ret;
	return nuse_proc_register(token, pid);
}

/*
 * Is TCP still delivering what closed sockets left behind (data not yet
 * acknowledged, a FIN not yet acknowledged)?  Linux keeps such orphans
 * going after their process is gone; the keeper waits for them before
 * the stack goes away with it.
 */
static long tcp_pending(void *unused)
{
	struct inet_hashinfo *h = &tcp_hashinfo;
	unsigned int i;
	long busy = 0;

	for (i = 0; i <= h->ehash_mask && !busy; i++) {
		struct inet_ehash_bucket *b = &h->ehash[i];
		const struct hlist_nulls_node *node;
		struct sock *sk;

		if (hlist_nulls_empty(&b->chain))
			continue;
		spin_lock_bh(inet_ehash_lockp(h, i));
		sk_nulls_for_each(sk, node, &b->chain)
		{
			if (sk->sk_state == TCP_TIME_WAIT ||
			    sk->sk_state == TCP_NEW_SYN_RECV)
				continue;
			if (((1 << sk->sk_state) &
			     (TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_LAST_ACK)) ||
			    tcp_sk(sk)->snd_una != tcp_sk(sk)->write_seq) {
				busy = 1;
				break;
			}
		}
		spin_unlock_bh(inet_ehash_lockp(h, i));
	}
	return busy;
}

int nuse_tcp_pending(void)
{
	return (int)proc_call(tcp_pending, NULL);
}
