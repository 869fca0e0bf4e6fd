# Sourced by build.sh and test.sh: choose the JDK (21 or newer; javac, jar and java of one installation).
# $JAVA_HOME when set (and then it must qualify), else the one whose javac is first on PATH, else the
# newest under /usr/lib/jvm. Sets jdk_bin to its bin directory, or leaves it empty and says why in jdk_why.

jdk_feature() { # the feature release of a java or javac binary (17, 21, 25), 0 when it cannot tell
    "$1" -version 2>&1 | sed -n 's/^[a-z]* \(version \)\{0,1\}"\{0,1\}\(1\.\)\{0,1\}\([0-9][0-9]*\).*/\3/p' | head -n 1 | grep . || echo 0
}
jdk_usable() { # a bin directory holding javac, jar and java of release >= 21
    [ -x "$1/javac" ] && [ -x "$1/jar" ] && [ -x "$1/java" ] && [ "$(jdk_feature "$1/javac")" -ge 21 ] \
        && [ "$(jdk_feature "$1/java")" -ge 21 ]
}

jdk_bin=
jdk_why=
if [ -n "${JAVA_HOME:-}" ]; then
    if jdk_usable "$JAVA_HOME/bin"; then
        jdk_bin=$JAVA_HOME/bin
    else
        jdk_why="JAVA_HOME=$JAVA_HOME is not a JDK >= 21"
    fi
elif command -v javac >/dev/null 2>&1 && jdk_usable "$(dirname "$(readlink -f "$(command -v javac)")")"; then
    jdk_bin=$(dirname "$(readlink -f "$(command -v javac)")")
else
    jdk_best=0
    for jdk_dir in /usr/lib/jvm/*/bin; do
        if jdk_usable "$jdk_dir" && [ "$(jdk_feature "$jdk_dir/javac")" -gt "$jdk_best" ]; then
            jdk_best=$(jdk_feature "$jdk_dir/javac")
            jdk_bin=$jdk_dir
        fi
    done
    if [ -z "$jdk_bin" ]; then
        jdk_found=$(command -v javac 2>/dev/null || true)
        jdk_why="no JDK >= 21 in JAVA_HOME, on PATH (javac: ${jdk_found:-none}${jdk_found:+, Java $(jdk_feature "$jdk_found")}) or under /usr/lib/jvm"
    fi
fi
