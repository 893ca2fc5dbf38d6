#!/usr/bin/env bash
# Import benchmark: a 2,000,000-row event CSV into a polku workspace (`polku import events`)
# against DuckDB's `COPY (SELECT * FROM read_csv_auto(...)) TO ... (FORMAT parquet)` on the
# same file, on the same machine, in the same run. Prints a Markdown table: wall-clock and CPU
# (user + system) seconds, and peak memory. On a busy machine the CPU seconds vary less.
#
#   bench/import/run.sh            # 157 000 customers ≈ 1.95 M rows, 3 runs each
#   CUSTOMERS=20000 RUNS=1 bench/import/run.sh
#   CSV=events.csv bench/import/run.sh   # an existing file instead of a generated one
set -euo pipefail
cd "$(dirname "$0")/../.."
CUSTOMERS=${CUSTOMERS:-157000}
RUNS=${RUNS:-3}
POLKU=${POLKU:-target/release/polku}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 -c 'import duckdb' 2>/dev/null || pip install --quiet duckdb
if [ "$POLKU" = target/release/polku ]; then cargo build --release --quiet -p polku-cli; fi

if [ -n "${CSV:-}" ]; then
  ln -s "$(realpath "$CSV")" "$WORK/events.csv"
else
  "$POLKU" generate --customers "$CUSTOMERS" --seed 42 --out "$WORK/events.csv" > /dev/null
fi
rows=$(($(wc -l < "$WORK/events.csv") - 1))
bytes=$(stat -L -c %s "$WORK/events.csv")

measure() { # command... → "seconds cpu_seconds peak_kib"; the command's output goes to $WORK/out
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" > "$WORK/out"
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$WORK/time"
}

# "seconds" is the whole process for both. DuckDB's process also starts Python and loads the
# duckdb module (about 0.3 s); its query alone is in the last column.
echo "| run | tool | seconds | CPU seconds | peak memory (MiB) | DuckDB's query alone (s) |"
echo "|---|---|---|---|---|---|"
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/ws" && mkdir "$WORK/ws" && printf 'name: Bench\nstages: []\n' > "$WORK/ws/polku.yaml"
  read -r s cpu kib < <(measure "$POLKU" -w "$WORK/ws" import events "$WORK/events.csv")
  echo "| $run | polku import events | $s | $cpu | $((kib / 1024)) | |"
  rm -f "$WORK/duck.parquet"
  read -r s cpu kib < <(measure python3 bench/import/duckdb_import.py "$WORK/events.csv" "$WORK/duck.parquet")
  echo "| $run | DuckDB read_csv_auto → Parquet | $s | $cpu | $((kib / 1024)) | $(cat "$WORK/out") |"
done
echo
echo "$rows rows, $((bytes / 1024 / 1024)) MiB of CSV; $(nproc) cores; $(python3 -c 'import duckdb; print("DuckDB", duckdb.__version__)')"
