package concbench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The Java runner of concbench-poly: one measured run of one approach on one workload, one JSON
 * document (schema/result.schema.json) on stdout. The contract it follows is runners/README.md.
 *
 * <p>Exit codes: 0 ok, 1 status error (the document is still printed), 2 usage error (stdout empty,
 * one line on stderr). What the JVM cannot report itself (a heap exhausted where no code of the
 * runner can answer, the kernel's OOM killer, a crash of the VM) ends the process without a
 * document; the orchestrator classifies those endings (the contract's last_words for java).
 */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_RUN_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        int code = realMain(args, System.out, System.err);
        System.exit(code); // also ends tasks a failed run did not wait for
    }

    static int realMain(String[] args, PrintStream out, PrintStream err) {
        Config cfg;
        try {
            cfg = Config.parse(args);
        } catch (Config.HelpRequested h) {
            err.print(Config.USAGE);
            err.flush();
            return EXIT_OK;
        } catch (Config.UsageError e) {
            err.println("runner: error: " + Config.oneLine(e.getMessage()));
            err.flush();
            return EXIT_USAGE;
        }

        Result res = Benchmark.run(cfg);
        byte[] doc;
        try {
            doc = (Json.write(res.toMap()) + "\n").getBytes(StandardCharsets.US_ASCII);
        } catch (Throwable e) {
            // Never print a partial document.
            err.println("runner: internal error: encoding result: " + e);
            return EXIT_RUN_FAILED;
        }
        out.write(doc, 0, doc.length);
        out.flush();
        if (out.checkError()) {
            err.println("runner: writing result failed");
            return EXIT_RUN_FAILED;
        }
        if (!res.ok()) {
            err.println("runner: " + res.error.get("kind") + ": " + res.error.get("message"));
            if (Benchmark.ERR_KIND_INTERNAL.equals(res.error.get("kind")) && res.cause != null) {
                res.cause.printStackTrace(err);
            }
            err.flush();
            return EXIT_RUN_FAILED;
        }
        return EXIT_OK;
    }
}
