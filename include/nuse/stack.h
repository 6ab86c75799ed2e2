/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nuse stack API: Linux's network stack as an in-process library.
 *
 * Only nuse_* symbols are visible in the stack object; everything of the
 * kernel inside it is local. Syscalls take Linux x86-64 numbers and
 * arguments, so a tracer forwards them as they are. Pointers in syscall
 * arguments are the caller's memory: a bad one gives -EFAULT.
 * Plain C types only: this header is also compiled inside the kernel.
 */
#ifndef NUSE_STACK_H
#define NUSE_STACK_H

#define NUSE_DEFAULT_MEM	(64UL << 20)

struct nuse_boot_params {
	unsigned long mem_size;		/* bytes for the kernel; 0: default */
	const char *cmdline;		/* kernel command line; NULL: "quiet loglevel=3" */
	const char *const *sysctls;	/* "net.ipv4.tcp_congestion_control=bbr", NULL-ended */
};

/* Boot the stack (once per process). 0 or -errno. */
int nuse_boot(const struct nuse_boot_params *params);
/* Stop the virtual CPU, its timer and kernel threads. The stack cannot be
 * booted again in this process. */
int nuse_halt(void);

/* Run x86-64 syscall `nr` in the stack: result or -errno. Calls the stack
 * does not serve return -ENOSYS. */
