#!/usr/bin/env python3
"""Completion latency while a large .bib is rewritten under the server.

Reference managers (Zotero with Better BibTeX) rewrite their export seconds after every change.
This starts `refls` on a workspace whose corpus is one large `.bib`, lets the server watch the
file itself (the client does not offer to watch), rewrites the whole file every 2 seconds with
one title changed, and meanwhile asks for a completion every 100 ms, as typing would.

    python3 ../shared/tools/gen_corpus.py --entries 20000 --out /tmp/c20k   # about 10 MB
    python3 benches/rewrite_bench.py target/release/refls /tmp/c20k --seconds 20

Prints completion latency (p50, p99, max), how many completions came back empty or late, and
how many re-indexes the server logged. Standard library only.
"""
import argparse, json, os, subprocess, threading, time


class Server:
    def __init__(self, command, root):
        env = dict(os.environ, REFLS_LOG="info")
        self.proc = subprocess.Popen([command], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.responses, self.lock, self.next_id = {}, threading.Condition(), 0
        self.stderr_lines = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(out.read(length))
            if "id" in message and "method" not in message:
                with self.lock:
                    self.responses[message["id"]] = message
                    self.lock.notify_all()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line.decode(errors="replace"))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params, timeout=10):
        with self.lock:
            self.next_id += 1
            rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.time() + timeout
        with self.lock:
            while rid not in self.responses:
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.lock.wait(left)
            return self.responses.pop(rid)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("server")
    parser.add_argument("root")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between rewrites")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    bib = os.path.join(root, "refs.bib")
    original = open(bib, encoding="utf-8").read()
    server = Server(os.path.abspath(args.server), root)
    server.request("initialize", {"processId": None, "rootUri": "file://" + root, "capabilities": {},
                                  "initializationOptions": {"corpus": ["refs.bib"]}}, timeout=120)
    server.notify("initialized", {})
    uri = "file://" + os.path.join(root, "review.md")
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": "See [@a"}})
    # Wait until the corpus answers.
    params = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 7}}
    start = time.time()
    while time.time() - start < 120:
        r = server.request("textDocument/completion", params, timeout=120)
        if r and r.get("result") and r["result"]["items"]:
            break
    ready = time.time() - start

    stop = threading.Event()
    rewrites = [0]

    def rewrite():
        n = 0
        while not stop.wait(args.every):
            n += 1
            # The whole file is written again in place, as an exporter does, one title changed.
            with open(bib, "w", encoding="utf-8") as f:
                f.write(original.replace("title = {", "title = {Rewrite %d " % n, 1))
            rewrites[0] = n

    threading.Thread(target=rewrite, daemon=True).start()
    latencies, empty, late = [], 0, 0
    prefixes = ["s", "sm", "smi", "2019", "co", "heal", "j", "jo"]
    end = time.time() + args.seconds
    i = 0
    while time.time() < end:
        text = "See [@" + prefixes[i % len(prefixes)]
        i += 1
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": i + 1}, "contentChanges": [{"text": text}]})
        t = time.time()
        r = server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}}, timeout=5)
        dt = (time.time() - t) * 1000
        if r is None:
            late += 1
        else:
            latencies.append(dt)
            if not (r.get("result") and r["result"]["items"]):
                empty += 1
        time.sleep(0.1)
    stop.set()
    with open(bib, "w", encoding="utf-8") as f:
        f.write(original)
    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=10)
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    reindexes = sum("re-indexed" in line for line in server.stderr_lines)
    print(f"ready after {ready:.2f} s; {rewrites[0]} rewrites of {len(original) / 1e6:.1f} MB in {args.seconds:.0f} s; "
          f"{reindexes} re-indexes logged")
    print(f"completion: {len(latencies)} answered, p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {latencies[-1]:.1f} ms; "
          f"{empty} empty, {late} not answered within 5 s")
    for line in server.stderr_lines[-3:]:
        print("  server:", line.rstrip())


if __name__ == "__main__":
    main()
