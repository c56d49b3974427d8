#!/usr/bin/env bash
# Installs the Debian packages Threadline needs but pip cannot provide: the
# browser for browser tests, CJK fonts and HarfBuzz's subsetter for PDFs,
# poppler for reading PDFs back in tests, and PostgreSQL's client programs (pg_dump
# and pg_restore, for `threadline backup` and `restore`). Runs apt only for what is missing.
set -euo pipefail

needed=(chromium fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
    postgresql-client)
missing=()
for package in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
