# Shared helpers for bench/*.sh (POSIX sh).  A benchmark calls bench_begin,
# then bench_row for each measurement (value = median of its runs), then
# bench_end, which prints the table with ratios to each metric's baseline
# (its first subject) and the machine it ran on.

bench_begin() {
	BENCH_NAME=$1
	BENCH_DIR=${top_builddir:-.}/bench/results
	mkdir -p "$BENCH_DIR"
	BENCH_CSV=$BENCH_DIR/$BENCH_NAME.csv
	BENCH_TARGETS=$BENCH_DIR/.$BENCH_NAME.targets
	echo "metric,subject,value,unit,runs" >"$BENCH_CSV"
	: >"$BENCH_TARGETS"
	BENCH_LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	BENCH_T0=$(date -u +%Y-%m-%dT%H:%MZ)
}

# A nuse subject is a mode ("sud"), or a mode with the FS/GS fallback
# forced ("sud:no-fsgsbase": NUSE_NO_FSGSBASE=1, the path of machines
# without FSGSBASE): subject_mode prints the mode, subject_env the
# environment assignment to run it with.
subject_mode() {
	echo "${1%%:*}"
}
subject_env() {
	case $1 in
	*:no-fsgsbase) echo NUSE_NO_FSGSBASE=1 ;;
	*) echo NUSE_NO_FSGSBASE= ;;
	esac
}

# median: reads numbers on stdin, prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_row METRIC SUBJECT VALUE UNIT RUNS
bench_row() {
	echo "$1,$2,$3,$4,$5" >>"$BENCH_CSV"
}

# bench_target METRIC SUBJECT OP FACTOR BASE_SUBJECT [ADD]
# Checks SUBJECT OP FACTOR*BASE (+ADD), e.g. "getppid_ns sud le 1 native 60".
bench_target() {
	echo "$*" >>"$BENCH_TARGETS"
}

bench_machine() {
	printf '%s, %s cores, %s, Linux %s' \
		"$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$(nproc)" "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)" \
		"$(uname -r)"
}

# bench_facts: the facts of this machine that move the figures, one
# "key: value" per line, so that runs on different machines can be
# compared: the CPU, whether user space may write FS/GS bases itself
# (FSGSBASE, from AT_HWCAP2: without it nuse's runtime switches them with
# a system call), page-table isolation and the other mitigations that tax
# every system call, what one native getppid() costs here and now (the
# unit every interception cost is counted in), and the load average when
# the benchmark began and ended (the machine is shared: a figure taken at
# load 9 is not one taken at load 1).
bench_facts() {
	_v=/sys/devices/system/cpu/vulnerabilities
	_hw2=$(LD_SHOW_AUXV=1 /bin/true 2>/dev/null | awk '/^AT_HWCAP2:/ { print $2 }')
	_fsgs=no
	case $(($(printf '%d' "${_hw2:-0}" 2>/dev/null || echo 0) & 2)) in
	2) _fsgs=yes ;;
	esac
	_pti=no
	grep -q PTI "$_v/meltdown" 2>/dev/null && _pti=yes
	_ppid=$(bench_native_getppid)
	echo "cpu: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "cores: $(nproc)"
	echo "kernel: $(uname -r)"
	echo "fsgsbase: $_fsgs (AT_HWCAP2 ${_hw2:-absent})"
	echo "pti: $_pti (meltdown: $(cat "$_v/meltdown" 2>/dev/null || echo unknown))"
	echo "spectre_v2: $(cat "$_v/spectre_v2" 2>/dev/null || echo unknown)"
	echo "retbleed: $(cat "$_v/retbleed" 2>/dev/null || echo unknown)"
	echo "mitigations: $(tr ' ' '\n' </proc/cmdline | sed -n 's/^mitigations=//p' | head -1 | grep . || echo default)"
	echo "native_getppid_ns: $_ppid"
	echo "load_before: $BENCH_LOAD0 (at $BENCH_T0)"
	echo "load_after: $(cut -d' ' -f1-3 /proc/loadavg) (at $(date -u +%Y-%m-%dT%H:%MZ))"
}

# bench_native_getppid: one native getppid() in ns, the median of 5 short
# whole runs of bench/progs/getppid-loop (its first figure); "nan" when it
# is not built.
bench_native_getppid() {
	_p=${top_builddir:-.}/bench/progs/getppid-loop
	[ -x "$_p" ] || { echo nan; return; }
	for _i in 1 2 3 4 5; do
		"$_p" 0.1 | cut -d' ' -f1
	done | median
}

bench_end() {
	BENCH_FACTS=$BENCH_DIR/$BENCH_NAME.facts
	bench_facts >"$BENCH_FACTS"
	echo
	echo "== $BENCH_NAME ($(date -u +%Y-%m-%dT%H:%MZ); $(bench_machine))"
	awk -F, 'NR > 1 {
		if (!($1 in base)) base[$1] = $3
		ratio = (base[$1] + 0 != 0) ? sprintf("%.2fx", $3 / base[$1]) : "-"
		printf "%-18s %-16s %14s %-6s %6s runs  %s\n", $1, $2, $3, $4, $5, ratio
	}' "$BENCH_CSV"
	if [ -s "$BENCH_TARGETS" ]; then
		echo "-- targets"
		while read -r m s op f b add; do
			awk -F, -v m="$m" -v s="$s" -v op="$op" -v f="$f" -v b="$b" -v add="${add:-0}" '
				$1 == m && $2 == s { v = $3 } $1 == m && $2 == b { bv = $3 }
				END {
					# "nan" is a subject that could not run: no verdict (mawk
					# would compare NaN as true)
					if (v == "" || bv == "" || v == "nan" || bv == "nan") { printf "%-18s %-16s %s %s x %s%s: MISSING\n", m, s, op, f, b, add ? " + " add : ""; exit }
					lim = f * bv + add
					ok = (op == "le") ? (v <= lim) : (v >= lim)
					printf "%-18s %-16s %s %s x %s%s (%.4g): %.4g  %s\n", m, s, op == "le" ? "<=" : ">=", f, b, add ? " + " add : "", lim, v, ok ? "MET" : "NOT MET"
				}' "$BENCH_CSV"
		done <"$BENCH_TARGETS"
	fi
	echo "-- machine"
	sed 's/^/  /' "$BENCH_FACTS"
	echo "csv: $BENCH_CSV, facts: $BENCH_FACTS"
}
