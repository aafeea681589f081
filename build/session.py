"""One recorded editing session of a refls server, for `build/collect-symbol-order.sh`.

Usage: python3 build/session.py [--open-only] ROOT DOC -- COMMAND...

Starts COMMAND (the server, usually under valgrind) in ROOT, a corpus made by
`../shared/tools/gen_corpus.py`, with `refs.bib` as its corpus, opens DOC (`paper-500.tex` or
`paper-500.md`) and does what a writer does: waits for the diagnostics, hovers, jumps and
completes at twenty citations, resolves a completion item, types unknown keys and waits for
their diagnostics, asks for symbols and code actions, then shuts the server down. The point is
to run the code a session runs, not to time it. With `--open-only` it stops once the document's
diagnostics and one hover have answered: the start-up alone, whose functions
`callgrind_functions.py --startup` tells apart from those the requests run. Standard library only.
"""
import json
import os
import re
import queue
import subprocess
import sys
import threading


def main():
    args = sys.argv[1:sys.argv.index("--")]
    open_only = "--open-only" in args
    root, doc_name = [arg for arg in args if arg != "--open-only"]
    command = sys.argv[sys.argv.index("--") + 1:]
    # The start-up lasts until the server's log says the corpus's background work is done.
    env = dict(os.environ, REFLS_LOG="refls=debug")
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=root, env=env)
    log = queue.Queue()
    threading.Thread(target=lambda: [log.put(line.decode("utf-8", "replace")) for line in server.stderr],
                     daemon=True).start()

    def send(message):
        body = json.dumps(message).encode()
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()

    def receive():
        headers = {}
        while True:
            line = server.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, value = line.split(b":", 1)
            headers[name.lower()] = value.strip()
        return json.loads(server.stdout.read(int(headers[b"content-length"])))

    next_id = [0]

    def request(method, params):
        next_id[0] += 1
        send({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params})
        while True:
            message = receive()
            if message.get("id") == next_id[0] and "method" not in message:
                return message.get("result")

    def diagnostics(uri, version=None):
        while True:
            message = receive()
            params = message.get("params") or {}
            if message.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri \
                    and (version is None or params.get("version") == version):
                return

    root_uri = "file://" + os.path.abspath(root)
    capabilities = {"textDocument": {"hover": {"contentFormat": ["markdown"]},
                                     "completion": {"completionItem": {"snippetSupport": True}}}}
    request("initialize", {"processId": None, "rootUri": root_uri, "capabilities": capabilities,
                           "initializationOptions": {"corpus": ["refs.bib"]}})
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    uri = root_uri + "/" + doc_name
    text = open(os.path.join(root, doc_name), encoding="utf-8").read()
    language = "latex" if doc_name.endswith(".tex") else "markdown"
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}})
    diagnostics(uri)

    key = r"\\cite[tp]?\{([^},]+)" if language == "latex" else r"@([A-Za-z][\w:.-]+)"
    sites = [(n, m.start(1)) for n, line in enumerate(text.split("\n")) for m in re.finditer(key, line)][:20]
    document = {"uri": uri}
    # The start-up ends once one hover answered (it waits for the index) and the corpus's
    # background work is done: the abstracts' words and, on a cold start with a cache, the
    # snapshot it stores. Whole sessions wait too, so that their start-up is the same work as
    # an `--open-only` one (a session that ended before its snapshot was stored made the next
    # warm one build the index again, and the index's functions looked like the requests').
    line, column = sites[0]
    request("textDocument/hover", {"textDocument": document, "position": {"line": line, "character": column + 2}})
    caching = os.environ.get("REFLS_CACHE_DIR", "off") != "off"
    searchable = from_snapshot = stored = False
    while not (searchable and (stored or from_snapshot or not caching)):
        entry = log.get(timeout=600)
        searchable |= "abstracts left in their files searchable" in entry
        from_snapshot |= "corpus taken from its snapshot" in entry
        stored |= "snapshot of" in entry or "snapshot not stored" in entry
    if not open_only:
        for line, column in sites:
            at = {"textDocument": document, "position": {"line": line, "character": column + 2}}
            request("textDocument/hover", at)
            request("textDocument/definition", at)
            result = request("textDocument/completion", at)
            items = result.get("items", []) if isinstance(result, dict) else (result or [])
            if items:
                request("completionItem/resolve", items[0])
        version = 1
        for line, column in sites[:8]:
            version += 1
            start = {"line": line, "character": column}
            send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                  "params": {"textDocument": {"uri": uri, "version": version},
                             "contentChanges": [{"range": {"start": start, "end": start},
                                                 "text": "zzunknown2020, "}]}})
            diagnostics(uri, version)
            request("textDocument/completion",
                    {"textDocument": document, "position": {"line": line, "character": column + 3}})
        request("textDocument/documentSymbol", {"textDocument": document})
        line, column = sites[0]
        request("textDocument/codeAction", {"textDocument": document, "context": {"diagnostics": []},
                                            "range": {"start": {"line": line, "character": column},
                                                      "end": {"line": line, "character": column + 3}}})
    request("shutdown", None)
    send({"jsonrpc": "2.0", "method": "exit"})
    server.wait(timeout=120)


if __name__ == "__main__":
    main()
