#!/usr/bin/env python3
"""What one request touches after a pause: the memory of the server, by mapping, and the time.

    python3 benches/touched.py SERVER DIR [--pause 0.7] [--rounds 5]

DIR is a corpus from `../shared/tools/gen_corpus.py` (`refs.bib`, `paper-500.tex`). The server
opens the manuscript; then, each round, the accessed bits of its pages are cleared
(`/proc/PID/clear_refs`, which needs root or the server's owner), the client waits PAUSE seconds
and makes one edit (an unknown key typed, until its diagnostics arrive) or one completion (a key
prefix typed, then completion), and `/proc/PID/smaps` says how much of each mapping the server
touched since. On a virtual machine whose host ages the guest's memory, every 4 KiB page touched
after a pause costs 10-40 us (benches/README.md, "After a pause"), so the sizes are what a
request after a pause pays for. Huge pages count whole (2,048 KB each). The client is
lspbench's (`../shared/tools/lspbench.py`, or `LSPBENCH`). Standard library only.
"""
import argparse
import mmap
import os
import random
import re
import statistics
import time

from lspbench_top import DEFAULT, load


def touched(pid, server):
    """KB referenced per kind of mapping of process `pid`, whose program is `server`."""
    kinds, kind = {}, None
    for line in open("/proc/%d/smaps" % pid):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            fields = line.split()
            name = fields[5] if len(fields) > 5 else ""
            if name.startswith("/") and os.path.realpath(name) == os.path.realpath(server):
                kind = "code" if "x" in fields[1] else "binary data"
            elif name.startswith("/"):
                kind = "libraries"
            elif name == "[stack]":
                kind = "stacks"
            else:
                kind = "heap and anonymous"
        elif line.startswith("Referenced:"):
            kinds[kind] = kinds.get(kind, 0) + int(line.split()[1])
    return kinds


def page_cost(pause):
    """What this machine charges for touching a 4 KiB page untouched for `pause` seconds, in us:
    the median over 200 pages of a 64 MiB anonymous mapping written first."""
    size = 64 << 20
    memory = mmap.mmap(-1, size)
    memory.write(b"\1" * size)
    pages = random.Random(7).sample(range(size // 4096), 200)

    def median_read():
        costs = []
        for page in pages:
            started = time.perf_counter()
            memory[page * 4096]
            costs.append((time.perf_counter() - started) * 1e6)
        return statistics.median(costs)

    time.sleep(pause)
    cold = median_read()
    return cold, median_read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("dir")
    parser.add_argument("--pause", type=float, default=0.7)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = os.path.abspath(args.dir)
    bench = load(os.environ.get("LSPBENCH", DEFAULT))
    client = bench.LspClient([args.server], root, root, {}, env=dict(os.environ, REFLS_CACHE_DIR="off"))
    pid = client.proc.pid
    client.request("initialize", {"processId": None, "rootUri": bench.path_to_uri(root), "capabilities": {},
                                  "initializationOptions": {"corpus": ["refs.bib"]}}, 60)
    client.notify("initialized", {})
    path = os.path.join(root, "paper-500.tex")
    doc = bench.Doc(path, open(path, encoding="utf-8").read(), "latex")
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": doc.uri, "languageId": "latex", "version": doc.version, "text": doc.text()}})

    def diagnostics():
        """Waits for the diagnostics of the document's current version."""
        version = doc.version
        _, entry = client.wait_diag(doc.path, 0, 30, lambda entry: entry[4] == version)
        if entry is None:
            raise SystemExit("no diagnostics for version %d" % version)
        return entry[0]

    diagnostics()
    sites = [(n, m.group(1)) for n, line in enumerate(doc.lines) for m in re.finditer(r"\\cite\{([^},]+)", line)]
    time.sleep(2)  # the index's background work

    def change(line, start, length, text):
        bench.send_change(client, doc, doc.delete(line, start, length) if length else doc.insert(line, start, text),
                          text, "incremental")

    def edit(i):
        line, _ = sites[(i * 37) % len(sites)]
        typed = "\\cite{zzunknown%d} " % i
        started = time.perf_counter()
        change(line, 0, 0, typed)
        return diagnostics() - started, (line, len(typed))

    def complete(i):
        line, key = sites[(i * 53 + 11) % len(sites)]
        typed = "\\cite{%s} " % key[:3]
        started = time.perf_counter()
        change(line, 0, 0, typed)
        client.request("textDocument/completion", {"textDocument": {"uri": doc.uri},
                                                   "position": {"line": line, "character": 9}}, 30)
        return time.perf_counter() - started, (line, len(typed))

    cold, hot = page_cost(args.pause)
    print("this machine: a page untouched for %.1f s costs %.1f us at its next touch, %.1f us right after"
          % (args.pause, cold, hot))
    print("after a pause of %.1f s, median of %d rounds (KB touched; ms)" % (args.pause, args.rounds))
    for name, action in (("edit", edit), ("completion", complete)):
        sizes, times = {}, []
        for i in range(args.rounds):
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("1")
            time.sleep(args.pause)
            took, (line, length) = action(i)
            time.sleep(0.05)
            for kind, size in touched(pid, args.server).items():
                sizes.setdefault(kind, []).append(size)
            times.append(took * 1000)
            change(line, 0, length, "")
            diagnostics()
            time.sleep(0.2)
        parts = ", ".join("%s %d" % (kind, statistics.median(v)) for kind, v in
                          sorted(sizes.items(), key=lambda kv: -statistics.median(kv[1])) if statistics.median(v))
        print("%-10s %6.2f ms  %s" % (name, statistics.median(times), parts))
    client.shutdown()


if __name__ == "__main__":
    main()
