#!/bin/sh
# Builds the Java runner (run from anywhere):
#   sh build.sh OUT.jar              one plain jar (the image: java ... -jar /app/runner.jar)
#   sh build.sh --launcher OUT       one executable file: a two-line sh stub that execs the JDK chosen
#                                    here, followed by the same jar (`java -jar OUT` reads past the
#                                    stub, as it does for any jar with a prefix). The contract's local
#                                    build for java writes this, and its local command runs
#                                    `OUT <JVM flags> -jar OUT`, so the local executor never depends on
#                                    which `java` comes first on PATH.
#
# The JDK (jdk.sh; 21 or newer): $JAVA_HOME when set, else the one whose javac is first on PATH, else
# the newest under /usr/lib/jvm. It compiles with --release 21, so the jar runs on any Java >= 21.
# Standard library only: no build tool, nothing downloaded.
set -eu

launcher=no
if [ "${1:-}" = "--launcher" ]; then
    launcher=yes
    shift
fi
out=${1:?usage: sh build.sh [--launcher] OUT}
here=$(cd "$(dirname "$0")" && pwd)

. "$here/jdk.sh"
if [ -z "$jdk_bin" ]; then
    echo "build.sh: $jdk_why: set JAVA_HOME or put a JDK >= 21 first on PATH" >&2
    exit 1
fi
bin=$jdk_bin

work=$(mktemp -d "${TMPDIR:-/tmp}/concbench-java-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/classes"
# -Xlint:all -Werror: a warning is a bug here too.
"$bin/javac" --release 21 -Xlint:all -Werror -encoding UTF-8 -d "$work/classes" "$here"/src/concbench/*.java
# Enable-Native-Access: Java >= 22 reads it from the manifest of an executable jar (getrusage through
# java.lang.foreign); Java 21 needs the command line's --enable-native-access=ALL-UNNAMED.
printf 'Main-Class: concbench.Main\nEnable-Native-Access: ALL-UNNAMED\n' > "$work/manifest.txt"
"$bin/jar" --create --file "$work/runner.jar" --manifest "$work/manifest.txt" -C "$work/classes" .
if [ "$launcher" = yes ]; then
    java=$(printf '%s' "$bin/java" | sed "s/'/'\\\\''/g")
    printf '#!/bin/sh\nexec '\''%s'\'' "$@"\n' "$java" > "$work/runner"
    cat "$work/runner.jar" >> "$work/runner"
    chmod 755 "$work/runner"
    mv "$work/runner" "$work/runner.jar"
fi
mkdir -p "$(dirname "$out")"
mv "$work/runner.jar" "$out"
