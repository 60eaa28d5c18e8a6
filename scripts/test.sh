#!/usr/bin/env bash
# Installs what is missing, lints, builds, and runs every test: clang-tidy and the layout
# checks (scripts/lint.sh), the release build (warnings as errors), the AddressSanitizer +
# UBSan build, the ThreadSanitizer build of the threaded suites, and each fuzzer for a
# short, bounded time.
#   ECOUTE_FUZZ_SECONDS=N   seconds per fuzzer (default 10; 0 skips fuzzing)
#   ECOUTE_SKIP_LINT=1      skip scripts/lint.sh
#   ECOUTE_SKIP_ASAN=1      skip the AddressSanitizer build
#   ECOUTE_SKIP_TSAN=1      skip the ThreadSanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The browser test's driver (playwright-core; the browser is Debian's chromium).
(cd web && npm ci --no-audit --no-fund --loglevel=error)

jobs=2
fuzz_seconds=${ECOUTE_FUZZ_SECONDS:-10}

if [ "${ECOUTE_SKIP_LINT:-0}" != 1 ]; then
  echo "== lint"
  ECOUTE_LINT_JOBS=$jobs bash scripts/lint.sh
fi

echo "== release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DECOUTE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
# The reply accounts' secrets used by the tests never reach any test's output (ctest keeps
# every test's output, passed or not, in LastTest.log): not in an answer, not in a log line.
if grep -n -F -f tests/reply-secrets.txt build/Testing/Temporary/LastTest.log; then
  echo "a reply account's secret appears in the tests' output (above)" >&2
  exit 1
fi

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

if [ "${ECOUTE_SKIP_TSAN:-0}" != 1 ]; then
  echo "== ThreadSanitizer build and the threaded suites"
  # The suites whose code runs threads: the store (written from the server's group commit),
  # the fetcher and its loopback server, util's Mutex, the HTTP server, access control,
  # alerts and SLA, the watcher, the reply outbox, and the API and attack suites that run the
  # whole service.
  # Only their binaries are built, so ctest runs the GoogleTest suites that were built and
  # leaves out the placeholders of the others (`<suite>_NOT_BUILT`). Clang's other warnings
  # are not errors here (the release build has -Werror); its -Wthread-safety always is.
  tsan_suites=(util fetch store http access user_admin alerts watch reply server_api server_attacks)
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
    -DCMAKE_CXX_COMPILER=clang++ -DECOUTE_TSAN=ON -DECOUTE_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-tsan -j"$jobs" --target "${tsan_suites[@]/%/_test}"
  TSAN_OPTIONS="second_deadlock_stack=1 history_size=4" \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -L '^(unit|security)$' \
    -E '_NOT_BUILT$'
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
