#!/usr/bin/env python3
"""The benchmark's smoke test (ctest -L bench): runs the quick mode, then
checks what it wrote, never a speed: report.md has every scenario's table
with a row for every server of the build and nginx, the dropped-connection
check, both sweeps, the comparisons and the costs, and the three charts are
PNGs it shows.

    check_report.py HTTP_BENCH SERVERS_FILE OUT_DIR
"""
import json, os, re, shutil, subprocess, sys

bench, servers_file, out_dir = sys.argv[1:4]
# ./workshop test installs these; a bare ctest on another machine may lack them.
if not shutil.which("gnuplot") or not shutil.which("nginx", path=os.environ["PATH"] + ":/usr/sbin:/sbin"):
    print("SKIPPED: the benchmark needs gnuplot and nginx; ./workshop test installs them")
    sys.exit(0)
if subprocess.run([bench, "--quick", "--out-dir", out_dir], timeout=85).returncode != 0:
    sys.exit("http_bench --quick failed")

report = open(os.path.join(out_dir, "report.md")).read()
run = json.loads(json.load(open(os.path.join(out_dir, "results.json")))["context"]["bench"])
built = [line.split("\t")[0] for line in open(servers_file) if line.strip() and not line.startswith("#")]
sections = dict(re.findall(r"^## (.*)\n((?:(?!## ).*\n)*)", report, flags=re.M))  # title: text up to the next
missing = []


def expect(title, *lines):
    if title not in sections:
        missing.append(f'no section "## {title}"')
    missing.extend(f'no "{line}" under "{title}"' for line in lines if line not in sections.get(title, ""))


rows = {r["name"]: r for r in run["rows"]}
servers = built + ["nginx"]
native = [s for s in servers if rows[s]["kind"] != "emulated"]
for s in run["scenarios"]:
    expect(s["title"], "| TCP segments per request |", "| server CPU µs per request |",
           *[f"| {server} |" for server in servers])
    expect("Dropped connections, counted twice", *[f"| {server} | {s['title']} |" for server in servers])
    expect("Comparisons", f"### {s['title']}",
           *[f"| {server} | nginx |" for server in native if rows[server]["kind"] == "built"])
expect("How throughput grows with clients", "| server | 1 | 4 | 16 | 64 | 256 |",
       *[f"| {server} |" for server in native])
concurrent = [s for s in servers if rows[s]["concurrent"]]
if len(concurrent) < 2:
    missing.append(f"only {concurrent} serve concurrently, by the check before measuring")
expect("What idle connections cost",
       *[f"| {server} | {held:,} |" for server in concurrent for held in run["held_counts"]])
expect("Cost per request", *[f"| {server} |" for server in native if server != "nginx"])
for chart in ("throughput", "clients", "idle"):
    path = os.path.join(out_dir, chart + ".png")
    if not os.path.exists(path) or open(path, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
        missing.append(f"{path} is not a PNG")
    if f"]({chart}.png)" not in report:
        missing.append(f"report.md does not show {chart}.png")
if missing:
    sys.exit("report.md: " + "\n".join(missing))
print(f"report.md: {len(servers)} rows in each scenario, both sweeps, the comparisons, the costs; 3 PNG charts")
