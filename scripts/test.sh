#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build (warnings as
# errors), the AddressSanitizer + UBSan build, and each fuzzer for a short, bounded time.
#   ECOUTE_FUZZ_SECONDS=N   seconds per fuzzer (default 10; 0 skips fuzzing)
#   ECOUTE_SKIP_ASAN=1      skip the sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The browser test's driver (playwright-core; the browser is Debian's chromium).
(cd web && npm ci --no-audit --no-fund --loglevel=error)

jobs=2
fuzz_seconds=${ECOUTE_FUZZ_SECONDS:-10}

echo "== release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DECOUTE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${ECOUTE_SKIP_ASAN:-0}" != 1 ]; then
  echo "== AddressSanitizer + UBSan build and tests"
  # -O1 -g1: enough for the sanitizers' reports (functions and lines), quicker to build
  # than -O2 -g, so that CI stays well under its time limit.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
    -DECOUTE_SANITIZE=ON -DECOUTE_BUILD_BENCHMARKS=OFF -DECOUTE_WERROR=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi

if [ "$fuzz_seconds" != 0 ]; then
  echo "== fuzzers, ${fuzz_seconds}s each"
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
    -DECOUTE_BUILD_FUZZERS=ON -DECOUTE_BUILD_TESTS=OFF -DECOUTE_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-fuzz -j"$jobs" --target fuzzers  # the fuzz targets only, not the CLI
  mkdir -p build-fuzz/artifacts
  for fuzzer in build-fuzz/fuzz/*_fuzz; do
    name=$(basename "$fuzzer" _fuzz)
    work=build-fuzz/corpus-$name
    mkdir -p "$work"
    echo "-- $name"
    "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=build-fuzz/artifacts/"$name"- -print_final_stats=1 \
      "$work" "fuzz/corpus/$name" 2>&1 | tail -n 4
  done
fi
echo "== all tests passed"
