package concbench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The command line: forms, defaults, help, and usage errors that name their argument. */
final class ConfigTest {
    private ConfigTest() {}

    static Config parse(String... args) {
        try {
            return Config.parse(args);
        } catch (Exception e) {
            throw new AssertionError(List.of(args) + ": " + e, e);
        }
    }

    static void testDefaultsAndForms() {
        Config c = parse("--approach", "virtual-threads");
        Check.equal(c, new Config("io", "virtual-threads", 1000, 10, 50, 4, 64, 10000, 16384), "defaults");
        Check.equal(parse("--approach=threads", "--tasks=5", "--io-ms=0.5"), parse("--tasks", "5", "--io-ms", "0.5", "--approach", "threads"),
                "--name=value equals --name value");
        Check.equal(parse("--approach", "threads", "--tasks", "5", "--tasks", "7").tasks(), 7L, "the last value wins");
        Check.equal(parse("--workload", "cpu-loop", "--approach", "fixed-pool", "--workers", "3").workers(), 3, "workers");
        Check.equal(parse("--approach", "threads", "--tasks", "1000000000000").tasks(), 1_000_000_000_000L,
                "a huge N is accepted (it fails at run time)");
        Check.equal(parse("--approach", "threads", "--io-ms", "1e-3").ioMs(), 0.001, "exponent form");
        Check.equal(parse("--approach", "threads", "--io-ms", String.valueOf((long) Config.MAX_IO_MS)).ioMs(),
                Config.MAX_IO_MS, "the contract's io_ms maximum");
    }

    static void testHelp() {
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("--approach", "threads", "--help"))) {
            try {
                Config.parse(args.toArray(String[]::new));
                Check.fail(args + ": no help");
            } catch (Config.HelpRequested e) {
                // expected
            } catch (Config.UsageError e) {
                Check.fail(args + ": " + e);
            }
        }
    }

    /** Each refused command line and the argument its one stderr line must name. */
    static final List<List<String>> REFUSED = List.of(
            List.of("--tasks", "--approach", "threads", "--tasks", "0"),
            List.of("--tasks", "--approach", "threads", "--tasks", "-5"),
            List.of("--tasks", "--approach", "threads", "--tasks", "abc"),
            List.of("--tasks", "--approach", "threads", "--tasks", "1.5"),
            List.of("--tasks", "--approach", "threads", "--tasks", "\u0663"), // a non-ASCII digit
            List.of("--tasks", "--approach", "threads", "--tasks", "99999999999999999999"),
            List.of("--tasks", "--approach", "threads", "--tasks"),
            List.of("--tasks", "--approach", "threads", "--tasks", "--io-ms", "5"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", "0"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", "NaN"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", "Infinity"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", "1e400"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", "0x10"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", " 5"),
            List.of("--io-ms", "--approach", "threads", "--io-ms", "2147483648"),
            List.of("--pool-size", "--approach", "threadpool", "--pool-size", "2147483648"),
            List.of("--workers", "--workload", "cpu", "--approach", "fixed-pool", "--workers", "0"),
            List.of("--bogus", "--approach", "threads", "--bogus", "1"),
            List.of("--workload", "--approach", "threads", "--workload", "gpu"),
            List.of("--approach", "--approach", "goroutines"),
            List.of("--approach", "--workload", "io"),
            List.of("--approach", "--workload", "io", "--approach", "fixed-pool"),
            List.of("--approach", "--workload", "cpu", "--approach", "threadpool"),
            List.of("unexpected argument", "--approach", "threads", "extra"));

    static void testErrorsNameTheArgument() {
        for (List<String> c : REFUSED) {
            String named = c.get(0);
            String[] args = c.subList(1, c.size()).toArray(String[]::new);
            try {
                Config.parse(args);
                Check.fail(List.of(args) + ": accepted");
            } catch (Config.UsageError e) {
                Check.isTrue(e.getMessage().contains(named), List.of(args) + ": '" + e.getMessage() + "' does not name " + named);
            } catch (Config.HelpRequested e) {
                Check.fail(List.of(args) + ": help");
            }
        }
    }

    record Outcome(int code, String stdout, String stderr) {}

    static Outcome realMain(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.realMain(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void testRealMainUsageContract() {
        for (List<String> c : REFUSED) {
            Outcome o = realMain(c.subList(1, c.size()).toArray(String[]::new));
            Check.equal(o.code(), Main.EXIT_USAGE, c + ": exit code");
            Check.equal(o.stdout(), "", c + ": stdout");
            Check.isTrue(o.stderr().endsWith("\n") && o.stderr().indexOf('\n') == o.stderr().length() - 1,
                    c + ": stderr is not one line: " + o.stderr());
            Check.isTrue(o.stderr().startsWith("runner: error: ") && o.stderr().contains(c.get(0)),
                    c + ": stderr does not name " + c.get(0) + ": " + o.stderr());
        }
    }

    static void testRealMainHelp() {
        Outcome o = realMain("--help");
        Check.equal(o.code(), Main.EXIT_OK, "exit code");
        Check.equal(o.stdout(), "", "stdout");
        Check.isTrue(o.stderr().startsWith("usage: runner --approach"), "usage on stderr: " + o.stderr());
        for (String flag : Config.FLAGS) {
            Check.isTrue(o.stderr().contains(flag), "usage does not mention " + flag);
        }
        for (String approach : Config.allApproaches()) {
            Check.isTrue(o.stderr().contains(approach), "usage does not mention " + approach);
        }
    }

    static void testOneLineEscapesLineBreaks() {
        Check.equal(Config.oneLine("a\nb\r\tc\u007f"), "a\\x0ab\\x0d\\x09c\\x7f", "oneLine");
        Outcome o = realMain("--approach", "threads", "--tasks", "1\n2");
        Check.isTrue(o.stderr().indexOf('\n') == o.stderr().length() - 1, "one stderr line: " + o.stderr());
    }
}
