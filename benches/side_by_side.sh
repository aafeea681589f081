#!/bin/sh
# refls (cold: no index cache; warm: its cache filled by an earlier server) and texlab,
# interleaved run by run on one generated corpus, each measured by lspbench through
# benches/lspbench_top.py (the typed work counted only in the first 10 items shown).
#
#   sh benches/side_by_side.sh DIR REPS REFLS TEXLAB OUT
#
# DIR from `python3 ../shared/tools/gen_corpus.py --entries N --citations 500 --no-csl --out DIR`;
# REFLS and TEXLAB are release binaries; OUT receives one JSON per run and table.md.
# texlab runs with diagnosticsDelay 0, so its edit→diagnostics time is not its default delay.
set -eu
dir=$1; reps=$2; refls=$3; texlab=$4; out=$5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cache="$out/refls-cache"
rm -rf "$cache"
mkdir -p "$cache"
bench() {
  nice python3 "$here/lspbench_top.py" --top 10 run --root "$dir" --doc paper-500.tex --keys-from refs.bib \
    --runs 1 --quiet "$@"
}
# One short run fills the warm runs' cache.
REFLS_CACHE_DIR=$cache bench --server "$refls" --label fill --init-options '{"corpus":["refs.bib"]}' \
  --completions 5 --hovers 5 --definitions 5 --edits 1 --completion-variants immediate \
  --json "$out/fill.json" >/dev/null
for r in $(seq 1 "$reps"); do
  REFLS_CACHE_DIR=off bench --server "$refls" --label refls-cold --init-options '{"corpus":["refs.bib"]}' \
    --json "$out/refls-cold-$r.json" >/dev/null
  REFLS_CACHE_DIR=$cache bench --server "$refls" --label refls-warm --init-options '{"corpus":["refs.bib"]}' \
    --json "$out/refls-warm-$r.json" >/dev/null
  bench --server "$texlab" --label texlab --settings '{"texlab":{"diagnosticsDelay":0}}' \
    --json "$out/texlab-$r.json" >/dev/null
done
python3 "$here/lspbench_top.py" table "$out"/refls-cold-*.json "$out"/refls-warm-*.json "$out"/texlab-*.json \
  >"$out/table.md"
cat "$out/table.md"
