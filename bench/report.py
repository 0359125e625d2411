#!/usr/bin/env python3
"""Rendering: report.md and the three charts from results.json, Google
Benchmark's record of one run of http_bench. Figures, tables and the
comparisons' significance test are computed here; the prose is
report.md.in's; the charts are gnuplot's (chart.gp, clients.gp, idle.gp).

    python3 bench/report.py build/bench/results.json build/bench
"""
import json
import math
import os
import platform
import re
import statistics
import string
import subprocess
import sys
from itertools import combinations

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 0.05  # the significance level of a verdict


# --- the comparison: an exact Mann-Whitney U test ---------------------------------

def u_statistic(a, b):
    """How many (x in a, y in b) pairs have x above y; a tie counts half."""
    return sum((x > y) + (x == y) / 2 for x in a for y in b)


def mann_whitney(a, b):
    """Two-sided exact test: p is the share of all ways to split the pooled
    windows into groups of len(a) and len(b) whose U lies at least as far
    from its mean as the observed one. Returns (p, a tends higher)."""
    pooled, centre = a + b, len(a) * len(b) / 2
    observed = u_statistic(a, b)

    def distance(chosen):
        rest = [x for i, x in enumerate(pooled) if i not in chosen]
        return abs(u_statistic([pooled[i] for i in chosen], rest) - centre)

    splits = [distance(set(c)) for c in combinations(range(len(pooled)), len(a))]
    p = sum(d >= abs(observed - centre) - 1e-9 for d in splits) / len(splits)
    return p, observed > centre


def smallest_p(n, m):
    """The two most extreme splits of n + m windows: all of one side above."""
    return 2 / math.comb(n + m, n)


def verdict(a, b, higher_is_faster):
    """Is a faster than b? (verdict, p) from their windows."""
    p, a_higher = mann_whitney(a, b)
    if p >= ALPHA:
        return "no difference shown", p
    return ("faster" if a_higher == higher_is_faster else "slower"), p


# --- what the run recorded ------------------------------------------------------------

class Measurement:
    """One benchmark's windows (Google Benchmark's repetitions)."""

    def __init__(self):
        self.windows, self.errors, self.label = [], [], ""

    def values(self, counter):
        return [w[counter] for w in self.windows if counter in w]

    def median(self, counter):
        return statistics.median(self.values(counter))

    def min(self, counter):
        return min(self.values(counter))

    def max(self, counter):
        return max(self.values(counter))

    def sum(self, counter):
        return sum(self.values(counter))

    def cv(self, counter):
        v = self.values(counter)
        return statistics.stdev(v) / statistics.mean(v) if len(v) > 1 and statistics.mean(v) else 0

    def stalled(self):
        return self.max("req_per_s") == 0


def load(path):
    with open(path) as f:
        data = json.load(f)
    run = json.loads(data["context"]["bench"])
    measured = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue  # the aggregates: computed again here from the windows
        key = b["run_name"].split("/iterations:")[0]  # "scenario/<row>/32-clients"
        m = measured.setdefault(key, Measurement())
        if b.get("error_occurred"):
            m.errors.append(" ".join(b.get("error_message", "").split()))
        else:
            m.windows.append(b)
            m.label = b.get("label", "")
    return data["context"], run, measured


# --- cells ------------------------------------------------------------------------------

def thousands(v):
    return f"{round(v):,}"


def fixed(v, decimals):
    return f"{v:.{decimals}f}"


def ms(us):
    v = us / 1000
    return fixed(v, 3 if v < 1 else 2 if v < 10 else 1 if v < 100 else 0)


def with_range(m, counter, fmt):
    if len(m.windows) < 2:
        return fmt(m.median(counter))
    return f"{fmt(m.median(counter))} ({fmt(m.min(counter))}–{fmt(m.max(counter))})"


def table(header, rows):
    head = "| " + " | ".join(header) + " |\n"
    align = "|" + "|".join("---" if h in ("server", "scenario", "against", "notes", "agreement", "client")
                           or "verdict" in h else "--:" for h in header) + "|\n"
    return head + align + "".join("| " + " | ".join(str(c).replace("|", "/") for c in r) + " |\n" for r in rows)


