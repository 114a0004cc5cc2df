# The tables of `make bench` (bench/run.sh), from its data file: lines
# "METRIC ROUND RUNTIME VALUE". The rows come from the environment:
# BENCH_METRICS, lines "KEY|LABEL|DIVISOR|DECIMALS|TARGETS", TARGETS
# space-separated, each "PEER<=RATIO" on the median per-round ratio
# berth/PEER or "abs<VALUE" on berth's median. A runtime without samples
# shows n/a.
function sort(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
function median(a, n) {
	sort(a, n)
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(x, dec) { return sprintf("%." dec "f", x) }

{
	val[$1, $3, $2] = $4
	if ($2 + 0 > nround[$1]) nround[$1] = $2 + 0
}

END {
	nm = split(ENVIRON["BENCH_METRICS"], lines, "\n")
	nrt = split("berth runc crun floor", rts, " ")
	print "| measure | berth | runc | crun | floor | berth/crun | berth/runc | berth/floor | target | target met? |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
	for (m = 1; m <= nm; m++) {
		split(lines[m], f, "|")
		key = f[1]; scale = f[3]; dec = f[4]
		row = "| " f[2]
		for (k = 1; k <= nrt; k++) {
			rt = rts[k]; n = 0; med[rt] = ""
			for (r = 1; r <= nround[key]; r++)
				if ((key, rt, r) in val) v[++n] = val[key, rt, r] / scale
			if (n) {
				med[rt] = median(v, n)
				detail[++nd] = sprintf("| %s | %s | %d | %s | %s | %s |", f[2], rt, n,
					fmt(v[1], dec), fmt(med[rt], dec), fmt(v[n], dec))
			}
			row = row " | " (n ? fmt(med[rt], dec) : "n/a")
		}
		split("crun runc floor", peers, " ")
		for (k = 1; k <= 3; k++) {
			rt = peers[k]; n = 0; ratio[rt] = ""
			for (r = 1; r <= nround[key]; r++)
				if ((key, "berth", r) in val && (key, rt, r) in val && val[key, rt, r] > 0)
					v[++n] = val[key, "berth", r] / val[key, rt, r]
			if (n) ratio[rt] = median(v, n)
			row = row " | " (n ? fmt(ratio[rt], 2) : "n/a")
		}
		nt = split(f[5], tg, " ")
		tcol = ""; mcol = ""
		for (t = 1; t <= nt; t++) {
			split(tg[t], p, /<=?/)
			if (p[1] == "abs") {
				res = med["berth"] == "" ? "n/a" : (med["berth"] < p[2] + 0 ? "yes" : "no")
				desc = "< " p[2]
			} else {
				res = ratio[p[1]] == "" ? "n/a" : (ratio[p[1]] <= p[2] + 0 ? "yes" : "no")
				desc = "<= " p[2] " x " p[1] (p[1] == "floor" ? " (stretch)" : "")
			}
			tcol = tcol (t > 1 ? ", " : "") desc
			mcol = mcol (t > 1 ? ", " : "") res
		}
		print row " | " tcol " | " mcol " |"
	}
	print ""
	print "| measure | runtime | samples | min | median | max |"
	print "|---|---|---:|---:|---:|---:|"
	for (i = 1; i <= nd; i++) print detail[i]
}
