# The report's three charts, from the TSV files report.py writes beside them
# (a header line naming the columns, then a line per server or per point of a
# sweep; "?" where nothing was measured). report.py runs
#   gnuplot -e "dir='build/bench'; charts='throughput clients idle'; servers=9; scenarios='...'; ..." charts.gp
# where `charts` names those to draw, `servers` counts the rows, and
# `scenarios`, `sweep` and `idle` are the charts' subtitles.

# pngcairo draws smoother text; a gnuplot built without cairo has only png.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 1200,620 font "sans,11" } else { set terminal png size 1200,620 }
common = 'set datafile separator "\t"; set datafile missing "?"; set grid; set yrange [0:*]; set format y "%.0s%c"; set key noenhanced; set xtics noenhanced'
lines = 'with linespoints linewidth 2 pointtype 7 title columnheader(i)'

# Requests per second: a group per server, a bar per scenario, its figure above it.
if (strstrt(charts, "throughput") > 0) {
    reset
    @common
    set output dir."/throughput.png"
    set title "Requests per second, one connection per request (higher is better)\n".scenarios
    set offsets 0, 0, graph 0.1, 0
    set xrange [-0.6:servers - 0.4]    # every server, measured or not
    set key outside bottom center horizontal autotitle columnheader
    set bmargin 6                      # two-line server names, then the key
    set style data histograms
    set style histogram clustered gap 1
    set style fill solid 0.9 border -1
    label(v) = v == 0 ? "stalled" : v >= 1000 ? sprintf("%.1fk", v / 1000) : sprintf("%.0f", v)
    # A group is a gap and three bars wide: the bars' centres are at -1/4, 0 and +1/4 of it.
    plot for [i=2:4] dir."/throughput.tsv" using i:xtic(1), \
         for [i=0:2] '' using ($0 + (i - 1) * 0.25):i + 2:(label(column(i + 2))) with labels offset 0,0.7 font ",9" notitle
}

# Requests per second against concurrent clients, a line per server.
if (strstrt(charts, "clients") > 0) {
    reset
    @common
    set output dir."/clients.png"
    set title "Requests per second against concurrent clients (higher is better)\n".sweep
    set xlabel "concurrent clients"
    set logscale x 2
    set xrange [0.8:320]
    set xtics (1, 4, 16, 64, 256)
    set key outside right top
    stats dir."/clients.tsv" skip 1 nooutput
    plot for [i=2:STATS_columns] dir."/clients.tsv" using 1:i @lines
}

# Throughput (left) and resident memory (right) against silent connections held.
if (strstrt(charts, "idle") > 0) {
    reset
    @common
    set output dir."/idle.png"
    stats dir."/idle_rps.tsv" skip 1 nooutput
    columns = STATS_columns
    set multiplot layout 1,2 title "Idle connections held open\n".idle
    set xlabel "silent connections held"
    set xrange [-500:*]
    set xtics (0, 1000, 10000)
    set format x "%.0f"
    set title "requests per second, 32 clients (a 503 counts as none)"
    plot for [i=2:columns] dir."/idle_rps.tsv" using 1:i @lines
    set title "resident memory, MiB (lower is better)"
    set format y "%.0f"
    plot for [i=2:columns] dir."/idle_memory.tsv" using 1:i @lines
    unset multiplot
}
