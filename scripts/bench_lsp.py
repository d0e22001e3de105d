#!/usr/bin/env python3
"""Re-check latency of `tmkit lsp`, measured as an editor sees it.

Drives the real binary over stdio (Content-Length framed JSON-RPC): opens
each file of each bundled example, then sends RUNS changes to it, one at a
time, and times each from the didChange written to the publishDiagnostics of
that file read back (the server's quiet window of 30 ms included). Prints the
median, 95th percentile and maximum per file, in milliseconds.

    cargo build --release -p tmkit
    python3 scripts/bench_lsp.py target/release/tmkit [RUNS] [MORE_FILES...]

MORE_FILES (absolute paths) are measured after the bundled examples, e.g. a
component file of a model written by `gen_model`.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/tmkit")
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 50
FILES = [
    "examples/reference/threatmodel.yaml",
    "examples/composed/threatmodel.yaml",
    "examples/composed/login/threatmodel.yaml",
    "examples/composed/payments/threatmodel.yaml",
] + sys.argv[3:]


class Client:
    def __init__(self):
        self.p = subprocess.Popen([BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = 0
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("tmkit lsp closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        self.id += 1
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == self.id:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics_for(self, uri):
        while True:
            m = self.read()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]


def main():
    c = Client()
    c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    c.notify("initialized", {})
    print(f"| file | runs | median | p95 | max |")
    print(f"|---|---:|---:|---:|---:|")
    for rel in FILES:
        path = os.path.realpath(os.path.join(ROOT, rel))
        uri = "file://" + path
        text = open(path, encoding="utf-8").read()
        c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        c.diagnostics_for(uri)
        times = []
        for i in range(RUNS):
            # Alternate between the file and the file with a comment added,
            # so each change is a real one.
            t = text + f"# edit {i}\n"
            start = time.perf_counter()
            c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": t}]})
            c.diagnostics_for(uri)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        shown = rel if not os.path.isabs(rel) else os.path.basename(os.path.dirname(rel)) + "/" + os.path.basename(rel)
        print(f"| {shown} | {RUNS} | {statistics.median(times):.1f} ms | {p95:.1f} ms | {times[-1]:.1f} ms |")
    c.request("shutdown", None)
    c.notify("exit", None)
    c.p.wait(timeout=10)


if __name__ == "__main__":
    main()
