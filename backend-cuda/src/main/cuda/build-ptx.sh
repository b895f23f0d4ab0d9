#!/usr/bin/env bash
# Compiles every src/main/cuda/*.cu to PTX for each target architecture into
# src/main/resources/org/vitarena/backend/cuda/ptx/NAME.ARCH.ptx, which is committed so that
# builds without nvcc work. The first line of each PTX records the SHA-256 of its .cu source and the .cuh headers
# (PtxStalenessTest compares it), the second the nvcc release that produced it.
# A PTX whose recorded hash and nvcc release already match is left alone, so a build does not
# touch the committed files needlessly. FORCE=1 rebuilds everything.
#
#   bash backend-cuda/src/main/cuda/build-ptx.sh            (NVCC=/path/to/nvcc to override)
#
# Architectures: compute_90 (Hopper, what the benchmarks run on) and compute_75, the oldest
# CUDA 13 still compiles for; the driver JIT-compiles PTX for the GPU it finds, and the backend
# loads the newest PTX not newer than the device.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../resources/org/vitarena/backend/cuda/ptx"
NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
ARCHS="${ARCHS:-compute_90 compute_75}"
# -fmad=false: no a*b+c contraction, so elementwise results match the Java reference bit for bit
# where the CPU backend does the same float operations; IEEE division and sqrt (no fast math).
FLAGS=(-ptx -O3 -fmad=false -prec-div=true -prec-sqrt=true -std=c++17)
mkdir -p "$out"
release=$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p' | head -n1)
for cu in "$here"/*.cu; do
    name=$(basename "$cu" .cu)
    # the hash covers the .cu and every shared header, in name order (PtxResources.sourceHash does the same)
    sum=$(cat "$cu" $(ls "$here"/*.cuh 2>/dev/null | LC_ALL=C sort) | sha256sum | cut -d' ' -f1)
    for arch in $ARCHS; do
        ptx="$out/$name.$arch.ptx"
        if [ -z "${FORCE:-}" ] && [ -f "$ptx" ] \
            && [ "$(sed -n 1p "$ptx")" = "// vitarena-source-sha256: $sum" ] \
            && [ "$(sed -n 2p "$ptx")" = "// vitarena-nvcc-release: $release" ]; then
            continue
        fi
        tmp=$(mktemp)
        "$NVCC" "${FLAGS[@]}" -arch="$arch" -o "$tmp" "$cu"
        { echo "// vitarena-source-sha256: $sum"; echo "// vitarena-nvcc-release: $release"; cat "$tmp"; } > "$ptx"
        rm -f "$tmp"
        echo "build-ptx: $name.$arch.ptx (nvcc $release)"
    done
done