class Report:
    def __init__(self, context, run, measured):
        self.context, self.run, self.measured = context, run, measured
        self.rows = run["rows"]
        self.first = self.rows[0]

    def get(self, kind, row, point):
        m = self.measured.get(f"{kind}/{row['name']}/{point}")
        return m if m and m.windows else None

    def why_not(self, kind, row, point):
        m = self.measured.get(f"{kind}/{row['name']}/{point}")
        if row["problem"]:
            return "not measured: " + row["problem"]
        return "not measured: " + m.errors[0] if m and m.errors else "left out by --benchmark_filter"

    def ratio(self, m, other_row, scenario):
        other = self.get("scenario", other_row, scenario["name"])
        if not m or not other or other.median("req_per_s") == 0:
            return "-"
        return fixed(m.median("req_per_s") / other.median("req_per_s"), 2)

    def kind_note(self, row):
        return {"emulated": ["emulated"], "reference": ["reference"], "added": ["added with --with"]}.get(row["kind"], [])

    # --- the scenario tables ---
    def scenario_row(self, row, s):
        m = self.get("scenario", row, s["name"])
        nginx = next(r for r in self.rows if r["kind"] == "reference")
        notes = self.kind_note(row)
        if not m:
            return [row["name"]] + ["-"] * 10 + ["; ".join(notes + [self.why_not("scenario", row, s["name"])]), "-"]
        if m.errors:
            notes.append("a window failed: " + m.errors[0])
        retried = thousands(m.sum("retried"))
        if m.min("overflows") >= 0:
            retried += f" ({thousands(m.sum('overflows'))})"
        segments = fixed(m.median("segs_per_req"), 2) if self.run["own_network"] and m.min("segs_per_req") >= 0 else "-"
        cpu = with_range(m, "cpu_us_per_req", lambda v: fixed(v, 1)) if m.min("cpu_us_per_req") >= 0 else "-"
        if m.stalled():
            cells = ["0", "-"] + ["stalled"] * 4
            notes.append(f"no answer within any window ({thousands(m.sum('unfinished'))} requests left waiting)")
        else:
            cells = [thousands(m.median("req_per_s")), f"{thousands(m.min('req_per_s'))}–{thousands(m.max('req_per_s'))}",
                     ms(m.median("p50_us")), ms(m.median("p99_us")), ms(m.median("p999_us")), ms(m.max("max_us"))]
            if m.min("answered") == 0:
                notes.append("stalled in some windows")
            if m.sum("failed") > 0:
                notes.append(f"{thousands(m.sum('failed'))} failed requests")
        if m.sum("retried") > 0:
            notes.append("accept queue overflowed: dropped connections waited for the client's resend" +
                         ("" if m.stalled() else f" (max {ms(m.max('max_us'))} ms)"))
        if m.min("stalled") != s["stalled"]:
            notes.append(f"only {thousands(m.min('stalled'))} stalled connections held")
        return ([row["name"]] + cells + [retried, segments, self.ratio(m, self.first, s), self.ratio(m, nginx, s),
                                         "; ".join(notes), cpu])

    def scenario_tables(self, fragments):
        out = ""
        header = ["server", "req/s", "min–max", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "retried (kernel)",
                  "TCP segments per request", f"vs {self.first['label']}", "vs nginx", "notes",
                  "server CPU µs per request"]
        for s in self.run["scenarios"]:
            out += f"## {s['title']}\n\n"
            if s["stalled"]:
                stalled = [r["name"] for r in self.rows if (m := self.get("scenario", r, s["name"])) and m.stalled()]
                out += fill(fragments["stalled"], stalled=s["stalled"], stalled_rows=(
                    ", ".join(stalled) + " answered nothing in any window" if stalled else "no row stalled in this run")) + "\n"
            out += table(header, [self.scenario_row(r, s) for r in self.rows]) + "\n"
        return out

    # --- comparisons ---
    def comparable(self, row):
        return row["kind"] in ("built", "added")

    def compare_cells(self, a, b, counter, higher_is_faster):
        va, vb = a.values(counter), b.values(counter)
        if not va or not vb or min(va + vb) < 0:
            return ["-"] * 4  # not counted here (no answer in some window)
        said, p = verdict(va, vb, higher_is_faster)
        if min(vb) == 0:
            return ["-", "-", said, fixed(p, 3)]
        return [fixed(statistics.median(va) / statistics.median(vb), 2),
                f"{fixed(min(va) / max(vb), 2)}–{fixed(max(va) / min(vb), 2)}", said, fixed(p, 3)]

    def comparisons(self):
        out = ""
        nginx = next(r for r in self.rows if r["kind"] == "reference")
        for s in self.run["scenarios"]:
            lines, before = [], None
            for row in filter(self.comparable, self.rows):
                m = self.get("scenario", row, s["name"])
                for other in (before, nginx):
                    o = other and self.get("scenario", other, s["name"])
                    if m and o:
                        lines.append([row["name"], other["name"]] + self.compare_cells(m, o, "req_per_s", True)
                                     + self.compare_cells(m, o, "cpu_us_per_req", False))
                before = row
            out += f"### {s['title']}\n\n" + (table(
                ["server", "against", "req/s ratio", "range", "req/s verdict", "p",
                 "CPU per request ratio", "range", "CPU verdict", "p"], lines) if lines else "Nothing to compare.\n") + "\n"
        return out

    # --- dropped connections ---
    def drop_check(self):
        lines = []
        for row in self.rows:
            for s in self.run["scenarios"]:
                m = self.get("scenario", row, s["name"])
                if not m:
                    continue
                client, kernel = m.sum("syn_drops") + m.sum("ack_drops"), m.sum("overflows")
                if m.min("overflows") < 0:
                    agreement, kernel_cell = "no kernel counter here", "-"
                elif client == kernel:
                    agreement, kernel_cell = "equal", thousands(kernel)
                else:
                    d = abs(client - kernel)
                    agreement = (f"{'kernel' if client < kernel else 'client'} {thousands(d)} higher "
                                 f"({fixed(100 * d / max(client, kernel), 1)}%)")
                    kernel_cell = thousands(kernel)
                lines.append([row["name"], s["title"], thousands(m.sum("syn_drops")), thousands(m.sum("ack_drops")),
                              thousands(client), kernel_cell, agreement])
        return table(["server", "scenario", "client: SYNs", "client: handshake ends", "client: all",
                      "kernel: ListenOverflows", "agreement"], lines)

    # --- the sweeps ---
    def client_cell(self, row, clients):
        m = self.get("clients", row, clients)
        if not m:
            return "not measured"
        if m.stalled():
            return "stalled"
        cell = thousands(m.median("req_per_s")) + (f" ±{fixed(m.cv('req_per_s') * 100, 0)}%" if len(m.windows) > 1 else "")
        return cell + (f", {thousands(m.sum('retried'))} retried" if m.sum("retried") > 0 else "")

    def client_sweep(self):
        counts = self.run["client_counts"]
        return table(["server"] + [str(c) for c in counts],
                     [[r["name"]] + [self.client_cell(r, c) for c in counts] for r in self.rows if r["kind"] != "emulated"])

    def idle_notes(self, m, count):
        notes = [f"a window failed: {m.errors[0]}"] if m.errors else []
        if m.min("silent_opened") < count:
            notes.append(f"only {thousands(m.min('silent_opened'))} connected (refused or dropped)")
        if m.min("silent_held") < m.min("silent_opened"):
            notes.append(f"closed or answered {thousands(m.min('silent_opened') - m.min('silent_held'))} of them at once")
        if m.sum("fresh_503") > 0:
            notes.append("a fresh client got 503")
        elif m.max("fresh_answered") == 0:
            notes.append("a fresh client got no answer")
        if m.sum("got_503") > 0:
            notes.append(f"{thousands(m.sum('got_503'))} of the load's requests got 503")
        if m.sum("retried") > 0:
            notes.append(f"{thousands(m.sum('retried'))} retried")
        return "; ".join(notes)

    def idle_sweep(self):
        lines = []
        for row in (r for r in self.rows if r["concurrent"]):
            none = self.get("idle", row, 0)
            for count in self.run["held_counts"]:
                m = self.get("idle", row, count)
                if not m:
                    lines.append([row["name"], thousands(count)] + ["-"] * 5 + [self.why_not("idle", row, count)])
                    continue
                memory = m.min("rss_bytes") >= 0
                per = (with_range(m, "rss_per_held", thousands)
                       if memory and count and m.max("silent_held") > 0 and m.min("rss_per_held") >= 0 else "-")
                if m.max("fresh_answered") == 0:
                    fresh = "no answer"
                elif m.min("fresh_answered") == 0:
                    fresh = f"no answer in some windows; at most {ms(m.max('fresh_p50_us'))}"
                else:
                    fresh = with_range(m, "fresh_p50_us", ms)
                vs = fixed(m.median("req_per_s") / none.median("req_per_s"), 2) if none and none.median("req_per_s") else "-"
                lines.append([row["name"], thousands(count), fixed(m.median("rss_bytes") / 2**20, 1) if memory else "-",
                              per, fresh, with_range(m, "req_per_s", thousands), vs, self.idle_notes(m, count)])
        clients = self.run["held_load_clients"]
        return table(["server", "held", "resident MiB", "bytes per held connection", "fresh client ms",
                      f"req/s with {clients} clients", "vs none held", "notes"], lines)

    # --- the client check, nginx's headers, the costs ---
    def client_check(self, fragments):
        wrk = self.measured.get(f"client-check/wrk/{self.first['name']}")
        ours = self.measured.get(f"client-check/this-client/{self.first['name']}")
        if not wrk or not ours or not wrk.windows or not ours.windows:
            errors = (wrk.errors if wrk else []) + (ours.errors if ours else [])
            return "not measured: " + (errors[0] if errors else f"{self.first['name']} was not part of this run") + "\n"
        best_wrk, best_ours = wrk.max("req_per_s"), ours.max("req_per_s")
        return (table(["client", "req/s"], [["wrk", thousands(best_wrk)], ["this benchmark", thousands(best_ours)]])
                + "\n" + fill(fragments["client_reach"], ratio=fixed(best_ours / best_wrk, 2)))

    def costs(self):
        lines = []
        for row in self.rows:
            m = self.measured.get(f"cost/{row['name']}")
            if not m or not m.windows:
                continue
            cell = lambda counter, fmt: fmt(m.median(counter)) if m.median(counter) >= 0 else "-"
            lines.append([row["name"], cell("syscalls_per_req", lambda v: fixed(v, 1)),
                          cell("instructions_per_req", thousands), cell("stripped_bytes", thousands),
                          cell("source_lines", thousands), m.label])
        return table(["server", "system calls", "user-space instructions", "stripped binary, bytes",
                      "lines of source", "notes"], lines)


