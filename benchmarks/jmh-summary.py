#!/usr/bin/env python3
"""Summarise a JMH JSON result (-rf json) robustly for a noisy machine.

For each benchmark it prints the median and the minimum over all measurement iterations of all
forks (a mean is dragged by the odd stolen time slice), and, within each group of benchmarks that
share a class and parameters, the ratio of every peer's median to headend's for the same
operation. Methods are named <operation><Library>: parseHeadend, parseJdk, formatGuava; a method
named headend... alone (headend, headendIpv4Bits) is the baseline for every peer in its group,
taking the fastest headend variant. A ratio above 1 means headend is faster (time-per-op modes).

    java -jar benchmarks/target/benchmarks.jar PrefixMatch -rf json -rff /tmp/r.json
    python3 benchmarks/jmh-summary.py /tmp/r.json
"""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    results = json.load(open(path))
    groups = defaultdict(list)
    for r in results:
        cls, method = r["benchmark"].rsplit(".", 1)
        params = ",".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))
        raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
        groups[(cls.rsplit(".", 1)[-1], params)].append(
            (method, statistics.median(raw), min(raw), len(raw), r["primaryMetric"]["scoreUnit"]))
    for (cls, params), rows in sorted(groups.items()):
        print(f"{cls} [{params}]")
        baselines = defaultdict(list)  # operation prefix -> medians of headend variants
        for m in rows:
            i = m[0].lower().find("headend")
            if i >= 0:
                baselines[m[0][:i]].append(m[1])

        def base_for(method):
            ops = [op for op in baselines if method.startswith(op)]
            return min(baselines[max(ops, key=len)]) if ops else None

        for method, median, low, n, unit in sorted(rows, key=lambda m: m[1]):
            base = base_for(method)
            peer = "headend" not in method.lower()
            ratio = f"  peer/headend {median / base:5.2f}x" if base and peer else ""
            print(f"  {method:28s} median {median:10.2f}  min {low:10.2f} {unit}  (n={n}){ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "jmh-result.json"))
