#!/usr/bin/env python3
"""Memory of one large open document (issue 10, fault 12).

Starts `refls` over stdio in an empty temporary workspace (the embedded seed corpus), opens one
generated Markdown file of about 50 MB (prose, a citation every few lines, bare DOIs), waits for
its diagnostics, then reads the server's peak (VmHWM) and current (VmRSS) resident memory from
/proc, before the open and after it. Linux only; standard library only.

    python3 benches/memory.py target/release/refls [--mb 50]
"""
import argparse, json, os, subprocess, sys, tempfile, threading, time


def rss(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                fields[name] = int(value.split()[0]) / 1024
    return fields


def manuscript(mb):
    paragraph = (
        "Tenants described how repairs were shared between landlords and neighbours [@ikhile2023virtuous]. "
        "Other studies disagree [@buckley2022multistakeholder; @nosuchkey2020], see also 10.1111/hex.13851.\n\n"
    )
    count = mb * 1024 * 1024 // len(paragraph)
    return "# Notes\n\n" + paragraph * count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    root = tempfile.mkdtemp()
    proc = subprocess.Popen([os.path.abspath(args.server)], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    published = threading.Event()
    answered = {}

    def read():
        out = proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.strip() == b"":
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(out.read(length))
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"].endswith("big.md"):
                published.set()
            if "id" in message and "method" not in message:
                answered[message["id"]] = message

    threading.Thread(target=read, daemon=True).start()

    def send(message):
        body = json.dumps(message).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": f"file://{root}", "capabilities": {}}})
    while 1 not in answered:
        time.sleep(0.05)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    time.sleep(2)
    before = rss(proc.pid)
    text = manuscript(args.mb)
    start = time.time()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": f"file://{root}/big.md", "languageId": "markdown", "version": 1, "text": text}}})
    size = len(text.encode()) / 1024 / 1024
    del text
    if not published.wait(600):
        sys.exit("no diagnostics within 10 minutes")
    seconds = time.time() - start
    time.sleep(2)
    after = rss(proc.pid)
    print(f"document {size:.1f} MB; diagnostics after {seconds:.1f} s")
    print(f"before open: peak {before['VmHWM']:.0f} MB, resident {before['VmRSS']:.0f} MB")
    print(f"after open:  peak {after['VmHWM']:.0f} MB, resident {after['VmRSS']:.0f} MB")
    print(f"document cost: peak {after['VmHWM'] - before['VmRSS']:.0f} MB ({(after['VmHWM'] - before['VmRSS']) / size:.1f}x), "
          f"retained {after['VmRSS'] - before['VmRSS']:.0f} MB ({(after['VmRSS'] - before['VmRSS']) / size:.1f}x)")
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    send({"jsonrpc": "2.0", "method": "exit"})
    proc.wait(30)


main()
