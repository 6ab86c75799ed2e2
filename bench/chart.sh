#!/bin/sh
# chart: draw every bench/results/NAME.csv as bench/results/NAME.png with
# gnuplot (run at the end of `make bench`; `make bench-chart` alone).
# One panel per metric, one bar per subject with its value; the label
# above a bar is the value and its ratio to the metric's first subject
# (the baseline, grey), as in the benchmark's table.  A subject that could
# not run ("nan") has no bar and is labelled n/a.  A missing or empty CSV
# is skipped, and so is everything when gnuplot is not installed: the
# charts are a view of the CSVs, never a reason for `make bench` to fail.
set -u
: "${top_builddir:=.}"
DIR=$top_builddir/bench/results
export LC_ALL=C

if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench-chart: gnuplot not installed (contrib/install-deps): no charts" >&2
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/nuse-chart.XXXXXX") || exit 0
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

TERMINAL=png
gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && TERMINAL=pngcairo

# chart CSV: one PNG beside it
chart() {
	csv=$1
	name=$(basename "$csv" .csv)
	png=$DIR/$name.png
	rm -f "$T"/m.*
	# per metric: "x subject value label colour" rows, and a list of metrics
	awk -F, -v dir="$T" '
		# 4 significant digits, but no exponent for large values
		function fmt(x) { return (x + 0 >= 10000 || x + 0 <= -10000) ? "%.0f" : "%.4g" }
		NR == 1 || NF < 5 { next }
		{
			m = $1
			if (!(m in idx)) { idx[m] = ++nm; name[nm] = m; unit[nm] = $4; base[m] = $3 }
			n = ++count[m]
			v = $3
			isnan = (v == "nan" || v == "" || v == "-nan")
			if (isnan) lab = "n/a"
			else if (base[m] != "nan" && base[m] + 0 != 0)
				lab = sprintf(fmt(v) "\\n%.2fx", v, v / base[m])
			else lab = sprintf(fmt(v), v)
			printf "%d \"%s\" %s \"%s\" %d\n", n - 1, $2, isnan ? "0" : v,
				lab, n == 1 ? 1 : 2 > (dir "/m." idx[m])
		}
		END {
			for (i = 1; i <= nm; i++) {
				printf "%d %s %s\n", i, name[i], unit[i] > (dir "/metrics")
				if (count[name[i]] > most) most = count[name[i]]
			}
			print most > (dir "/most")
		}' "$csv" || return 1
	[ -s "$T/metrics" ] || { echo "bench-chart: $csv: no rows, skipped" >&2; return 0; }
	n=$(wc -l <"$T/metrics")
	cols=$n
	[ "$cols" -gt 3 ] && cols=3
	rows=$(((n + cols - 1) / cols))
	# a panel wide enough for its bars' labels side by side
	pw=$((70 * $(cat "$T/most") + 80))
	[ "$pw" -lt 430 ] && pw=430
	when=$(date -u -r "$csv" +%Y-%m-%dT%H:%MZ)
	# the machine facts under the title (bench/lib.sh, bench_facts)
	facts=
	if [ -s "$DIR/$name.facts" ]; then
		facts=$(awk -F': ' '
			{ v[$1] = $2 }
			END {
				sub(/ \(at .*/, "", v["load_before"]); sub(/ \(at .*/, "", v["load_after"])
				printf "%s, %s cores, Linux %s; PTI %s; FSGSBASE %s; native getppid %s ns; load %s -> %s",
					v["cpu"], v["cores"], v["kernel"], substr(v["pti"], 1, 3),
					substr(v["fsgsbase"], 1, 3), v["native_getppid_ns"],
					v["load_before"], v["load_after"]
			}' "$DIR/$name.facts" | tr -d '"\\')
	fi
	{
		echo "set terminal $TERMINAL noenhanced size $((pw * cols)),$((330 * rows + 30)) font ',9'"
		echo "set output '$png'"
		# printf, not echo: dash's echo would turn the \n into a newline
		printf '%s\n' "set multiplot layout $rows,$cols title \"bench-$name ($when): value, ratio to the first subject (grey)${facts:+\\n$facts}\" font ',11'"
		echo "set style fill solid 0.8 border -1"
		echo "set boxwidth 0.6"
		echo "set linetype 1 lc rgb '#888888'"
		echo "set linetype 2 lc rgb '#3070b0'"
		echo "set xtics rotate by -30 nomirror"
		echo "set ytics nomirror"
		echo "set yrange [0:*]"
		echo "set offsets 0.5, 0.5, 0, 0"
		echo "set key off"
		echo "set grid ytics"
		while read -r i metric unit; do
			f=$T/m.$i
			# headroom for the two-line labels above the bars
			max=$(awk '{ if ($3 + 0 > m) m = $3 + 0 } END { print (m > 0 ? m * 1.3 : 1) }' "$f")
			echo "set yrange [0:$max]"
			# times and sizes: lower is better; rates and counts: higher
			case $unit in
			us | ns | ms | s | MiB | KiB) better=lower ;;
			*) better=higher ;;
			esac
			echo "set title '$metric ($unit, $better is better)'"
			echo "plot '$f' using 1:3:5:xtic(2) with boxes lc variable, \\"
			echo "     '' using 1:3:4 with labels offset 0,1.3 font ',8'"
		done <"$T/metrics"
		echo "unset multiplot"
	} >"$T/plot.gp"
	if gnuplot "$T/plot.gp" 2>"$T/err"; then
		echo "bench-chart: $png"
	else
		echo "bench-chart: $csv: gnuplot failed: $(head -c 300 "$T/err")" >&2
	fi
}

found=0
for csv in "$DIR"/*.csv; do
	[ -s "$csv" ] || continue
	found=1
	chart "$csv"
done
[ "$found" = 1 ] || echo "bench-chart: no results in $DIR (run make bench-NAME first)" >&2
exit 0