long nuse_syscall(long nr, long *args);
long nuse_sys(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
/*
 * How the last call of this thread ended, before the mapping of the
 * kernel's restart codes: -ERESTARTSYS (512), -ERESTARTNOINTR (513),
 * -ERESTARTNOHAND (514), -ERESTART_RESTARTBLOCK (516), or 0 when it was
 * not interrupted (or ended with EINTR itself).  A supervisor gives it to
 * the caller's kernel, which has the signal pending and applies the
 * caller's SA_RESTART as for a call of its own.
 */
long nuse_sys_interrupted_code(void);
/*
 * Did the last call of this thread end with EINTR only because a signal
 * handler of the program must run first (nuse_host_sigreturn recorded
 * it), after which Linux calls it again (SA_RESTART, or ERESTARTNOINTR)?
 * The caller then runs the handler and calls again.
 */
int nuse_sys_restart_wanted(void);
/* For a supervisor serving another process's calls: the calling thread's
 * syscalls then read and write "user" memory of process @pid (through
 * process_vm_readv/writev); 0 goes back to the caller's own memory.
 * 0 or -ENOSPC (more than 4096 serving threads). */
int nuse_uaccess_pid(long pid);

/* ---- one stack for the processes of a session (docs/stack.md) ---- */

/*
 * What a process needs to reach a booted stack from a new image (after
 * execve): the kernel's data and memory live in two memfds held by the
 * keeper, the long-lived process that booted the stack and runs its
 * threads.
 */
struct nuse_session {
	int keeper;		/* host pid of the keeper */
	int data_fd;		/* memfds, numbers in the keeper's table */
	int mem_fd;
	unsigned long mem_size;
};

/* Before forking the keeper: put the kernel's data and memory in memfds
 * (fds in *s, O_CLOEXEC; keeper still 0). nuse_boot() then uses them. */
int nuse_session_create(unsigned long mem_size, struct nuse_session *s);
/* In a new image: map the session's memory where it was. 0 or -errno. */
int nuse_session_join(const struct nuse_session *s);
/*
 * Watch the session's keeper (its pid): once it is gone, calls that wait
 * in the stack or enter it fail with -ENETDOWN instead of waiting for
 * ever, and nuse_session_lost() says so (after one line on stderr).
 */
void nuse_session_watch_keeper(long pid);
int nuse_session_lost(void);

/*
 * Processes. Each process has its own descriptor table in the stack, a
 * copy of its parent's at fork, as in Linux; a token names it (an id of
 * the kernel's, > 0). The process that booted has token 0 (host0's table).
 */
/* A table for a child about to be forked: a copy of the caller's. */
long nuse_proc_fork_prepare(void);
/* This process (a forked child, or a new image) uses token's table from
 * now on and is registered as host pid. 0 or -errno. */
int nuse_proc_attach(long token, long pid);
/* The token of the calling process (0 if none attached). */
long nuse_proc_self(void);
/* Record that host process pid uses token (the parent does it at fork). */
int nuse_proc_register(long token, long pid);
/* The process of token is gone: close what its table held, as Linux's
 * exit does, stop its tasks, forget it. 0 or -errno. */
int nuse_proc_reap(long token);

/* 1 while TCP still delivers what closed sockets left (unacknowledged
 * data or FIN), 0 when nothing is in flight, or -errno. */
int nuse_tcp_pending(void);

struct nuse_proc_entry {
	long token;
	long pid;
};
/* The registered processes; returns how many were written. */
int nuse_proc_list(struct nuse_proc_entry *out, int max);

/* ---- the calling process's memory, as the stack copies it ---- */

/* Bytes NOT copied (0: all); a bad pointer is a short copy, never a
 * crash.  Direct copies where nuse-exec's runtime recovers the fault,
 * process_vm_readv/writev otherwise (include/nuse/host.h). */
unsigned long nuse_host_copy_in(void *dst, const void *src, unsigned long n);
unsigned long nuse_host_copy_out(void *dst, const void *src, unsigned long n);
/* A program embedding the stack turns direct copies on once its
 * SIGSEGV/SIGBUS handler resumes a fault at nuse_host_fault_fixup(ip)
 * (nuse-exec's runtime: src/tracer/rt/fault.c; nuse-node). */
void nuse_host_copy_direct(int on);
unsigned long nuse_host_fault_fixup(unsigned long ip);
/* Installs such a handler (SIGSEGV and SIGBUS; a fault elsewhere goes to
 * the action installed before) and turns direct copies on: 0, or -1 with
 * errno from sigaction().  Call it after installing the program's own
 * handlers for these signals. */
int nuse_direct_copies(void);

/* ---- readiness of a stack descriptor for host waiters ---- */

/*
 * A doorbell is a futex word in the session's memory; a notifier on a
 * pollable stack descriptor (an epoll) marks itself pending and rings
 * (increments and wakes) its doorbell when the descriptor's poll queue is
 * woken, from whichever process of the session wakes it.
 */
struct nuse_notifier;
int *nuse_doorbell_alloc(void);
/* efd: the host eventfd the doorbell's thread signals; a wake-up in the
 * attaching process signals it at once (-1: always the doorbell) */
struct nuse_notifier *nuse_notify_attach(int fd, int *doorbell, int efd);
/* The same on the poll queues of several descriptors (a poll set): rings
 * when one of them may have one of its events. fds are stack numbers. */
struct nuse_pollfd {
	int fd;
	short events, revents;
};
struct nuse_notifier *nuse_notify_poll(const struct nuse_pollfd *fds, int nfds,
				       int *doorbell, int efd);
/* Clear and return the pending mark (1: rang since the last take). */
int nuse_notify_take(struct nuse_notifier *n);
int nuse_notify_pending(struct nuse_notifier *n);
void nuse_notify_detach(struct nuse_notifier *n);
/* About to block outside the stack: let runnable tasks have the CPU. */
void nuse_yield(void);
/* A thread of the calling process running fn(arg) at once and after
 * every ring of doorbell; fn: raw system calls only, no stack calls. */
int nuse_doorbell_serve(int *doorbell, void (*fn)(void *), void *arg);

/* ---- network devices for backends ---- */

/* virtio-net header (struct virtio_net_hdr), host byte order. */
struct nuse_vnet_hdr {
	unsigned char flags;		/* NUSE_VNET_F_* */
	unsigned char gso_type;		/* NUSE_VNET_GSO_* */
	unsigned short hdr_len;
	unsigned short gso_size;
	unsigned short csum_start;
	unsigned short csum_offset;
};

#define NUSE_VNET_F_NEEDS_CSUM	1
#define NUSE_VNET_F_DATA_VALID	2
#define NUSE_VNET_GSO_NONE	0
#define NUSE_VNET_GSO_TCPV4	1
#define NUSE_VNET_GSO_UDP	3
#define NUSE_VNET_GSO_TCPV6	4

/* Offloads a backend accepts on transmit (and may deliver on receive). */
#define NUSE_OFFLOAD_CSUM	1	/* partial checksums (NEEDS_CSUM) */
#define NUSE_OFFLOAD_TSO	2	/* TCP segments up to 64 KiB */

#define NUSE_FRAME_MAX_IOV	20

struct nuse_iov {
	const void *base;
	unsigned long len;
};

/* One frame to send: Ethernet frame in iov[], valid during the callback. */
struct nuse_frame {
	struct nuse_vnet_hdr vnet;
	unsigned int niov;
	struct nuse_iov iov[NUSE_FRAME_MAX_IOV];
};

/* Called in the stack's context with a batch; must not call into the
 * stack. Returns how many frames it took (the rest are dropped). */
typedef int (*nuse_xmit_fn)(void *priv, const struct nuse_frame *frames, int n);

struct nuse_netdev_params {
	const char *name;		/* e.g. "eth0"; NULL: "eth%d" */
	unsigned char mac[6];
	unsigned int mtu;		/* 0: 1500 */
	unsigned int offloads;		/* NUSE_OFFLOAD_* */
	nuse_xmit_fn xmit;
	void *priv;
	/*
	 * A descriptor of the adding process to which writev(virtio-net
	 * header, frame) sends one frame as xmit would (has_share_fd):
	 * frames are then written to it without holding the stack's CPU, by
	 * the thread that sent them or, for the session's other processes,
	 * by a host thread of the adding process.
	 */
	int has_share_fd;
	int share_fd;
};

/* Create an Ethernet device; returns its ifindex or -errno. */
int nuse_netdev_add(const struct nuse_netdev_params *params);

/* From now on every frame of the device goes through its xmit callback. */
int nuse_netdev_unshare(int ifindex);

/* A received frame (Ethernet), copied by the stack before return. */
struct nuse_rx_frame {
	struct nuse_vnet_hdr vnet;
	const void *data;
	unsigned int len;
};

/* Deliver a batch from a backend thread; returns frames accepted. */
int nuse_netdev_rx(int ifindex, const struct nuse_rx_frame *frames, int n);

/* ---- configuration through the stack's own netlink and procfs ---- */

int nuse_if_index(const char *name);
int nuse_if_set_up(int ifindex, int up);
int nuse_if_set_mtu(int ifindex, unsigned int mtu);
/* family AF_INET (addr 4 bytes) or AF_INET6 (16 bytes) */
int nuse_if_add_addr(int ifindex, int family, const void *addr, int prefixlen);
/* dst NULL with prefixlen 0: default route; gw may be NULL */
int nuse_route_add(int family, const void *dst, int prefixlen, const void *gw, int ifindex);
/* name as "net.ipv4.tcp_congestion_control" */
int nuse_sysctl_set(const char *name, const char *value);
int nuse_sysctl_get(const char *name, char *buf, unsigned long len);

#endif
