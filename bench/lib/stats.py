#!/usr/bin/env python3
"""Summarize bench/run's raw times: a Markdown table on stdout, JSON on demand.

Input files (all tab-separated, written by bench/run into its work dir):
  times.tsv      workload, config, run (0 = warm-up), seconds, ok|fail
  workloads.tsv  workload id, title, cold (1: caches dropped before each run)
  configs.tsv    config id, exact command or options used
  meta.tsv       key, value (date, machine, runs, tree, ...)
  skipped.tsv    what, reason
  notes.tsv      what, text (e.g. a daemon that crashed at unmount)
  library.tsv    key, measure, our tool, value, usual tool, value, unit,
                 runs, note (bench/lib/library.sh)
Only the Python standard library is used.

The bar — the ratios to native the issue asks of aliasfs — lives here and
only here: BAR_TARGETS per workload, GEOMEAN_TARGET for the geometric mean
over those workloads (the cold variants are reported, never in the bar).
"""

import argparse
import json
import math
import statistics
import sys

# The bar, on WARM runs (medians of one run of bench/run): aliasfs must be
# within these ratios of native AND faster than every peer on each.
BAR_TARGETS = {
    "w1": 1.5,  # walk: find + lstat
    "w2": 1.2,  # alias lookups
    "w3": 1.2,  # hot lookups
    "w4": 3.0,  # metadata writes: untar + rm
    "w5": 1.5,  # reads
    "w6": 1.2,  # exec
    "d1": 1.3,  # dpkg -l
    "d2": 1.3,  # dpkg -S
    "d3": 1.3,  # dpkg -i
}
GEOMEAN_TARGET = 1.4
# Columns that are aliasfs (judged against the bar); every other column
# but the baseline is a peer.
OURS_PREFIX = "aliasfs"


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


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


def workload_table(out, rows, cfg_ids, cell):
    """A table of rows (workload id, title) by configuration, each cell
    cell(workload id, configuration)."""
    out.append("| workload | " + " | ".join(cfg_ids) + " |")
    out.append("|---|" + "---:|" * len(cfg_ids))
    for w, title in rows:
        out.append("| %s | %s |" % (title,
                                    " | ".join(cell(w, c) for c in cfg_ids)))


def main_tables(out, workloads, cfg_ids, summary, failed):
    """The results table but its geometric-mean row."""
    def cell(w, c):
        s = summary.get((w, c))
        if (w, c) in failed:
            return "FAIL"
        if s is None:
            return "skipped"
        if s["ratio"] is None:
            return "%s s" % fmt_s(s["median"])
        return "%s s (%.2fx)" % (fmt_s(s["median"]), s["ratio"])
    workload_table(out, workloads, cfg_ids, cell)


def spread_table(out, workloads, cfg_ids, summary):
    """The spread of the measured runs."""
    def cell(w, c):
        s = summary.get((w, c))
        if s is None:
            return "–"
        text = "%s–%s" % (fmt_s(s["min"]), fmt_s(s["max"]))
        if s["n"] >= 4:
            text += " (IQR %s–%s)" % (fmt_s(s["q1"]), fmt_s(s["q3"]))
        return text
    out.append("")
    out.append("Spread of the measured runs, min–max in seconds "
               "(IQR when 4 or more runs):")
    out.append("")
    workload_table(out, [(w, t.split(":")[0]) for w, t in workloads],
                   cfg_ids, cell)


