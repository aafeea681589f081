#!/usr/bin/env bash
# End-to-end test of the VS Code extension (editors/vscode) with the real server, in a real
# VS Code: code-server (VS Code 1.100 served to a browser) driven by headless Chromium through
# Playwright (tests/vscode/e2e.mjs). It builds the release server and the .vsix, installs the
# .vsix into a fresh code-server profile whose settings point `refls.server.path` at the build,
# opens a workspace holding a copy of seeds/, a review.md, a chapter.md and the refs.bib
# review.md declares, and checks hover, an inlay hint, completion, the Problems panel, the
# export command, go-to-definition, the code lens on the saved page, find-references
# (Shift+F12) across both manuscripts, the quick fix (Ctrl+.) that corrects a misspelt key,
# and, in refs.bib, the entry's code lens and a rename (F2) of its key that VS Code applies to
# the entry and to the citations in both manuscripts. The screenshot of the completion
# list goes to target/vscode-e2e/screenshot.png, the others to the run folder; the copy the
# README shows, tests/vscode/screenshot.png, is refreshed by hand from that file when the look
# changes, so that a test run never modifies a tracked file.
#
# Usage, from anywhere: bash tests/vscode/e2e.sh
#
# Everything it installs goes under .tools/vscode/ (git-ignored) and is reused on later runs:
# Debian's chromium, ripgrep and libkrb5-dev (apt-get, only when missing), code-server from
# npm, playwright-core from npm. VS Code itself cannot be downloaded here, hence code-server;
# its ripgrep dependency downloads a binary from GitHub in its postinstall, so that download's
# cache is seeded with Debian's rg first. The last run's profile, workspace and logs stay in
# .tools/vscode/run/ for inspection. Exit status: 0 when every check passed.

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${REFLS_VSCODE_TOOLS:-$repo/.tools/vscode}"

# Pinned: 4.100.3 is the last code-server release that installs on Node 20. The ripgrep
# versions are those its VS Code (lib/vscode/npm-shrinkwrap.json, @vscode/ripgrep's
# postinstall.js) asks for; they name the cache file the postinstall looks for.
CODE_SERVER_VERSION=4.100.3
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
PLAYWRIGHT_VERSION=1.52.0

started=$(date +%s)
phase_start=$started
timings=()
phase_done() {
  local now
  now=$(date +%s)
  timings+=("$1: $((now - phase_start)) s")
  phase_start=$now
}
say() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------------------------------
say "system packages"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
# kerberos, a native module of VS Code's server, is compiled at install time against these.
command -v krb5-config >/dev/null || missing+=(libkrb5-dev)
for tool in gcc g++ make python3; do
  command -v "$tool" >/dev/null || missing+=(build-essential python3)
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
    exit 1
  fi
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
phase_done "system packages"

