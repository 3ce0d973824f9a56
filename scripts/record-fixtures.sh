#!/usr/bin/env bash
# Record real build logs from the local engine (../shared/engine/docker-up) as test fixtures:
# the same sample project built with --progress=plain, --progress=rawjson and the legacy builder,
# cold, fully cached, and after a source edit; plus a failing build. Re-run to refresh them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/test/fixtures/recorded"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$root/samples/node-app" "$work/app"
rm -f "$work/app"/*.log

build() { # format name [extra docker args...]
  local format=$1 name=$2; shift 2
  case "$format" in
    plain)   docker buildx build --progress=plain --network=none -t buildlens-fixture "$@" "$work/app" >"$out/$name" 2>&1 || true ;;
    rawjson) docker buildx build --progress=rawjson --network=none -t buildlens-fixture "$@" "$work/app" >"$out/$name" 2>&1 || true ;;
    legacy)  DOCKER_BUILDKIT=0 docker build --network=none -t buildlens-fixture "$@" "$work/app" >"$out/$name" 2>&1 || true ;;
  esac
}

for format in plain rawjson legacy; do
  git -C "$root" show HEAD:samples/node-app/src/server.js >"$work/app/src/server.js" 2>/dev/null || cp "$root/samples/node-app/src/server.js" "$work/app/src/server.js"
  docker builder prune -af >/dev/null
  docker image rm -f buildlens-fixture >/dev/null 2>&1 || true
  build "$format" "node-app.$format.cold.log"
  build "$format" "node-app.$format.cached.log"
  echo "// edited $(date +%s%N)" >>"$work/app/src/server.js"
  build "$format" "node-app.$format.edit.log"
done

# A failing build: output, then a non-zero exit.
mkdir -p "$work/fail"
cat >"$work/fail/Dockerfile" <<'DOCKERFILE'
FROM localbase/busybox
RUN echo "compiling" && sleep 1 && echo "src/main.c:3: error: expected ';'" >&2 && exit 2
RUN echo never
DOCKERFILE
for format in plain rawjson legacy; do
  case "$format" in
    plain)   docker buildx build --progress=plain --network=none --no-cache "$work/fail" >"$out/fail.$format.log" 2>&1 || true ;;
    rawjson) docker buildx build --progress=rawjson --network=none --no-cache "$work/fail" >"$out/fail.$format.log" 2>&1 || true ;;
    legacy)  DOCKER_BUILDKIT=0 docker build --network=none --no-cache "$work/fail" >"$out/fail.$format.log" 2>&1 || true ;;
  esac
done
# Paths of the scratch folder vary from run to run: make the fixtures stable.
sed -i "s#$work#/tmp/work#g" "$out"/*.log
# The bundled sample (npm start): the plain build after a source edit, where `COPY . .` before
# `npm ci` makes the install run again.
cp "$out/node-app.plain.edit.log" "$root/samples/node-app/build.plain.log"
cp "$out/node-app.rawjson.edit.log" "$root/samples/node-app/build.rawjson.log"
ls -la "$out"
