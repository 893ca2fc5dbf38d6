#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the main pages of the web workbench (overview, personas,
# map, map editor, current vs future, dashboards) in headless Chromium, over the bundled B2B
# example with a deterministic set of imported journeys.
# Needs chromium and chromium-driver (Debian packages); pngquant shrinks the files if present.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screenshots"
mkdir -p "$out"
POLKU_SCREENSHOTS="$out" cargo test -p polku-server --locked --test browser -- --ignored --exact screenshots
if command -v pngquant >/dev/null; then
  pngquant --force --skip-if-larger --strip --quality 65-90 --ext .png "$out"/*.png || true
fi
ls -l "$out"
