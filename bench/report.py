#!/usr/bin/env python3
"""Rendering: report.md and the three charts from results.json, Google
Benchmark's record of one run of http_bench. The figures, tables and the
comparisons' significance test are computed here; the prose is report.md.in's;
the charts are gnuplot's (chart.gp, clients.gp, idle.gp).

    python3 bench/report.py build/bench/results.json build/bench
"""
import json, math, os, platform, re, statistics, string, subprocess, sys
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
    >>> verdict([12, 10, 14, 11, 13], slow, True)  # equal
    ('no difference shown', 1.0)
    >>> verdict([10, 12, 14, 16, 18], [11, 13, 15, 17, 19], True)  # interleaved
    ('no difference shown', 0.6904761904761905)
    >>> verdict([1, 2, 2, 3, 5], [2, 3, 4, 5, 6], True)  # a tie counts half
    ('no difference shown', 0.2222222222222222)
    >>> verdict(fast[:3], slow[:3], True), smallest_p(3, 3), smallest_p(5, 5)  # --quick's 3 windows cannot
    (('no difference shown', 0.1), 0.1, 0.007936507936507936)
    """
    p, a_higher = mann_whitney(a, b)
    if p >= ALPHA:
        return "no difference shown", p
    return ("faster" if a_higher == higher_is_faster else "slower"), p


# --- what the run recorded ---

class Windows:
    """One measurement's windows (Google Benchmark's repetitions) and errors."""
    def __init__(self):
        self.windows, self.errors, self.label = [], [], ""
    def values(self, counter): return [w[counter] for w in self.windows if counter in w]
    def median(self, counter): return statistics.median(self.values(counter))
    def min(self, counter): return min(self.values(counter))
    def max(self, counter): return max(self.values(counter))
    def sum(self, counter): return sum(self.values(counter))
    def stalled(self): return self.max("req_per_s") == 0
    def cv(self, counter):
        v = self.values(counter)
        return statistics.stdev(v) / statistics.mean(v) if len(v) > 1 and statistics.mean(v) else 0


def load(path):
    with open(path) as f:
        data = json.load(f)
    measured = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue  # the aggregates: computed again from the windows
        m = measured.setdefault(b["run_name"].split("/iterations:")[0], Windows())  # "scenario/<row>/32-clients"
        if b.get("error_occurred"):
            m.errors.append(" ".join(b.get("error_message", "").split()))
        else:
            m.windows.append(b)
            m.label = b.get("label", "")
    return data["context"], json.loads(data["context"]["bench"]), measured


def thousands(v): return f"{round(v):,}"
def fixed(v, decimals): return f"{v:.{decimals}f}"
def one_decimal(v): return fixed(v, 1)
def ms(us): return fixed(us / 1000, 3 if us < 1e3 else 2 if us < 1e4 else 1 if us < 1e5 else 0)


def with_range(m, counter, fmt):
    if len(m.windows) < 2:
        return fmt(m.median(counter))
    return f"{fmt(m.median(counter))} ({fmt(m.min(counter))}–{fmt(m.max(counter))})"


def table_rows(rows):
    """The rows of a table whose header report.md.in holds."""
    return "".join("| " + " | ".join(str(c).replace("|", "/") for c in r) + " |\n" for r in rows)


class Report:
    def __init__(self, context, run, measured):
        self.context, self.run, self.measured, self.rows = context, run, measured, run["rows"]
        self.first, self.nginx = self.rows[0], next(r for r in self.rows if r["kind"] == "reference")

    def get(self, kind, row, point):
        m = self.measured.get(f"{kind}/{row['name']}/{point}")
        return m if m and m.windows else None

    def why_not(self, kind, row, point):
        m = self.measured.get(f"{kind}/{row['name']}/{point}")
        if row["problem"]:
            return "not measured: " + row["problem"]
        return "not measured: " + m.errors[0] if m and m.errors else "left out by --benchmark_filter"

    def ratio(self, m, other, s):
        o = self.get("scenario", other, s["name"])
        return fixed(m.median("req_per_s") / o.median("req_per_s"), 2) if o and o.median("req_per_s") else "-"

    def scenario_row(self, row, s):
        m = self.get("scenario", row, s["name"])
        notes = {"emulated": ["emulated"], "reference": ["reference"], "added": ["added with --with"]}.get(row["kind"], [])
        if not m:
            return [row["name"]] + ["-"] * 10 + ["; ".join(notes + [self.why_not("scenario", row, s["name"])]), "-"]
        notes += ["a window failed: " + m.errors[0]] if m.errors else []
        # Without the kernel's counter (macOS), the client cannot tell drops either.
        retried = f"{thousands(m.sum('retried'))} ({thousands(m.sum('overflows'))})" if m.min("overflows") >= 0 else "-"
        segments = fixed(m.median("segs_per_req"), 2) if self.run["own_network"] and m.min("segs_per_req") >= 0 else "-"
        cpu = with_range(m, "cpu_us_per_req", one_decimal) if m.min("cpu_us_per_req") >= 0 else "-"
        if m.stalled():
            cells = ["0", "-"] + ["stalled"] * 4
            notes.append(f"no answer within any window ({thousands(m.sum('unfinished'))} requests left waiting)")
        else:
            cells = [thousands(m.median("req_per_s")), f"{thousands(m.min('req_per_s'))}–{thousands(m.max('req_per_s'))}",
                     ms(m.median("p50_us")), ms(m.median("p99_us")), ms(m.median("p999_us")), ms(m.max("max_us"))]
            notes += ["stalled in some windows"] if m.min("answered") == 0 else []
            notes += [f"{thousands(m.sum('failed'))} failed requests"] if m.sum("failed") else []
        if m.sum("retried"):
            notes.append("accept queue overflowed: dropped connections waited for the client's resend" +
                         ("" if m.stalled() else f" (max {ms(m.max('max_us'))} ms)"))
        if m.min("stalled") != s["stalled"]:
            notes.append(f"only {thousands(m.min('stalled'))} stalled connections held")
        return ([row["name"]] + cells + [retried, segments, self.ratio(m, self.first, s), self.ratio(m, self.nginx, s),
                                         "; ".join(notes), cpu])

    def scenario_tables(self, fragments):
        out = ""
        for s in self.run["scenarios"]:
            note = ""
            if s["stalled"]:
                stalled = [r["name"] for r in self.rows if (m := self.get("scenario", r, s["name"])) and m.stalled()]
                note = fill(fragments["stalled"], stalled=s["stalled"], stalled_rows=(
                    ", ".join(stalled) + " answered nothing in any window" if stalled else "no row stalled in this run")) + "\n"
            out += fill(fragments["scenario"], title=s["title"], stalled_note=note, first_label=self.first["label"],
                        rows=table_rows(self.scenario_row(r, s) for r in self.rows))
        return out

    def compare(self, a, b, counter, higher_is_faster):
        va, vb = a.values(counter), b.values(counter)
        if not va or not vb or min(va + vb) < 0:
            return ["-"] * 4  # not counted (no answer in some window)
        said, p = verdict(va, vb, higher_is_faster)
        if min(vb) == 0:
            return ["-", "-", said, fixed(p, 3)]
        return [fixed(statistics.median(va) / statistics.median(vb), 2),
                f"{fixed(min(va) / max(vb), 2)}–{fixed(max(va) / min(vb), 2)}", said, fixed(p, 3)]

    def comparisons(self, fragments):
        """Each row of the build or added, against the one before it (emulated ones left out) and nginx."""
        out = ""
        for s in self.run["scenarios"]:
            lines, before = [], None
            for row in (r for r in self.rows if r["kind"] in ("built", "added")):
                m = self.get("scenario", row, s["name"])
                for other in (before, self.nginx):
                    if m and other and (o := self.get("scenario", other, s["name"])):
                        lines.append([row["name"], other["name"]] + self.compare(m, o, "req_per_s", True) +
                                     self.compare(m, o, "cpu_us_per_req", False))
                before = row
            out += fill(fragments["comparison" if lines else "no_comparison"], title=s["title"], rows=table_rows(lines))
        return out

    def drop_check(self):
        lines = []
        for row in self.rows:
            for s in self.run["scenarios"]:
                if not (m := self.get("scenario", row, s["name"])):
                    continue
                client, kernel = m.sum("syn_drops") + m.sum("ack_drops"), m.sum("overflows")
                if m.min("overflows") < 0:
                    agreement = "no kernel counter here"
                elif client == kernel:
                    agreement = "equal"
                else:
                    d = abs(client - kernel)
                    agreement = f"{'kernel' if client < kernel else 'client'} {thousands(d)} higher ({fixed(100 * d / max(client, kernel), 1)}%)"
                lines.append([row["name"], s["title"], thousands(m.sum("syn_drops")), thousands(m.sum("ack_drops")),
                              thousands(client), thousands(kernel) if m.min("overflows") >= 0 else "-", agreement])
        return table_rows(lines)

    def client_cell(self, row, clients):
        if not (m := self.get("clients", row, clients)):
            return "not measured"
        if m.stalled():
            return "stalled"
        cv = f" ±{fixed(m.cv('req_per_s') * 100, 0)}%" if len(m.windows) > 1 else ""
        return thousands(m.median("req_per_s")) + cv + (f", {thousands(m.sum('retried'))} retried" if m.sum("retried") else "")

    def client_sweep(self):
        counts = self.run["client_counts"]
        return ("| server | " + " | ".join(map(str, counts)) + " |\n|---" + "|--:" * len(counts) + "|\n" +
                table_rows([r["name"]] + [self.client_cell(r, c) for c in counts] for r in self.rows if r["kind"] != "emulated"))

    def idle_notes(self, m, count):
        notes = [f"a window failed: {m.errors[0]}"] if m.errors else []
        if m.min("silent_opened") < count:
            notes.append(f"only {thousands(m.min('silent_opened'))} connected (refused or dropped)")
        if m.min("silent_held") < m.min("silent_opened"):
            notes.append(f"closed or answered {thousands(m.min('silent_opened') - m.min('silent_held'))} of them at once")
        if m.sum("fresh_503"):
            notes.append("a fresh client got 503")
        elif m.max("fresh_answered") == 0:
            notes.append("a fresh client got no answer")
        notes += [f"{thousands(m.sum('got_503'))} of the load's requests got 503"] if m.sum("got_503") else []
        return "; ".join(notes + ([f"{thousands(m.sum('retried'))} retried"] if m.sum("retried") else []))

    def idle_row(self, row, count):
        if not (m := self.get("idle", row, count)):
            return [row["name"], thousands(count)] + ["-"] * 5 + [self.why_not("idle", row, count)]
        none, memory = self.get("idle", row, 0), m.min("rss_bytes") >= 0
        per = with_range(m, "rss_per_held", thousands) if memory and count and m.min("rss_per_held") >= 0 else "-"
        if m.max("fresh_answered") == 0:
            fresh = "no answer"
        elif m.min("fresh_answered") == 0:
            fresh = f"no answer in some windows; at most {ms(m.max('fresh_p50_us'))}"
        else:
            fresh = with_range(m, "fresh_p50_us", ms)
        vs = fixed(m.median("req_per_s") / none.median("req_per_s"), 2) if none and none.median("req_per_s") else "-"
        return [row["name"], thousands(count), fixed(m.median("rss_bytes") / 2**20, 1) if memory else "-", per, fresh,
                with_range(m, "req_per_s", thousands), vs, self.idle_notes(m, count)]

    def idle_sweep(self):
        return table_rows(self.idle_row(r, c) for r in self.rows if r["concurrent"] for c in self.run["held_counts"])

    def client_check(self, fragments):
        checks = [self.measured.get(f"client-check/{who}/{self.first['name']}") for who in ("wrk", "this-client")]
        if not all(m and m.windows for m in checks):
            errors = [e for m in checks if m for e in m.errors] + [f"{self.first['name']} was not part of this run"]
            return f"not measured: {errors[0]}\n"
        best_wrk, best_ours = (m.max("req_per_s") for m in checks)
        text = fill(fragments["client_reach"], wrk=thousands(best_wrk), ours=thousands(best_ours),
                    ratio=fixed(best_ours / best_wrk, 2))
        s = self.run["scenarios"][1]  # the same number of clients
        if (m := self.get("scenario", self.first, s["name"])) and m.sum("retried"):
            text += fill(fragments["client_drops"], scenario=s["title"], row=self.first["name"], retried=thousands(m.sum("retried")))
        return text

    def costs(self):
        lines = []
        for row in self.rows:
            if m := self.measured.get(f"cost/{row['name']}"):
                cell = lambda counter, fmt: fmt(m.median(counter)) if m.windows and m.median(counter) >= 0 else "-"
                lines.append([row["name"], cell("syscalls_per_req", one_decimal), cell("instructions_per_req", thousands),
                              cell("stripped_bytes", thousands), cell("source_lines", thousands),
                              m.label or ("; ".join(m.errors))])
        return table_rows(lines)


def fill(text, **values):
    return string.Template(text).substitute({k: str(v) for k, v in values.items()})


def template(conditions):
    """report.md.in: the report, then fragments, each after a line "@@ name".
    A line "[if NAME] ..." is kept when NAME holds, "[if not NAME] ..." when not."""
    with open(os.path.join(HERE, "report.md.in")) as f:
        text = re.sub(r"^\[if (not )?(\w+)\] ?(.*\n)",
                      lambda m: m[3] if bool(conditions[m[2]]) != bool(m[1]) else "", f.read(), flags=re.M)
    parts = re.split(r"^@@ (\w+)\n", text, flags=re.M)
    return parts[0], dict(zip(parts[1::2], parts[2::2]))


def machine(context, run):
    cpu = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            cpu = next((f" ({line.split(':', 1)[1].strip()})" for line in f if line.startswith("model name")), "")
    u = platform.uname()
    return f"{context['num_cpus']} cores{cpu}, {u.system} {u.release} {u.machine}, stages built with {run['compiler']}"


def draw_charts(report, out_dir):
    """The data each chart needs as a TSV file ("?": not measured), then gnuplot."""
    run, rows, plots = report.run, report.rows, []
    def median(m, counter, scale=1): return str(m.median(counter) / scale) if m else "?"
    def write(name, header, lines):  # its path
        with open(path := os.path.join(out_dir, name + ".tsv"), "w") as f:
            f.write("".join("\t".join(line) + "\n" for line in [header] + lines))
        return path
    def plot(script, name, windows, **data):
        n, png = windows["count"], os.path.join(out_dir, name + ".png")
        subtitle = (f"{report.context['num_cpus']} cores, loopback, {'quick' if run['quick'] else 'full'} run: "
                    f"{'median of ' if n > 1 else ''}{n} window{'s' if n > 1 else ''} of {windows['ms'] / 1000:.2f} s")
        if os.path.exists(png):
            os.remove(png)
        settings = "; ".join(f"{k}='{v}'" for k, v in dict(data, output=png, subtitle=subtitle).items())
        try:  # the three at once
            plots.append(subprocess.Popen(["gnuplot", "-e", settings, os.path.join(HERE, script)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        except FileNotFoundError:
            print("gnuplot is not installed: no charts (./workshop bench installs it)", file=sys.stderr)
    def label(row):  # under its bars: gnuplot reads "\n" in quotes
        measured = any(report.get("scenario", row, s["name"]) for s in run["scenarios"])
        extra = "not measured" if not measured else "emulated" if row["kind"] == "emulated" else ""
        return f'"{row["label"]}\\n({extra})"' if extra else row["label"]

    def sweep(name, kind, rows, points, counter="req_per_s", scale=1):  # a line per point, a column per row
        return write(name, ["x"] + [r["name"] for r in rows],
                     [[str(p)] + [median(report.get(kind, r, p), counter, scale) for r in rows] for p in points])
    plot("chart.gp", "throughput", run["scenario_windows"], data=write(
        "throughput", ["server"] + [s["title"] for s in run["scenarios"]],
        [[label(r)] + [median(report.get("scenario", r, s["name"]), "req_per_s") for s in run["scenarios"]] for r in rows]))
    plot("clients.gp", "clients", run["clients_windows"],
         data=sweep("clients", "clients", [r for r in rows if r["kind"] != "emulated"], run["client_counts"]))
    idle = [r for r in rows if r["concurrent"]]
    plot("idle.gp", "idle", run["idle_windows"], rps=sweep("idle_rps", "idle", idle, run["held_counts"]),
         memory=sweep("idle_memory", "idle", idle, run["held_counts"], "rss_bytes", 2**20))
    for p in plots:
        p.wait(timeout=60)


def main(results, out_dir):
    context, run, measured = load(results)
    report = Report(context, run, measured)
    emulated = [r["name"] for r in run["rows"] if r["kind"] == "emulated"]
    text, fragments = template({"own_network": run["own_network"], "emulated": emulated})
    windows, limit = run["scenario_windows"], run["descriptor_limit"]
    lowest = smallest_p(windows["count"], windows["count"])
    server_header = [line for line in report.nginx["header_differences"] if line.startswith("+ Server: ")]
    text = fill(
        text, run="quick run" if run["quick"] else "full run", command="./workshop bench" + " --quick" * run["quick"],
        date=context["date"][:16].replace("T", " "), machine=machine(context, run),
        nginx_version=server_header[0].rsplit("/", 1)[-1] if server_header else "not measured",
        descriptor_limit=f"{limit}" + (f" (the most it could be raised to; {run['descriptors_wanted']} wanted, so the "
                                       "largest idle sweep holds fewer connections)" if limit < run["descriptors_wanted"] else ""),
        network="a network namespace of its own" if run["own_network"] else "the machine's network namespace",
        scenario_windows=windows["count"], scenario_seconds=fixed(windows["ms"] / 1000, 2),
        emulated=", ".join(emulated), scenario_tables=report.scenario_tables(fragments),
        alpha=ALPHA, smallest_p=fixed(lowest, 3),
        reachable=fragments["verdicts_reachable" if lowest < ALPHA else "verdicts_unreachable"].strip(),
        skipped=fragments["emulated_skipped"].strip() if emulated else "",
        comparisons=report.comparisons(fragments), drop_check=report.drop_check(), client_sweep=report.client_sweep(),
        concurrent=", ".join(r["name"] for r in run["rows"] if r["concurrent"]) or "none",
        held_load_clients=run["held_load_clients"], idle_sweep=report.idle_sweep(),
        first_row=report.first["name"], first_clients=run["scenarios"][1]["clients"],
        check_rounds=run["client_check"]["count"], check_seconds=run["client_check"]["seconds"],
        client_check=report.client_check(fragments),
        header_differences="".join(f"    {line}\n" for line in report.nginx["header_differences"]) or "    (none)\n",
        costs=report.costs(), cost_requests=run["cost_requests"])
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(text)
    draw_charts(report, out_dir)
    print(f"\nReport: {os.path.join(out_dir, 'report.md')} (charts and results.json beside it)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: report.py RESULTS_JSON OUT_DIR")
    main(sys.argv[1], sys.argv[2])
