#!/usr/bin/env bash
# The TornadoVM backend's checks on the GPU machine, from carried files only (no Java, Maven,
# network or TornadoVM there). Prepare here with backend-tornado/gpu-prepare.sh, carry .device,
# runner/target and backend-tornado/target, then from the repository root there:
#
#   bash backend-tornado/gpu-check.sh              # logs to $OUT (else /tmp/gpu-check)
#   bash backend-tornado/gpu-check.sh --dry-run    # here, on PoCL: the same steps at toy sizes
#   MODELS="cait_s36_384 vit_large_patch16_384" SKIP_GRAPHS=1 bash backend-tornado/gpu-check.sh
#                                                  # a subset: the whole check is two calls of ~8 min
#
# Steps, each under its own timeout, each logged with its exit status and duration:
#   1. nvidia-smi and TornadoVM's device list;
#   2. DeviceTests: every kernel against the CPU backend, replayed graphs against eager launches,
#      cuBLAS library tasks chosen where the device runs them (fails if anything is skipped);
#   3. verify-timm --device tornado against the golden data;
#   4. runner bench --device tornado for the four paper models at batch 32 and 384 px: inference
#      fp32, the frozen-backbone step and training fp32, launches eager (compare with the PyTorch
#      table in ../shared/tools/README.md, same card only); then the first model's frozen-backbone
#      step with graphs replayed. Each bench prints how its kernels ran (eager launches, replayed
#      tasks, graph compile time) and which matrix product it used.
set -uo pipefail
cd "$(dirname "$0")/.."
DRY=0
[ "${1:-}" = "--dry-run" ] && DRY=1
OUT="${OUT:-/tmp/gpu-check}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
: > "$LOG"
export LD_LIBRARY_PATH="/usr/local/cuda/targets/x86_64-linux/lib:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
work="${WORK:-/tmp/tornado-check}"
mkdir -p "$work"

for need in runner/target/lib backend-tornado/target/classes backend-tornado/target/test-classes backend-tornado/target/test-lib; do
    [ -d "$need" ] || { echo "missing $need: run backend-tornado/gpu-prepare.sh and carry runner/target and backend-tornado/target" | tee -a "$LOG"; exit 2; }
done

JAVA="${JAVA:-}"
if [ -z "$JAVA" ]; then
    [ -f .device/jre.tar.xz ] || { echo "no Java: run backend-tornado/gpu-prepare.sh and carry .device" | tee -a "$LOG"; exit 2; }
    tar xJf .device/jre.tar.xz -C "$work" && JAVA="$work/jre/bin/java"
fi
[ -f .device/tornadovm.tar.xz ] || { echo "no TornadoVM SDK: run backend-tornado/gpu-prepare.sh" | tee -a "$LOG"; exit 2; }
tar xJf .device/tornadovm.tar.xz -C "$work"
SDK="$work/tornadovm"
# the SDK's argfile names the folder it was built in: point it here, and drop "." from the module path
sed -e "s#$(cat .device/tornadovm.home)#$SDK#g" -e 's#^--module-path \.:#--module-path #' "$SDK/tornado-argfile" > "$work/argfile"
export TORNADOVM_HOME="$SDK"

GOLDEN="${GOLDEN:-}"
for g in .device/golden shared/golden ../shared/golden; do
    [ -z "$GOLDEN" ] && [ -d "$g" ] && [ -n "$(ls "$g" 2>/dev/null)" ] && GOLDEN="$g"
done
JVM=(@"$work/argfile" --add-modules jdk.incubator.vector -Dtornado.recover.bailout=False -Xmx32g)
RUNNER_CP="$(ls runner/target/vitarena-runner-*.jar | head -n1):runner/target/lib/*:$(ls backend-tornado/target/vitarena-backend-tornado-*.jar | head -n1)"
TEST_CP="backend-tornado/target/test-classes:backend-tornado/target/classes:backend-tornado/target/test-lib/*:$RUNNER_CP"

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
step "TornadoVM devices" 60 "$JAVA" "${JVM[@]}" uk.ac.manchester.tornado.drivers.TornadoDeviceQuery verbose
step "device tests: kernels vs CPU, graphs vs eager, cuBLAS choice" 600 \
    "$JAVA" "${JVM[@]}" -cp "$TEST_CP" org.vitarena.backend.tornado.DeviceTests
if [ -n "$GOLDEN" ]; then
    step "verify-timm --device tornado" 300 "${runner[@]}" verify-timm "$GOLDEN" --device tornado --device-memory 1024 -v
else
    echo "=== verify-timm skipped: no golden data (.device/golden, shared/golden, ../shared/golden)" >> "$LOG"
fi
# the arena: the most the backend addresses (8 GiB) on the GPU, 2 GiB on PoCL (host memory).
# Eager launches for the four models (a replayed step compiles every task once: minutes for a
# 24-block model), then one replayed run to measure the graphs: compile time, replay against eager.
if [ "$DRY" = 1 ]; then
    models=(${MODELS:-vit_tiny_patch8_64}); size=(--batch 4); arena=2048; t=(600 600 600)
else
    models=(${MODELS:-deit_base_distilled_patch16_384 cait_s36_384 swin_large_patch4_window12_384 vit_large_patch16_384})
    size=(--batch 32 --img-size 384); arena=8191; t=(60 60 90)
fi
eager=(-Dvitarena.tornado.graphs=false)
for model in "${models[@]}"; do
    common=(--model "$model" "${size[@]}" --steps 3 --warmup 1 --device tornado --device-memory "$arena" --json)
    step "bench $model infer fp32" "${t[0]}" "$JAVA" "${JVM[@]}" "${eager[@]}" -cp "$RUNNER_CP" org.vitarena.runner.Main bench "${common[@]}" --mode infer
    step "bench $model frozen-backbone step" "${t[1]}" "$JAVA" "${JVM[@]}" "${eager[@]}" -cp "$RUNNER_CP" org.vitarena.runner.Main bench "${common[@]}" --mode train --freeze-backbone
    step "bench $model train fp32" "${t[2]}" "$JAVA" "${JVM[@]}" "${eager[@]}" -cp "$RUNNER_CP" org.vitarena.runner.Main bench "${common[@]}" --mode train
done
if [ -z "${SKIP_GRAPHS:-}" ]; then
    model=${models[0]}
    step "bench $model frozen-backbone step, graphs replayed" 240 "${runner[@]}" bench --model "$model" "${size[@]}" \
        --steps 3 --warmup 4 --device tornado --device-memory "$arena" --json --mode train --freeze-backbone
fi
echo "done; log: $LOG"
