#!/usr/bin/env python3
"""Prints bench/compare.sh's one table from its raw figures.

usage: bench/summary.py TIMES [SERVE]
  TIMES: lines "generator n tool wall_seconds max_rss_kib pages" (wall "fail" for a failed run)
  SERVE: lines "n <serve-latency.py's output line>"
"""
import re
import statistics
import sys
from collections import defaultdict


def load(path):
    runs = defaultdict(list)
    failed = set()
    for line in open(path):
        parts = line.split()
        if len(parts) != 6:
            continue
        gen, n, tool, wall, rss, pages = parts
        if wall == "fail":
            failed.add((gen, int(n), tool))
            continue
        runs[(gen, int(n), tool)].append((float(wall), int(rss) / 1024, int(pages)))
    return runs, failed


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def main():
    runs, failed = load(sys.argv[1])
    medians = {}
    print()
    head = f"{'corpus':<9} {'N':>7} {'tool':<20} {'median s':>9} {'range s':>13} {'pages':>7} {'pages/s':>8} {'peak MiB':>9} {'vs Zola':>8} {'vs Hugo':>8}"
    print(head)
    print("-" * len(head))
    keys = sorted(set(runs) | failed, key=lambda k: (k[0], k[1], k[2]))
    for gen, n, tool in keys:
        key = (gen, n, tool)
        if key not in runs:
            print(f"{gen:<9} {n:>7} {tool:<20} {'failed':>9}")
            continue
        rs = runs[key]
        wall = statistics.median(r[0] for r in rs)
        medians[key] = wall
        lo, hi = min(r[0] for r in rs), max(r[0] for r in rs)
        rss = statistics.median(r[1] for r in rs)
        pages = rs[0][2]
        zola = runs.get((gen, n, "zola"))
        hugo = runs.get((gen, n, "hugo"))
        vs_zola = ratio(wall, statistics.median(r[0] for r in zola)) if zola and tool != "zola" else ""
        vs_hugo = ratio(wall, statistics.median(r[0] for r in hugo)) if hugo and tool != "hugo" else ""
        print(f"{gen:<9} {n:>7} {tool:<20} {wall:>9.3f} {lo:>6.2f}–{hi:<6.2f} {pages:>7} {pages / wall:>8.0f} {rss:>9.0f} {vs_zola:>8} {vs_hugo:>8}")
    print("(vs Zola / vs Hugo: this tool's median wall time over the peer's, same corpus and N; below 1 is faster)")
    # Growth: time at each size over the time at the smallest, against the size factor.
    by_tool = defaultdict(dict)
    for (gen, n, tool), wall in medians.items():
        by_tool[(gen, tool)][n] = wall
    print()
    for (gen, tool), sizes in sorted(by_tool.items()):
        ns = sorted(sizes)
        if len(ns) < 2:
            continue
        steps = ", ".join(f"{ns[i]}→{ns[i + 1]}: {ns[i + 1] // ns[i]}x N took {sizes[ns[i + 1]] / sizes[ns[i]]:.1f}x time"
                          for i in range(len(ns) - 1))
        print(f"growth {gen} {tool}: {steps}")
    if len(sys.argv) > 2:
        serve = defaultdict(list)
        for line in open(sys.argv[2]):
            n, rest = line.split(" ", 1)
            m = re.search(r"rebuilt page served median (\d+) ms", rest)
            e = re.search(r"reload event median (\d+) ms", rest)
            if m and e:
                serve[int(n)].append((int(m.group(1)), int(e.group(1))))
        for n, rs in sorted(serve.items()):
            page = ", ".join(str(r[0]) for r in rs)
            event = ", ".join(str(r[1]) for r in rs)
            print(f"serve N = {n}: save → rebuilt page served, medians of {len(rs)} runs: {page} ms; save → reload event: {event} ms")


if __name__ == "__main__":
    main()
