#!/usr/bin/env python3
"""The benchmark's smoke test (ctest -L bench): a quick run, then what it wrote,
never a speed: report.md's every table with a row for every server of the build
and the references (nginx, and h2o where installed), their header lines, the
kept-alive scenarios, and the three PNG charts it shows.

    check_report.py HTTP_BENCH SERVERS_FILE OUT_DIR"""
import json, os, re, shutil, subprocess, sys

bench, servers_file, out_dir = sys.argv[1:4]
# ./workshop test installs these; a bare ctest on another machine may lack them.
if not shutil.which("gnuplot") or not shutil.which("nginx", path=os.environ["PATH"] + ":/usr/sbin:/sbin"):
    print("SKIPPED: the benchmark needs gnuplot and nginx; ./workshop test installs them")
    sys.exit(0)
if subprocess.run([bench, "--quick", "--out-dir", out_dir], timeout=150).returncode != 0:
    sys.exit("http_bench --quick failed")

report = open(os.path.join(out_dir, "report.md")).read()
sections = dict(re.findall(r"^## (.*)\n((?:(?!## ).*\n)*)", report, flags=re.M))  # title: text up to the next
built = [line.split("\t")[0] for line in open(servers_file).read().splitlines() if line and not line.startswith("#")]
described = json.load(open(os.path.join(out_dir, "run.json")))["rows"]
references = ["nginx"] + ["h2o"] * bool(shutil.which("h2o"))
native = [r["name"] for r in described if r["kind"] != "emulated" and r["name"] in built]
concurrent, keeps = [r["name"] for r in described if r["concurrent"]], [r["name"] for r in described if r["keeps"]]
missing = [f"by the check before measuring only {keeps} keep connections"] * (not {"08-keep-alive", *references} & {*built, *references} <= {*keeps})
missing += [f"only {concurrent} serve concurrently, by the check before measuring"] * (len(concurrent) < 2)
missing += [f"{out_dir}/{chart} is not a PNG that report.md shows" for chart in ("throughput.png", "clients.png", "idle.png")
            if not (os.path.exists(png := os.path.join(out_dir, chart)) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
                    and f"]({chart})" in report)]


def expect(title, *lines):
    missing.extend([f'no section "## {title}"'] * (title not in sections) +
                   [f'no "{line}" under "{title}"' for line in lines if line not in sections.get(title, "")])


for title in ("one client", "32 clients", "32 clients + 16 stalled", "32 connections kept alive (wrk)",
              "32 connections kept alive, 16 requests pipelined (wrk)"):
    expect(title, "| TCP segments per request |", "| server CPU µs per request |", *[f"| {s} |" for s in built + references])
    missing.extend(f"no figure for {s} under {title}" for s in native + references  # wrk's: figures, not dashes
                   if "wrk" in title and not re.search(rf"^\| {re.escape(s)} \| [1-9]", sections.get(title, ""), flags=re.M))
    expect("Comparisons", f"### {title}", *[f"| {s} | {ref} |" for s in native for ref in references],
           *[f"| 08-keep-alive | {s} |" for s in concurrent if s in native and s not in keeps and "08-keep-alive" in built])
expect("How throughput grows with clients", "| server | 1 | 4 | 16 | 64 | 256 |", *[f"| {s} |" for s in native + references])
expect("What idle connections cost", *[f"| {s} | {held} |" for s in concurrent for held in ("0", "1,000", "10,000")],
       *["against 05-event-loop, held silent", "each answered once first"] * ("08-keep-alive" in built))
expect("Is the client what is measured?", "| wrk |", "| this benchmark |")
expect("The references' answers against the golden response", *[f"    + Server: {ref}/" for ref in references])
expect("Cost per request", "| system calls, wrk pipelined |", *[f"| {s} |" for s in native])
if missing:
    sys.exit("report.md: " + "\n".join(missing))
print(f"report.md: {len(described)} rows a scenario, comparisons, sweeps, client check, the references' headers, costs; 3 charts")
