#!/usr/bin/env python3
"""Run avnm-bench several times and summarise the runs.

    tests/bench/series.py BENCH [--runs N] [--scale S] [--questions N] [--batch N]
                          [--json FILE]

Each run is `BENCH --json` (plus --scale, --questions and --batch when given). For each phase
it prints the best and the median throughput of each implementation over the runs,
and the ratios libavnm/SQLite and libavnm/floor within each run: their minimum,
median and maximum, and how many runs reach the issue's target for that phase
(questions 10x SQLite, build/connect/conflict/revoke 5x). A ratio is always taken
within one run, never between the best figures of two runs. Every run must pass the
benchmark's own checks, or the series stops. --json FILE also keeps every run's
object, one a line.
"""
import argparse
import json
import statistics
import subprocess
import sys

TARGETS = {"build": 5, "connect": 5, "conflict": 5, "revoke": 5,
           "can_manage": 10, "managers_of": 10}


def one_run(args):
    cmd = [args.bench, "--json"]
    if args.scale is not None:
        cmd += ["--scale", str(args.scale)]
    if args.questions is not None:
        cmd += ["--questions", str(args.questions)]
    if args.batch is not None:
        cmd += ["--batch", str(args.batch)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, check=False, text=True)
    if out.returncode != 0:
        sys.exit("series: %s exited with %d" % (" ".join(cmd), out.returncode))
    run = json.loads(out.stdout)
    if not run.get("checks_passed"):
        sys.exit("series: a run failed the benchmark's checks")
    return run


def fmt_rate(v):
    return "-" if v is None else "{:,.0f}".format(v)


def fmt_span(xs):
    if not xs:
        return "-"
    return "%.2f / %.2f / %.2f" % (min(xs), statistics.median(xs), max(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int)
    ap.add_argument("--questions", type=int)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()
    if args.runs < 1:
        sys.exit("series: --runs wants at least 1")

    runs = []
    for i in range(args.runs):
        runs.append(one_run(args))
        print("series: run %d of %d done" % (i + 1, args.runs), file=sys.stderr)
    if args.json_out:
        with open(args.json_out, "w") as f:
            for r in runs:
                f.write(json.dumps(r) + "\n")

    scale = runs[0]["scale"]
    batch = runs[0].get("avnm_batch", 1)
    print("S = {:,}, {} runs, libavnm questions {}; per phase: best and median op/s of each "
          "implementation; ratios within each run: min / median / max".format(
              scale, len(runs), "%d a call" % batch if batch > 1 else "one a call"))
    print()
    print("| phase | libavnm best | median | SQLite best | median | floor best | median "
          "| libavnm/SQLite | runs at target | libavnm/floor |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for k, ph in enumerate(runs[0]["phases"]):
        name = ph["name"]
        row = ["`%s`" % name]
        for impl in ("avnm", "sqlite", "floor"):
            xs = [r["phases"][k]["%s_ops_per_s" % impl] for r in runs]
            xs = [x for x in xs if x is not None]
            row += [fmt_rate(max(xs)) if xs else "-",
                    fmt_rate(statistics.median(xs)) if xs else "-"]
        vs_sql = [r["phases"][k]["avnm_ops_per_s"] / r["phases"][k]["sqlite_ops_per_s"]
                  for r in runs if r["phases"][k]["sqlite_ops_per_s"]]
        vs_floor = [r["phases"][k]["avnm_ops_per_s"] / r["phases"][k]["floor_ops_per_s"]
                    for r in runs if r["phases"][k]["floor_ops_per_s"]]
        target = TARGETS.get(name)
        at = ("%d of %d (%gx)" % (sum(x >= target for x in vs_sql), len(vs_sql), target)
              if target and vs_sql else "-")
        row += [fmt_span(vs_sql), at, fmt_span(vs_floor)]
        print("| " + " | ".join(row) + " |")
    print()
    for impl in ("avnm", "sqlite"):
        xs = [r["bytes_per_vnet"][impl] for r in runs if r["bytes_per_vnet"][impl] is not None]
        if xs:
            print("peak bytes per virtual network, %s: %s" %
                  ("libavnm" if impl == "avnm" else "SQLite",
                   " / ".join(sorted({"%.1f" % x for x in xs}))))


if __name__ == "__main__":
    main()
