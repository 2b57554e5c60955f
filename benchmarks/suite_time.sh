#!/usr/bin/env bash
# Wall time of the full applicable suite against the embedded reference CSMS.
# Usage: benchmarks/suite_time.sh [runs]   (needs `octt` on PATH, e.g. an activated venv)
set -euo pipefail
runs="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  octt run --report-dir "$out/run$i" >/dev/null
  end=$(date +%s.%N)
  cases=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(c['verdict']=='pass' for c in d['cases']), len(d['cases']))" "$out/run$i/result.json")
  printf 'run %d: %.2f s wall, %s cases passed\n' "$i" "$(echo "$end - $start" | bc)" "$cases"
done
