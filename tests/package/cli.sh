#!/bin/sh
# Shell habits: --help fits 80 columns, the man pages and the bash
# completions know every option --help lists, the man pages render
# without warnings, a bad option is one line naming it and the way out.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/package/lib.sh"
[ -x "$NUSE_EXEC" ] || skip "$NUSE_EXEC not built"
[ -x "$NODE" ] || skip "$NODE not built"

for prog in nuse-exec nuse-node; do
	case $prog in
	nuse-exec) bin=$NUSE_EXEC ;;
	nuse-node) bin=$NODE ;;
	esac
	man=$top_srcdir/docs/$prog.1
	comp=$top_srcdir/contrib/bash-completion/$prog

	"$bin" --help >"$T/$prog.help" || fail "$prog --help: status $?"
	wide=$(awk 'length($0) > 80 { print length($0) ": " $0 }' "$T/$prog.help")
	[ -z "$wide" ] && pass "$prog --help fits 80 columns" ||
		fail "$prog --help wider than 80 columns: $wide"

	# every long option of --help in the man page and the completion
	grep -o -- '--[a-z][a-z0-9-]*' "$T/$prog.help" | sort -u >"$T/$prog.opts"
	[ -s "$T/$prog.opts" ] || fail "$prog --help lists no long option"
	miss_man="" miss_comp=""
	while read -r o; do
		# the man page writes - as \-
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$man" || miss_man="$miss_man $o"
		grep -q -- "$o" "$comp" || miss_comp="$miss_comp $o"
	done <"$T/$prog.opts"
	[ -z "$miss_man" ] && pass "$prog.1 has every option of --help" ||
		fail "$prog.1 lacks:$miss_man"
	[ -z "$miss_comp" ] && pass "$prog's completion has every option of --help" ||
		fail "$prog's completion lacks:$miss_comp"

	if command -v man >/dev/null 2>&1; then
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" >"$T/$prog.man" 2>"$T/$prog.manerr"
		[ ! -s "$T/$prog.manerr" ] && grep -q "^SYNOPSIS" "$T/$prog.man" &&
			pass "$prog.1 renders without warnings" ||
			fail "$prog.1: $(head -5 "$T/$prog.manerr")"
	else
		echo "SKIP: $prog.1 rendering: no man (man-db)"
	fi

	# a bad option: status 2, the option named first, the way out given
	"$bin" --no-such-option >"$T/out" 2>"$T/err"
	rc=$?
	head -1 "$T/err" | grep -q -- "--no-such-option" && [ "$rc" = 2 ] &&
		grep -q -- "--help" "$T/err" &&
		pass "$prog --no-such-option: $(head -1 "$T/err")" ||
		fail "$prog --no-such-option: status $rc, '$(cat "$T/err")'"
done

# Values refused with the option and what is expected.
"$NUSE_EXEC" --mode=fast -- true 2>"$T/err"
grep -q -- "--mode: unknown mode 'fast' (sud, sud-trap" "$T/err" &&
	pass "--mode=fast names the modes" || fail "--mode=fast: $(cat "$T/err")"
"$NUSE_EXEC" --sysctl foo -- true 2>"$T/err"
grep -q -- "--sysctl: expected KEY=VALUE" "$T/err" &&
	pass "--sysctl foo says KEY=VALUE" || fail "--sysctl foo: $(cat "$T/err")"
"$NUSE_EXEC" --stack=host -i tap:x -- true 2>"$T/err"
grep -q -- "--iface: needs --stack=linux" "$T/err" &&
	pass "-i with --stack=host says --stack=linux" || fail "-i --stack=host: $(cat "$T/err")"

# Completion, as bash runs it with bash-completion loaded.
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ] && command -v bash >/dev/null 2>&1; then
	# complete WORDS...: what the completion offers for the last word
	cat >"$T/complete.bash" <<'EOS'
. "$1"
. "$2/contrib/bash-completion/nuse-exec"
. "$2/contrib/bash-completion/nuse-node"
shift 2
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
f=$(complete -p "$1" | sed 's/.*-F \([^ ]*\) .*/\1/')
"$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
EOS
	comp() { bash "$T/complete.bash" "$BC" "$top_srcdir" "$@" 2>&1 | tr '\n' ' '; }
	r=$(comp nuse-exec --mo)
	[ "$r" = "--mode= " ] && pass "nuse-exec --mo<TAB>: $r" || fail "nuse-exec --mo<TAB>: '$r'"
	r=$(comp nuse-exec --mode se)
	[ "$r" = "seccomp " ] && pass "nuse-exec --mode se<TAB>: $r" || fail "nuse-exec --mode se<TAB>: '$r'"
	r=$(comp nuse-exec -s "")
	[ "$r" = "linux host " ] && pass "nuse-exec -s <TAB>: $r" || fail "nuse-exec -s <TAB>: '$r'"
	r=$(comp nuse-node --tcp-e)
	[ "$r" = "--tcp-echo= " ] && pass "nuse-node --tcp-e<TAB>: $r" || fail "nuse-node --tcp-e<TAB>: '$r'"
	r=$(comp nuse-exec -- ech)
	echo "$r" | grep -q "echo" && pass "nuse-exec -- ech<TAB> completes commands" ||
		fail "nuse-exec -- ech<TAB>: '$r'"
else
	echo "SKIP: completion: no bash-completion ($BC)"
fi
# The docs stand alone: nothing points outside the repository.
out=$(grep -rn -e '\.\./shared' -e 'ARCHITECTURE\.md' "$top_srcdir/README.md" "$top_srcdir/docs")
[ -z "$out" ] && pass "README.md and docs/ refer to nothing outside the repository" ||
	fail "references outside the repository: $out"
echo "# cli: $(elapsed) s"
finish
