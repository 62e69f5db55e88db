#!/usr/bin/env bash
# `npm run test:fresh-clone [-- vitest args]`: proves that what the tests need is in the repository. Clones the
# committed HEAD into an empty temporary folder (so there is no ../shared beside it, and nothing git ignores:
# no data/, dist/ or local files), installs, and runs vitest there with CI unset: the suites over ../shared
# must skip, naming the reason, and everything else must pass. Exits with vitest's status.
#
#   --link-node-modules   symlink this checkout's node_modules instead of `npm ci` (no network, seconds not minutes)
#   --keep                leave the clone in place (its path is printed)
#
# Any other arguments go to vitest, e.g. `-- test/openapi.test.ts` for a quick subset. The committed HEAD is
# tested: commit first.
set -euo pipefail

repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
link=false
keep=false
vitest_args=()
for arg in "$@"; do
  case "$arg" in
    --link-node-modules) link=true ;;
    --keep) keep=true ;;
    --) ;; # npm's separator, when run without npm
    *) vitest_args+=("$arg") ;;
  esac
done

parent="$(mktemp -d "${TMPDIR:-/tmp}/warden-fresh-XXXXXX")"
clone="$parent/warden"
cleanup() { if [ "$keep" = false ]; then rm -rf "$parent"; else echo "kept $clone"; fi; }
trap cleanup EXIT

git clone --quiet --no-local "$repo" "$clone"
if [ -e "$parent/shared" ]; then echo "unexpected: $parent/shared exists" >&2; exit 2; fi
echo "fresh clone of $(git -C "$clone" rev-parse --short HEAD) in $clone (no ../shared beside it)"

cd "$clone"
if [ "$link" = true ]; then
  ln -s "$repo/node_modules" node_modules
else
  npm ci --no-audit --no-fund
fi

# CI= : the suites over ../shared skip (under CI=true they would fail, as they must there).
# No PostgreSQL URL: the PostgreSQL suites skip too, as on a user's machine.
env -u WARDEN_TEST_POSTGRES_URL CI= npx vitest run "${vitest_args[@]}"
