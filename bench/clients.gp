# Requests per second against concurrent clients, a line per server. The
# benchmark runs it as
#   gnuplot -e "output='clients.png'; data='clients.tsv'; subtitle='...'" clients.gp
# clients.tsv: a header line "x <TAB> server <TAB> server ...", then one line
# per number of clients with each server's median; "?" when not measured.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,600 font "sans,11"
} else {
    set terminal png size 1000,600
}
set output output
set datafile separator "\t"
set datafile missing "?"

set title "Requests per second against concurrent clients (higher is better)\n".subtitle
set xlabel "concurrent clients"
set ylabel "requests per second"
set logscale x 2
set xrange [0.8:320]
set xtics (1, 4, 16, 64, 256)
set yrange [0:*]
set format y "%.0s%c"
set grid
set key outside right top noenhanced

stats data skip 1 nooutput
servers = STATS_columns - 1
plot for [i=2:servers+1] data using 1:i with linespoints linewidth 2 pointtype 7 title columnheader(i)
