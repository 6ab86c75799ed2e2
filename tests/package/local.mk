# tests/package: nuse as a package (issue 16). What a user of the install,
# the tarball, the .deb and the library meets; each test says its time.
#   cli        --help within 80 columns, man pages and completions match
#   install    make install/uninstall into a DESTDIR, moved prefix runs
#   example    contrib/examples built against the installed library via
#              pkg-config, serving HTTP to the host kernel's curl on a TAP
#   distcheck  make distcheck (VPATH build with its own kernel tree)
#   deb        dpkg-buildpackage, lintian, dpkg -i, demo, dpkg -r
PACKAGE_TESTS = tests/package/cli.sh tests/package/install.sh \
	tests/package/example.sh
# Each rebuilds the kernel (minutes on 2 cores): run after every other
# test, one after the other, so no timed test runs beside a kernel build.
PACKAGE_HEAVY_TESTS = tests/package/distcheck.sh tests/package/deb.sh
SMOKE_TESTS = tests/package/smoke.sh
TESTS += $(SMOKE_TESTS) $(PACKAGE_TESTS) $(PACKAGE_HEAVY_TESTS)
EXTRA_DIST += $(PACKAGE_TESTS) $(PACKAGE_HEAVY_TESTS) $(SMOKE_TESTS) \
	tests/package/lib.sh

PACKAGE_HEAVY_LOGS = $(PACKAGE_HEAVY_TESTS:.sh=.log)
# (The soak runs after these, tests/soak/local.mk: not a prerequisite here.)
$(filter $(PACKAGE_HEAVY_LOGS),$(TEST_LOGS)): \
	$(filter-out $(PACKAGE_HEAVY_LOGS) tests/soak/soak.log,$(TEST_LOGS))
tests/package/deb.log: $(filter tests/package/distcheck.log,$(TEST_LOGS))

# make distcheck: the tarball configures with -Werror out of tree (VPATH,
# the kernel extracted and built in the build tree), builds, runs the
# smoke test, installs, passes installcheck, uninstalls and cleans. The
# whole suite is not run a second time there: inside distcheck, `make
# check` is tests/package/smoke.sh alone (the suite runs in the tree the
# tarball comes from, tests/package/distcheck.sh being part of it).
AM_DISTCHECK_CONFIGURE_FLAGS = --enable-werror
# (A target-specific variable of automake's own distcheck rule; the target
# is named through a variable so that automake keeps its rule.)
NUSE_DISTCHECK_TARGET = distcheck
$(NUSE_DISTCHECK_TARGET): AM_MAKEFLAGS += TESTS='$(SMOKE_TESTS)' \
	check_PROGRAMS= check_SCRIPTS=

# The installed programs run from where they were installed.
installcheck-local:
	$(DESTDIR)$(bindir)/nuse-exec --version
	$(DESTDIR)$(bindir)/nuse-node --help >/dev/null
	test -r $(DESTDIR)$(pkglibdir)/libnuse-preload.so
	test -r $(DESTDIR)$(nusedir)/stack.h

# distclean leaves the build tree as the tarball came: the kernel tree too.
distclean-local: clean-stack-kernel

# The smoke test alone: `make check-smoke`.
check-smoke:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SMOKE_TESTS)' check_PROGRAMS= \
		check_SCRIPTS=
.PHONY: check-smoke
