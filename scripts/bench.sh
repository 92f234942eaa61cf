#!/usr/bin/env bash
# Whole-program timings: `portmatrix check FILE` against a libpcap record walk
# (`tcpdump -r FILE -w /dev/null`) and `capinfos -c FILE` on the same large
# synthetic capture, as classic pcap, pcapng and gzip-compressed pcap.
#
# Each round runs every command once on the same file, in a rotating order
# (the machine's speed drifts; alternating keeps the comparison fair), timed
# with /usr/bin/time. The report gives, per command, the median wall time,
# user+system time and peak RSS over the rounds, and the median of the
# per-round ratios portmatrix / tool.
#
# Settings (environment):
#   BENCH_DIR  where the captures go (default target/bench-data; not committed)
#   SIZE_MB    size of the generated capture in MiB (default 1100, > 1 GB)
#   RUNS       rounds per format (default 9)
#   FORMATS    any of "pcap pcapng gzip" (default all three)
#
# Needs Debian/Ubuntu packages tcpdump, wireshark-common (capinfos), time and
# gzip; they are installed with apt-get when missing (root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DIR=${BENCH_DIR:-target/bench-data}
SIZE_MB=${SIZE_MB:-1100}
RUNS=${RUNS:-9}
FORMATS=${FORMATS:-"pcap pcapng gzip"}

scripts/deps.sh tcpdump wireshark-common time gzip

cargo build --release -q -p portmatrix -p portmatrix-benches
PORTMATRIX=$PWD/target/release/portmatrix
GENCAP=$PWD/target/release/gencap

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
base="$BENCH_DIR/synthetic-${SIZE_MB}mb"

# The generator is deterministic: an existing file of the same settings is reused.
for fmt in $FORMATS; do
  case $fmt in
    pcap | gzip)
      [ -s "$base.pcap" ] || "$GENCAP" "$base.pcap" --size-mb "$SIZE_MB" --format pcap
      ;;
    pcapng)
      [ -s "$base.pcapng" ] || "$GENCAP" "$base.pcapng" --size-mb "$SIZE_MB" --format pcapng
      ;;
    *)
      echo "bench.sh: unknown format $fmt (pcap, pcapng or gzip)" >&2
      exit 2
      ;;
  esac
done
case " $FORMATS " in
  *" gzip "*) [ -s "$base.pcap.gz" ] || gzip -1 -c "$base.pcap" >"$base.pcap.gz" ;;
esac

file_of() {
  case $1 in
    pcap) echo "$base.pcap" ;;
    pcapng) echo "$base.pcapng" ;;
    gzip) echo "$base.pcap.gz" ;;
  esac
}

# The command line of tool $1 on file $2 (run by sh -c).
command_of() {
  local q
  q=$(printf %q "$2")
  case $1 in
    portmatrix) echo "exec $(printf %q "$PORTMATRIX") check $q" ;;
    tcpdump)
      # libpcap does not read gzip: decompress into a pipe, as a user would.
      case $2 in
        *.gz) echo "gzip -dc $q | tcpdump -r - -w /dev/null" ;;
        *) echo "exec tcpdump -r $q -w /dev/null" ;;
      esac
      ;;
    capinfos) echo "exec capinfos -c $q" ;;
  esac
}

tools=(portmatrix tcpdump capinfos)
results="$BENCH_DIR/results-$(date +%Y%m%d-%H%M%S).tsv"
timing=$(mktemp)
trap 'rm -f "$timing"' EXIT
printf 'format\tround\ttool\twall_s\tuser_s\tsys_s\tpeak_kib\n' >"$results"

for fmt in $FORMATS; do
  file=$(file_of "$fmt")
  echo "== $fmt: $file ($(stat -c %s "$file") bytes)"
  capinfos -M -c "$file" | sed -n 's/^Number of packets: */   packets: /p'
  # Read it once so every command finds it in the page cache.
  cat "$file" >/dev/null
  for round in $(seq 1 "$RUNS"); do
    n=${#tools[@]}
    for i in $(seq 0 $((n - 1))); do
      tool=${tools[$(((round + i) % n))]}
      # portmatrix exits 1 when it has findings; only its timing matters here.
      /usr/bin/time -f '%e %U %S %M' -o "$timing" \
        sh -c "$(command_of "$tool" "$file")" >/dev/null 2>&1 || true
      read -r wall user sys peak < <(tail -n 1 "$timing")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$fmt" "$round" "$tool" "$wall" "$user" "$sys" "$peak" >>"$results"
    done
  done
done

echo
echo "medians of $RUNS alternated rounds (ratio = portmatrix / tool, median of per-round ratios)"
awk -F'\t' '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) {            # insertion sort, n is small
      t = a[i] + 0
      for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
      a[j + 1] = t
    }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR == 1 { next }
  {
    k = $1 SUBSEP $3
    wall[k] = wall[k] " " $4; cpu[k] = cpu[k] " " ($5 + $6); rss[k] = rss[k] " " $7
    w[$1, $2, $3] = $4; c[$1, $2, $3] = $5 + $6
    if (!($1 in seen)) { seen[$1] = 1; order[++nf] = $1 }
    if (!(($1, $2) in seenr)) { seenr[$1, $2] = 1; rounds[$1] = rounds[$1] " " $2 }
  }
  END {
    printf "%-8s %-11s %8s %8s %9s %11s %10s\n", "format", "command", "wall s", "cpu s", "peak MiB", "wall ratio", "cpu ratio"
    for (f = 1; f <= nf; f++) {
      fmt = order[f]
      split("portmatrix tcpdump capinfos", tl, " ")
      for (t = 1; t <= 3; t++) {
        tool = tl[t]; k = fmt SUBSEP tool
        if (!(k in wall)) continue
        wr = ""; cr = ""
        if (tool != "portmatrix") {
          nr = split(rounds[fmt], rs, " ")
          for (r = 1; r <= nr; r++) {
            a = w[fmt, rs[r], "portmatrix"]; b = w[fmt, rs[r], tool]
            if (b > 0) wr = wr " " a / b
            a = c[fmt, rs[r], "portmatrix"]; b = c[fmt, rs[r], tool]
            if (b > 0) cr = cr " " a / b
          }
        }
        printf "%-8s %-11s %8.3f %8.3f %9.1f %11s %10s\n", fmt, tool, median(wall[k]), median(cpu[k]),
          median(rss[k]) / 1024, wr == "" ? "" : sprintf("%.2f", median(wr)), cr == "" ? "" : sprintf("%.2f", median(cr))
      }
    }
  }' "$results"
echo
echo "raw timings: $results"
