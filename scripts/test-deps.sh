#!/usr/bin/env bash
# Installs what the test suite drives besides Rust, and only what is missing:
# - Chromium and ChromeDriver (Debian packages) for the web workbench's browser tests;
# - DuckDB (Python) for the analytics cross-check against an independent SQL implementation;
# - Segment's Python client library for the collector's end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  echo "installing ${missing[*]} (Debian packages) for the browser tests" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r scripts/test-requirements.txt
