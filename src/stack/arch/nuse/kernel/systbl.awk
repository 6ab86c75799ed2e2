# First file: allowed syscall names. Second: syscall_64.tbl.
# Prints weak declarations and table entries "[nr] = sys_x,".
FNR == NR { if ($1 !~ /^#/ && NF) allow[$1] = 1; next }
$1 ~ /^#/ || NF < 4 { next }
($2 == "common" || $2 == "64") && ($3 in allow) {
	printf "extern long %s(long, long, long, long, long, long) __attribute__((weak));\n", $4
	entries = entries sprintf("\t[%d] = %s,\n", $1, $4)
	if ($1 + 0 > max) max = $1 + 0
}
END {
	printf "#define NUSE_SYSTBL_SIZE %d\n", max + 1
	printf "#define NUSE_SYSTBL_ENTRIES \\\n"
	n = split(entries, lines, "\n")
	for (i = 1; i < n; i++)
		printf "%s \\\n", lines[i]
	printf "\n"
}
