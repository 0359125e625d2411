#!/usr/bin/env python3
"""Rendering: report.md and the three charts from results.json, Google Benchmark's
record of a run of http_bench, and run.json, the run's description. The tables and
the comparisons' test are computed here, the words are report.md.in's, the charts
gnuplot's (charts.gp). Again from the files: python3 bench/report.py build/bench"""
import json, math, os, platform, re, shutil, string, subprocess, sys
from itertools import combinations

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 0.05  # a verdict's significance level


# --- the comparisons' test: two-sided exact Mann-Whitney U ---

def u_statistic(a, b):
    """Pairs (x of a, y of b) with x above y; a tie counts half."""
    return sum((x > y) + (x == y) / 2 for x in a for y in b)


def mann_whitney(a, b):
    """(p, whether a tends higher): p is the share of all ways to split the
    pooled windows into groups of len(a) and len(b) whose U lies at least as
    far from its mean as the observed one."""
    pooled, centre, observed = a + b, len(a) * len(b) / 2, u_statistic(a, b)
    def distance(chosen):
        rest = [x for i, x in enumerate(pooled) if i not in chosen]
        return abs(u_statistic([pooled[i] for i in chosen], rest) - centre)
    splits = [distance(set(c)) for c in combinations(range(len(pooled)), len(a))]
    return sum(d >= abs(observed - centre) - 1e-9 for d in splits) / len(splits), observed > centre


def smallest_p(n, m):
    """The two most extreme splits: every window of one side above the other's."""
    return 2 / math.comb(n + m, n)


def verdict(a, b, higher_is_faster):
    """Is a faster than b, by their windows? (verdict, p). Fed fixed windows
    (python3 -m doctest report.py), it gives SciPy's exact two-sided p-values:

    >>> slow, fast = [10, 11, 12, 13, 14], [20, 21, 22, 23, 24]
    >>> verdict(fast, slow, True), verdict(slow, fast, True)  # clearly apart: the smallest p
    (('faster', 0.007936507936507936), ('slower', 0.007936507936507936))
    >>> verdict(slow, fast, higher_is_faster=False)[0]  # CPU time per request: less is faster
    'faster'
    >>> verdict([12, 10, 14, 11, 13], slow, True), verdict([10, 12, 14, 16, 18], [11, 13, 15, 17, 19], True)  # equal; interleaved
    (('no difference shown', 1.0), ('no difference shown', 0.6904761904761905))
    >>> verdict([1, 2, 2, 3, 5], [2, 3, 4, 5, 6], True)  # a tie counts half
    ('no difference shown', 0.2222222222222222)
    >>> verdict(fast[:3], slow[:3], True), smallest_p(3, 3), smallest_p(5, 5)  # --quick's 3 windows cannot
    (('no difference shown', 0.1), 0.1, 0.007936507936507936)
    """
    p, a_higher = mann_whitney(a, b)
    return ("no difference shown" if p >= ALPHA else "faster" if a_higher == higher_is_faster else "slower"), p


# --- what the run recorded ---

class Windows:
    """One measurement's windows (Google Benchmark's repetitions), errors and
    aggregates (Google Benchmark's, by name: "median", "cv", where there are two windows or more)."""
    def __init__(self):
        self.windows, self.errors, self.aggregates, self.label = [], [], {}, ""
    def values(self, counter): return [w[counter] for w in self.windows]
    def median(self, counter):  # Google Benchmark's median aggregate; a lone window is its own
        return self.aggregates["median"][counter] if "median" in self.aggregates else self.windows[0][counter]
    def min(self, counter): return min(self.values(counter))
    def max(self, counter): return max(self.values(counter))
    def sum(self, counter): return sum(self.values(counter))
    def stalled(self): return self.max("req_per_s") == 0
    def counted(self, counter): return self.min(counter) >= 0  # -1: not counted here
    def with_range(self, counter, fmt):  # the median, and min–max where there are several windows
        spread = f" ({fmt(self.min(counter))}–{fmt(self.max(counter))})" if len(self.windows) > 1 else ""
        return fmt(self.median(counter)) + spread