def summarize(args):
    d = args.dir
    times = read_tsv(d + "/times.tsv", 5)
    workloads = [(w, t) for w, t, _ in read_tsv(d + "/workloads.tsv", 3)]
    cold = dict((w, c == "1") for w, _, c in read_tsv(d + "/workloads.tsv", 3))
    configs = read_tsv(d + "/configs.tsv", 2)
    meta = dict((k, v) for k, v in read_tsv(d + "/meta.tsv", 2))
    skipped = read_tsv(d + "/skipped.tsv", 2)
    notes = read_tsv(d + "/notes.tsv", 2)
    library = read_tsv(d + "/library.tsv", 9)

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
    if workloads:
        main_tables(out, workloads, cfg_ids, summary, failed)
    bar_wls = [w for w, _ in workloads if w in BAR_TARGETS and not cold.get(w)]
    geo = {}
    cells = []
    for c in cfg_ids:
        rs = [summary[(w, c)]["ratio"] for w in bar_wls
              if (w, c) in summary and summary[(w, c)]["ratio"]]
        if rs:
            geo[c] = geomean(rs)
            cells.append("**%.2fx** (%d)" % (geo[c], len(rs)))
        else:
            cells.append("–")
    if workloads:
        out.append("| geometric mean of ratios, bar workloads only (how many) "
                   "| %s |" % " | ".join(cells))
        out.append("")
        out.append("Cold rows (caches dropped before each run) are not in "
                   "the geometric mean; the bar is defined on the warm rows.")
        spread_table(out, workloads, cfg_ids, summary)

    lib_rows = library_table(out, library)

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
    # Last, the verdict.
    bar = bar_table(out, bar_wls, dict(workloads), cfg_ids, base, summary,
                    failed)
    print("\n".join(out))

    if args.json:
        doc = {
            "meta": meta,
            "workloads": [{"id": w, "title": t, "cold": cold.get(w, False),
                           "bar_target": None if cold.get(w)
                           else BAR_TARGETS.get(w)}
                          for w, t in workloads],
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
            "geomean_workloads": bar_wls,
            "bar": bar,
            "library": lib_rows,
            "skipped": [{"what": a, "reason": b} for a, b in skipped],
            "notes": [{"what": a, "text": b} for a, b in notes],
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def fmt_value(v, unit):
    if unit == "s":
        return "%s s" % fmt_s(v)
    if unit == "M/s":
        return "%.1f M/s" % v
    return "%s %s" % (("%.3g" % v) if v < 1000 else "%.0f" % v, unit)


def library_table(out, library):
    """The library table: the aliasfs tool beside the usual one."""
    rows = []
    if not library:
        return rows
    out.append("")
    out.append("Library and tools (medians; lower is better except M/s):")
    out.append("")
    out.append("| measure | aliasfs side | usual tool | usual ÷ aliasfs | runs | note |")
    out.append("|---|---:|---:|---:|---:|---|")
    for key, what, ours, ov, theirs, tv, unit, runs, note in library:
        ov = float(ov) if ov else None
        tv = float(tv) if tv else None
        speed = tv / ov if ov and tv else None
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            what,
            "%s: %s" % (ours, fmt_value(ov, unit)) if ov is not None else "–",
            "%s: %s" % (theirs, fmt_value(tv, unit)) if tv is not None else "–",
            "%.1fx" % speed if speed else "–",
            runs, note))
        rows.append({"key": key, "measure": what, "unit": unit,
                     "runs": int(runs) if runs else None, "note": note,
                     "ours": {"tool": ours, "value": ov},
                     "usual": {"tool": theirs, "value": tv},
                     "usual_over_ours": speed})
    return rows


