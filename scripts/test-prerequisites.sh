#!/usr/bin/env bash
# The Debian packages the tests need (scripts/debian-test-packages.txt), checked before `npm test` (its
# pretest script) and by .ci/run. All installed: nothing to do, at once (no apt-get update). Some
# missing, as root with apt-get: installs them. Otherwise: prints the one command that installs them
# and exits 1, before any test runs. Not Debian (no dpkg-query): says so and lets the tests run.
set -euo pipefail
list="$(dirname "$0")/debian-test-packages.txt"
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "test prerequisites: not a Debian system (no dpkg-query); the tests expect Debian's ${packages[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

echo "npm test needs Debian packages that are not installed: ${missing[*]}. Install them with:" >&2
echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
