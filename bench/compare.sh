#!/usr/bin/env bash
# trustpress vs Hugo on the same content, in one session, on this machine.
#
#   bench/compare.sh            # N = 1,000 and 10,000, 5 alternating clean builds each
#   RUNS=3 SIZES="1000" bench/compare.sh
#
# Prints, per N: median wall time, pages per second and peak RSS (from /usr/bin/time -v) for
# trustpress and Hugo, and the ratio Hugo/trustpress; then, at N = 1,000, the time from saving
# one policy to the rebuilt page being served by `trustpress serve` (median of several edits).
# Hugo comes from Debian's `hugo` package (apt-get install -y hugo); without it, the Hugo
# columns are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZES=${SIZES:-"1000 10000"}
WORK=${WORK:-$(mktemp -d /tmp/trustpress-bench.XXXXXX)}
TODAY=2026-11-30

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)"; exit 1; }
echo "== building trustpress (release)"
cargo build --release --quiet --bin trustpress --example gen-site
TP=target/release/trustpress
GEN=target/release/examples/gen-site
HUGO=$(command -v hugo || true)
[ -n "$HUGO" ] || echo "hugo is not installed (apt-get install -y hugo): Hugo columns are skipped"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "trustpress $($TP --version | cut -d' ' -f2); ${HUGO:+$($HUGO version | cut -d' ' -f1-2)}"
echo "work folder: $WORK"

# measure LABEL OUT_DIR COMMAND... → appends "label wall_seconds max_rss_kib pages" to $WORK/times
measure() {
  local label=$1 out=$2; shift 2
  rm -rf "$out"
  # Flush the previous run's writes and deletions first, so no run pays for another's.
  sync
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt"; exit 1; }
  local wall rss pages
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  pages=$(find "$out" -name '*.html' | wc -l)
  echo "$label $wall $rss $pages" >> "$WORK/times"
}

for N in $SIZES; do
  site="$WORK/site-$N" hugo_site="$WORK/hugo-$N"
  echo "== N = $N: generating"
  rm -rf "$site" "$hugo_site"
  $GEN --policies "$N" "$site" --hugo "$hugo_site" >/dev/null
  : > "$WORK/times"
  for r in $(seq "$RUNS"); do
    measure "trustpress-$N" "$WORK/out-tp-$N" $TP build "$site" --audience internal --today $TODAY --out "$WORK/out-tp-$N"
    if [ -n "$HUGO" ]; then
      measure "hugo-$N" "$WORK/out-hugo-$N" "$HUGO" --quiet -s "$hugo_site" -d "$WORK/out-hugo-$N"
    fi
  done
  cp "$WORK/times" "$WORK/times-$N"
done

python3 - "$WORK" $SIZES <<'PY'
import statistics, sys
work, sizes = sys.argv[1], sys.argv[2:]
print()
print(f"{'N':>6} {'tool':<11} {'median s':>9} {'pages':>7} {'pages/s':>9} {'peak RSS MiB':>13}")
summary = {}
for n in sizes:
    rows = {}
    for line in open(f"{work}/times-{n}"):
        label, wall, rss, pages = line.split()
        rows.setdefault(label.split('-')[0], []).append((float(wall), int(rss), int(pages)))
    for tool, runs in rows.items():
        wall = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs) / 1024
        pages = runs[0][2]
        pps = pages / wall if wall > 0 else float('inf')
        summary[(n, tool)] = (wall, pps, rss)
        print(f"{n:>6} {tool:<11} {wall:>9.3f} {pages:>7} {pps:>9.0f} {rss:>13.1f}")
    if ('hugo' in rows) and ('trustpress' in rows):
        tw, tpps, trss = summary[(n, 'trustpress')]
        hw, hpps, hrss = summary[(n, 'hugo')]
        print(f"{n:>6} {'ratio':<11} Hugo/trustpress: wall {hw/tw:.2f}x, pages/s {tpps/hpps:.2f}x in trustpress's favour, peak RSS {hrss/trss:.2f}x")
if len(sizes) >= 2:
    a, b = sizes[0], sizes[-1]
    ta, tb = summary[(a, 'trustpress')][0], summary[(b, 'trustpress')][0]
    print(f"growth: {int(b)//int(a)}x the policies took {tb/ta:.1f}x the time")
PY

if [ -x bench/serve-latency.py ] && $TP serve --help >/dev/null 2>&1; then
  echo
  echo "== serve: save-to-served latency at N = 1000"
  site="$WORK/site-1000"
  [ -d "$site" ] || $GEN --policies 1000 "$site" >/dev/null
  python3 bench/serve-latency.py "$TP" "$site"
fi
