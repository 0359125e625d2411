# Helpers for the exercise checks (sourced by ./run before NAME.check).
# In scope: SOURCE_DIR (the real tree, read only), SCRATCH (the copy with the
# exercise's patch applied), BUILD (its build directory), TUTORIAL, EXERCISE,
# LOG (a file for build and server output). A check prints the outcome the
# tutorial promises, in the words of the output block after its marker.

# Builds only the targets an exercise needs, in the scratch build.
build() {
  cmake --build "$BUILD" --parallel 2 --target "$@" >>"$LOG" 2>&1 ||
    { echo "build of $* failed; see $LOG" >&2; tail -20 "$LOG" >&2; return 1; }
}

# The cells of the capability table (CTest tests, <stage>:<capability>) that
# fail when `./workshop test -L LABEL` runs, one per line, in CTest's order.
red_tests() {
  ctest --test-dir "$BUILD" -L "$1" -LE '^(soak|full)$' --parallel 2 >"$LOG.ctest" 2>&1 || true
  cat "$LOG.ctest" >>"$LOG"
  grep -q 'tests passed' "$LOG.ctest" || { echo "no CTest test has label $1" >&2; return 1; }
  # CTest's closing list: "The following tests FAILED:", then "  17 - NAME
  # (Failed)", or Timeout, SEGFAULT, Not Run... (skipped ones are listed apart).
  sed -nE '/^The following tests FAILED:/,$ s/^[[:space:]]*[0-9]+ - (.*) \([^)]*\)$/\1/p' "$LOG.ctest"
}

# Starts a server from the scratch build on a free port: PORT, SERVER_PID.
# The run's exit stops it.
serve() {
  local binary="$BUILD/bin/$1" try
  shift
  for try in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 40000))
    "$binary" --port "$PORT" "$@" >>"$LOG" 2>&1 &
    SERVER_PID=$!
    trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
      kill -0 "$SERVER_PID" 2>/dev/null || break  # port taken: try another
      sleep 0.05
    done
    kill "$SERVER_PID" 2>/dev/null || true
  done
  echo "could not start $binary" >&2
  return 1
}

# The first ```sh block after this exercise's marker in tutorial.md, with
# the workshop's port 8585 replaced by PORT: the commands the reader runs.
exercise_commands() {
  awk -v name="$EXERCISE" '
    $0 == "<!-- exercise: " name " -->" { found = 1; next }
    found && !inside && /^ *```sh$/ { inside = 1; indent = match($0, /[^ ]/) - 1; next }
    inside && substr($0, indent + 1) == "```" { exit }
    inside { print substr($0, indent + 1) }
  ' "$TUTORIAL" | sed "s/8585/$PORT/g"
}

# The exercise's text in tutorial.md, from its marker to the next exercise
# or heading: for checks that take a setting (a timeout) from the text.
exercise_text() {
  awk -v name="$EXERCISE" '
    $0 == "<!-- exercise: " name " -->" { found = 1; next }
    found && (/^<!-- exercise: / || /^#/) { exit }
    found
  ' "$TUTORIAL"
}

# Runs the exercise's ```sh block, in which `./workshop bench` stands for
# the scratch build's benchmark (build http_bench first). Its terminal output
# goes to LOG; its report to $BUILD/exercise-bench/report.md, which
# report_cell reads.
run_bench_commands() {
  local PORT=8585  # exercise_commands maps the port; a benchmark needs none
  local bench="$BUILD/bench/http_bench --out-dir $BUILD/exercise-bench"
  bash -c "$(exercise_commands | sed "s|\./workshop bench|$bench|g")" >>"$LOG" 2>&1
}

# Column COLUMN (1: the first after the row's name) of row ROW in section
# SECTION ("## SECTION") of the last benchmark report.
report_cell() {
  awk -F' *[|] *' -v section="## $1" -v row="$2" -v column="$3" '
    /^## / { inside = $0 == section; next }
    inside && $2 == row { print $(column + 2); exit }
  ' "$BUILD/exercise-bench/report.md"
}
