#!/usr/bin/env bash
# Lint: clang-tidy (the checks of .clang-tidy, every finding an error) on every .cc of src/,
# cli/, fuzz/, bench/ and tests/, then structural checks of the layout (docs: the style
# guide's sections 1 and 11):
#   file-size        no .cc over 1,200 lines
#   sqlite-include   sqlite3.h included only under src/store/
#   beast-include    boost/beast included only under src/http/ and src/listen/ (the
#                    WebSocket client and the tests' Jetstream) and by the frame fuzz target
#   cli-include      cli/ includes only "ecoute/..." and its own headers, never src/
# A violation listed in scripts/lint-exceptions.txt (`<check> <file>`, or `tidy <folder>/`
# for clang-tidy's findings in a folder) is reported as known and does not fail; the list
# is meant to shrink to nothing, and an entry that no longer matches is reported as stale.
#
#   scripts/lint.sh [--strict] [--no-tidy] [--no-structure]
#     --strict        ignore the exceptions list: every violation fails
#     --no-tidy       structural checks only (seconds)
#     --no-structure  clang-tidy only
#   ECOUTE_LINT_BUILD_DIR  where the compilation database is configured (build-lint)
#   ECOUTE_LINT_JOBS       clang-tidy processes (2)
#   ECOUTE_LINT_FILES      which .cc to lint, a regex on their paths from the root
#                          (default: every one; e.g. 'src/(util|fetch)/' while iterating)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

strict=0 tidy=1 structure=1
for arg in "$@"; do
  case "$arg" in
    --strict) strict=1 ;;
    --no-tidy) tidy=0 ;;
    --no-structure) structure=0 ;;
    *) echo "lint.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

failed=0

exceptions_file=scripts/lint-exceptions.txt
declare -A excepted=() used=()
if [ "$strict" = 0 ] && [ -f "$exceptions_file" ]; then
  while read -r check path _; do
    case "$check" in ''|'#'*) continue ;; esac
    excepted["$check $path"]=1
  done < "$exceptions_file"
fi

# report CHECK PATH MESSAGE: a violation, unless listed as an exception.
report() {
  local key="$1 $2"
  if [ -n "${excepted[$key]:-}" ]; then
    used["$key"]=1
    echo "  known exception  $1  $2: $3"
  else
    echo "  VIOLATION        $1  $2: $3"
    failed=1
  fi
}

# ---- structural checks ------------------------------------------------------------------

sources() {  # every C++ file of ours, relative to the root
  git ls-files -- 'src/*' 'cli/*' 'server/*' 'include/*' 'bench/*' 'fuzz/*' 'tests/*' \
    'tools/*' | grep -E '\.(cc|h)$' || true
}

