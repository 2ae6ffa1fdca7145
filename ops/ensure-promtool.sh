#!/usr/bin/env bash
# Best effort: make promtool available for the Prometheus config checks without starting a
# Prometheus server. Extracts the binary from Debian's package into .cache/promtool; when that is
# not possible the checks are skipped with a visible reason.
set -uo pipefail
dest=.cache/promtool
if command -v promtool >/dev/null 2>&1 || [ -x "$dest/usr/bin/promtool" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "promtool: no apt-get/dpkg-deb here; the promtool checks will be skipped"
  exit 0
fi
mkdir -p .cache/debs "$dest"
(
  cd .cache/debs &&
    { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; }
) && dpkg-deb -x .cache/debs/prometheus_*.deb "$dest" && echo "promtool: extracted to $dest" && exit 0
echo "promtool: could not fetch Debian's prometheus package; the promtool checks will be skipped"
exit 0
