#!/usr/bin/env bash
# The funnel benchmark: an ordered 5-step funnel over generated events, polku (DataFusion)
# against DuckDB SQL on the same Parquet files, in the same run.
#
#   bench/funnel/run.sh [EVENTS...]      default: 10000000 100000000
#
# Needs python3 with duckdb (pip install duckdb) and GNU time (/usr/bin/time) for peak memory.
# Data goes to bench/funnel/out/ (BENCH_DIR to change); each size is removed after its run
# unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000000 100000000)
out="${BENCH_DIR:-bench/funnel/out}"
steps="page_view,view_item,add_to_cart,begin_checkout,purchase"
window="${WINDOW:-7d}"
window_us=$((7 * 24 * 3600 * 1000000))
case "$window" in
  none) window_us=-1 ;;
  7d) ;;
  *) echo "WINDOW is 7d or none" >&2; exit 2 ;;
esac
cargo build --release --locked -p polku-engine --example funnel_bench
bin=target/release/examples/funnel_bench
mkdir -p "$out"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "duckdb $(python3 -c 'import duckdb; print(duckdb.__version__)')"
for n in "${sizes[@]}"; do
  dir="$out/events-$n"
  if [ ! -d "$dir/events" ]; then
    /usr/bin/time -f "generate: %e s" "$bin" generate "$dir" "$n" 1
  fi
  echo "== $n events, $(du -sh "$dir/events" | cut -f1) of Parquet, window $window"
  for round in $(seq 1 "${ROUNDS:-2}"); do
    /usr/bin/time -f "polku  round $round: peak %M KiB, wall %e s" \
      "$bin" run "$dir" "$steps" $([ "$window" = none ] || echo "$window") > "$out/polku-$n.json"
    /usr/bin/time -f "duckdb round $round: peak %M KiB, wall %e s" \
      python3 crates/polku-engine/tests/data/journey/duckdb_funnel.py "$dir/events" "$steps" ordered "$window_us" > "$out/duckdb-$n.json"
    python3 - "$out/polku-$n.json" "$out/duckdb-$n.json" <<'PY'
import json, sys
p, d = (json.load(open(f)) for f in sys.argv[1:3])
same = [a["count"] for a in p["steps"]] == [b["count"] for b in d["steps"]]
print(f"   polku {p['seconds']:.2f} s, duckdb query {d['seconds']:.2f} s, "
      f"ratio {p['seconds'] / d['seconds']:.2f}, counts agree: {same}")
print("   counts:", [a["count"] for a in p["steps"]])
PY
  done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
done
