package concbench;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The validated command line (runners/README.md, "Arguments"); ConfigTest and ContractTest check
 * it against schema/runner_contract.json.
 *
 * <p>Every option is a component; tasks is a long because the contract has no upper bound for N (a
 * huge N is refused at run time, where the stamps cannot be allocated, never as a usage error).
 */
record Config(
        String workload, // io, cpu, cpu-loop or mixed
        String approach,
        long tasks, // N >= 1
        double ioMs, // io and mixed: D > 0 ms
        int poolSize, // threadpool: pool threads
        int workers, // fixed-pool and virtual-threads-pool: worker threads
        int payloadBytes, // cpu: B
        int repeat, // cpu: R
        int loopBytes) { // cpu-loop and mixed: L

    /** What this runner implements per workload; ContractTest checks it against the contract, both ways. */
    static final Map<String, List<String>> APPROACHES_BY_WORKLOAD = Map.of(
            "io", List.of("threads", "virtual-threads", "threadpool"),
            "cpu", List.of("threads", "virtual-threads", "fixed-pool"),
            "cpu-loop", List.of("threads", "virtual-threads", "fixed-pool"),
            "mixed", List.of("threads", "virtual-threads", "threadpool", "virtual-threads-pool"));

    static final List<String> WORKLOADS = List.of("io", "cpu", "cpu-loop", "mixed");

    /** The approaches sized by --workers (the others by --pool-size, or by nothing). */
    static final List<String> SIZED_BY_WORKERS = List.of("fixed-pool", "virtual-threads-pool");

    /** The contract's io_ms maximum (Node's setTimeout limit, 2^31 - 1 ms). */
    static final double MAX_IO_MS = 2147483647;

    static final String USAGE = """
            usage: runner --approach NAME [--workload io|cpu|cpu-loop|mixed] [--tasks N] [--io-ms D]
                          [--pool-size N] [--workers N] [--payload-bytes B] [--repeat R]
                          [--loop-bytes L] [--help]

            Java runner of concbench-poly: one measured run, one JSON document on stdout.

              --workload io|cpu|cpu-loop|mixed
                                   io: each task Thread.sleep(D); cpu: each task SHA-256 of payload_i * R
                                   (MessageDigest); cpu-loop: each task FNV-1a 32 of its L-byte payload_i
                                   in a Java loop; mixed: each task Thread.sleep(D), then cpu-loop's work
                                   (default io)
              --approach NAME      threads (a platform thread per task), virtual-threads
                                   (Executors.newVirtualThreadPerTaskExecutor), threadpool (io, mixed:
                                   Executors.newFixedThreadPool(pool size)), fixed-pool (cpu, cpu-loop:
                                   Executors.newFixedThreadPool(workers)), virtual-threads-pool (mixed: a
                                   virtual thread per task that hands its CPU work to
                                   Executors.newFixedThreadPool(workers) and waits for it) (required)
              --tasks N            number of tasks, integer >= 1 (default 1000)
              --io-ms D            io and mixed: wait per task in ms, a number > 0 (default 10)
              --pool-size N        threadpool only: pool threads, integer >= 1 (default 50)
              --workers N          fixed-pool and virtual-threads-pool: worker threads, integer >= 1 (default 4)
              --payload-bytes B    cpu only: base payload size in bytes, integer >= 1 (default 64)
              --repeat R           cpu only: payload repetitions before hashing, integer >= 1 (default 10000)
              --loop-bytes L       cpu-loop and mixed: bytes each task hashes, integer >= 1 (default 16384)
              --help               this text on stderr, exit 0

            Both --name value and --name=value are accepted. Exit codes: 0 ok, 1 status error, 2 usage error.
            """;

    /** A usage error about one argument (arg is null when it names none). */
    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;
        final String arg;

        UsageError(String arg, String message) {
            super(arg == null ? message : arg + ": " + message);
            this.arg = arg;
        }
    }

    /** --help / -h was given. */
    static final class HelpRequested extends Exception {
        private static final long serialVersionUID = 1L;
    }

    static Config defaults() {
        return new Config("io", null, 1000, 10, 50, 4, 64, 10000, 16384);
    }

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    /** Parses and validates args (without the program name). */
    static Config parse(String[] args) throws UsageError, HelpRequested {
        Config d = defaults();
        String workload = d.workload, approach = d.approach;
        long tasks = d.tasks;
        double ioMs = d.ioMs;
        int poolSize = d.poolSize, workers = d.workers, payloadBytes = d.payloadBytes, repeat = d.repeat,
                loopBytes = d.loopBytes;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            if (!arg.startsWith("--") || arg.equals("--")) {
                throw new UsageError(null, "unexpected argument " + quote(arg));
            }
            String name = arg, value = null;
            int eq = arg.indexOf('=');
            if (eq >= 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!isFlag(name)) {
                throw new UsageError(name, "unrecognized argument");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageError(name, "expected a value");
                }
                value = args[++i];
                if (value.startsWith("--")) {
                    throw new UsageError(name, "expected a value, got " + quote(value));
                }
            }
            switch (name) {
                case "--workload" -> workload = choice(name, value, WORKLOADS);
                case "--approach" -> approach = choice(name, value, allApproaches());
                case "--tasks" -> tasks = positiveLong(name, value);
                case "--io-ms" -> ioMs = positiveNumber(name, value);
                case "--pool-size" -> poolSize = positiveInt(name, value);
                case "--workers" -> workers = positiveInt(name, value);
                case "--payload-bytes" -> payloadBytes = positiveInt(name, value);
                case "--repeat" -> repeat = positiveInt(name, value);
                case "--loop-bytes" -> loopBytes = positiveInt(name, value);
                default -> throw new IllegalStateException(name);
            }
        }
        List<String> own = APPROACHES_BY_WORKLOAD.get(workload);
        if (approach == null) {
            throw new UsageError("--approach", "required (choose from " + String.join(", ", own) + ")");
        }
        if (!own.contains(approach)) {
            throw new UsageError("--approach", quote(approach) + " does not exist for workload " + workload
                    + " (choose from " + String.join(", ", own) + ")");
        }
        return new Config(workload, approach, tasks, ioMs, poolSize, workers, payloadBytes, repeat, loopBytes);
    }

    static final List<String> FLAGS = List.of("--workload", "--approach", "--tasks", "--io-ms", "--pool-size",
            "--workers", "--payload-bytes", "--repeat", "--loop-bytes");

    private static boolean isFlag(String name) {
        return FLAGS.contains(name);
    }

    /** Every approach of every workload, sorted, each once. */
    static List<String> allApproaches() {
        return APPROACHES_BY_WORKLOAD.values().stream().flatMap(List::stream).distinct().sorted().toList();
    }

    private static String choice(String name, String value, List<String> choices) throws UsageError {
        if (!choices.contains(value)) {
            throw new UsageError(name, "invalid choice " + quote(value) + " (choose from " + String.join(", ", choices) + ")");
        }
        return value;
    }

    private static long positiveLong(String name, String value) throws UsageError {
        if (INTEGER.matcher(value).matches()) {
            try {
                long n = Long.parseLong(value);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // beyond a long: refused below
            }
        }
        throw new UsageError(name, "expected an integer >= 1, got " + quote(value));
    }

    private static int positiveInt(String name, String value) throws UsageError {
        long n = positiveLong(name, value);
        if (n > Integer.MAX_VALUE) {
            throw new UsageError(name, "expected an integer >= 1 and <= " + Integer.MAX_VALUE + ", got " + quote(value));
        }
        return (int) n;
    }

    private static double positiveNumber(String name, String value) throws UsageError {
        double f = Double.NaN;
        if (DECIMAL.matcher(value).matches()) {
            f = Double.parseDouble(value);
        }
        if (!(f > 0) || Double.isInfinite(f)) {
            throw new UsageError(name, "expected a number > 0, got " + quote(value));
        }
        if (f > MAX_IO_MS) {
            throw new UsageError(name, "expected a number <= " + (long) MAX_IO_MS + ", got " + quote(value));
        }
        return f;
    }

    /** A user-supplied value as 'value' on one line. */
    static String quote(String s) {
        return "'" + oneLine(s) + "'";
    }

    /** Escapes control characters so a message always stays one stderr line. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
