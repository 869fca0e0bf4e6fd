package concbench;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * The work of one task, whatever approach runs it: io waits D with Thread.sleep (a platform thread
 * blocks in the kernel, a virtual thread unmounts from its carrier), cpu hashes payload_i * R with
 * SHA-256 (MessageDigest), cpu-loop hashes payload_i of L bytes with 32-bit FNV-1a in a Java loop,
 * mixed waits D, then does cpu-loop's work.
 */
final class Workloads {
    private Workloads() {}

    interface Body {
        /** The work of task i; what it throws fails the run. */
        void run(int i) throws Exception;

        /** result.checksum: task 0's result after the window, null for io. */
        String checksum();

        /** The wait D in ns, or -1 for a workload without a wait (wakeup_ms is then null). */
        long waitNs();

        /** After the window: stops what the body started (a mixed approach's CPU pool). */
        default void close() {}
    }

    /** The body of cfg's workload; for virtual-threads-pool, with its CPU pool started. */
    static Body of(Config cfg) {
        return switch (cfg.workload()) {
            case "io" -> new Io(Stats.waitNs(cfg.ioMs()));
            case "cpu" -> new Sha256(cfg.payloadBytes(), cfg.repeat());
            case "cpu-loop" -> new FnvLoop(cfg.loopBytes(), (int) cfg.tasks());
            case "mixed" -> new Mixed(Stats.waitNs(cfg.ioMs()), new FnvLoop(cfg.loopBytes(), (int) cfg.tasks()),
                    cfg.approach().equals("virtual-threads-pool") ? Pools.started(cfg.workers()) : null);
            default -> throw new IllegalArgumentException(cfg.workload());
        };
    }

    /** io: Thread.sleep(D) with D = round(io_ms * 1e6) ns; it never returns early. */
    static final class Io implements Body {
        private final long waitNs;
        private final Duration wait; // one shared Duration: the task allocates nothing to sleep

        Io(long waitNs) {
            this.waitNs = waitNs;
            this.wait = Duration.ofNanos(waitNs);
        }

        @Override
        public void run(int i) throws InterruptedException {
            Thread.sleep(wait);
        }

        Duration waitDuration() {
            return wait;
        }

        @Override
        public String checksum() {
            return null;
        }

        @Override
        public long waitNs() {
            return waitNs;
        }
    }

    /** payload_i: size bytes with byte j = (i + j) % 256. */
    static byte[] payload(int i, int size) {
        byte[] p = new byte[size];
        for (int j = 0; j < size; j++) {
            p[j] = (byte) (i + j); // the low 8 bits survive int overflow: (i + j) % 256
        }
        return p;
    }

    /** The largest array the JVM allocates (a few header words below Integer.MAX_VALUE). */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** payload_i * R. */
    static byte[] taskInput(int i, int payloadBytes, int repeat) {
        long size = (long) payloadBytes * repeat;
        if (size > MAX_ARRAY) {
            throw new IllegalArgumentException("payload_bytes * repeat = " + size
                    + " bytes is more than one Java array holds (" + MAX_ARRAY + ")");
        }
        byte[] p = payload(i, payloadBytes);
        byte[] input = new byte[(int) size];
        for (int r = 0; r < repeat; r++) {
            System.arraycopy(p, 0, input, r * payloadBytes, payloadBytes);
        }
        return input;
    }

    /** cpu: SHA-256 of payload_i * R; checksum is the hex digest of task 0's input. */
    static final class Sha256 implements Body {
        private final int payloadBytes, repeat;
        private volatile byte[] first; // task 0's digest

        Sha256(int payloadBytes, int repeat) {
            this.payloadBytes = payloadBytes;
            this.repeat = repeat;
        }

        @Override
        public void run(int i) throws Exception {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(taskInput(i, payloadBytes, repeat));
            if (i == 0) {
                first = digest;
            }
        }

        @Override
        public String checksum() {
            return first == null ? null : HexFormat.of().formatHex(first);
        }

        @Override
        public long waitNs() {
            return -1;
        }
    }

    static final int FNV1A32_OFFSET = 0x811c9dc5;
    static final int FNV1A32_PRIME = 0x01000193;

    /** 32-bit FNV-1a: h = offset; per byte b: h = (h ^ b) * prime mod 2^32 (int arithmetic wraps). */
    static int fnv1a32(byte[] data) {
        int h = FNV1A32_OFFSET;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= FNV1A32_PRIME;
        }
        return h;
    }

    /** cpu-loop: every task's hash kept in an array allocated before the window, so the loop's result is used. */
    static final class FnvLoop implements Body {
        private final int loopBytes;
        private final int[] hashes;

        FnvLoop(int loopBytes, int tasks) {
            this.loopBytes = loopBytes;
            this.hashes = new int[tasks];
        }

        @Override
        public void run(int i) {
            hashes[i] = fnv1a32(payload(i, loopBytes));
        }

        int hash(int i) {
            return hashes[i];
        }

        @Override
        public String checksum() {
            return String.format("%08x", hashes[0]);
        }

        @Override
        public long waitNs() {
            return -1;
        }
    }

    /**
     * mixed: Thread.sleep(D) (the task's I/O), then cpu-loop's work on payload_i. The window stamps
     * woke between the two (Benchmark.Window.task). The work runs in the task's own thread, or, with
     * a CPU pool (virtual-threads-pool), is handed to that pool while the task's virtual thread waits
     * for it, as asyncio + ProcessPool or async + worker_threads hand theirs over.
     */
    static final class Mixed implements Body {
        private final Io io;
        private final FnvLoop loop;
        private final ExecutorService cpuPool; // null: the task's own thread computes

        Mixed(long waitNs, FnvLoop loop, ExecutorService cpuPool) {
            this.io = new Io(waitNs);
            this.loop = loop;
            this.cpuPool = cpuPool;
        }

        void waitIo() throws InterruptedException {
            io.run(0);
        }

        /** The CPU part of task i; a failure in the pool is rethrown as the task's own. */
        void compute(int i) throws Exception {
            if (cpuPool == null) {
                loop.run(i);
                return;
            }
            try {
                cpuPool.submit(() -> loop.run(i)).get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }

        @Override
        public void run(int i) throws Exception {
            waitIo();
            compute(i);
        }

        int hash(int i) {
            return loop.hash(i);
        }

        @Override
        public String checksum() {
            return loop.checksum();
        }

        @Override
        public long waitNs() {
            return io.waitNs();
        }

        @Override
        public void close() {
            if (cpuPool != null) {
                cpuPool.shutdown(); // every task has completed: the threads end without waiting
            }
        }
    }
}
