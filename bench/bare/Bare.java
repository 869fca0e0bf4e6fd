// The io task alone, for the bookkeeping budget (runners/README.md "Runner bookkeeping"): what the Java
// runner's task costs without the runner. Same command line shape (--approach threads|virtual-threads,
// --tasks N, --io-ms D) and the same task body and completion as runners/java (Thread.sleep of one
// shared Duration; a platform thread per task, or Executors.newVirtualThreadPerTaskExecutor(); a latch
// counted down by each task), nothing else by default: no stamps, no window, no document. Never shipped.
// --stamps adds the runner's three stamp arrays alone (24 bytes per task), allocated before the tasks and held
// to the end, untouched: what holding them costs the JVM's heap, apart from everything else the runner does
// (bench/bookkeeping_container.py's third side).
// Build: javac --release 21 -d OUT bench/bare/Bare.java; run: java -cp OUT Bare --tasks N ...

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public final class Bare {
    private Bare() {}

    private static String value(String[] args, String flag, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(flag)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    public static void main(String[] args) throws InterruptedException {
        String approach = value(args, "--approach", "virtual-threads");
        int tasks = Integer.parseInt(value(args, "--tasks", "1000"));
        Duration wait = Duration.ofNanos(Math.round(Double.parseDouble(value(args, "--io-ms", "10")) * 1e6));
        long[][] stamps = java.util.Arrays.asList(args).contains("--stamps")
                ? new long[][] {new long[tasks], new long[tasks], new long[tasks]} : null;
        CountDownLatch done = new CountDownLatch(tasks);
        Runnable task = () -> {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        };
        switch (approach) {
            case "threads" -> {
                for (int i = 0; i < tasks; i++) {
                    new Thread(task).start();
                }
                done.await();
            }
            case "virtual-threads" -> {
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                for (int i = 0; i < tasks; i++) {
                    executor.execute(task);
                }
                done.await();
                executor.shutdown();
            }
            default -> {
                System.err.println("bare: error: --approach: threads or virtual-threads, got " + approach);
                System.exit(2);
            }
        }
        Reference.reachabilityFence(stamps);
    }
}
