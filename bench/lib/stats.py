#!/usr/bin/env python3
"""Summarize bench/run's raw times: a Markdown table on stdout, JSON on demand.

Input files (all tab-separated, written by bench/run into its work dir):
  times.tsv      workload, config, run (0 = warm-up), seconds, ok|fail
  workloads.tsv  workload id, title
  configs.tsv    config id, exact command or options used
  meta.tsv       key, value (date, machine, runs, tree, ...)
  skipped.tsv    what, reason
  notes.tsv      what, text (e.g. a daemon that crashed at unmount)
Only the Python standard library is used.
"""

import argparse
import json
import math
import statistics
import sys


def read_tsv(path, ncols):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                parts = line.split("\t", ncols - 1)
                parts += [""] * (ncols - len(parts))
                rows.append(parts)
    except FileNotFoundError:
        pass
    return rows


def fmt_s(x):
    """Seconds with three significant digits, never in exponent form."""
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    digits = 2 - int(math.floor(math.log10(x))) if x > 0 else 3
    return "%.*f" % (digits, x)


def quartiles(xs):
    if len(xs) < 4:
        return min(xs), max(xs)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def summarize(args):
    d = args.dir
    times = read_tsv(d + "/times.tsv", 5)
    workloads = read_tsv(d + "/workloads.tsv", 2)
    configs = read_tsv(d + "/configs.tsv", 2)
    meta = dict((k, v) for k, v in read_tsv(d + "/meta.tsv", 2))
    skipped = read_tsv(d + "/skipped.tsv", 2)
    notes = read_tsv(d + "/notes.tsv", 2)

    samples = {}  # (w, c) -> [seconds] of the measured runs
    failed = set()
    for w, c, run, secs, status in times:
        if status != "ok":
            failed.add((w, c))
            continue
        if run == "0":
            continue
        samples.setdefault((w, c), []).append(float(secs))

    cfg_ids = [c for c, _ in configs]
    base = cfg_ids[0] if cfg_ids else None
    summary = {}
    for w, _ in workloads:
        for c in cfg_ids:
            xs = samples.get((w, c))
            if (w, c) in failed or not xs:
                continue
            med = statistics.median(xs)
            q1, q3 = quartiles(xs)
            summary[(w, c)] = {
                "median": med,
                "min": min(xs),
                "max": max(xs),
                "q1": q1,
                "q3": q3,
                "n": len(xs),
            }
    for (w, c), s in summary.items():
        b = summary.get((w, base))
        s["ratio"] = s["median"] / b["median"] if b and b["median"] > 0 else None

    out = []
    out.append("| workload | " + " | ".join(cfg_ids) + " |")
    out.append("|---|" + "---:|" * len(cfg_ids))
    for w, title in workloads:
        cells = []
        for c in cfg_ids:
            s = summary.get((w, c))
            if (w, c) in failed:
                cells.append("FAIL")
            elif s is None:
                cells.append("skipped")
            elif s["ratio"] is None:
                cells.append("%s s" % fmt_s(s["median"]))
            else:
                cells.append("%s s (%.2fx)" % (fmt_s(s["median"]), s["ratio"]))
        out.append("| %s | %s |" % (title, " | ".join(cells)))
    geo = {}
    cells = []
    for c in cfg_ids:
        rs = [summary[(w, c)]["ratio"] for w, _ in workloads
              if (w, c) in summary and summary[(w, c)]["ratio"]]
        if rs:
            geo[c] = math.exp(sum(math.log(r) for r in rs) / len(rs))
            cells.append("**%.2fx** (%d)" % (geo[c], len(rs)))
        else:
            cells.append("–")
    out.append("| geometric mean of ratios (workloads) | %s |" % " | ".join(cells))

    out.append("")
    out.append("Spread of the measured runs, min–max in seconds "
               "(IQR when 4 or more runs):")
    out.append("")
    out.append("| workload | " + " | ".join(cfg_ids) + " |")
    out.append("|---|" + "---:|" * len(cfg_ids))
    for w, _ in workloads:
        cells = []
        for c in cfg_ids:
            s = summary.get((w, c))
            if s is None:
                cells.append("–")
                continue
            cell = "%s–%s" % (fmt_s(s["min"]), fmt_s(s["max"]))
            if s["n"] >= 4:
                cell += " (IQR %s–%s)" % (fmt_s(s["q1"]), fmt_s(s["q3"]))
            cells.append(cell)
        out.append("| %s | %s |" % (w.upper(), " | ".join(cells)))

    if skipped:
        out.append("")
        out.append("Not measured:")
        out.append("")
        for what, why in skipped:
            out.append("- %s: %s" % (what, why))

    if notes:
        out.append("")
        out.append("Notes:")
        out.append("")
        for what, text in notes:
            out.append("- %s: %s" % (what, text))

    out.append("")
    out.append("Configurations (exact commands):")
    out.append("")
    for c, opts in configs:
        out.append("- %s: `%s`" % (c, opts))
    print("\n".join(out))

    if args.json:
        doc = {
            "meta": meta,
            "workloads": [{"id": w, "title": t} for w, t in workloads],
            "configs": [{"id": c, "command": o} for c, o in configs],
            "baseline": base,
            "times": [
                {
                    "workload": w,
                    "config": c,
                    "run": int(run),
                    "warmup": run == "0",
                    "seconds": float(secs) if secs else None,
                    "ok": status == "ok",
                }
                for w, c, run, secs, status in times
            ],
            "summary": [
                dict(workload=w, config=c, **s) for (w, c), s in summary.items()
            ],
            "geomean_ratio": geo,
            "skipped": [{"what": a, "reason": b} for a, b in skipped],
            "notes": [{"what": a, "text": b} for a, b in notes],
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", help="bench/run's work directory")
    p.add_argument("--json", help="also write all raw times to this file")
    args = p.parse_args()
    try:
        summarize(args)
    except (OSError, ValueError) as e:
        print("stats.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
