#!/usr/bin/env bash
# Installs what the tests and benchmarks need: Debian packages listed in scripts/test-deps/*.apt and npm packages
# listed in scripts/test-deps/*.npm (into .cache/test-npm, outside the project's own dependencies).
# Idempotent and quiet when everything is there. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t apt_wanted < <(cat scripts/test-deps/*.apt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for pkg in "${apt_wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq -o Acquire::Retries=3
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends "${missing[@]}" >/dev/null
fi

mapfile -t npm_wanted < <(cat scripts/test-deps/*.npm 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
if ((${#npm_wanted[@]})); then
  mkdir -p .cache/test-npm
  [ -f .cache/test-npm/package.json ] || echo '{"name":"tandem-test-deps","private":true}' > .cache/test-npm/package.json
  need=()
  for spec in "${npm_wanted[@]}"; do
    name="${spec%@*}"; [ -z "$name" ] && name="$spec"
    [ -d ".cache/test-npm/node_modules/$name" ] || need+=("$spec")
  done
  if ((${#need[@]})); then
    echo "installing npm test packages: ${need[*]}"
    # --ignore-scripts: optional native parts (WebRTC) cannot be built or downloaded here; TCP paths need none.
    # Three attempts: a registry connection reset mid-body is not retried by npm itself, and fails a whole CI run.
    for attempt in 1 2 3; do
      npm install --prefix .cache/test-npm --ignore-scripts --no-audit --no-fund --loglevel=error "${need[@]}" >/dev/null && break
      [ "$attempt" -eq 3 ] && { echo "npm test packages could not be installed (three attempts): ${need[*]}" >&2; exit 1; }
      echo "npm install failed (attempt $attempt of 3); trying again in 10 s" >&2
      sleep 10
    done
  fi
fi
