#!/usr/bin/env bash
# The CUDA backend's checks on the GPU machine, which has no Java, no Maven and no network.
# It builds nothing; everything comes from the checkout. Prepare here (the development machine):
#
#   mvn -o -B -DskipTests package                                  # runner/target/{jar,lib}
#   mvn -o -B -pl backend-cuda test-compile dependency:copy-dependencies \
#       -DincludeScope=test -DoutputDirectory=target/test-lib      # the GPU kernel tests
#   bash ../shared/tools/device-jre.sh                             # .device/jre (jlinked Temurin 25)
#   mkdir -p .device/golden && cp ../shared/golden/* .device/golden/   # if it fits (64 MiB in all)
#
# and carry: .device, runner/target, backend-cuda/target. Then, from the repository root there:
#
#   bash backend-cuda/gpu-check.sh                 # logs to $OUT (else /tmp/gpu-check)
#
# Steps, each under its own timeout, each logged with its exit status:
#   1. nvidia-smi; 2. CudaBackendTest: every kernel against the CPU backend (fails if skipped);
#   3. verify-timm --device cuda (fp32) against the golden data;
#   4. runner bench --device cuda for the four paper models at batch 32 and 384 px: inference fp32,
#      full fine-tuning fp32, and training with --precision bf16 (bench has no frozen-backbone mode;
#      compare with the PyTorch table in ../shared/tools/README.md, same card only).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/gpu-check}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
: > "$LOG"
export LD_LIBRARY_PATH="/usr/local/cuda/targets/x86_64-linux/lib:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"

JAVA="${JAVA:-}"
if [ -z "$JAVA" ]; then
    if [ -x .device/jre/bin/java ]; then JAVA=.device/jre/bin/java
    elif [ -f .device/jre.tar.xz ]; then tar xJf .device/jre.tar.xz -C /tmp && JAVA=/tmp/jre/bin/java
    else echo "no Java: carry .device/jre or .device/jre.tar.xz" | tee -a "$LOG"; exit 2; fi
fi
GOLDEN="${GOLDEN:-}"
for g in .device/golden shared/golden ../shared/golden; do
    [ -z "$GOLDEN" ] && [ -f "$g/README.md" -o -f "$g/vit.json" ] && GOLDEN="$g"
done
JVM=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 -XX:CompileCommand=quiet -XX:CompileCommand=inline,org.vitarena.core.cpu.VecMath::exp -XX:CompileCommand=inline,org.vitarena.core.cpu.Activations::cdf -XX:CompileCommand=inline,org.vitarena.core.cpu.Activations::gauss -XX:CompileCommand=inline,org.vitarena.core.cpu.RowKernels::sum -XX:CompileCommand=dontinline,org.vitarena.core.cpu.Activations::biasGelu -Xmx32g)
RUNNER_CP="$(ls runner/target/vitarena-runner-*.jar | head -n1):runner/target/lib/*"

step() { # step NAME SECONDS COMMAND...
    local name="$1" limit="$2"; shift 2
    echo "=== $name ($(date +%T), limit ${limit}s)" >> "$LOG"
    local t0=$SECONDS
    timeout "$limit" "$@" >> "$LOG" 2>&1
    local rc=$?
    echo "=== $name: rc=$rc in $((SECONDS - t0)) s" >> "$LOG"
    return 0
}
# a command, not a shell function: timeout runs programs
runner=("$JAVA" "${JVM[@]}" -cp "$RUNNER_CP" org.vitarena.runner.Main)

step "nvidia-smi" 20 nvidia-smi
step "kernels vs CPU (CudaBackendTest)" 120 \
    "$JAVA" "${JVM[@]}" -cp "backend-cuda/target/test-classes:backend-cuda/target/classes:backend-cuda/target/test-lib/*" \
    org.vitarena.backend.cuda.GpuTests
if [ -n "$GOLDEN" ]; then
    step "verify-timm --device cuda (fp32)" 180 "${runner[@]}" verify-timm "$GOLDEN" --device cuda -v
else
    echo "=== verify-timm skipped: no golden data (.device/golden, shared/golden, ../shared/golden)" >> "$LOG"
fi
for model in deit_base_distilled_patch16_384 cait_s36_384 swin_large_patch4_window12_384 vit_large_patch16_384; do
    common=(--model "$model" --batch 32 --img-size 384 --steps 5 --warmup 2 --device cuda --json)
    step "bench $model infer fp32" 90 "${runner[@]}" bench "${common[@]}" --mode infer
    step "bench $model train fp32" 150 "${runner[@]}" bench "${common[@]}" --mode train
    step "bench $model train bf16" 120 "${runner[@]}" bench "${common[@]}" --mode train --precision bf16
done
echo "done; log: $LOG"
