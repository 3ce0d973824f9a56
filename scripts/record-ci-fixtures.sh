#!/usr/bin/env bash
# Record the JSON reports `buildlens compare`, budgets and the remote-cache analysis are tested on,
# from real builds of samples/ci-app on the local engine (../shared/engine/docker-up), through
# `buildlens build` itself. Re-run to refresh them (builds ~1 min; the builder cache is not pruned:
# cold builds use --no-cache, and image tags are unique to this script).
#
#   cold             --no-cache, with CI=true (a cold CI build that imports no cache)
#   edit             the same Dockerfile after a source edit (COPY . . before npm ci: npm ci runs again)
#   before-fix       Dockerfile after another source edit
#   after-fix        Dockerfile.fixed (manifests first) after the same edit: npm ci stays cached
#   inline-export    --no-cache --cache-to type=inline (the docker driver's only cache export)
#   cache-from       --cache-from the image the inline export wrote: an imported cache
#   cache-to-local-refused  --cache-to type=local,dest=…: the docker driver refuses it
# plus the raw logs of some (rawjson, as buildlens read them) and plain logs of the inline export
# and the cache import, read by the parser tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/test/fixtures/ci-reports"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tag="buildlens-ci-fixture-$$"

(cd "$root" && npm run build --silent)
cp -r "$root/samples/ci-app" "$work/app"
cd "$work/app"

bl() { # name [buildlens build args...] -- docker args
  local name=$1; shift
  node "$root/bin/buildlens.js" build --view quiet --no-history --report "$out/ci-app.$name.json" "$@" || echo "exit $? ($name)"
}
edit() { echo "// edited $(date +%s%N)" >>src/server.js; }

CI=true bl cold -- --network=none --no-cache -t "$tag" -f Dockerfile .
edit
bl edit -- --network=none -t "$tag" -f Dockerfile .
# Warm the fixed Dockerfile's cache, then edit once more and build both.
bl after-fix -- --network=none -t "$tag-fixed" -f Dockerfile.fixed .
edit
bl before-fix --log "$out/ci-app.before-fix.rawjson.log" -- --network=none -t "$tag" -f Dockerfile .
bl after-fix --log "$out/ci-app.after-fix.rawjson.log" -- --network=none -t "$tag-fixed" -f Dockerfile.fixed .

# Remote cache. The default builder uses the docker driver: it refuses --cache-to type=local
# ("Cache export is not supported for the docker driver"), exports only inline, and imports from an
# image of the local store.
bl cache-to-local-refused --log "$out/ci-app.cache-to-local-refused.log" -- --network=none --cache-to "type=local,dest=$work/cache" -f Dockerfile . 2>"$work/refused.stderr" || true
bl inline-export -- --network=none --no-cache --cache-to type=inline -t "$tag-cache" -f Dockerfile .
bl cache-from --log "$out/ci-app.cache-from.rawjson.log" -- --network=none --cache-from "$tag-cache" -f Dockerfile .
docker buildx build --progress=plain --network=none --no-cache --cache-to type=inline -t "$tag-cache" -f Dockerfile . >"$out/ci-app.inline-export.plain.log" 2>&1
docker buildx build --progress=plain --network=none --cache-from "$tag-cache" -f Dockerfile . >"$out/ci-app.cache-from.plain.log" 2>&1

docker image rm -f "$tag" "$tag-fixed" "$tag-cache" >/dev/null 2>&1 || true
# Paths of the scratch folder vary from run to run: make the fixtures stable.
sed -i -e "s#$work#/tmp/work#g" -e "s#$tag#buildlens-ci-fixture#g" "$out"/*
ls -la "$out"
