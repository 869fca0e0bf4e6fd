package concbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A sleeping virtual thread keeps the frame that called Thread.sleep in a heap stack chunk, so that
 * frame is memory the runner adds to every waiting task (runners/README.md, "Runner bookkeeping").
 * Two child JVMs run 20,000 io tasks on virtual threads, the runner's and bench/bare/Bare.java's, with
 * compilation stopped at C1's profiled tier (tier 3), which compiles the task while the first tasks
 * park; each prints its task's compiled code (-XX:CompileCommand=print), whose frame size is read
 * from it: the JVM annotates some methods ("[sp+0x70]  (sp of caller)"; Java 21 all, Java 25 not
 * every one without a disassembler), else it is the "sub rsp, n" after the verified entry point plus
 * the return address and the saved rbp. The runner's frame must be no larger than the bare program's.
 * x86-64 only (the entry code is read as x86-64); elsewhere it says so and checks nothing. C2's frame,
 * where the two programs differ with Java 21 but not with Java 25, is checked in the runner's image by
 * tests/runners/test_java_parked_frame.py.
 */
final class ParkedFrameTest {
    private ParkedFrameTest() {}

    private static final Pattern ANNOTATED = Pattern.compile("\\[sp\\+0x([0-9a-f]+)\\]\\s+\\(sp of caller\\)");
    private static final Pattern CODE_LINE = Pattern.compile("^\\s*0x[0-9a-f]+: ((?:[0-9a-f]{2,8}\\s*\\|?\\s*)+)$");
    private static final String VERIFIED_ENTRY = "[Verified Entry Point]";
    /** A compilation's header: "Compiled method (c1) 321 720 ! 3 concbench...": the tier is the digit before the name. */
    private static final Pattern HEADER = Pattern.compile("^Compiled method \\(c\\d\\)\\s+\\d+\\s+\\d+\\s+[!%sbn ]*?(\\d)\\s+\\S+::");
    static final int PROFILED_C1 = 3;

    static void testIoTaskFrameIsTheBareProgramsFrame() throws Exception {
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            System.out.println("      ParkedFrameTest: skipped on " + arch + " (it reads x86-64 entry code)");
            return;
        }
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

    /**
     * The frame size of the method `pattern` names, compiled by C1 at tier 3 in a child JVM. C1 can
     * compile it at tier 2 instead when its queue is long (another frame, and then maybe no tier-3
     * compilation before the run ends): the child runs again, up to three times, until one has it.
     */
    static int frameBytes(String pattern, String classPath, List<String> program) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=3",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:CompileCommand=quiet", "-XX:CompileCommand=print," + pattern,
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        command.addAll(program);
        command.addAll(List.of("--approach", "virtual-threads", "--tasks", "20000", "--io-ms", "20"));
        String output = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Check.isTrue(child.waitFor(120, TimeUnit.SECONDS), "no exit within 120 s: " + String.join(" ", command));
            Check.equal(child.exitValue(), 0, String.join(" ", command) + ":\n" + tail(output));
            List<Integer> frames = frames(output, PROFILED_C1);
            if (!frames.isEmpty()) {
                return frames.stream().mapToInt(Integer::intValue).max().getAsInt(); // a recompilation counts too
            }
        }
        throw new AssertionError(pattern + " was not compiled at tier 3 in three runs:\n" + tail(output));
    }

    /**
     * The frame size in bytes of every compilation at this tier, in the order printed: each block starts
     * at "Compiled method"; the annotation when the JVM wrote one for it, else the entry code's bytes.
     */
    static List<Integer> frames(String output, int tier) {
        List<Integer> frames = new ArrayList<>();
        String[] blocks = output.split("(?m)^(?=Compiled method)");
        for (String block : blocks) {
            Matcher header = HEADER.matcher(block);
            if (!header.find() || Integer.parseInt(header.group(1)) != tier) {
                continue;
            }
            Matcher annotated = ANNOTATED.matcher(block);
            if (annotated.find()) {
                frames.add(Integer.parseInt(annotated.group(1), 16));
                continue;
            }
            int entry = block.indexOf(VERIFIED_ENTRY);
            Check.isTrue(entry >= 0, "no verified entry point in:\n" + tail(block));
            StringBuilder bytes = new StringBuilder();
            for (String line : block.substring(entry).lines().skip(1).limit(12).toList()) {
                Matcher code = CODE_LINE.matcher(line);
                if (code.matches()) {
                    bytes.append(code.group(1).replaceAll("[\\s|]", ""));
                }
            }
            frames.add(16 + subRsp(bytes.toString())); // the return address and the saved rbp
        }
        return frames;
    }

    /** The n of the first "sub rsp, n" in hex machine code (48 81 ec imm32, or 48 83 ec imm8), at a byte boundary. */
    static int subRsp(String hex) {
        for (int at = 0; at + 8 <= hex.length(); at += 2) {
            if (hex.startsWith("4881ec", at) && at + 14 <= hex.length()) {
                int n = 0;
                for (int k = 3; k >= 0; k--) { // little-endian imm32
                    n = (n << 8) | Integer.parseInt(hex.substring(at + 6 + 2 * k, at + 8 + 2 * k), 16);
                }
                return n;
            }
            if (hex.startsWith("4883ec", at)) {
                return Integer.parseInt(hex.substring(at + 6, at + 8), 16);
            }
        }
        throw new AssertionError("no sub rsp in the entry code: " + hex);
    }

    private static String tail(String text) {
        return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    }
}
