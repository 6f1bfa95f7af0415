#!/usr/bin/env bash
# trustpress vs Zola 0.21 vs Hugo on the same content, in one session, on this machine.
#
#   bench/compare.sh                       # everything: both generators, N = 1,000 and 10,000,
#                                          # N = 100,000 for trustpress alone, serve latency
#   RUNS=3 SIZES="1000" LARGE= bench/compare.sh   # a quick look
#
# Settings (environment):
#   RUNS=5            alternating runs per tool and size (median and range are reported)
#   SIZES="1000 10000"  sizes every tool builds
#   LARGE=100000      a size only trustpress builds (empty: skip); LARGE_RUNS=3
#   GENERATORS="gen-site corpus"   examples/gen-site.rs and the independent bench/gen-corpus.py
#   SERVE_SIZES="1000 10000"       sizes for the serve save → served latency (empty: skip)
#   ZOLA=/path/to/zola  Zola 0.21 (else `zola` on the PATH). Build it from the source of
#                     getzola/zola at tag v0.21.0: `cargo build --release --locked`.
#   HUGO=/path/to/hugo  Hugo (else `hugo` on the PATH; Debian: apt-get install -y hugo)
#   WORK=DIR          where corpora go (default: a fresh folder under /tmp)
#
# Every build writes into a fresh output folder on tmpfs (/dev/shm) when there is one, so no
# run pays for the previous run's deletions (see bench/README.md). Wall time and peak RSS come
# from /usr/bin/time -v. A peer that cannot be found is skipped with a message. One table is
# printed at the end; nothing here runs in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZES=${SIZES:-"1000 10000"}
LARGE=${LARGE-100000}
LARGE_RUNS=${LARGE_RUNS:-3}
GENERATORS=${GENERATORS:-"gen-site corpus"}
SERVE_SIZES=${SERVE_SIZES-"1000 10000"}
WORK=${WORK:-$(mktemp -d /tmp/trustpress-bench.XXXXXX)}
mkdir -p "$WORK"
TODAY=2026-11-30
if [ -d /dev/shm ] && [ -w /dev/shm ]; then OUTS=$(mktemp -d /dev/shm/trustpress-bench-out.XXXXXX); else OUTS="$WORK/out"; fi
mkdir -p "$OUTS"
trap 'rm -rf "$OUTS"' EXIT

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)"; exit 1; }
echo "== building trustpress (release)"
cargo build --release --quiet --bin trustpress --example gen-site
TP=$PWD/target/release/trustpress
GEN=$PWD/target/release/examples/gen-site
ZOLA=${ZOLA:-$(command -v zola || true)}
HUGO=${HUGO:-$(command -v hugo || true)}
if [ -n "$ZOLA" ] && ! "$ZOLA" --version 2>/dev/null | grep -q '0\.21\.'; then
  echo "note: $ZOLA is $("$ZOLA" --version 2>/dev/null), not Zola 0.21"
fi
[ -n "$ZOLA" ] || echo "zola is not installed (set ZOLA=, see the header): Zola rows are skipped"
[ -n "$HUGO" ] || echo "hugo is not installed (apt-get install -y hugo): Hugo rows are skipped"

{
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "trustpress $($TP --version | cut -d' ' -f2) ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))${ZOLA:+; $("$ZOLA" --version)}${HUGO:+; $("$HUGO" version | cut -d' ' -f1-2)}"
  echo "output on: $OUTS; runs: $RUNS (large: $LARGE_RUNS); date: $(date -u +%F)"
} | tee "$WORK/header"
: > "$WORK/times"

# measure GENERATOR N TOOL COMMAND... (the command writes into $out) → one line in $WORK/times:
# "generator n tool wall_seconds max_rss_kib pages" (wall "fail" when the command failed).
measure() {
  local gen=$1 n=$2 tool=$3; shift 3
  sync
  if /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt"; then
    local wall rss pages
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    pages=$(find "$out" -name '*.html' | wc -l)
    echo "$gen $n $tool $wall $rss $pages" >> "$WORK/times"
  else
    echo "  $tool at N = $n failed: $(grep -v '^\s*$' "$WORK/stderr.txt" | tail -3 | tr '\n' ' ')"
    echo "$gen $n $tool fail 0 0" >> "$WORK/times"
  fi
  rm -rf "$out"
}

generate() {
  local gen=$1 n=$2 site=$3
  rm -rf "$site"
  case $gen in
    gen-site) $GEN --policies "$n" "$site" >/dev/null ;;
    corpus) python3 bench/gen-corpus.py "$n" "$site" >/dev/null ;;
    *) echo "unknown generator $gen"; exit 2 ;;
  esac
}

for gen in $GENERATORS; do
  for N in $SIZES $LARGE; do
    site="$WORK/$gen-$N"
    echo "== $gen, N = $N: generating"
    generate "$gen" "$N" "$site"
    runs=$RUNS peers=1
    if [ "$N" = "$LARGE" ]; then runs=$LARGE_RUNS peers=0; fi
    if [ $peers = 1 ]; then
      python3 bench/peer-sites.py "$site" ${ZOLA:+--zola "$site-zola"} ${HUGO:+--hugo "$site-hugo"}
    fi
    for r in $(seq "$runs"); do
      echo "   run $r of $runs"
      out="$OUTS/tp-int"; measure "$gen" "$N" trustpress-internal $TP build "$site" --audience internal --today $TODAY --out "$out"
      if [ $peers = 1 ] && [ -n "$ZOLA" ]; then
        out="$OUTS/zola"; measure "$gen" "$N" zola "$ZOLA" --root "$site-zola" build --output-dir "$out"
      fi
      out="$OUTS/tp-pub"; measure "$gen" "$N" trustpress-public $TP build "$site" --audience public --today $TODAY --out "$out"
      if [ $peers = 1 ] && [ -n "$HUGO" ]; then
        out="$OUTS/hugo"; measure "$gen" "$N" hugo "$HUGO" --quiet -s "$site-hugo" -d "$out"
      fi
    done
    rm -rf "$site-zola" "$site-hugo"
  done
done

: > "$WORK/serve"
for N in $SERVE_SIZES; do
  site="$WORK/gen-site-$N"
  [ -d "$site" ] || generate gen-site "$N" "$site"
  echo "== serve: save → served latency, gen-site N = $N"
  for r in 1 2 3; do
    line=$(python3 bench/serve-latency.py "$TP" "$site")
    echo "   $line"
    echo "$N $line" >> "$WORK/serve"
  done
done

echo
cat "$WORK/header"
python3 bench/summary.py "$WORK/times" "$WORK/serve"
echo "(raw figures: $WORK/times, $WORK/serve)"
