#!/usr/bin/env bash
# Wall time of everything octt can run against the embedded reference CSMS: `octt run` with no
# --csms and every profile named (the OCA cases the reference PICS makes applicable, and the
# generated robustness cases, which run only when asked for), and the time spent inside cases.
# Usage: benchmarks/suite_time.sh [runs]   (needs `octt` on PATH, e.g. an activated venv)
set -euo pipefail
runs="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
profiles=$(python3 -c "from octt.pics.model import Profile; print(' '.join(f'--profile {p.value}' for p in Profile))")
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  octt run $profiles --report-dir "$out/run$i" >/dev/null 2>&1 || true   # figures, any verdict
  end=$(date +%s.%N)
  summary=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
cases = [c for c in d['cases'] if c['verdict'] != 'not_applicable']
robust = (d.get('robustness') or {}).get('cases', [])
passed = sum(c['verdict'] == 'pass' for c in cases)
robust_passed = sum(c['verdict'] == 'pass' for c in robust)
inside = sum(c['duration_s'] for c in cases + robust)
slowest = max(cases + robust, key=lambda c: c['duration_s'])
print(f'{passed} of {len(cases)} OCA cases and {robust_passed} of {len(robust)} robustness cases'
      f' passed, {inside:.2f} s inside the cases (slowest {slowest[\"id\"]}'
      f' {slowest[\"duration_s\"]:.2f} s)')
" "$out/run$i/result.json")
  printf 'run %d: %.2f s wall, %s\n' "$i" "$(echo "$end - $start" | bc)" "$summary"
done
