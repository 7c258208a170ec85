#!/usr/bin/env bash
# Installs what skiff needs to build and test on Debian bookworm. Safe to run twice: it installs
# only the packages that are missing.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git curl ca-certificates
  libboost-dev libssl-dev libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev
  libre2-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
  openssl clang libclang-rt-14-dev
  # Tests only: the example template examples/templates/video-preview runs ffmpeg (and its test
  # checks the output with ffprobe). Workers that run that template need ffmpeg too.
  ffmpeg
  prometheus-cpp-dev prometheus
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
