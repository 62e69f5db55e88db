#!/usr/bin/env bash
# Proves the packed package works without a checkout: `npm pack` (which builds dist/ and the console),
# `npm install -g` of the tarball into a temporary prefix, then `warden serve` from there on a new SQLite
# file, answering /healthz and a moderation with the admin key it was given. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

npm pack --silent --pack-destination "$work" > /dev/null
tarball=$(ls "$work"/warden-*.tgz)
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
npm install -g --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$tarball"

key="wdn_pack_smoke_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cd "$work"
WARDEN_ADMIN_KEY="$key" "$work/prefix/bin/warden" serve --db "sqlite:$work/warden.db" --port 0 > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 120); do grep -q 'listening on' "$work/serve.log" && break; sleep 0.5; done
url=$(grep -o 'listening on http://[^ ]*' "$work/serve.log" | head -1 | cut -d' ' -f3)
[ -n "$url" ] || { cat "$work/serve.log"; echo "warden serve did not start"; exit 1; }
curl -fsS "$url/healthz"; echo
curl -fsS -H "Authorization: Bearer $key" -H 'content-type: application/json' \
  -d '{"input":"I will find you and kill you"}' "$url/v1/moderations" | grep -q '"flagged":true'
echo "pack smoke: the installed package serves and moderates"
