package concbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A sleeping virtual thread keeps the frame that called Thread.sleep in a heap stack chunk, so that
 * frame is memory the runner adds to every waiting task (runners/README.md, "Runner bookkeeping").
 * Two child JVMs run 20,000 io tasks on virtual threads, the runner's and bench/bare/Bare.java's, with
 * compilation stopped at C1's profiled tier (tier 3), which compiles the task while the first tasks
 * park; each prints its task's compiled code (-XX:CompileCommand=print), whose
 * frame size is read from it: Java 21 annotates it ("[sp+0x70]  (sp of caller)"); without a
 * disassembler Java 25 prints the bytes only, so there it is the "sub rsp, n" after the verified entry
 * point plus the return address and the saved rbp. The runner's frame must be no larger than the bare
 * program's.
 */
final class ParkedFrameTest {
    private ParkedFrameTest() {}

    private static final Pattern ANNOTATED = Pattern.compile("\\[sp\\+0x([0-9a-f]+)\\]\\s+\\(sp of caller\\)");
    private static final Pattern CODE_LINE = Pattern.compile("^\\s*0x[0-9a-f]+: ((?:[0-9a-f]{2,8}\\s*\\|?\\s*)+)$");
    private static final String VERIFIED_ENTRY = "[Verified Entry Point]";

    static void testIoTaskFrameIsTheBareProgramsFrame() throws Exception {
        Path bare = Files.createTempDirectory("concbench-bare-");
        try {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            Check.isTrue(javac != null, "a JDK runs the suite, with javax.tools");
            Path source = TestPaths.REPO.resolve("bench").resolve("bare").resolve("Bare.java");
            int rc = javac.run(null, null, null, "--release", "21", "-d", bare.toString(), source.toString());
            Check.equal(rc, 0, "javac " + source);
            String classPath = System.getProperty("java.class.path");
            int runner = frameBytes("concbench.Benchmark$Window::lambda$ioTaskOfThread$*", classPath,
                    List.of("concbench.Main", "--workload", "io"));
            int bareFrame = frameBytes("Bare::lambda$main$*", bare.toString(), List.of("Bare"));
            Check.isTrue(runner <= bareFrame, "the runner's io task parks with a frame of " + runner
                    + " bytes, the bare program's with " + bareFrame);
        } finally {
            try (var files = Files.list(bare)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(bare);
        }
    }

    /** The frame size of the method `pattern` names, compiled by C1 (tier 3) in a child JVM. */
    static int frameBytes(String pattern, String classPath, List<String> program) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=3",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:CompileCommand=quiet", "-XX:CompileCommand=print," + pattern,
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        command.addAll(program);
        command.addAll(List.of("--approach", "virtual-threads", "--tasks", "20000", "--io-ms", "1"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Check.equal(child.waitFor(), 0, String.join(" ", command) + ":\n" + tail(output));
        List<Integer> frames = frames(output);
        Check.isTrue(!frames.isEmpty(), pattern + " was not compiled:\n" + tail(output));
        return frames.stream().mapToInt(Integer::intValue).max().getAsInt(); // a recompilation counts too

    }

    /** Every compiled method's frame size in bytes, in the order printed. */
    static List<Integer> frames(String output) {
        List<Integer> frames = new ArrayList<>();
        Matcher annotated = ANNOTATED.matcher(output);
        while (annotated.find()) {
            frames.add(Integer.parseInt(annotated.group(1), 16));
        }
        if (!frames.isEmpty()) {
            return frames;
        }
        for (int at = output.indexOf(VERIFIED_ENTRY); at >= 0; at = output.indexOf(VERIFIED_ENTRY, at + 1)) {
            StringBuilder bytes = new StringBuilder();
            for (String line : output.substring(at).lines().skip(1).limit(4).toList()) {
                Matcher code = CODE_LINE.matcher(line);
                if (code.matches()) {
                    bytes.append(code.group(1).replaceAll("[\\s|]", ""));
                }
            }
            frames.add(16 + subRsp(bytes.toString()));
        }
        return frames;
    }

    /** The n of the first "sub rsp, n" in hex machine code (48 81 ec imm32, or 48 83 ec imm8). */
    static int subRsp(String hex) {
        int wide = hex.indexOf("4881ec"), narrow = hex.indexOf("4883ec");
        if (wide >= 0 && (narrow < 0 || wide < narrow) && hex.length() >= wide + 14) {
            int n = 0;
            for (int k = 3; k >= 0; k--) { // little-endian imm32
                n = (n << 8) | Integer.parseInt(hex.substring(wide + 6 + 2 * k, wide + 8 + 2 * k), 16);
            }
            return n;
        }
        Check.isTrue(narrow >= 0 && hex.length() >= narrow + 8, "no sub rsp in the entry code: " + hex);
        return Integer.parseInt(hex.substring(narrow + 6, narrow + 8), 16);
    }

    private static String tail(String text) {
        return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    }
}
