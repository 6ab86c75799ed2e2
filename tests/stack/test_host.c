// SPDX-License-Identifier: GPL-2.0
/*
 * Host services: threads, semaphores, mutexes, clock, timers, memory,
 * per-thread data and fault-free copies. Built twice: plain, and with the
 * sources compiled in under ASan+UBSan (test_host-san).
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <nuse/host.h>

START_TEST(semaphore_counts)
{
	struct nuse_host_sem sem;

	nuse_host_sem_init(&sem, 2);
	nuse_host_sem_down(&sem);
	nuse_host_sem_down(&sem);
	ck_assert_int_eq(nuse_host_sem_down_timeout(&sem, 20 * 1000 * 1000), -110);
	nuse_host_sem_up(&sem);
	ck_assert_int_eq(nuse_host_sem_down_timeout(&sem, 20 * 1000 * 1000), 0);
}
END_TEST

struct pingpong {
	struct nuse_host_sem ping, pong;
	int rounds;
	long tid;
	struct nuse_host_tls *tls;
};

static void ponger(void *arg)
{
	struct pingpong *pp = arg;
	int i;

	pp->tid = nuse_host_gettid();
	pp->tls = nuse_host_self();
	for (i = 0; i < pp->rounds; i++) {
		nuse_host_sem_down(&pp->ping);
		nuse_host_sem_up(&pp->pong);
	}
}

START_TEST(thread_and_semaphores)
{
	struct pingpong pp = { .rounds = 10000 };
	struct nuse_host_thread *t;
	int i;

	nuse_host_sem_init(&pp.ping, 0);
	nuse_host_sem_init(&pp.pong, 0);
	t = nuse_host_thread_create(ponger, &pp);
	ck_assert_ptr_nonnull(t);
	for (i = 0; i < pp.rounds; i++) {
		nuse_host_sem_up(&pp.ping);
		nuse_host_sem_down(&pp.pong);
	}
	nuse_host_thread_join(t);
	/* the thread had its own id and its own per-thread block */
	ck_assert_int_ne(pp.tid, nuse_host_gettid());
	ck_assert_int_eq(nuse_host_gettid(), gettid());
	ck_assert_ptr_ne(pp.tls, nuse_host_self());
}
END_TEST

static struct nuse_host_mutex mutex;
static long counter;

static void *adder(void *arg)
{
	int i;

	for (i = 0; i < 100000; i++) {
		nuse_host_mutex_lock(&mutex);
		counter++;
		nuse_host_mutex_unlock(&mutex);
	}
	return arg;
}

START_TEST(mutex_excludes)
{
	pthread_t th[4];
	int i;

	nuse_host_mutex_init(&mutex);
	counter = 0;
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, adder, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(counter, 400000);
	ck_assert(nuse_host_mutex_trylock(&mutex));
	ck_assert(!nuse_host_mutex_trylock(&mutex));
	nuse_host_mutex_unlock(&mutex);
}
END_TEST

static void *tls_of_thread(void *arg)
{
	struct nuse_host_tls *tls = nuse_host_self();

	tls->slot[0] = arg;
	return nuse_host_self()->slot[0] == arg ? tls : NULL;
}

/* pthreads inherit %gs from their creator: each must still get its own */
START_TEST(per_thread_data)
{
	struct nuse_host_tls *mine = nuse_host_self();
	pthread_t th;
	void *other;

	mine->slot[0] = (void *)1;
	pthread_create(&th, NULL, tls_of_thread, (void *)2);
	pthread_join(th, &other);
	ck_assert_ptr_nonnull(other);
	ck_assert_ptr_ne(other, mine);
	ck_assert_ptr_eq(nuse_host_self()->slot[0], (void *)1);
	ck_assert_ptr_eq(mine->self, mine);
}
END_TEST

/*
 * FS/GS: the decision follows AT_HWCAP2 and NUSE_NO_FSGSBASE (make check
 * runs this test both ways), and the block in GS stays this thread's
 * across sleeps while other threads run: on a kernel that enables the
 * base instructions without saving the values, the instruction path lost
 * it about 30% of the time.
 */
START_TEST(fsgs_decision)
{
	const char *forced = getenv("NUSE_NO_FSGSBASE");
	int hw = (getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */) != 0;

	if (forced && *forced && *forced != '0')
		hw = 0;
	ck_assert_int_eq(nuse_host_fsgsbase, hw);
	ck_assert_int_eq(nuse_host_fsgs_decide(), hw);
}
END_TEST

static void *spin_switches(void *arg)
{
	struct nuse_host_tls *mine = nuse_host_self();
	int *stop = arg, lost = 0;

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
		sched_yield();
		lost += nuse_host_gs_block() != mine;
	}
	return (void *)(long)lost;
}

START_TEST(gs_survives_context_switches)
{
	struct nuse_host_tls *mine = nuse_host_self();
	pthread_t th[3];
	int stop = 0, lost = 0;
	void *other_lost;

	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, spin_switches, &stop);
	for (int i = 0; i < 2000; i++) {
		usleep(100);
		lost += nuse_host_gs_block() != mine;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], &other_lost);
		lost += (int)(long)other_lost;
	}
	ck_assert_int_eq(lost, 0);
	ck_assert_ptr_eq(nuse_host_self(), mine);
}
END_TEST

