// SPDX-License-Identifier: GPL-2.0
/*
 * Boot and halt.
 *
 * nuse_boot() runs start_kernel() on a new host thread, which becomes the
 * idle task. The kernel boots normally up to running /init; our binary
 * format for /init mounts procfs, turns the init thread's host thread into
 * "host0" (the template of all application tasks) and tells the caller
 * the stack is up. The init task itself stays parked forever.
 */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/start_kernel.h>
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <linux/init_syscalls.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/reboot.h>
#include <linux/delay.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <asm/nuse.h>
#include <asm/setup.h>
#include <nuse/host.h>
#include <nuse/stack.h>

int nuse_halted;
/* bounds of the kernel's writable sections (src/stack/nuse-shared.lds) */
extern char __nuse_shared_start[], __nuse_shared_end[];
static int booted;
static unsigned long boot_mem_size;
static struct nuse_host_sem boot_sem;
static struct nuse_host_thread *boot_thread;
static int boot_error;

void __init setup_arch(char **cmdline_p)
{
	*cmdline_p = boot_command_line;
	/* no busy-loop calibration: delays read the host clock */
	preset_lpj = 1000000;
	if (nuse_mem_init(boot_mem_size))
		panic("nuse: cannot get %lu bytes of memory", boot_mem_size);
}

static void __ref start_kernel_thread(void *unused)
{
	struct nuse_thread_state *ts = nuse_thread_state();

	/* this host thread is init_task, later the idle task */
	init_thread_info.tid = ts->tid;
	init_thread_info.pid = ts->pid;
	nuse_host_sem_init(&init_thread_info.sched_sem, 0);
	if (nuse_cpu_get())
		nuse_host_panic("nuse: cannot take the CPU at boot");
	start_kernel();
}

/* ---- /init: the end of boot ---- */
/* (__ref: init sections are never freed in this port) */

static int __ref nuse_init_load(struct linux_binprm *bprm)
{
	struct task_struct *host0;
	pid_t pid;

	if (strcmp(bprm->filename, "/init"))
		return -ENOEXEC;

	init_mkdir("/proc", 0555);
	if (init_mount("proc", "/proc", "proc", 0, NULL))
		pr_warn("nuse: cannot mount /proc\n");

	/* loopback up, as every init system does first */
	rtnl_lock();
	if (dev_change_flags(init_net.loopback_dev,
			     init_net.loopback_dev->flags | IFF_UP, NULL))
		pr_warn("nuse: cannot bring lo up\n");
	rtnl_unlock();

	/* host0: application tasks are cloned from it (one fd table) */
	pid = nuse_host_task_clone(0);
	if (pid < 0) {
		boot_error = pid;
		nuse_host_sem_up(&boot_sem);
		return pid;
	}
	rcu_read_lock();
	host0 = find_task_by_pid_ns(pid, &init_pid_ns);
	rcu_read_unlock();
	strscpy(host0->comm, "host0", sizeof(host0->comm));
	/* sockets are files: allow as many as the host would */
	task_lock(host0->group_leader);
	host0->signal->rlim[RLIMIT_NOFILE].rlim_cur = sysctl_nr_open;
	host0->signal->rlim[RLIMIT_NOFILE].rlim_max = sysctl_nr_open;
	task_unlock(host0->group_leader);
	/* SIGUSR1 interrupts blocked syscalls (cpu.c); caught, so never fatal
	 * to the thread group all application tasks share */
	spin_lock_irq(&host0->sighand->siglock);
	host0->sighand->action[SIGUSR1 - 1].sa.sa_handler = (__sighandler_t)2;
	spin_unlock_irq(&host0->sighand->siglock);
	nuse_host0 = host0;

	/* init parks for good; this host thread goes on as host0 */
	set_thread_flag(TIF_HOST_THREAD);
	task_thread_info(current)->tid = 0;
	nuse_switch_to_host_task(host0);
	task_thread_info(host0)->tid = 0;

	booted = 1;
	nuse_host_sem_up(&boot_sem);
	nuse_cpu_put();
	nuse_host_thread_exit();
	return 0;
}

static struct linux_binfmt nuse_init_binfmt = {
	.load_binary = nuse_init_load,
};

static int __init nuse_init_setup(void)
{
	struct file *f;

	register_binfmt(&nuse_init_binfmt);
	f = filp_open("/init", O_CREAT | O_WRONLY, 0700);
	if (IS_ERR(f))
		return PTR_ERR(f);
	/* now, not deferred: an open writer makes the exec fail (ETXTBSY) */
	__fput_sync(f);
	return 0;
}
late_initcall(nuse_init_setup);

static int apply_sysctl(const char *setting)
{
	char path[256] = "/proc/sys/";
	const char *eq = strchr(setting, '=');
	size_t n = strlen(path), klen;
	long args[6] = { 0 };
	long fd, ret;
	size_t i;

	if (!eq)
		return -EINVAL;
	klen = eq - setting;
	if (n + klen >= sizeof(path))
		return -ENAMETOOLONG;
	for (i = 0; i < klen; i++)
		path[n + i] = setting[i] == '.' ? '/' : setting[i];
	path[n + klen] = 0;

	args[0] = (long)path;
	args[1] = O_WRONLY;
	fd = nuse_syscall(2 /* open */, args);
	if (fd < 0)
		return fd;
	args[0] = fd;
	args[1] = (long)(eq + 1);
	args[2] = strlen(eq + 1);
	ret = nuse_syscall(1 /* write */, args);
	args[0] = fd;
	nuse_syscall(3 /* close */, args);
	return ret < 0 ? ret : 0;
}

int __ref nuse_boot(const struct nuse_boot_params *params)
{
	static const char default_cmdline[] = "quiet loglevel=3";
	const char *cmdline = params && params->cmdline ? params->cmdline : default_cmdline;
	int i, ret;

	if (booted || nuse_halted)
		return -EALREADY;
	nuse_host_init();
	/* all kernel data shared, at the same address, with forked children
	 * (a session has done it already, through a memfd) */
	if (nuse_session_mem_fd < 0) {
		ret = nuse_host_mem_share(__nuse_shared_start,
					  __nuse_shared_end - __nuse_shared_start);
		if (ret)
			return ret;
	}
	boot_mem_size = params && params->mem_size ? params->mem_size : NUSE_DEFAULT_MEM;
	strscpy(boot_command_line, cmdline, COMMAND_LINE_SIZE);
	nuse_host_sem_init(&boot_sem, 0);

	boot_thread = nuse_host_thread_create(start_kernel_thread, NULL);
	if (!boot_thread)
		return -ENOMEM;
	nuse_host_sem_down(&boot_sem);
	if (boot_error)
		return boot_error;

	for (i = 0; params && params->sysctls && params->sysctls[i]; i++) {
		ret = apply_sysctl(params->sysctls[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- halt ---- */

void machine_halt(void)
{
	nuse_halted = 1;
}

void machine_power_off(void)
{
	nuse_halted = 1;
}

void machine_restart(char *cmd)
{
	nuse_halted = 1;
}

int nuse_halt(void)
{
	long args[6] = { 0 };

	if (!booted)
		return -EINVAL;
	/* stop every socket's traffic the kernel's own way first */
	args[0] = LINUX_REBOOT_MAGIC1;
	args[1] = LINUX_REBOOT_MAGIC2;
	args[2] = LINUX_REBOOT_CMD_HALT;
	nuse_syscall(169 /* reboot */, args);
	if (nuse_cpu_get())
		return -ESHUTDOWN;
	nuse_time_halt();
	nuse_threads_halt();
	booted = 0;
	nuse_cpu_shutdown();
	return 0;
}
