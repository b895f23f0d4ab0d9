#!/usr/bin/env bash
# Prepares, on the development machine, everything gpu-check.sh needs on the GPU machine, which has
# no Java, no Maven, no network and no TornadoVM: a jlinked Java 25 runtime with the modules
# TornadoVM needs, the TornadoVM SDK (trimmed, relocatable), the project's jars and the device tests.
#
#   export TORNADOVM_HOME=/path/to/tornadovm-5.2.0-jdk25-cuda-opencl   # the SDK to carry (README: CUDA backend)
#   bash backend-tornado/gpu-prepare.sh
#
# Writes .device/ (git-ignored): jre.tar.xz, tornadovm.tar.xz, tornadovm.home (the SDK's build path,
# rewritten on the GPU machine), golden/ when it fits; builds runner/target and backend-tornado/target.
# Then carry: .device, runner/target, backend-tornado/target (it prints their size: 64 MiB at most).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
: "${TORNADOVM_HOME:?set TORNADOVM_HOME to the TornadoVM SDK to carry (built as the README says)}"
[ -f "$TORNADOVM_HOME/tornado-argfile" ] || { echo "error: $TORNADOVM_HOME has no tornado-argfile: not a TornadoVM SDK" >&2; exit 2; }
JDK="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME="$JDK" PATH="$JDK/bin:$PATH"
exclude="$(git rev-parse --git-path info/exclude)"
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.device/' "$exclude" 2>/dev/null || echo '/.device/' >> "$exclude"

echo "gpu-prepare: building the project with the tornado profile ..."
mvn -o -B -q -DskipTests package
mvn -o -B -q -pl backend-tornado test-compile dependency:copy-dependencies -DincludeScope=test \
    -DincludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
    -DoutputDirectory=target/test-lib
cp core/target/vitarena-core-*-tests.jar backend-tornado/target/test-lib/

mkdir -p .device
# the SDK without its examples, benchmarks and unit tests (nothing requires them)
sdk=$(mktemp -d)
cp -a "$TORNADOVM_HOME" "$sdk/tornadovm"
rm -f "$sdk"/tornadovm/share/java/tornado/tornado-{benchmarks,unittests,examples,fuzz}-*.jar
rm -rf "$sdk"/tornadovm/examples
echo "$TORNADOVM_HOME" > .device/tornadovm.home
tar cJf .device/tornadovm.tar.xz -C "$sdk" tornadovm
rm -rf "$sdk"

# the Java modules TornadoVM's jars require (not the optional "requires static" ones), plus what
# ViT Arena needs (java.sql: Truffle, on the SDK's upgrade module path); Graal's compiler comes from the
# SDK's graalJars (--upgrade-module-path), not the image
mods="java.base,java.logging,java.management,java.sql,jdk.unsupported,jdk.incubator.vector,jdk.internal.vm.ci,jdk.management"
for jar in "$TORNADOVM_HOME"/share/java/tornado/tornado-*.jar; do
    case "$jar" in *tornado-benchmarks-*|*tornado-unittests-*|*tornado-examples-*|*tornado-fuzz-*) continue ;; esac
    for m in $(jar --describe-module --file "$jar" 2>/dev/null | awk '$1 == "requires" && $2 != "static" { print $2 == "transitive" ? $3 : $2 }' | grep -E '^(java|jdk)\.' | grep -v '^jdk.graal' || true); do
        mods="$mods,$m"
    done
done
mods=$(echo "$mods" | tr ',' '\n' | sort -u | paste -sd,)
echo "gpu-prepare: jlinking a runtime with $mods"
rm -rf .device/jre
jlink --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output .device/jre
tar cJf .device/jre.tar.xz -C .device jre && rm -rf .device/jre

if [ -d ../shared/golden ] && [ ! -d .device/golden ]; then
    mkdir -p .device/golden && cp ../shared/golden/* .device/golden/ 2>/dev/null || true
fi
du -ch .device runner/target/*.jar runner/target/lib backend-tornado/target/*.jar backend-tornado/target/classes \
    backend-tornado/target/test-classes backend-tornado/target/test-lib | tail -n 1 | sed 's/total/to carry (64 MiB at most)/'
