#!/usr/bin/env bash
# Installs elman's build dependencies from Debian packages, only those missing, then the one
# npm package the tests need (onnxruntime-node, the prebuilt ONNX runtime test_onnx_runtime runs
# exported models in). Does nothing (and needs no root) when everything is already installed.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  lld  # the linker (CMakeLists.txt, ELMAN_USE_LLD): ~4x faster links of the ~100 executables
  ninja-build  # CI's sanitizer build (.ci/run)
  libxtensor-dev libxtensor-blas-dev libopenblas-dev liblapack-dev
  catch2 nlohmann-json3-dev
  libhowardhinnant-date-dev  # date/date.h: period labels (datasets/period.cpp)
  libcli11-dev libplplot-dev
  libzip-dev libhdf5-dev libonnx-dev libprotobuf-dev  # io/: .keras (zip + HDF5), ONNX
  libonnx-testdata  # ONNX's own RNN node tests, read by tests/test_onnx.cpp
  libxxhash-dev  # the stable hash of series ids that splits a run into shards (forecast/shard.hpp)
  parallel  # GNU parallel: the test running two shards of a many-series forecast (tests/test_many_cli.cpp)
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for tests/fuzz/run.sh (.ci/run)
  libomp-dev  # OpenMP for clang (core/parallel.cpp in the sanitizer build); GCC brings libgomp
  chromium fonts-dejavu-core  # the browser test of `elman explain`'s page (tests/browser/)
  # word lists of five languages (/usr/share/dict): the data of examples/sequence_classification
  wamerican wngerman wfrench witalian wspanish
)
[ "$#" -gt 0 ] && packages+=("$@")
# Node.js and npm from Debian unless some node is already on the machine (a nodesource nodejs
# bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# onnxruntime-node into a cache directory the tests find (tests/CMakeLists.txt computes the same
# default). --ignore-scripts: its install script only fetches optional GPU parts from outside
# the registry; the CPU runtime ships inside the package.
ort_version=1.30.0
npm_prefix="${ELMAN_NPM_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/elman/npm}"
ort_pkg="$npm_prefix/node_modules/onnxruntime-node/package.json"
if ! grep -q "\"version\": \"$ort_version\"" "$ort_pkg" 2>/dev/null; then
  echo "setup: npm install onnxruntime-node@$ort_version into $npm_prefix" >&2
  mkdir -p "$npm_prefix"
  npm install --prefix "$npm_prefix" --ignore-scripts --no-audit --no-fund --loglevel=error \
      "onnxruntime-node@$ort_version" >/dev/null
fi
