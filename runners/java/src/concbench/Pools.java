package concbench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;

/** Fixed thread pools, made before the window. */
final class Pools {
    private Pools() {}

    /**
     * Executors.newFixedThreadPool(size) with every pool thread started (prestartAllCoreThreads), as
     * the other runners' pools start their workers before the window.
     */
    static ExecutorService started(int size) {
        ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(size);
        try {
            pool.prestartAllCoreThreads();
        } catch (Throwable e) {
            pool.shutdownNow();
            throw e;
        }
        return pool;
    }
}
