#!/usr/bin/env bash
# Regenerates docs/posters/*.png: every map of the bundled examples as a poster, in English,
# the current-vs-future pictures, and the Finnish B2B poster.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p polku-cli --locked
polku=target/release/polku
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=docs/posters
mkdir -p "$out"
width=2000
for template in b2b b2c; do
  for lang in en fi; do
    "$polku" init "$work/$template-$lang" --template "$template" --lang "$lang" 2>/dev/null
  done
  ws="$work/$template-en"
  for map in $("$polku" -w "$ws" ls --format json | python3 -c 'import json,sys; print(" ".join(m["id"] for m in json.load(sys.stdin)["maps"]))'); do
    "$polku" -w "$ws" render "$map" --width "$width" --out "$out/$template-$map.png"
  done
  "$polku" -w "$ws" ls --format json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["maps"]:
    if m["kind"] == "future":
        print(m["id"])' | while read -r future; do
    current=$(grep '^improves:' "$ws/maps/$future.yaml" | cut -d' ' -f2)
    "$polku" -w "$ws" diff "$current" "$future" --width "$width" --out "$out/$template-$current-vs-$future.png" >/dev/null
  done
done
"$polku" -w "$work/b2b-fi" render hr-hanna-current --width "$width" --out "$out/b2b-fi-hr-hanna-current.png"
# Palette quantisation keeps the pictures sharp at a sixth of the size (Debian: pngquant).
if command -v pngquant >/dev/null; then
  pngquant --quality 80-95 --speed 1 --force --ext .png "$out"/*.png
fi
