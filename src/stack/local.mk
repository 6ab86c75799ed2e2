# src/stack: Linux 6.12's network stack built as one relocatable object.
#
# Kernel source:  src/stack/linux-src   (extracted once from @LINUX_SOURCE@,
#                                        our arch/nuse linked in, patches applied)
# Kernel objects: src/stack/linux-obj   (O= build, ARCH=nuse)
# Result:         src/stack/nuse-stack.o (only nuse_* global), libnuse-stack.a
#
# Stamp files keep a second `make` from doing any kernel work.

STACK_SRC_TREE = src/stack/linux-src
STACK_OBJ_TREE = src/stack/linux-obj
# Two make processes (e.g. `make all check` runs a sub-make) must not work
# on the kernel tree at once: every kernel step holds this lock.
STACK_LOCK = flock src/stack/.kernel.lock
STACK_KMAKE = $(STACK_LOCK) $(MAKE) -C $(abs_builddir)/$(STACK_SRC_TREE) \
	O=$(abs_builddir)/$(STACK_OBJ_TREE) ARCH=nuse \
	NUSE_INCLUDE=$(abs_top_srcdir)/include KBUILD_VERBOSE=0

STACK_ARCH_FILES = $(shell find $(srcdir)/src/stack/arch -type f 2>/dev/null)
STACK_PATCHES = $(sort $(wildcard $(srcdir)/src/stack/patches/*.patch))
STACK_API_HDRS = $(srcdir)/include/nuse/host.h $(srcdir)/include/nuse/stack.h

EXTRA_DIST += src/stack/arch src/stack/nuse.config src/stack/nuse-san.config \
	src/stack/nuse.syms \
	src/stack/nuse-shared.lds \
	docs/stack.md

# 1. extract once, link our architecture in, apply our patches
src/stack/.extracted.stamp: $(STACK_PATCHES)
	@echo "  EXTRACT  $(LINUX_SOURCE)"
	@mkdir -p src/stack
	@exec 9>src/stack/.kernel.lock; flock 9; \
	test -f $@ && exit 0; \
	rm -rf $(STACK_SRC_TREE) $(STACK_SRC_TREE).tmp && \
	mkdir -p $(STACK_SRC_TREE).tmp && \
	tar -xf $(LINUX_SOURCE) -C $(STACK_SRC_TREE).tmp --strip-components=1 && \
	ln -s $(abs_top_srcdir)/src/stack/arch/nuse $(STACK_SRC_TREE).tmp/arch/nuse && \
	for p in $(STACK_PATCHES); do \
		echo "  PATCH    $$p"; \
		patch -s -p1 -d $(STACK_SRC_TREE).tmp < $$p || exit 1; \
	done && \
	mv $(STACK_SRC_TREE).tmp $(STACK_SRC_TREE) && \
	touch $@

# 2. configure from our fragment (--enable-sanitizers: plus nuse-san.config,
#    the kernel's own UBSan; docs/fuzz.md)
STACK_KCONFIG = $(srcdir)/src/stack/nuse.config
if SANITIZERS
STACK_KCONFIG += $(srcdir)/src/stack/nuse-san.config
endif
src/stack/.config.stamp: src/stack/.extracted.stamp $(STACK_KCONFIG)
	@echo "  KCONFIG  $(notdir $(STACK_KCONFIG))"
	@mkdir -p $(STACK_OBJ_TREE)
	@cat $(STACK_KCONFIG) >src/stack/kconfig.fragment
	+@$(STACK_KMAKE) KCONFIG_ALLCONFIG=$(abs_builddir)/src/stack/kconfig.fragment \
		allnoconfig >/dev/null
if SANITIZERS
	@grep -q '^CONFIG_UBSAN=y' $(STACK_OBJ_TREE)/.config || \
		{ echo "kernel config: CONFIG_UBSAN did not take" >&2; exit 1; }
endif
	@touch $@

# 3. build vmlinux (relocatable); kernel warnings never fail our build
src/stack/.kernel.stamp: src/stack/.config.stamp $(STACK_ARCH_FILES) $(STACK_API_HDRS)
	@echo "  KBUILD   vmlinux (ARCH=nuse)"
	+@$(STACK_KMAKE) vmlinux
	@touch $@

# 4. one object, host services inside, only nuse_* global
src/stack/nuse-stack.o: src/stack/.kernel.stamp src/backend/libnuse-host.a \
		$(srcdir)/src/stack/nuse.syms $(srcdir)/src/stack/nuse-shared.lds
	@echo "  LD       $@"
	@ld -r -z noexecstack -T $(srcdir)/src/stack/nuse-shared.lds -o $@.$$$$.tmp \
		$(STACK_OBJ_TREE)/vmlinux \
		--whole-archive src/backend/libnuse-host.a --no-whole-archive && \
	objcopy --keep-global-symbols=$(srcdir)/src/stack/nuse.syms $@.$$$$.tmp $@.$$$$.tmp2 && \
	mv -f $@.$$$$.tmp2 $@; ret=$$?; rm -f $@.$$$$.tmp $@.$$$$.tmp2; exit $$ret

lib_LIBRARIES += src/stack/libnuse-stack.a
nuse_HEADERS += include/nuse/stack.h
src_stack_libnuse_stack_a_SOURCES = include/nuse/stack.h src/stack/lib/config.c \
	src/stack/lib/copies.c
src_stack_libnuse_stack_a_LIBADD = src/stack/nuse-stack.o
src_stack_libnuse_stack_a_DEPENDENCIES = src/stack/nuse-stack.o
STACK_LIBS = src/stack/libnuse-stack.a -lpthread

stack: src/stack/libnuse-stack.a
.PHONY: stack

CLEANFILES += src/stack/nuse-stack.o src/stack/kconfig.fragment

# Removing the kernel tree is deliberate, never part of `make clean`.
clean-stack-kernel:
	-rm -rf $(STACK_SRC_TREE) $(STACK_OBJ_TREE) $(STACK_SRC_TREE).tmp \
		src/stack/.extracted.stamp src/stack/.config.stamp src/stack/.kernel.stamp \
		src/stack/.kernel.lock
.PHONY: clean-stack-kernel

# ---- tests: `make check-stack` (also part of `make check`) ----
STACK_TESTS = tests/stack/test_host tests/stack/test_stack
check_PROGRAMS += $(STACK_TESTS)
TESTS += $(STACK_TESTS)

tests_stack_test_host_SOURCES = tests/stack/test_host.c $(HOST_SERVICES_SOURCES)
tests_stack_test_host_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(HOST_SERVICES_CFLAGS) $(SAN_CFLAGS)
tests_stack_test_host_LDFLAGS = $(SAN_CFLAGS)
tests_stack_test_host_LDADD = $(CHECK_LIBS) -lpthread

tests_stack_test_stack_SOURCES = tests/stack/test_stack.c
tests_stack_test_stack_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SAN_CFLAGS)
tests_stack_test_stack_LDFLAGS = $(SAN_CFLAGS)
tests_stack_test_stack_LDADD = $(STACK_LIBS) $(CHECK_LIBS)

check-stack:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(STACK_TESTS)' check_PROGRAMS='$(STACK_TESTS)'
.PHONY: check-stack

# Host services under ASan+UBSan whatever the configuration:
# `make check-stack-san`.
tests/stack/test_host-san: $(srcdir)/tests/stack/test_host.c \
		$(HOST_SERVICES_SOURCES:%=$(srcdir)/%)
	$(CC) -std=gnu11 -D_GNU_SOURCE -I$(top_srcdir)/include $(CHECK_CFLAGS) \
		$(HOST_SERVICES_CFLAGS) -fsanitize=address,undefined \
		-fno-sanitize-recover=all -g -O1 -o $@ $(srcdir)/tests/stack/test_host.c \
		$(filter %.c %.S,$(HOST_SERVICES_SOURCES:%=$(srcdir)/%)) $(CHECK_LIBS) -lpthread
check-stack-san: tests/stack/test_host-san
	./tests/stack/test_host-san
.PHONY: check-stack-san
# ... and in `make check` beside the other sanitizer twins (built by the
# rule above, hence a "script" to automake).
check_SCRIPTS = tests/stack/test_host-san
TESTS += tests/stack/test_host-san
CLEANFILES += tests/stack/test_host-san

# ---- bench: `make bench-stack` -> bench/results/stack.csv ----
BENCHES += stack
noinst_PROGRAMS += bench/stack-bench
bench_stack_bench_SOURCES = bench/stack-bench.c
bench_stack_bench_LDADD = $(STACK_LIBS)