if [ "$structure" = 1 ]; then
  echo "== structural checks"
  while read -r file; do
    case "$file" in *.cc) ;; *) continue ;; esac
    lines=$(wc -l < "$file")
    if [ "$lines" -gt 1200 ]; then report file-size "$file" "$lines lines (at most 1200)"; fi
  done < <(sources)

  while IFS=: read -r file line _; do
    case "$file" in src/store/*) continue ;; esac
    report sqlite-include "$file" "line $line includes sqlite3.h (only src/store/ may)"
  done < <(sources | xargs grep -nE '^\s*#\s*include\s*[<"]sqlite3\.h[>"]' /dev/null || true)

  while IFS=: read -r file line _; do
    case "$file" in src/http/* | src/listen/* | fuzz/websocket_frame_fuzz.cc) continue ;; esac
    report beast-include "$file" "line $line includes boost/beast (only src/http/ and src/listen/ may)"
  done < <(sources | xargs grep -nE '^\s*#\s*include\s*[<"]boost/beast' /dev/null || true)

  # cli/ sees the public API (include/ecoute/) and its own headers only.
  while IFS=: read -r file line text; do
    header=$(sed -E 's/.*#\s*include\s*"([^"]+)".*/\1/' <<< "$text")
    case "$header" in ecoute/*) continue ;; esac
    if [ -f "cli/$header" ]; then continue; fi
    report cli-include "$file" "line $line includes \"$header\" from src/ (only \"ecoute/...\")"
  done < <(git ls-files -- 'cli/*' | grep -E '\.(cc|h)$' | xargs grep -nE '^\s*#\s*include\s*"' || true)
fi

# ---- clang-tidy -------------------------------------------------------------------------

if [ "$tidy" = 1 ]; then
  build_dir=${ECOUTE_LINT_BUILD_DIR:-build-lint}
  jobs=${ECOUTE_LINT_JOBS:-2}
  echo "== clang-tidy ($(clang-tidy --version | grep -o 'version [0-9.]*')), $jobs jobs"
  # Configured only, never built: clang's compile commands (so clang's own warnings, such
  # as -Wthread-safety, are checked too), with the benchmarks and the fuzz replays.
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DECOUTE_BUILD_TESTS=ON -DECOUTE_BUILD_BENCHMARKS=ON -DECOUTE_BUILD_FUZZERS=OFF >/dev/null
  log="$build_dir/clang-tidy.log"
  status=0
  files=${ECOUTE_LINT_FILES:-(src|cli|fuzz|bench|tests)/}
  run-clang-tidy -p "$build_dir" -j"$jobs" -quiet \
    "^$root/${files}.*\.cc\$" > "$log" 2>&1 || status=$?
  # One line per distinct finding, relative to the root (a header's findings repeat once
  # per file that includes it).
  sed 's/\x1b\[[0-9;]*m//g' "$log" |
    grep -E '^/.*:[0-9]+:[0-9]+: (error|warning): .*\[[a-z]' | sed "s|^$root/||" |
    sort -u > "$build_dir/clang-tidy.findings" || true
  # Split them: in a folder listed as `tidy <folder>/` in the exceptions (known), or not.
  : > "$build_dir/clang-tidy.known"
  : > "$build_dir/clang-tidy.new"
  while IFS= read -r finding; do
    known=0
    for key in "${!excepted[@]}"; do
      if [[ "$key" == "tidy "* && "$finding" == "${key#tidy }"* ]]; then
        known=1
        used["$key"]=1
      fi
    done
    if [ "$known" = 1 ]; then echo "$finding"; else echo "$finding" >&2; fi
  done < "$build_dir/clang-tidy.findings" \
    > "$build_dir/clang-tidy.known" 2> "$build_dir/clang-tidy.new"
  per_folder() {  # count per folder (two levels under src/, one elsewhere) and check
    sed -E 's|^(src/[^/]+\|include/ecoute\|[^/]+)/[^:]*:.*\[([a-z0-9.-]+)[],].*|\1 \2|' "$1" |
      sort | uniq -c | sort -k2,2 -k1,1nr | sed 's/^/    /'
  }
  if [ -s "$build_dir/clang-tidy.known" ]; then
    echo "  known findings, in folders listed in $exceptions_file ($(wc -l < "$build_dir/clang-tidy.known")):"
    per_folder "$build_dir/clang-tidy.known"
  fi
  if [ -s "$build_dir/clang-tidy.new" ]; then
    echo "  FINDINGS ($(wc -l < "$build_dir/clang-tidy.new"); the whole output: $log):"
    sed 's/^/    /' "$build_dir/clang-tidy.new"
    per_folder "$build_dir/clang-tidy.new"
    failed=1
  fi
  # A crash, or a file that does not compile without a diagnostic we could read.
  if grep -qE 'Stack dump|Segmentation fault|Error while processing' "$log" ||
     { [ "$status" != 0 ] && [ ! -s "$build_dir/clang-tidy.findings" ]; }; then
    echo "  clang-tidy failed (exit $status): see $log"
    failed=1
  fi
  if [ "$failed" = 0 ] && [ ! -s "$build_dir/clang-tidy.findings" ]; then echo "  no findings"; fi
fi

if [ "$structure" = 1 ] || [ "$tidy" = 1 ]; then
  for key in "${!excepted[@]}"; do
    if [ -z "${used[$key]:-}" ]; then
      if [[ "$key" == "tidy "* && ( "$tidy" = 0 || -n "${ECOUTE_LINT_FILES:-}" ) ]]; then
        continue
      fi
      if [[ "$key" != "tidy "* && "$structure" = 0 ]]; then continue; fi
      echo "  stale exception  $key: no longer violated, remove it from $exceptions_file"
    fi
  done
fi

if [ "$failed" != 0 ]; then
  echo "== lint failed"
  exit 1
fi
echo "== lint passed"
