#!/bin/sh
# busybox-static sh -c with pipes, fork, exec, exit statuses and signals,
# natively and under each mode; then the host's dynamic sh.
# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_nuse
need_prog "$BUSYBOX"

BB=$BUSYBOX
compare "sh pipes" "$BB" sh -c \
	"echo hello world | $BB tr a-z A-Z | $BB rev; $BB seq 1 2000 | $BB sort -rn | $BB head -3"
compare "sh fork+exec" "$BB" sh -c \
	"(exit 3); echo sub=\$?; x=\$($BB echo captured); echo \$x; $BB sh -c 'exit 5'; echo nested=\$?; exec $BB echo exec-done"
compare "sh background" "$BB" sh -c \
	"$BB sleep 0.1 & $BB echo started; wait; echo waited=\$?"
compare "sh exit status" "$BB" sh -c "echo out; exit 7"
compare "sh killed by signal" "$BB" sh -c "echo before; kill -TERM \$\$; echo after"
compare "sh /proc/self/exe" "$BB" sh -c \
	"$BB readlink /proc/self/exe; $BB cat /proc/self/comm; echo \$0"
# The host's dynamic /bin/sh (dash): preload applies, and the shim is
# inherited by every dynamic program it starts.
compare "dynamic sh pipes" /bin/sh -c \
	"echo hello world | tr a-z A-Z; seq 1 2000 | sort -rn | head -3; (exit 4); echo sub=\$?; exec echo done"
compare "dynamic sh exit status" /bin/sh -c "echo out; exit 9"
finish