def load(out_dir):
    """Google Benchmark's context, the run's description and the windows of
    each measurement, by name ("scenario/<row>/32-clients")."""
    data = json.load(open(os.path.join(out_dir, "results.json")))
    run = json.load(open(os.path.join(out_dir, "run.json")))
    measured = {}
    for b in data["benchmarks"]:
        m = measured.setdefault(b["run_name"].split("/iterations:")[0], Windows())
        if b.get("run_type") == "aggregate":
            m.aggregates[b["aggregate_name"]] = b
        elif b.get("error_occurred"):
            m.errors.append(" ".join(b.get("error_message", "").split()))
        else:
            m.windows.append(b)
            m.label = b.get("label", "")
    return data["context"], run, measured


def thousands(v): return f"{round(v):,}"
def fixed(v, decimals): return f"{v:.{decimals}f}"
def ms(us): return fixed(us / 1000, 3 if us < 1e3 else 2 if us < 1e4 else 1 if us < 1e5 else 0)
def windows(w): return f"the median of {w[0]} windows of {w[1] / 1000:.2f} s" if w[0] > 1 else f"1 window of {w[1] / 1000:.2f} s"
def fill(text, **values): return string.Template(text).substitute({k: str(v) for k, v in values.items()})
def table_rows(rows): return "".join("| " + " | ".join(str(c).replace("|", "/") for c in r) + " |\n" for r in rows)


