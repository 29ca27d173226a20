#!/usr/bin/env bash
# Debian packages the tests use beyond Python's: docker-compose (checks the compose file
# offline; no engine needed), chromium (the browser tests in tests/ui drive it through
# Playwright, which cannot download its own browser here) and nginx (tests/security runs its
# binary with deploy/nginx.conf in front of the gateway), nodejs and npm (tests/web under Node's
# test runner; npm installs axe-core, which tests/ui injects into pages).
# Installed when missing and this runs as root with apt-get.
set -uo pipefail
wanted=(docker-compose chromium nginx nodejs)
missing=()
for package in "${wanted[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# npm comes with some builds of nodejs (NodeSource's) and as a package of its own in Debian's.
command -v npm >/dev/null || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "note: ${missing[*]} not installed (needs root and apt-get); the tests that use them are skipped" >&2
  exit 0
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "note: could not install ${missing[*]}; the tests that use them are skipped" >&2