# ---------------------------------------------------------------------------------------
say "code-server $CODE_SERVER_VERSION"
cs_prefix="$tools/code-server"
code_server="$cs_prefix/node_modules/.bin/code-server"
cs_stamp="$cs_prefix/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$cs_stamp" ] || [ ! -x "$code_server" ]; then
  rm -rf "$cs_prefix"
  mkdir -p "$cs_prefix" "$tools/tmp"
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) echo "no ripgrep target known for $(uname -m)" >&2; exit 1 ;;
  esac
  # @vscode/ripgrep's postinstall takes os.tmpdir()/vscode-ripgrep-cache-<pkg>/<asset> as an
  # earlier download, so an archive holding Debian's rg stands in for GitHub's.
  rg_cache="$tools/tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
  mkdir -p "$rg_cache"
  rg_stage="$(mktemp -d)"
  cp "$(command -v rg)" "$rg_stage/rg"
  tar czf "$rg_cache/ripgrep-$RIPGREP_RELEASE-$rg_target.tar.gz" -C "$rg_stage" rg
  rm -rf "$rg_stage"
  echo '{"private": true}' >"$cs_prefix/package.json"
  # unsafe_perm: code-server's postinstall refuses to run as root without it. nodedir: the
  # native modules build against Debian's Node headers instead of downloading them.
  (
    cd "$cs_prefix"
    TMPDIR="$tools/tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr \
      timeout 1200 npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
  rg_bin="$cs_prefix/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  if [ ! -x "$rg_bin" ]; then
    echo "code-server installed without ripgrep ($rg_bin); its postinstall did not finish" >&2
    exit 1
  fi
  touch "$cs_stamp"
fi
# code-server writes a default config under XDG_CONFIG_HOME when it has none; keep it here.
export XDG_CONFIG_HOME="$tools/xdg/config" XDG_DATA_HOME="$tools/xdg/data" XDG_CACHE_HOME="$tools/xdg/cache"
"$code_server" --version | head -n 1

pw_prefix="$tools/playwright"
if [ ! -f "$pw_prefix/node_modules/playwright-core/package.json" ] ||
  ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$pw_prefix/node_modules/playwright-core/package.json"; then
  mkdir -p "$pw_prefix"
  echo '{"private": true}' >"$pw_prefix/package.json"
  (cd "$pw_prefix" && timeout 600 npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION")
fi
echo "playwright-core $PLAYWRIGHT_VERSION, $(/usr/bin/chromium --version 2>/dev/null)"
phase_done "code-server and playwright"

# ---------------------------------------------------------------------------------------
say "server: cargo build --release --bin refls"
(cd "$repo" && cargo build --release --bin refls)
# Where cargo put it: CARGO_TARGET_DIR when set (relative to the repository, where cargo ran).
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
server="$target_dir/release/refls"
"$server" --version
phase_done "cargo build"

say "extension: npm ci, npm run package"
ext="$repo/editors/vscode"
vsix="$tools/refls-e2e.vsix"
# npm ci wipes node_modules every time; skip it while package-lock.json is unchanged.
lock_hash="$(sha256sum "$ext/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$ext/node_modules/.refls-lock-hash" 2>/dev/null)" != "$lock_hash" ]; then
  (cd "$ext" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$ext/node_modules/.refls-lock-hash"
fi
rm -f "$vsix"
(cd "$ext" && timeout 300 npm run --silent package -- --out "$vsix" </dev/null)
[ -f "$vsix" ] || { echo "no .vsix was written" >&2; exit 1; }
phase_done "extension package"

# ---------------------------------------------------------------------------------------
say "profile and workspace"
run="$tools/run"
rm -rf "$run"
mkdir -p "$run/user-data/User" "$run/user-data/Machine" "$run/extensions" "$run/workspace"
timeout 120 "$code_server" --user-data-dir "$run/user-data" --extensions-dir "$run/extensions" \
  --install-extension "$vsix" --force
timeout 60 "$code_server" --user-data-dir "$run/user-data" --extensions-dir "$run/extensions" \
  --list-extensions --show-versions | tee "$run/extensions.txt"
grep -q '^refls\.refls@' "$run/extensions.txt" || { echo "refls.refls is not installed" >&2; exit 1; }

# Everything that could put a dialog, a tour or a network call between the test and the editor
# is off; the rest are VS Code's defaults.
cat >"$run/user-data/User/settings.json" <<EOF
{
  "refls.server.path": "$server",
  "refls.trace.server": "messages",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "git.openRepositoryInParentFolders": "never",
  "chat.commandCenter.enabled": false,
  "editor.hover.delay": 150,
  "editor.minimap.enabled": false,
  "files.autoSave": "off"
}
EOF

# refls.server.path is machine-scoped (`machine-overridable`): in a remote window, which is what
# code-server's browser window is, VS Code reads it from the remote machine's settings and drops
# it from user settings once the extension's schema is known. User settings alone work only
# while they happen to be read before the extension registers; Machine settings always do.
cat >"$run/user-data/Machine/settings.json" <<EOF
{
  "refls.server.path": "$server"
}
EOF

cp -r "$repo/seeds" "$run/workspace/seeds"
cat >"$run/workspace/review.md" <<'EOF'
---
title: Co-production in health research
bibliography: refs.bib
---

# What the literature says

Community priority setting can start a virtuous cycle [@ikhile2023virtuous].
Stakeholders see co-production differently [@buckley2022multistakeholder].
This one is not in the corpus at all [@nobody2020].
Knowledge is co-produced [@doi:10.1057/s41599-021-00782-1].
Field margins shelter more than crops [@wren2019margins].
A slip of the keyboard [@ikhile2023virtous].

More reading:
EOF
# A second manuscript, never opened: find-references and the code lens must count it.
cat >"$run/workspace/chapter.md" <<'EOF'
# Chapter two

The cycle [@ikhile2023virtuous] turns again [@ikhile2023virtuous, p. 3].
Uncut verges help as well [@wren2019margins, p. 12].
EOF
# The bibliography review.md declares: one made-up entry, cited once in each manuscript.
cat >"$run/workspace/refs.bib" <<'EOF'
@book{wren2019margins,
  author = {Wren, Alma and Stone, Petra},
  title = {Field margins and the birds that keep them},
  year = {2019},
  publisher = {Hedgerow Press}
}
EOF
phase_done "profile and workspace"

# ---------------------------------------------------------------------------------------
say "code-server"
port="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
cs_pid=""
cleanup() {
  local status=$?
  if [ -n "$cs_pid" ] && kill -0 "$cs_pid" 2>/dev/null; then
    # code-server runs in its own process group (setsid): ending the group also ends the
    # extension host and the refls server it started.
    kill -TERM -- "-$cs_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$cs_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$run/config.yaml" <<EOF
bind-addr: 127.0.0.1:$port
auth: none
cert: false
EOF
setsid "$code_server" --config "$run/config.yaml" \
  --user-data-dir "$run/user-data" --extensions-dir "$run/extensions" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened \
  "$run/workspace" >"$run/code-server.log" 2>&1 &
cs_pid=$!

url="http://127.0.0.1:$port"
if ! timeout 60 node -e '
  const url = process.argv[1] + "/healthz";
  (async () => {
    for (;;) {
      try { if ((await fetch(url)).ok) return; } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
  })();' "$url"; then
  echo "code-server did not answer on $url within 60 s; its log:" >&2
  cat "$run/code-server.log" >&2
  exit 1
fi
echo "listening on $url (pid $cs_pid)"
phase_done "code-server start"

# ---------------------------------------------------------------------------------------
say "browser checks"
# Under target/ (git-ignored) rather than next to the committed screenshot.
shots="$repo/target/vscode-e2e"
mkdir -p "$shots"
set +e
REFLS_E2E_URL="$url/?folder=$run/workspace" \
  REFLS_E2E_PLAYWRIGHT="$pw_prefix/node_modules/playwright-core" \
  REFLS_E2E_OUT="$run" \
  REFLS_E2E_SCREENSHOT="$shots/screenshot.png" \
  timeout 330 node "$repo/tests/vscode/e2e.mjs"
checks=$?
set -e
phase_done "browser checks"

if [ "$checks" != 0 ]; then
  echo >&2
  echo "The browser checks failed (exit $checks). Logs of this run, in $run:" >&2
  echo "--- code-server.log (last 40 lines)" >&2
  tail -n 40 "$run/code-server.log" >&2
  # The extension's output channel: what it started, the server's stderr and the LSP trace.
  while IFS= read -r log; do
    echo "--- $log (last 60 lines)" >&2
    tail -n 60 "$log" >&2
  done < <(find "$run/user-data/logs" -name '*refls*.log' 2>/dev/null)
fi

echo
echo "timings:"
printf '  %s\n' "${timings[@]}"
echo "  total: $(($(date +%s) - started)) s"
exit "$checks"