def bar_table(out, bar_wls, titles, cfg_ids, base, summary, failed):
    """Each bar workload: target, aliasfs's ratios, the best peer's, and
    whether aliasfs meets the target AND beats every peer."""
    ours = [c for c in cfg_ids if c != base and c.startswith(OURS_PREFIX)]
    peers = [c for c in cfg_ids if c != base and c not in ours]
    if not bar_wls or not ours:
        return None

    def ratio(w, c):
        s = summary.get((w, c))
        return s["ratio"] if s and s["ratio"] else None

    def cell(w, c):
        r = ratio(w, c)
        if r is not None:
            return "%.2fx" % r
        return "FAIL" if (w, c) in failed else "–"

    def verdict(r, target, peer_rs, what_failed):
        if r is None:
            return False, "no: %s" % what_failed
        why = []
        if r > target:
            why.append("over target")
        faster = sorted(p for p, pr in peer_rs.items() if pr <= r)
        if len(faster) == 1:
            why.append("%s faster" % faster[0])
        elif faster:
            why.append("%d peers faster" % len(faster))
        return (not why), ("yes" if not why else "no: " + "; ".join(why))

    rows = []
    out.append("")
    out.append("The bar (warm medians; ratio to native; aliasfs must be within "
               "the target AND faster than every peer):")
    out.append("")
    out.append("| bar workload | target | " + " | ".join(ours) +
               " | best peer | " +
               " | ".join("%s meets" % c for c in ours) + " |")
    out.append("|---|---:|" + "---:|" * len(ours) + "---:|" +
               "---|" * len(ours))
    met = dict((c, 0) for c in ours)
    for w in bar_wls:
        target = BAR_TARGETS[w]
        peer_rs = dict((p, ratio(w, p)) for p in peers
                       if ratio(w, p) is not None)
        best = min(peer_rs.items(), key=lambda kv: kv[1]) if peer_rs else None
        row = {"workload": w, "title": titles.get(w, w), "target": target,
               "ratios": dict((c, ratio(w, c)) for c in ours + peers),
               "best_peer": ({"config": best[0], "ratio": best[1]}
                             if best else None),
               "meets": {}, "why": {}}
        verdicts = []
        for c in ours:
            ok, text = verdict(ratio(w, c), target, peer_rs,
                               "FAIL" if (w, c) in failed else "not measured")
            met[c] += ok
            row["meets"][c] = ok
            row["why"][c] = text
            verdicts.append(text)
        rows.append(row)
        out.append("| %s | ≤ %.2fx | %s | %s | %s |" % (
            titles.get(w, w).split(":")[0], target,
            " | ".join(cell(w, c) for c in ours),
            "%s %.2fx" % best if best else "–",
            " | ".join(verdicts)))

    # Geometric mean over the bar workloads every column measured, so that
    # all columns are compared on the same set.
    cols = [c for c in ours + peers
            if any(ratio(w, c) is not None for w in bar_wls)]
    common = [w for w in bar_wls
              if ratio(w, base) is not None
              and all(ratio(w, c) is not None for c in cols)]
    gm = dict((c, geomean([ratio(w, c) for w in common])) for c in cols)
    peer_gm = dict((p, gm[p]) for p in peers if p in gm and gm[p])
    best = min(peer_gm.items(), key=lambda kv: kv[1]) if peer_gm else None
    verdicts = []
    grow = {"workloads": common, "target": GEOMEAN_TARGET,
            "ratios": gm, "best_peer": ({"config": best[0], "ratio": best[1]}
                                        if best else None),
            "meets": {}, "why": {}}
    for c in ours:
        ok, text = verdict(gm.get(c) if common else None, GEOMEAN_TARGET,
                           peer_gm, "no bar workload measured on every column")
        met[c] += ok
        grow["meets"][c] = ok
        grow["why"][c] = text
        verdicts.append(text)
    out.append("| geometric mean (%d bar workloads measured on every column) "
               "| ≤ %.2fx | %s | %s | %s |" % (
                   len(common), GEOMEAN_TARGET,
                   " | ".join("%.2fx" % gm[c] if gm.get(c) and common else "–"
                              for c in ours),
                   "%s %.2fx" % best if best and common else "–",
                   " | ".join(verdicts)))
    out.append("")
    if not peers:
        out.append("- no peer was measured: only the targets are checked")
    nrows = len(bar_wls) + 1
    for c in ours:
        out.append("- %s meets the bar on %d of %d rows%s" % (
            c, met[c], nrows,
            "" if len(bar_wls) == len(BAR_TARGETS)
            else " (only %d of the %d bar workloads ran)"
            % (len(bar_wls), len(BAR_TARGETS))))
    return {"targets": BAR_TARGETS, "geomean_target": GEOMEAN_TARGET,
            "ours": ours, "peers": peers, "rows": rows, "geomean": grow,
            "met": dict((c, {"rows_met": met[c], "rows": nrows})
                        for c in ours)}


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