/* What tells a block inherited through clone from the thread's own. */
static void *fs_id_of_thread(void *arg)
{
	return (void *)nuse_host_fs_id();
}

START_TEST(fs_id_tells_threads_apart)
{
	pthread_t th;
	void *other;

	ck_assert_uint_eq(nuse_host_fs_id(), nuse_host_fs_id());
	pthread_create(&th, NULL, fs_id_of_thread, NULL);
	pthread_join(th, &other);
	ck_assert_uint_ne((unsigned long)other, nuse_host_fs_id());
	/* glibc: the word at %fs:0 is the thread pointer itself */
	ck_assert_uint_eq(nuse_host_fs_id(), (unsigned long)__builtin_thread_pointer());
}
END_TEST

START_TEST(clock_is_monotonic_and_real)
{
	struct timespec ts;
	unsigned long long a = nuse_host_time_ns(), b;

	usleep(2000);
	b = nuse_host_time_ns();
	ck_assert_uint_ge(b - a, 2000000ULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	ck_assert_uint_lt(nuse_host_realtime_ns() / 1000000000ULL - (unsigned long long)ts.tv_sec, 2);
}
END_TEST

static struct nuse_host_sem fired;
static int fire_count;

static void on_timer(void *arg)
{
	__atomic_add_fetch(&fire_count, 1, __ATOMIC_SEQ_CST);
	nuse_host_sem_up(&fired);
}

START_TEST(one_shot_timer)
{
	struct nuse_host_timer *t = nuse_host_timer_create(on_timer, NULL);
	unsigned long long start = nuse_host_time_ns();

	ck_assert_ptr_nonnull(t);
	nuse_host_sem_init(&fired, 0);
	fire_count = 0;
	nuse_host_timer_arm(t, start + 10 * 1000 * 1000);
	nuse_host_sem_down(&fired);
	ck_assert_uint_ge(nuse_host_time_ns() - start, 10 * 1000 * 1000ULL);
	/* re-armed later, then cancelled: never fires */
	nuse_host_timer_arm(t, nuse_host_time_ns() + 30 * 1000 * 1000);
	nuse_host_timer_cancel(t);
	ck_assert_int_eq(nuse_host_sem_down_timeout(&fired, 60 * 1000 * 1000), -110);
	ck_assert_int_eq(fire_count, 1);
	/* re-arming replaces the deadline */
	nuse_host_timer_arm(t, nuse_host_time_ns() + 1000ULL * 1000 * 1000);
	nuse_host_timer_arm(t, nuse_host_time_ns() + 1000 * 1000);
	ck_assert_int_eq(nuse_host_sem_down_timeout(&fired, 500 * 1000 * 1000), 0);
	nuse_host_timer_free(t);
}
END_TEST

START_TEST(memory_and_copies)
{
	char *p = nuse_host_mem_alloc(1 << 20, 1);
	char buf[16];
	void *bad;

	ck_assert_ptr_nonnull(p);
	p[0] = 1;
	p[(1 << 20) - 1] = 2;
	ck_assert_uint_eq(nuse_host_copy_in(buf, p, 1), 0);
	ck_assert_int_eq(buf[0], 1);
	ck_assert_uint_eq(nuse_host_copy_out(p + 5, "abc", 3), 0);
	ck_assert_mem_eq(p + 5, "abc", 3);
	nuse_host_mem_free(p, 1 << 20);

	/* unmapped and read-only memory: reported, never a crash */
	bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_uint_eq(nuse_host_copy_out(bad, "x", 1), 1);
	ck_assert_uint_eq(nuse_host_copy_in(buf, bad, 8), 0);
	munmap(bad, 4096);
	ck_assert_uint_eq(nuse_host_copy_in(buf, bad, 8), 8);
	ck_assert_uint_eq(nuse_host_copy_in(buf, (void *)8, 8), 8);

	nuse_host_memset(buf, 'z', sizeof(buf));
	nuse_host_memcpy(buf, "hello", 5);
	ck_assert_mem_eq(buf, "helloz", 6);
	ck_assert_uint_eq(nuse_host_strlen("hello"), 5);
}
END_TEST

static Suite *host_suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("services");

	tcase_add_test(tc, semaphore_counts);
	tcase_add_test(tc, thread_and_semaphores);
	tcase_add_test(tc, mutex_excludes);
	tcase_add_test(tc, per_thread_data);
	tcase_add_test(tc, fsgs_decision);
	tcase_add_test(tc, gs_survives_context_switches);
	tcase_add_test(tc, fs_id_tells_threads_apart);
	tcase_add_test(tc, clock_is_monotonic_and_real);
	tcase_add_test(tc, one_shot_timer);
	tcase_add_test(tc, memory_and_copies);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(host_suite());
	int failed;

	if (nuse_host_init())
		return EXIT_FAILURE;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
