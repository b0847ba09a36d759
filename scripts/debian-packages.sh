#!/usr/bin/env bash
# Install the named Debian packages that are missing. As root: apt-get install them. Otherwise: print the
# exact command to run and carry on with what is available (the dashboard says what each missing one costs).
set -uo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
command -v apt-get >/dev/null || { echo "Not a Debian system: install the equivalent of: ${missing[*]}" >&2; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages. To install them, run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  echo "Carrying on without them." >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
