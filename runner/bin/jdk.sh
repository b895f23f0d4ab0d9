# Sourced by runner/bin/runner and .ci/run: sets JAVA_HOME to a JDK >= 25, or exits with a message.
# Order: $JAVA_HOME if it is >= 25, then `java` on PATH, then /usr/lib/jvm/*, /opt/java/*, ~/.sdkman.
vitarena_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | cut -d. -f1
}
vitarena_find_jdk() {
    local cand major
    for cand in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
                /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
        [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
        major=$(vitarena_java_major "$cand")
        if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}
if ! VITARENA_JDK=$(vitarena_find_jdk); then
    echo "error: ViT Arena needs a JDK 25 or newer, and none was found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm, /opt/java, ~/.sdkman)." >&2
    echo "       Install one (e.g. Temurin 25: apt-get install temurin-25-jdk, or https://adoptium.net) or set JAVA_HOME to it." >&2
    exit 2
fi
export JAVA_HOME="$VITARENA_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
