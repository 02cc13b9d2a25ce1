#!/usr/bin/env bash
# Installs elman's build dependencies from Debian packages, only those missing.
# Does nothing (and needs no root) when everything is already installed.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libxtensor-dev libxtensor-blas-dev libopenblas-dev liblapack-dev
  catch2 nlohmann-json3-dev
  libhowardhinnant-date-dev  # date/date.h: period labels (datasets/period.cpp)
  libcli11-dev libplplot-dev
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for tests/fuzz/run.sh (.ci/run)
  chromium fonts-dejavu-core  # the browser test of `elman explain`'s page (tests/browser/)
  # word lists of five languages (/usr/share/dict): the data of examples/sequence_classification
  wamerican wngerman wfrench witalian wspanish
)
[ "$#" -gt 0 ] && packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