# --- the template ------------------------------------------------------------------------

def fill(text, **values):
    return string.Template(text).substitute({k: str(v) for k, v in values.items()})


def read_template():
    """report.md.in: the report, then fragments, each after a line "@@ name"."""
    with open(os.path.join(HERE, "report.md.in")) as f:
        parts = re.split(r"^@@ (\w+)\n", f.read(), flags=re.M)
    return parts[0], dict(zip(parts[1::2], parts[2::2]))


def keep_conditional(text, conditions):
    """Keeps a line "[if NAME] ..." when NAME holds, "[if not NAME] ..." when not."""
    out = []
    for line in text.split("\n"):
        m = re.match(r"\[if (not )?(\w+)\] ?(.*)", line)
        if not m:
            out.append(line)
        elif bool(conditions[m[2]]) != bool(m[1]):
            out.append(m[3])
    return "\n".join(out)


def machine(context, run):
    cpu = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    u = platform.uname()
    return (f"{context['num_cpus']} cores" + (f" ({cpu})" if cpu else "") +
            f", {u.system} {u.release} {u.machine}, stages built with {run['compiler']}")


def nginx_version(run):
    nginx = next(r for r in run["rows"] if r["kind"] == "reference")
    if not nginx["command"]:
        return "not installed"
    said = subprocess.run(nginx["command"] + ["-v"], capture_output=True, text=True).stderr
    return said.strip().rsplit("/", 1)[-1]


