// SPDX-License-Identifier: GPL-2.0
/*
 * Time: a clocksource reading the host's CLOCK_MONOTONIC and a one-shot
 * clockevent backed by a host timer, whose expiry raises an interrupt.
 */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/clocksource.h>
#include <linux/clockchips.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>
#include <linux/time.h>
#include <linux/delay.h>
#include <asm/nuse.h>
#include <nuse/host.h>

static struct nuse_host_timer *timer;
static int timer_irq;
static u64 boot_ns;

static u64 clock_read(struct clocksource *cs)
{
	return nuse_host_time_ns();
}

static struct clocksource clocksource = {
	.name	= "nuse",
	.rating	= 400,
	.read	= clock_read,
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS | CLOCK_SOURCE_VALID_FOR_HRES,
	.mask	= CLOCKSOURCE_MASK(64),
};

unsigned long long sched_clock(void)
{
	return nuse_host_time_ns() - boot_ns;
}

void read_persistent_clock64(struct timespec64 *ts)
{
	u64 ns = nuse_host_realtime_ns();

	ts->tv_sec = ns / NSEC_PER_SEC;
	ts->tv_nsec = ns % NSEC_PER_SEC;
}

/*
 * The wall clock was set from the host at timekeeping_init(), when the
 * clocksource was still jiffies: what passed until our clocksource took
 * over counted in whole ticks, and CLOCK_REALTIME (packet timestamps)
 * stayed 1-3 ms behind the host's — ping said "time of day goes back".
 * Set it again now that it reads the host clock.
 */
static int __init sync_wall_clock(void)
{
	struct timespec64 ts;

	read_persistent_clock64(&ts);
	return do_settimeofday64(&ts);
}
late_initcall(sync_wall_clock);

void __ndelay(unsigned long nsecs)
{
	u64 end = nuse_host_time_ns() + nsecs;

	while (nuse_host_time_ns() < end)
		cpu_relax();
}

void __delay(unsigned long loops)
{
	__ndelay(loops);
}

static int next_event(unsigned long delta, struct clock_event_device *evt)
{
	nuse_host_timer_arm(timer, nuse_host_time_ns() + delta);
	return 0;
}

static int set_oneshot(struct clock_event_device *evt)
{
	return 0;
}

static int set_shutdown(struct clock_event_device *evt)
{
	nuse_host_timer_cancel(timer);
	return 0;
}

static struct clock_event_device clockevent = {
	.name			= "nuse",
	.features		= CLOCK_EVT_FEAT_ONESHOT,
	.set_next_event		= next_event,
	.set_state_oneshot	= set_oneshot,
	.set_state_shutdown	= set_shutdown,
	.rating			= 100,
};

static void timer_irq_handler(void)
{
	clockevent.event_handler(&clockevent);
}

/* runs on the host timer's thread */
static void timer_expired(void *unused)
{
	nuse_irq_raise(timer_irq);
}

void __init time_init(void)
{
	boot_ns = nuse_host_time_ns();
	timer_irq = nuse_irq_request(timer_irq_handler);
	/* in kernel data: any process of the session arms it (proc.c) */
	static char timer_mem[NUSE_HOST_TIMER_SIZE] __aligned(64);

	timer = nuse_host_timer_create_on(timer_mem, timer_expired, NULL);
	if (!timer)
		panic("nuse: no host timer");
	if (clocksource_register_hz(&clocksource, NSEC_PER_SEC))
		panic("nuse: clocksource");
	clockevent.cpumask = cpu_possible_mask;
	clockevents_config_and_register(&clockevent, NSEC_PER_SEC, 1, ULONG_MAX);
}

/* After a thread died inside the stack (repair.c): the timer interrupt
 * runs the expired hrtimers and programs the clock event again. */
void nuse_time_repair(void)
{
	nuse_irq_post(timer_irq);
}

void nuse_time_halt(void)
{
	if (timer) {
		nuse_host_timer_free(timer);
		timer = NULL;
	}
}
