# The report's charts, from the TSV files report.py writes ("?": not measured). report.py
# sets with -e: `dir`, `charts` (those to draw), `servers` (rows), `bars` (scenarios),
# `load` (the idle sweep's clients) and the subtitles `scenarios`, `sweep`, `idle`.

# pngcairo draws smoother text; a gnuplot built without cairo has only png.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 1200,620 font "sans,11" } else { set terminal png size 1200,620 }
common = 'reset; set datafile separator "\t"; set datafile missing "?"; set grid; set yrange [0:*]; set format y "%.0s%c"; set key noenhanced; set xtics noenhanced'
lines = 'with linespoints linewidth 2 pointtype 7 title columnheader(i)'

# Requests per second: a group per server, a bar per scenario, its figure above it.
if (strstrt(charts, "throughput") > 0) {
    @common
    set output dir."/throughput.png"
    set title "Requests per second (higher is better, on a log scale)\n".scenarios
    set offsets 0, 0, graph 0.1, 0; set logscale y; set yrange [1000:*]   # 1k to 1M on one chart
    set xrange [-0.6:servers - 0.4]    # every server, measured or not
    set key outside bottom center horizontal autotitle columnheader
    set bmargin 6                      # two-line server names, then the key
    set style data histograms
    set style histogram clustered gap 1
    set style fill solid 0.9 border -1
    label(v) = v == 0 ? "stalled" : v >= 1e6 ? sprintf("%.2fM", v / 1e6) : v >= 1000 ? sprintf("%.1fk", v / 1000) : sprintf("%.0f", v)
    # A group is a gap and `bars` bars wide: bar i's centre is (i - (bars - 1) / 2) / (bars + 1) from its middle.
    plot for [i=2:bars + 1] dir."/throughput.tsv" using i:xtic(1), \
         for [i=0:bars - 1] '' using ($0 + (i - (bars - 1) / 2.0) / (bars + 1)):(column(i + 2) > 1000 ? column(i + 2) : 1000):(label(column(i + 2))) \
             with labels rotate by 90 left offset 0,0.3 font ",8" notitle
}

# Requests per second against concurrent clients, a line per server.
if (strstrt(charts, "clients") > 0) {
    @common
    set output dir."/clients.png"
    set title "Requests per second against concurrent clients (higher is better)\n".sweep
    set xlabel "concurrent clients"
    set logscale x 2
    set offsets graph 0.03, graph 0.03, 0, 0
    set key outside right top
    stats dir."/clients.tsv" skip 1 nooutput
    plot for [i=2:STATS_columns] dir."/clients.tsv" using 1:i:xtic(1) @lines
}

# Throughput (left) and resident memory (right) against silent connections held.
if (strstrt(charts, "idle") > 0) {
    @common
    set output dir."/idle.png"
    stats dir."/idle_rps.tsv" skip 1 nooutput
    set multiplot layout 1,2 title "Idle connections held open\n".idle
    set xlabel "silent connections held"
    set offsets graph 0.03, graph 0.03, 0, 0
    set title sprintf("requests per second, %d clients (a 503 counts as none)", load)
    plot for [i=2:STATS_columns] dir."/idle_rps.tsv" using 1:i:xtic(1) @lines
    set title "resident memory, MiB (lower is better)"
    set format y "%.0f"
    plot for [i=2:STATS_columns] dir."/idle_memory.tsv" using 1:i:xtic(1) @lines
    unset multiplot
}
