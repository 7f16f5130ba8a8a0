#!/bin/sh
# Runs natkit-sdp-rewrite over every case of tests/corpus/sip and compares byte for byte.
#
#   tests/sip/run_corpus_cli.sh PATH/TO/natkit-sdp-rewrite [--update]
#
# A case is NAME.in with its command line in NAME.args (else default.args) and either
# NAME.out, the exact expected standard output (exit status 0), or NAME.err, the exact expected
# standard error (exit status 1 and nothing on standard output). --update rewrites the .out and
# .err files from what the tool does now: review the diff before committing it.
set -u
tool=${1:?usage: run_corpus_cli.sh NATKIT_SDP_REWRITE [--update]}
update=${2:-}
corpus=$(cd "$(dirname "$0")/../corpus/sip" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/natkit-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
for input in "$corpus"/*.in; do
  name=${input%.in}
  case_name=$(basename "$name")
  args_file="$name.args"
  [ -f "$args_file" ] || args_file="$corpus/default.args"
  # shellcheck disable=SC2046 # the .args file is a list of words
  "$tool" $(cat "$args_file") <"$input" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$update" = "--update" ]; then
    if [ $status -eq 0 ]; then cp "$tmp/out" "$name.out"; rm -f "$name.err"; else cp "$tmp/err" "$name.err"; rm -f "$name.out"; fi
  fi
  ok=1
  if [ -f "$name.out" ]; then
    [ $status -eq 0 ] || { echo "FAIL $case_name: exit status $status: $(cat "$tmp/err")"; ok=0; }
    cmp -s "$tmp/out" "$name.out" || { echo "FAIL $case_name: output differs from $case_name.out:"; diff "$name.out" "$tmp/out" | head -n 20; ok=0; }
  elif [ -f "$name.err" ]; then
    [ $status -eq 1 ] || { echo "FAIL $case_name: exit status $status, expected 1"; ok=0; }
    [ -s "$tmp/out" ] && { echo "FAIL $case_name: wrote to standard output on an error"; ok=0; }
    cmp -s "$tmp/err" "$name.err" || { echo "FAIL $case_name: standard error differs:"; diff "$name.err" "$tmp/err"; ok=0; }
  else
    echo "FAIL $case_name: neither $case_name.out nor $case_name.err"
    ok=0
  fi
  if [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "corpus: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