# --- the charts ----------------------------------------------------------------------------

def plot(out_dir, script, name, **variables):
    png = os.path.join(out_dir, name + ".png")
    if os.path.exists(png):
        os.remove(png)
    settings = "; ".join(f"{k}='{v}'" for k, v in variables.items())
    try:
        subprocess.run(["gnuplot", "-e", f"output='{png}'; {settings}", os.path.join(HERE, script)],
                       capture_output=True, timeout=60)
    except FileNotFoundError:
        print("gnuplot is not installed: no charts (./workshop bench installs it)", file=sys.stderr)


def write_tsv(path, header, lines):
    with open(path, "w") as f:
        f.write("\t".join(header) + "\n" + "".join("\t".join(line) + "\n" for line in lines))


def draw_charts(report, out_dir):
    run, rows = report.run, report.rows

    def median(m, counter, scale=1):
        return str(m.median(counter) / scale) if m else "?"

    def subtitle(windows):
        n = windows["count"]
        return (f"{report.context['num_cpus']} cores, loopback, {'quick' if run['quick'] else 'full'} run: "
                f"{'median of ' if n > 1 else ''}{n} window{'s' if n > 1 else ''} of {windows['ms'] / 1000:.2f} s")

    def label(row):
        measured = any(report.get("scenario", row, s["name"]) for s in run["scenarios"])
        extra = "" if measured else "not measured"
        extra = "emulated" if row["kind"] == "emulated" and not extra else extra
        return f'"{row["label"]}\\n({extra})"' if extra else row["label"]

    path = lambda name: os.path.join(out_dir, name + ".tsv")
    write_tsv(path("throughput"), ["server"] + [s["title"] for s in run["scenarios"]],
              [[label(r)] + [median(report.get("scenario", r, s["name"]), "req_per_s") for s in run["scenarios"]]
               for r in rows])
    plot(out_dir, "chart.gp", "throughput", data=path("throughput"), subtitle=subtitle(run["scenario_windows"]))

    swept = [r for r in rows if r["kind"] != "emulated"]
    write_tsv(path("clients"), ["x"] + [r["name"] for r in swept],
              [[str(c)] + [median(report.get("clients", r, c), "req_per_s") for r in swept] for c in run["client_counts"]])
    plot(out_dir, "clients.gp", "clients", data=path("clients"), subtitle=subtitle(run["clients_windows"]))

    idle = [r for r in rows if r["concurrent"]]
    for name, counter, scale in (("idle_rps", "req_per_s", 1), ("idle_memory", "rss_bytes", 2**20)):
        write_tsv(path(name), ["x"] + [r["name"] for r in idle],
                  [[str(h)] + [median(report.get("idle", r, h), counter, scale) for r in idle] for h in run["held_counts"]])
    plot(out_dir, "idle.gp", "idle", rps=path("idle_rps"), memory=path("idle_memory"),
         subtitle=subtitle(run["idle_windows"]))


