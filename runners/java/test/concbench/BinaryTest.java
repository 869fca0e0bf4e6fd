package concbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runner as the local executor runs it: the launcher build.sh wrote (-Dconcbench.binary) under
 * the contract's local command, word for word.
 */
final class BinaryTest {
    private BinaryTest() {}

    record Run(int code, String stdout, String stderr) {}

    static Run runJar(String... args) throws IOException, InterruptedException {
        Check.isTrue(TestPaths.BINARY != null && Files.isExecutable(TestPaths.BINARY),
                "no launcher (-Dconcbench.binary): " + TestPaths.BINARY);
        List<String> command = new ArrayList<>();
        for (String word : ContractTest.localCommand()) {
            command.add(word.replace("{binary}", TestPaths.BINARY.toString()));
        }
        command.addAll(List.of(args));
        Path out = Files.createTempFile("runner", ".out"), err = Files.createTempFile("runner", ".err");
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Check.fail(command + ": timed out");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static Map<String, Object> okDocument(Run r) {
        Check.equal(r.code(), Main.EXIT_OK, "exit code (stderr: " + r.stderr() + ")");
        Check.isTrue(r.stdout().endsWith("\n") && r.stdout().indexOf('\n') == r.stdout().length() - 1,
                "stdout is exactly one line: " + r.stdout());
        Check.equal(r.stderr(), "", "stderr of an ok run (no JVM warning, no restricted-method warning)");
        return JsonParser.object(JsonParser.parse(r.stdout()));
    }

    static void testIoDocument() throws Exception {
        Map<String, Object> doc = okDocument(runJar("--approach", "virtual-threads", "--tasks", "100", "--io-ms", "5"));
        RunTest.checkCommon(doc, 100);
        RunTest.checkIo(doc, 5);
        Map<String, Object> rt = RunTest.obj(doc, "memory", "runtime");
        Check.isTrue(JsonParser.list(rt.get("jvmFlags")).contains("-XX:MaxRAMPercentage=75"), "the heap flag is recorded: " + rt);
        // The launcher runs the JDK build.sh chose: test.sh builds with the JDK running this suite.
        Check.equal(RunTest.obj(doc, "runtime").get("version"), System.getProperty("java.runtime.version"), "the launcher's JVM");
        Check.equal(RunTest.obj(doc, "memory").get("hwm_reset"), Boolean.TRUE, "VmHWM reset");
    }

    static void testCpuLoopDocument() throws Exception {
        Map<String, Object> doc = okDocument(runJar("--workload", "cpu-loop", "--approach", "fixed-pool", "--tasks", "16",
                "--loop-bytes", "4097", "--workers", "2"));
        RunTest.checkCommon(doc, 16);
        Check.equal(doc.get("checksum"), String.format("%08x", Workloads.fnv1a32(Workloads.payload(0, 4097))), "checksum");
    }

    static void testUsageError() throws Exception {
        Run r = runJar("--approach", "threads", "--tasks", "0");
        Check.equal(r.code(), Main.EXIT_USAGE, "exit code");
        Check.equal(r.stdout(), "", "stdout");
        Check.equal(r.stderr(), "runner: error: --tasks: expected an integer >= 1, got '0'\n", "stderr");
    }

    static void testHelp() throws Exception {
        Run r = runJar("--help");
        Check.equal(r.code(), Main.EXIT_OK, "exit code");
        Check.equal(r.stdout(), "", "stdout");
        Check.isTrue(r.stderr().startsWith("usage: runner"), "usage on stderr");
    }

    static void testErrorDocument() throws Exception {
        Run r = runJar("--workload", "cpu", "--approach", "threads", "--tasks", "2", "--payload-bytes", "1048576", "--repeat", "4096");
        Check.equal(r.code(), Main.EXIT_RUN_FAILED, "exit code");
        Check.isTrue(r.stdout().indexOf('\n') == r.stdout().length() - 1, "one document line");
        Map<String, Object> doc = JsonParser.object(JsonParser.parse(r.stdout()));
        Check.isTrue(RunTest.VALIDATOR.errors(doc).isEmpty(), "schema: " + RunTest.VALIDATOR.errors(doc));
        Check.equal(doc.get("status"), "error", "status");
    }
}
