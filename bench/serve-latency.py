#!/usr/bin/env python3
"""Save-to-served latency of `trustpress serve`: edit one policy, time until the reload event
arrives and until the rebuilt page (with the edit) is served. Median of several edits.

usage: bench/serve-latency.py TRUSTPRESS_BINARY SITE_DIR [POLICY_FILE] [EDITS]
  POLICY_FILE is relative to SITE_DIR (default: policies/policy-00010.md, from gen-site).
"""
import os, re, socket, statistics, subprocess, sys, time, urllib.request

binary, site = sys.argv[1], sys.argv[2]
rel = sys.argv[3] if len(sys.argv) > 3 else "policies/policy-00010.md"
edits = int(sys.argv[4]) if len(sys.argv) > 4 else 9
policy = os.path.join(site, rel)
page = "/policies/" + os.path.splitext(os.path.basename(rel))[0] + "/"
original = open(policy).read()
TIMEOUT = 30  # seconds for one edit to be served, after which the run fails

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
    # Keep draining serve's output (a full pipe would block it); keep it for a failure report.
    log = []
    import threading
    threading.Thread(target=lambda: [log.append(l) for l in proc.stdout], daemon=True).start()
    events = socket.create_connection((host, int(port)), timeout=10)
    events.sendall(f"GET /__trustpress/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    buf = b""

    def wait_for(needle, deadline=None):
        global buf
        while needle not in buf:
            # The stream's keep-alive comments would otherwise keep a wait for an event that
            # never comes going for ever.
            if deadline and time.time() > deadline:
                sys.exit(f"no rebuilt page with the edit within {TIMEOUT} s; serve said:\n"
                         + "".join(log[-20:]))
            try:
                chunk = events.recv(4096)
            except socket.timeout:
                continue
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
        # Save as most editors do: a temporary file renamed over the policy, so the server
        # never reads a half-written file.
        with open(policy + ".tmp", "w") as f:
            f.write(original + f"\n{marker}\n")
        os.replace(policy + ".tmp", policy)
        t1 = None
        deadline = time.time() + TIMEOUT
        while True:
            wait_for(b"event: reload", deadline)
            t1 = t1 or time.perf_counter()
            body = urllib.request.urlopen(base + page).read().decode()
            if marker in body:
                break
        t2 = time.perf_counter()
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
