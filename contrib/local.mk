# contrib: what `make install` puts beside the programs and libraries for
# people who use them: pkg-config file, bash completions (docs/library.md,
# README.md "Install").
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = nuse.pc

bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = contrib/bash-completion/nuse-exec \
	contrib/bash-completion/nuse-node

# The embedding example is built by tests/package/example.sh against the
# installed library, not here; distributed with contrib/.
EXTRA_DIST += debian
