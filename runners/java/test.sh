#!/bin/sh
# The Java runner's own test suite: sh test.sh [NAME...] (from anywhere).
#
# Builds the runner's jar with build.sh, compiles src/ and test/ together, and runs every test
# (test/concbench/TestRunner.java; NAME keeps only the tests whose Class.method contains it).
# The JDK: the one build.sh would choose (jdk.sh: $JAVA_HOME, else the javac first on PATH, else the
# newest under /usr/lib/jvm; 21 or newer), for the build, the suite and the launcher alike.
# Exit codes: 0 every test passed, 1 a test failed or the build failed, 77 no JDK >= 21 was found
# (a caller may report the suite as skipped).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/jdk.sh"
if [ -z "$jdk_bin" ]; then
    echo "test.sh: $jdk_why: set JAVA_HOME or put a JDK >= 21 first on PATH" >&2
    exit 77
fi
JAVA_HOME=$(cd "$jdk_bin/.." && pwd)
PATH="$jdk_bin:$PATH"
export JAVA_HOME PATH # build.sh then picks this very JDK

work=$(mktemp -d "${TMPDIR:-/tmp}/concbench-java-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The launcher the contract's local build writes: BinaryTest runs it under the contract's local command.
sh "$here/build.sh" --launcher "$work/runner"
javac --release 21 -Xlint:all -Werror -encoding UTF-8 -d "$work/classes" \
    "$here"/src/concbench/*.java "$here"/test/concbench/*.java
# The JVM flags of the contract's local command, minus the heap size (the suite is not a measurement).
java -XX:+DisplayVMOutputToStderr -Xlog:disable -Xlog:all=warning:stderr --enable-native-access=ALL-UNNAMED \
    -Dconcbench.repo="$repo" -Dconcbench.binary="$work/runner" \
    -cp "$work/classes" concbench.TestRunner "$@"