class Report:
    def __init__(self, context, run, measured, fragments):
        self.context, self.run, self.measured, self.fragments = context, run, measured, fragments
        self.rows, self.references = run["rows"], [r for r in run["rows"] if r["kind"] == "reference"]
        self.idle_rows = [r for r in self.rows if r["concurrent"] and r["kind"] != "emulated"]

    def get(self, name):  # a measurement with windows, or None
        return m if (m := self.measured.get(name)) and m.windows else None

    def why_not(self, row, name):
        errors = (m := self.measured.get(name)) and m.errors
        return "not measured: " + (row["problem"] or (errors[0] if errors else "") or "left out by --benchmark_filter")

    def scenario_row(self, row, s):
        name = f"scenario/{row['name']}/{s['name']}"
        notes = {"emulated": ["emulated"], "reference": ["reference"], "added": ["added with --with"]}.get(row["kind"], [])
        if not (m := self.get(name)):
            return [row["name"]] + ["-"] * 9 + ["; ".join(notes + [self.why_not(row, name)])]
        notes += ["a window failed: " + m.errors[0]] if m.errors else []
        if m.stalled():
            cells = ["0", "-"] + ["stalled"] * 4
            notes.append(f"no answer within any window ({thousands(m.sum('unfinished'))} requests left waiting)")
        else:
            # wrk times only a write all of whose answers came (none where every connection closes after one): 0 is -.
            cells = [thousands(m.median("req_per_s")), f"{thousands(m.min('req_per_s'))}–{thousands(m.max('req_per_s'))}"] + [
                ms(v) if v else "-" for v in (m.median("p50_us"), m.median("p99_us"), m.median("p999_us"), m.max("max_us"))]
            notes += ["stalled in some windows"] if m.min("answered") == 0 else []
            notes += [f"{thousands(m.sum('failed'))} failed requests"] if m.sum("failed") else []
        notes += ["accept queue overflowed: a dropped connection waits a second for the client's resend"] if m.sum("retried") else []
        notes += [f"only {thousands(m.min('stalled'))} stalled connections held"] if m.min("stalled") != s["stalled"] else []
        # Without the kernel's counter (macOS), the client cannot tell drops either.
        retried = f"{thousands(m.sum('retried'))} ({thousands(m.sum('overflows'))})" if m.counted("overflows") else "-"
        segments = self.run["own_network"] and m.counted("segs_per_req")
        return [row["name"]] + cells + [
            retried, fixed(m.median("segs_per_req"), 2) if segments else "-",
            m.with_range("cpu_us_per_req", lambda v: fixed(v, 1)) if m.counted("cpu_us_per_req") else "-",
            "; ".join(notes)]

    def compare(self, a, b, counter, higher_is_faster):
        va, vb = a.values(counter), b.values(counter)
        if min(va + vb) < 0:
            return ["-"] * 4  # not counted here
        said, p = verdict(va, vb, higher_is_faster)
        ratios = ["-", "-"] if min(vb) == 0 else [fixed(a.median(counter) / b.median(counter), 2),
                                                  f"{fixed(min(va) / max(vb), 2)}–{fixed(max(va) / min(vb), 2)}"]
        return ratios + [said, fixed(p, 3)]

    def comparisons(self):
        """Each row of the build or added against the one before it (emulated
        ones left out: they would compare an emulator), a row that keeps
        connections against each that closes and serves concurrently, and each
        row against the references."""
        out, built = "", [r for r in self.rows if r["kind"] in ("built", "added")]
        for s in self.run["scenarios"]:
            lines, before = [], None
            for row in built:
                m = self.get(f"scenario/{row['name']}/{s['name']}")
                closing = [r for r in built if row["keeps"] and r["concurrent"] and not r["keeps"] and r is not before]
                for other in [before] + closing + self.references:
                    if m and other and (o := self.get(f"scenario/{other['name']}/{s['name']}")):
                        # Nothing answered in any window of one side: nothing to test.
                        cells = (["-", "-", (row if m.stalled() else other)["name"] + " stalled", "-"] * 2
                                 if m.stalled() or o.stalled() else
                                 self.compare(m, o, "req_per_s", True) + self.compare(m, o, "cpu_us_per_req", False))
                        lines.append([row["name"], other["name"]] + cells)
                before = row
            out += fill(self.fragments["comparison"], title=s["title"], rows=table_rows(lines) or "| nothing to compare |\n")
        return out

    def client_cell(self, row, clients):
        if not (m := self.get(name := f"clients/{row['name']}/{clients}")):
            return "not measured" if (why := self.why_not(row, name)).endswith("--benchmark_filter") else why
        if m.stalled():
            return "stalled"
        cv = f" ±{fixed(m.aggregates['cv']['req_per_s'] * 100, 0)}%" if "cv" in m.aggregates else ""
        return thousands(m.median("req_per_s")) + cv + (f", {thousands(m.sum('retried'))} retried" if m.sum("retried") else "")

    def idle_row(self, row, count):
        name = f"idle/{row['name']}/{count}"
        if not (m := self.get(name)):
            return [row["name"], thousands(count)] + ["-"] * 5 + [self.why_not(row, name)]
        opened, held = m.min("silent_opened"), m.min("silent_held")
        # A row that keeps them, at the most held, against each row of the build that closes (held silent).
        others = [(o["name"], b.median("rss_per_held")) for o in self.idle_rows if count == self.run["held_counts"][-1] and row["keeps"]
                  and not o["keeps"] and "reference" not in (row["kind"], o["kind"]) and (b := self.get(f"idle/{o['name']}/{count}"))
                  and b.counted("rss_per_held") and m.counted("rss_per_held")]
        notes = (["each answered once first"] if row["keeps"] and count else []) + \
                [f"{m.median('rss_per_held') - b:+,.0f} bytes a connection against {o}, held silent" for o, b in others] + \
                ([f"a window failed: {m.errors[0]}"] if m.errors else []) + \
                ([f"only {thousands(opened)} connected (refused or dropped)"] if opened < count else []) + \
                ([f"closed or answered {thousands(opened - held)} of them at once"] if held < opened else []) + \
                ([f"{thousands(m.sum('got_503'))} of the load's requests got 503"] if m.sum("got_503") else []) + \
                ([f"{thousands(m.sum('retried'))} retried"] if m.sum("retried") else [])
        fresh = ("503" if m.sum("fresh_503") else "no answer" if m.max("fresh_answered") == 0 else
                 f"no answer in some windows; at most {ms(m.max('fresh_p50_us'))}" if m.min("fresh_answered") == 0 else
                 m.with_range("fresh_p50_us", ms))
        none, memory = self.get(f"idle/{row['name']}/0"), m.counted("rss_bytes")
        per = m.with_range("rss_per_held", thousands) if memory and count and m.counted("rss_per_held") else "-"
        vs = fixed(m.median("req_per_s") / none.median("req_per_s"), 2) if none and none.median("req_per_s") else "-"
        return [row["name"], thousands(count), fixed(m.median("rss_bytes") / 2**20, 1) if memory else "-", per, fresh,
                m.with_range("req_per_s", thousands), vs, "; ".join(notes)]

    def cost_row(self, row):
        counters = ("syscalls_per_req", "kept_syscalls_per_req", "pipelined_syscalls_per_req")
        if not (m := self.get(name := f"cost/{row['name']}")):
            return [row["name"]] + ["-"] * 4 + [self.why_not(row, name)]
        cell = lambda counter, fmt: fmt(m.median(counter)) if m.counted(counter) else "-"
        return [row["name"]] + [cell(c, lambda v: fixed(v, 2)) for c in counters] + [cell("instructions_per_req", thousands), m.label]


