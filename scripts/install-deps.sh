#!/usr/bin/env bash
# Installs every Debian package that building, testing and fuzzing ecoute need.
# Idempotent: running it again changes nothing once everything is there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev clang-format clang-tidy
  libgtest-dev libgmock-dev libbenchmark-dev
  libcld2-dev libutf8proc-dev
  libsimdjson-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  libgumbo-dev liblinear-dev libcsv-dev libxml2-dev libxxhash-dev libcurl4-openssl-dev libssl-dev
  libsqlite3-dev libstemmer-dev
  libboost-dev libsodium-dev libspdlog-dev libzxcvbn-dev libhowardhinnant-date-dev
  chromium wrk
)

# Node.js runs the dashboard's browser test; a machine that already has it keeps its own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
