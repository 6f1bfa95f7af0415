#!/usr/bin/env python3
"""Save-to-served latency of `trustpress serve`: edit one policy, time until the reload event
arrives and until the rebuilt page (with the edit) is served. Median of several edits.

usage: bench/serve-latency.py TRUSTPRESS_BINARY SITE_DIR [EDITS]
"""
import os, re, socket, statistics, subprocess, sys, time, urllib.request

binary, site = sys.argv[1], sys.argv[2]
edits = int(sys.argv[3]) if len(sys.argv) > 3 else 9
policy = os.path.join(site, "policies", "policy-00010.md")
page = "/policies/policy-00010/"
original = open(policy).read()

proc = subprocess.Popen([binary, "serve", site, "--port", "0", "--audience", "internal"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    base = None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"serving (http://[^/\s]+)/", line)
        if m:
            base = m.group(1)
            break
    if not base:
        sys.exit("serve did not start")
    host, port = base[len("http://"):].rsplit(":", 1)
    events = socket.create_connection((host, int(port)), timeout=10)
    events.sendall(f"GET /__trustpress/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    buf = b""

    def wait_for(needle):
        global buf
        while needle not in buf:
            chunk = events.recv(4096)
            if not chunk:
                sys.exit("event stream closed")
            buf += chunk
        buf = buf[buf.index(needle) + len(needle):]

    wait_for(b"event: hello")
    urllib.request.urlopen(base + page).read()  # warm: the first request renders the page
    to_event, to_page = [], []
    for k in range(edits):
        marker = f"latency-marker-{k}-{time.time_ns()}"
        t0 = time.perf_counter()
        with open(policy, "w") as f:
            f.write(original + f"\n{marker}\n")
        wait_for(b"event: reload")
        t1 = time.perf_counter()
        body = urllib.request.urlopen(base + page).read().decode()
        t2 = time.perf_counter()
        if marker not in body:
            sys.exit(f"edit {k}: the served page does not have the edit")
        to_event.append((t1 - t0) * 1000)
        to_page.append((t2 - t0) * 1000)
        time.sleep(0.3)
    print(f"serve, {edits} edits of one policy: save → reload event median {statistics.median(to_event):.0f} ms "
          f"(min {min(to_event):.0f}, max {max(to_event):.0f}); save → rebuilt page served median "
          f"{statistics.median(to_page):.0f} ms (min {min(to_page):.0f}, max {max(to_page):.0f})")
finally:
    proc.kill()
    with open(policy, "w") as f:
        f.write(original)