def draw_charts(report, out_dir, charts):
    """Each chart's data as a TSV file ("?": not measured), then gnuplot draws `charts`."""
    run, rows = report.run, report.rows
    def median(m, counter, scale=1): return str(m.median(counter) / scale) if m else "?"
    def write(name, header, lines):
        open(os.path.join(out_dir, name + ".tsv"), "w").write("".join("\t".join(line) + "\n" for line in [header] + lines))
    def sweep(name, kind, rows, points, counter="req_per_s", scale=1):  # a line per point, a column per row
        write(name, ["x"] + [r["name"] for r in rows],
              [[str(p)] + [median(report.get(f"{kind}/{r['name']}/{p}"), counter, scale) for r in rows] for p in points])
    def label(row):  # under its bars: gnuplot reads "\n" in quotes
        measured = any(report.get(f"scenario/{row['name']}/{s['name']}") for s in run["scenarios"])
        extra = "not measured" if not measured else "emulated" if row["kind"] == "emulated" else ""
        return f'"{row["label"]}\\n({extra})"' if extra else row["label"]
    write("throughput", ["server"] + [s["title"] for s in run["scenarios"]],
          [[label(r)] + [median(report.get(f"scenario/{r['name']}/{s['name']}"), "req_per_s") for s in run["scenarios"]]
           for r in rows])
    sweep("clients", "clients", [r for r in rows if r["kind"] != "emulated"], run["client_counts"])
    sweep("idle_rps", "idle", report.idle_rows, run["held_counts"])
    sweep("idle_memory", "idle", report.idle_rows, run["held_counts"], "rss_bytes", 2**20)
    kind = "quick" if run["quick"] else "full"
    subtitle = lambda key: f"{report.context['num_cpus']} cores, loopback, {kind} run: {windows(run[key])}"
    settings = {"dir": out_dir, "charts": " ".join(charts), "servers": len(rows), "bars": len(run["scenarios"]),
                "load": run["held_load_clients"],
                "scenarios": subtitle("scenario_windows"), "sweep": subtitle("clients_windows"), "idle": subtitle("idle_windows")}
    for png in (os.path.join(out_dir, chart + ".png") for chart in ("throughput", "clients", "idle")):
        if os.path.exists(png): os.remove(png)
    if not shutil.which("gnuplot"):
        return print("gnuplot is not installed: no charts (./workshop bench installs it)", file=sys.stderr)
    if subprocess.run(["gnuplot", "-e", "; ".join(f"{k}={v!r}" for k, v in settings.items()),
                       os.path.join(HERE, "charts.gp")], stdout=subprocess.DEVNULL, timeout=60).returncode != 0:
        print("gnuplot failed: some charts are missing", file=sys.stderr)


def header_differences(answer):
    """A reference's header lines that the golden response lacks ("+ ...") or has ("- ...")."""
    with open(os.path.join(HERE, "..", "support", "golden.http"), newline="") as f:
        golden = f.read()
    head = lambda message: message.split("\r\n\r\n")[0].split("\r\n")[1:]
    ours, theirs = head(golden), head(answer)
    return [f"+ {line}" for line in theirs if line not in ours] + [f"- {line}" for line in ours if line not in theirs]


