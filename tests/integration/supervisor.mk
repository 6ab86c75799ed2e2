# Integration tests of the supervisor modes of nuse-exec (ptrace, unotify;
# issue 3) and the programs they run.
SUP_PROGS = tests/programs/supervisor/sup_iouring \
	tests/programs/supervisor/sup_threads \
	tests/programs/supervisor/sup_tcp \
	tests/programs/supervisor/sup_signals \
	tests/programs/supervisor/sup_tree
check_PROGRAMS += $(SUP_PROGS)
tests_programs_supervisor_sup_iouring_SOURCES = tests/programs/supervisor/sup_iouring.c
tests_programs_supervisor_sup_threads_SOURCES = tests/programs/supervisor/sup_threads.c
tests_programs_supervisor_sup_threads_CFLAGS = $(AM_CFLAGS) -pthread
tests_programs_supervisor_sup_threads_LDFLAGS = -pthread
tests_programs_supervisor_sup_tcp_SOURCES = tests/programs/supervisor/sup_tcp.c
tests_programs_supervisor_sup_signals_SOURCES = tests/programs/supervisor/sup_signals.c
tests_programs_supervisor_sup_tree_SOURCES = tests/programs/supervisor/sup_tree.c

SUPERVISOR_TESTS = \
	tests/integration/supervisor-status.sh \
	tests/integration/supervisor-tree.sh \
	tests/integration/supervisor-threads.sh \
	tests/integration/supervisor-iouring.sh \
	tests/integration/supervisor-tcp.sh \
	tests/integration/supervisor-signals.sh \
	tests/integration/supervisor-background.sh \
	tests/integration/supervisor-verbose.sh \
	tests/integration/supervisor-tty.sh
TESTS += $(SUPERVISOR_TESTS)
EXTRA_DIST += $(SUPERVISOR_TESTS) tests/integration/supervisor.mk \
	tests/integration/supervisor.lib
