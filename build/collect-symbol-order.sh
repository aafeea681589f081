#!/bin/sh
# Regenerates build/symbol-order.txt, the order in which the linker lays out the server's
# functions (see build.rs and build/README.md): builds the release binary, runs three recorded
# sessions under callgrind on a generated 10,000-entry corpus (cold with a LaTeX manuscript,
# cold then warm with a Markdown one) and one short lspbench run, lists every function that
# ran, and links again. The same start-ups are recorded alone too (`session.py --open-only`), so
# that the functions the requests run are listed first (see build/README.md).
# Needs valgrind and ../shared/tools/gen_corpus.py. Takes ~5 minutes beside the builds.
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 ../shared/tools/gen_corpus.py --entries 10000 --citations 500 --no-csl --out "$work/corpus" >/dev/null
cargo build --release --locked
server=$PWD/target/release/refls
mkdir -p "$work/cache" "$work/startup-cache" "$work/startup"
record() {
  python3 build/session.py "$@" -- valgrind --tool=callgrind --demangle=no --dump-instr=no \
    --callgrind-out-file="$work/callgrind.%p.out" "$server"
}
REFLS_CACHE_DIR=off record "$work/corpus" paper-500.tex
REFLS_CACHE_DIR=$work/cache record "$work/corpus" paper-500.md
REFLS_CACHE_DIR=$work/cache record "$work/corpus" paper-500.md
# The start-ups alone: one for each session above and one for lspbench's below, which starts
# like the first. The warm one has its own cache, filled by the cold one before it.
startup() {
  python3 build/session.py --open-only "$work/corpus" "$1" -- valgrind --tool=callgrind --demangle=no \
    --dump-instr=no --callgrind-out-file="$work/startup/callgrind.%p.out" "$server"
}
REFLS_CACHE_DIR=off startup paper-500.tex
REFLS_CACHE_DIR=off startup paper-500.tex
REFLS_CACHE_DIR=$work/startup-cache startup paper-500.md
REFLS_CACHE_DIR=$work/startup-cache startup paper-500.md
# And one short run of lspbench, the client of the side-by-side benchmark (benches/README.md),
# whose requests (its capabilities and settings, typing then completing, hovers, jumps, edits)
# are an editor's too: what it runs is in the list whether or not session.py reaches it.
REFLS_CACHE_DIR=off python3 ../shared/tools/lspbench.py run --root "$work/corpus" --doc paper-500.tex \
  --keys-from refs.bib --runs 1 --quiet --completions 10 --completions-settled 2 --hovers 10 --definitions 10 \
  --edits 3 --init-options '{"corpus":["refs.bib"]}' \
  --server "valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file=$work/callgrind.%p.out $server" \
  >/dev/null
python3 build/callgrind_functions.py /refls "$work"/callgrind.*.out --startup "$work"/startup/callgrind.*.out \
  >build/symbol-order.txt
cargo build --release --locked
listed=$(wc -l <build/symbol-order.txt)
sort -u build/symbol-order.txt >"$work/listed"
found=$(nm --defined-only "$server" | awk '{print $3}' | sort -u | comm -12 - "$work/listed" | wc -l)
echo "build/symbol-order.txt: $listed functions ran; $found of them are in $server"