def main(out_dir):
    context, run, measured = load(out_dir)
    # The report, then fragments, each after "@@ name".
    parts = re.split(r"^@@ (\w+)\n", open(os.path.join(HERE, "report.md.in")).read(), flags=re.M)
    report, rows = Report(context, run, measured, dict(zip(parts[1::2], parts[2::2]))), run["rows"]
    quick, n, counts = run["quick"], run["scenario_windows"][0], run["client_counts"]
    emulated = [r["name"] for r in rows if r["kind"] == "emulated"]
    differences = {r["name"]: header_differences(r["answer"]) if r["answer"] else [] for r in report.references}
    version = lambda r: next((line.split("/")[-1] for line in differences[r["name"]] if line.startswith("+ Server: ")), "not measured")
    plain, kept = (windows(next(s["windows"] for s in run["scenarios"] if bool(s["depth"]) == d)) for d in (False, True))
    # wrk's and this client's best figure, or why not measured.
    wrk, ours = [thousands(m.max("req_per_s")) if (m := report.get(name)) else report.why_not(rows[0], name)
                 for name in (f"client-check/{who}/{rows[0]['name']}" for who in ("wrk", "this-client"))]
    # A chart with nothing measured in it (see --benchmark_filter) is left out.
    charts = [chart for kind, chart in (("scenario", "throughput"), ("clients", "clients"), ("idle", "idle"))
              if any(name.startswith(kind + "/") and m.windows for name, m in measured.items())]
    text = fill(
        parts[0], run="quick run" if quick else "full run", command="./workshop bench" + " --quick" * quick,
        date=context["date"][:16].replace("T", " "), cores=context["num_cpus"],
        system=f"{platform.system()} {platform.release()} {platform.machine()}", compiler=run["compiler"],
        references=", ".join(f"{r['name']} {version(r)}" for r in report.references), descriptor_limit=run["descriptor_limit"],
        network="a network namespace of its own" if run["own_network"] else
                "the machine's network namespace (so TCP segments are not counted, and the kernel's drops are every program's)",
        scenario_windows=n, windows=plain + (f" (wrk's scenarios: {kept})" if kept != plain else ""),
        emulated=f"*emulated* rows ({', '.join(emulated)}) run under an emulator." if emulated else "",
        scenario_tables="".join(fill(report.fragments["scenario"], title=s["title"], rows=table_rows(report.scenario_row(r, s) for r in rows)) for s in run["scenarios"]), alpha=ALPHA, smallest_p=fixed(smallest_p(n, n), 3),
        reachable=("so a verdict needs nearly every window of one side above every window of the other."
                   if smallest_p(n, n) < ALPHA else "so every verdict of this run reads *no difference shown*: "
                   "only a full run (`./workshop bench`) has windows enough for one."),
        comparisons=report.comparisons(), clients_windows=windows(run["clients_windows"]), client_sweep=(
            "| server | " + " | ".join(map(str, counts)) + " |\n|---" + "|--:" * len(counts) + "|\n" +
            table_rows([r["name"]] + [report.client_cell(r, c) for c in counts] for r in rows if r["kind"] != "emulated")),
        concurrent=", ".join(r["name"] for r in report.idle_rows) or "none",
        held_load_clients=run["held_load_clients"], idle_windows=windows(run["idle_windows"]),
        idle_sweep=table_rows(report.idle_row(r, c) for r in report.idle_rows for c in run["held_counts"]),
        first_row=rows[0]["name"], first_clients=run["scenarios"][1]["clients"],
        check_windows=f"{run['client_check_windows'][0]} × {run['client_check_windows'][1] / 1000:.0f} s", wrk=wrk, ours=ours,
        header_differences="\n".join(f"{name}:\n\n" + ("".join(f"    {line}\n" for line in lines) or "    (not measured)\n")
                                      for name, lines in differences.items()),
        costs=table_rows(report.cost_row(r) for r in rows if r["kind"] in ("built", "added")),
        cost_requests=run["cost_requests"])
    for chart in {"throughput", "clients", "idle"} - set(charts):  # its image line and the blank line after it
        text = re.sub(rf"^!\[.*\]\({chart}\.png\)\n\n", "", text, flags=re.M)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(text)
    draw_charts(report, out_dir, charts)
    print(f"\nReport: {os.path.join(out_dir, 'report.md')} (charts and results.json beside it)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py DIR (where http_bench wrote results.json and run.json)")
    main(sys.argv[1])
