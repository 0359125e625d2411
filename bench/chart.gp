# Requests per second for every server, one bar per scenario, grouped by
# server. The benchmark runs it as
#   gnuplot -e "output='throughput.png'; data='throughput.tsv'; subtitle='...'" chart.gp
# throughput.tsv: a header line, then one line per server, tab-separated:
#   server <TAB> one client <TAB> 32 clients <TAB> 32 clients + 16 stalled
# where each figure is the median of its windows and "?" marks one that was
# not measured.

# pngcairo draws smoother text; a gnuplot built without cairo has only png.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,640 font "sans,11"
} else {
    set terminal png size 1200,640
}
set output output
set datafile separator "\t"
set datafile missing "?"
set key autotitle columnheader     # the first line names the scenarios

set title "Requests per second, one connection per request (higher is better)\n".subtitle
set ylabel "requests per second"
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0   # room for the labels above the bars
set format y "%.0s%c"
set grid ytics
set key outside bottom center horizontal
set bmargin 6                      # two-line server names, then the key
set xtics noenhanced               # server names have underscores, not subscripts

set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.95

# Each group is one gap and three bars wide, so the bars sit at -1/4, 0
# and +1/4 of a group around its centre; the labels go on top of them.
label(v) = v == 0 ? "stalled" : v >= 1000 ? sprintf("%.1fk", v / 1000) : sprintf("%.0f", v)
plot data using 2:xtic(1) linecolor rgb "#4878a8", \
     ''   using 3 linecolor rgb "#e08a3c", \
     ''   using 4 linecolor rgb "#c04848", \
     ''   using ($0 - 0.25):2:(label($2)) with labels offset 0,0.7 font ",9" notitle, \
     ''   using ($0):3:(label($3)) with labels offset 0,0.7 font ",9" notitle, \
     ''   using ($0 + 0.25):4:(label($4)) with labels offset 0,0.7 font ",9" notitle
