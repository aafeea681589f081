#!/usr/bin/env python3
"""Sums up the steps of completions marked inside the server (src/timing.rs): each step's
time since the previous mark, median, 90th and 99th percentile, in microseconds.

    cargo build --release --features timing
    REFLS_TIMING_FILE=/tmp/timing.txt target/release/examples/typed_client /tmp/c10k 3000 target/release/refls
    python3 benches/timing.py /tmp/timing.txt [--skip 200]
"""
import argparse

STEPS = ["read", "routed", "snapshot", "scan", "search", "warm", "items", "serialised", "written"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--skip", type=int, default=200, help="first completions left out (warm-up)")
    args = parser.parse_args()
    rows = []
    with open(args.file) as lines:
        for line in lines:
            marks = dict(pair.split("=") for pair in line.split())
            rows.append({step: int(tenths) / 10 for step, tenths in marks.items()})
    rows = rows[args.skip:]
    if not rows:
        raise SystemExit("no completions marked")

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * q))]

    print(f"{len(rows)} completions; µs per step")
    previous = "read"
    for step in STEPS[1:]:
        spans = [row[step] - row[previous] for row in rows if step in row and previous in row]
        if spans:
            print(f"{previous:>10} → {step:<10} p50 {pct(spans, .5):7.1f}  p90 {pct(spans, .9):7.1f}  p99 {pct(spans, .99):7.1f}")
            previous = step
    whole = [row["written"] for row in rows if "written" in row]
    print(f"{'read':>10} → {'written':<10} p50 {pct(whole, .5):7.1f}  p90 {pct(whole, .9):7.1f}  p99 {pct(whole, .99):7.1f}")


if __name__ == "__main__":
    main()
