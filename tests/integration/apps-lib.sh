# shellcheck shell=sh
# Helpers for tests/integration/apps-*.sh (POSIX sh, sourced): real
# applications under `nuse-exec --stack=linux` on a TAP link, against
# host-kernel peers.
#
# Each test makes its own network namespace (named after the test and its
# pid) holding one TAP, "na0": the host kernel's side of the link has
# 10.79.0.1/24 and fd79::1/64 on it; the Linux stack in nuse-exec attaches
# to it with -i tap:na0,ip=10.79.0.2/24,ip6=fd79::2/64 (NUSE_IF). Deleting
# the namespace on exit (tests/backend/lib.sh's cleanup, also on failure)
# removes the TAP. Exit status: 0 pass, 1 fail, 77 skip with the reason.
#
# Environment:
#   NUSE_EXEC        the nuse-exec to test (set by `make check`)
#   NUSE_APPS_MODES  interception modes to run (default: $APPS_MODES_DEFAULT)
# shellcheck source=tests/backend/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/backend/lib.sh"

: "${NUSE_EXEC:=$top_builddir/nuse-exec}"
# Every mode serves --stack=linux (sud-trap, SUD without rewriting, is a
# benchmark reference: NUSE_APPS_MODES=sud-trap runs it too).
APPS_MODES_DEFAULT="sud seccomp unotify ptrace preload"
APPS_MODES=${NUSE_APPS_MODES:-$APPS_MODES_DEFAULT}
PROGS=$top_builddir/tests/programs
BUSYBOX=${BUSYBOX:-/bin/busybox}
HOST4=10.79.0.1
NUSE4=10.79.0.2
HOST6=fd79::1
NUSE6=fd79::2
NUSE_IF="tap:na0,ip=$NUSE4/24,ip6=$NUSE6/64,gw=$HOST4"

# need_apps: root, a TAP device and nuse-exec.
need_apps() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP)"
	command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	[ -x "$NUSE_EXEC" ] || skip "$NUSE_EXEC not built"
}

# need_cmd CMD...: skip the test when a command is missing.
need_cmd() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip "needs $_c"
	done
}

# apps_link [TAP_OPTIONS]: namespace $NS with the TAP na0 and the host
# kernel's addresses on it (extra "ip tuntap add" options, e.g. "user 65534").
apps_link() {
	mkns NS a
	# shellcheck disable=SC2086 # options are words
	ip netns exec "$NS" ip tuntap add dev na0 mode tap vnet_hdr ${1:-} ||
		skip "cannot create TAP devices"
	ip -n "$NS" link set na0 up
	ip -n "$NS" addr add "$HOST4/24" dev na0
	ip -n "$NS" addr add "$HOST6/64" dev na0 nodad
}

nsx() {
	ip netns exec "$NS" "$@"
}

# tap_free: wait (10 s at most) until no process has na0 open: the stack
# of the previous session lives in a keeper process that may still be
# exiting when its nuse-exec has returned, and a TAP takes one attachment.
tap_free() {
	wait_for 10 sh -c "ip -n '$NS' link show na0 | grep -q NO-CARRIER"
}

# nuse MODE ARGS...: nuse-exec --stack=linux on the TAP in $NS, at most
# $APPS_TIMEOUT seconds (default 60). The address is usable at once: no
# duplicate address detection on the TAP.
nuse() {
	_m=$1
	shift
	tap_free
	ip netns exec "$NS" timeout -k 2 "${APPS_TIMEOUT:-60}" "$NUSE_EXEC" \
		--mode="$_m" --stack=linux -i "$NUSE_IF" \
		--sysctl net.ipv6.conf.default.accept_dad=0 "$@"
}

# nuse_bg OUT MODE ARGS...: nuse in the background, output to OUT; sets
# BG_PID. The command itself is the background job (not a function in a
# subshell), so that killing BG_PID reaches timeout(1), which passes the
# signal on to nuse-exec.
nuse_bg() {
	_o=$1
	_m=$2
	shift 2
	tap_free
	ip netns exec "$NS" timeout -k 2 "${APPS_TIMEOUT:-60}" "$NUSE_EXEC" \
		--mode="$_m" --stack=linux -i "$NUSE_IF" \
		--sysctl net.ipv6.conf.default.accept_dad=0 "$@" >"$_o" 2>&1 &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

# wait_tcp ADDR PORT: a TCP connect from the host kernel succeeds (20 s).
wait_tcp() {
	wait_for 20 nsx python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' "$1" "$2"
}

# make_file PATH SIZE_MIB: random content (its sha256 is what is checked).
make_file() {
	head -c "$(($2 << 20))" /dev/urandom >"$1"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# nginx_conf FILE ROOT LISTEN EXTRA: a minimal nginx configuration; every
# path under $T, logs included; EXTRA goes to the main context.
nginx_conf() {
	mkdir -p "$T/nginx-tmp"
	cat >"$1" <<EOF
daemon off;
pid $T/nginx-$$.pid;
error_log $T/nginx-error.log info;
user root;
$4
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $T/nginx-tmp;
	proxy_temp_path $T/nginx-tmp;
	fastcgi_temp_path $T/nginx-tmp;
	uwsgi_temp_path $T/nginx-tmp;
	scgi_temp_path $T/nginx-tmp;
	default_type application/octet-stream;
	server {
		listen $3;
		root $2;
	}
}
EOF
}

# applies MODE PROGRAM: the mode can run PROGRAM (preload: dynamic only);
# otherwise says SKIP for that pair and fails.
applies() {
	[ "$1" != preload ] && return 0
	if LC_ALL=C readelf -lW "$2" 2>/dev/null | grep -q 'program interpreter'; then
		return 0
	fi
	echo "SKIP: $1: $(basename "$2") is static, preload needs a dynamic program"
	return 1
}

# in_modes MODE: MODE is in $APPS_MODES.
in_modes() {
	case " $APPS_MODES " in *" $1 "*) return 0 ;; esac
	return 1
}

# nuse_out MODE ARGS...: nuse MODE ARGS... with its output in $T/out and
# its status in $st, for check and has.
nuse_out() {
	nuse "$@" >"$T/out" 2>&1
	st=$?
}

# check MODE WHAT CONDITION...: pass if CONDITION (shell code, evaluated;
# $st is the status of the command whose output is $T/out), else fail
# with that status and the output.
check() {
	_m=$1
	_w=$2
	shift 2
	if eval "$*"; then
		pass "$_m: $_w"
	else
		fail "$_m: $_w: status ${st:-?}: $(head -20 "$T/out" | tr '\n' '|')"
	fi
}

# has PATTERN: $T/out has a line matching PATTERN.
has() { grep -q -- "$1" "$T/out"; }
