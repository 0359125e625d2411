# What silent connections cost the servers that serve concurrently: their
# throughput (left) and resident memory (right) against the number held.
#   gnuplot -e "output='idle.png'; rps='idle_rps.tsv'; memory='idle_memory.tsv'; subtitle='...'" idle.gp
# Each TSV: a header line "x <TAB> server <TAB> ...", then one line per number
# of held connections with each server's median; "?" when not measured.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,560 font "sans,11"
} else {
    set terminal png size 1200,560
}
set output output
set datafile separator "\t"
set datafile missing "?"

stats rps skip 1 nooutput
servers = STATS_columns - 1

set multiplot layout 1,2 title "Idle connections held open\n".subtitle
set xlabel "silent connections held"
set xrange [-500:*]
set xtics (0, 1000, 10000)
set format x "%.0f"
set grid
set key top right noenhanced
set yrange [0:*]

set title "requests per second, 32 clients (a 503 counts as none)"
set format y "%.0s%c"
plot for [i=2:servers+1] rps using 1:i with linespoints linewidth 2 pointtype 7 title columnheader(i)

set title "resident memory, MiB (lower is better)"
set format y "%.0f"
plot for [i=2:servers+1] memory using 1:i with linespoints linewidth 2 pointtype 7 title columnheader(i)
unset multiplot