def main(results, out_dir):
    context, run, measured = load(results)
    report = Report(context, run, measured)
    template, fragments = read_template()
    windows = run["scenario_windows"]["count"]
    lowest = smallest_p(windows, windows)
    emulated = [r["name"] for r in run["rows"] if r["kind"] == "emulated"]
    limit = run["descriptor_limit"]
    headers = "".join("    " + line + "\n" for r in run["rows"] for line in r["header_differences"])
    text = keep_conditional(template, {"own_network": run["own_network"], "emulated": emulated})
    text = fill(
        text, run="quick run" if run["quick"] else "full run",
        command="./workshop bench --quick" if run["quick"] else "./workshop bench",
        date=context["date"][:16].replace("T", " "), machine=machine(context, run), nginx_version=nginx_version(run),
        descriptor_limit=f"{limit}" + (f" (the most it could be raised to; {run['descriptors_wanted']} wanted, so the "
                                       "largest idle sweep holds fewer connections)" if limit < run["descriptors_wanted"] else ""),
        network="a network namespace of its own" if run["own_network"] else "the machine's network namespace",
        scenario_windows=windows, scenario_seconds=fixed(windows and run["scenario_windows"]["ms"] / 1000, 2),
        emulated=", ".join(emulated), scenario_tables=report.scenario_tables(fragments),
        alpha=ALPHA, smallest_p=fixed(lowest, 3),
        reachable=fragments["verdicts_reachable" if lowest < ALPHA else "verdicts_unreachable"].strip(),
        skipped=fragments["emulated_skipped"].strip() if emulated else "",
        comparisons=report.comparisons(), drop_check=report.drop_check(), client_sweep=report.client_sweep(),
        concurrent=", ".join(r["name"] for r in run["rows"] if r["concurrent"]) or "none",
        held_load_clients=run["held_load_clients"], idle_sweep=report.idle_sweep(),
        first_row=report.first["name"], first_clients=run["scenarios"][1]["clients"],
        check_rounds=run["client_check"]["count"], check_seconds=run["client_check"]["seconds"],
        client_check=report.client_check(fragments), header_differences=headers or "    (none)\n",
        costs=report.costs(), cost_requests=run["cost_requests"])
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(text)
    draw_charts(report, out_dir)
    print(f"\nReport: {os.path.join(out_dir, 'report.md')} (charts and results.json beside it)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: report.py RESULTS_JSON OUT_DIR")
    main(sys.argv[1], sys.argv[2])
