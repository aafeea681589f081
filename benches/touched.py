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
request after a pause pays for. Huge pages count whole (2,048 KB each). Standard library only.
"""
import argparse
import json
import mmap
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time


class Server:
    def __init__(self, command, root):
        env = dict(os.environ, REFLS_CACHE_DIR="off")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=root, env=env)
        self.next_id = 0
        self.lock = threading.Condition()
        self.messages = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        out = self.process.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, value = line.split(b":", 1)
                headers[name.lower()] = value.strip()
            message = json.loads(out.read(int(headers[b"content-length"])))
            with self.lock:
                self.messages.append((time.perf_counter(), message))
                self.lock.notify_all()

    def send(self, message):
        body = json.dumps(dict(message, jsonrpc="2.0")).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def wait(self, test, timeout=30):
        with self.lock:
            while True:
                for at, message in self.messages:
                    if test(message):
                        self.messages.clear()
                        return at
                if not self.lock.wait(timeout):
                    sys.exit("no answer from the server")

    def request(self, method, params):
        self.next_id += 1
        wanted = self.next_id
        self.send({"id": wanted, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == wanted and "method" not in m)


def touched(pid):
    """KB referenced per kind of mapping."""
    kinds, kind = {}, None
    for line in open("/proc/%d/smaps" % pid):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            fields = line.split()
            name = fields[5] if len(fields) > 5 else ""
            if name.startswith("/") and os.path.realpath(name) == os.path.realpath(SERVER):
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
    time.sleep(pause)
    costs = []
    for page in pages:
        started = time.perf_counter()
        memory[page * 4096]
        costs.append((time.perf_counter() - started) * 1e6)
    hot = []
    for page in pages:
        started = time.perf_counter()
        memory[page * 4096]
        hot.append((time.perf_counter() - started) * 1e6)
    return statistics.median(costs), statistics.median(hot)


def main():
    global SERVER
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("dir")
    parser.add_argument("--pause", type=float, default=0.7)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    SERVER = args.server
    root = os.path.abspath(args.dir)
    server = Server([args.server], root)
    pid = server.process.pid
    root_uri = "file://" + root
    server.request("initialize", {"processId": None, "rootUri": root_uri, "capabilities": {},
                                  "initializationOptions": {"corpus": ["refs.bib"]}})
    server.send({"method": "initialized", "params": {}})
    uri = root_uri + "/paper-500.tex"
    lines = open(os.path.join(root, "paper-500.tex"), encoding="utf-8").read().split("\n")
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": "\n".join(lines)}}})
    diagnostics = lambda version: lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                                             and m["params"].get("version") == version)
    server.wait(diagnostics(1))
    sites = [(n, m.group(1)) for n, line in enumerate(lines) for m in re.finditer(r"\\cite\{([^},]+)", line)]
    time.sleep(2)  # the index's background work
    version = 1

    def change(line, start, end, text):
        nonlocal version
        version += 1
        server.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": line, "character": start},
                                          "end": {"line": line, "character": end}}, "text": text}]}})

    def edit(i):
        line, _ = sites[(i * 37) % len(sites)]
        typed = "\\cite{zzunknown%d} " % i
        started = time.perf_counter()
        change(line, 0, 0, typed)
        return server.wait(diagnostics(version)) - started, (line, len(typed))

    def complete(i):
        line, key = sites[(i * 53 + 11) % len(sites)]
        typed = "\\cite{%s} " % key[:3]
        started = time.perf_counter()
        change(line, 0, 0, typed)
        done = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                          "position": {"line": line, "character": 9}})
        return done - started, (line, len(typed))

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
            for kind, size in touched(pid).items():
                sizes.setdefault(kind, []).append(size)
            times.append(took * 1000)
            change(line, 0, length, "")
            server.wait(diagnostics(version))
            time.sleep(0.2)
        parts = ", ".join("%s %d" % (kind, statistics.median(v)) for kind, v in
                          sorted(sizes.items(), key=lambda kv: -statistics.median(kv[1])) if statistics.median(v))
        print("%-10s %6.2f ms  %s" % (name, statistics.median(times), parts))
    server.request("shutdown", None)
    server.send({"method": "exit"})
    server.process.wait(timeout=30)


if __name__ == "__main__":
    main()
