package concbench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The document printed on stdout (schema/result.schema.json, schema_version 2). An error document
 * has every measurement null and no concurrency, wakeup_ms or checks, as the schema wants.
 */
final class Result {
    /** Follows the contract's schema_version (schema/README.md, "the version rule"); ContractTest checks it. */
    static final int SCHEMA_VERSION = 2;
    static final String LANGUAGE = "java";

    final Config cfg;
    final Map<String, Object> environment;
    final Map<String, Object> runtime;
    String status = "ok";
    Map<String, Object> error;
    Throwable cause; // kept for the stderr trace of an internal error
    String startedAt;
    Double totalMs, throughputPerS;
    Map<String, Object> latencyMs, memory, cpu, concurrency, wakeupMs, checks;
    String checksum;

    Result(Config cfg, Map<String, Object> environment, Map<String, Object> runtime) {
        this.cfg = cfg;
        this.environment = environment;
        this.runtime = runtime;
    }

    boolean ok() {
        return status.equals("ok");
    }

    /** Turns the document into an error document; at is error.at_failure (null leaves it out). */
    void fail(String kind, String message, Map<String, Object> at, Throwable cause) {
        status = "error";
        error = new LinkedHashMap<>();
        error.put("kind", kind);
        error.put("message", message == null || message.isEmpty() ? kind : Config.oneLine(message));
        if (at != null) {
            error.put("at_failure", at);
        }
        this.cause = cause;
        totalMs = throughputPerS = null;
        latencyMs = memory = cpu = concurrency = wakeupMs = checks = null;
        checksum = null;
    }

    /**
     * The workload block: the options of the case's workload, pool_size and workers always present
     * and null where the approach is not sized by them, other workloads' options left out.
     */
    Map<String, Object> workload() {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("kind", cfg.workload());
        w.put("tasks", cfg.tasks());
        switch (cfg.workload()) {
            case "io" -> w.put("io_ms", cfg.ioMs());
            case "cpu" -> {
                w.put("payload_bytes", cfg.payloadBytes());
                w.put("repeat", cfg.repeat());
            }
            case "cpu-loop" -> w.put("loop_bytes", cfg.loopBytes());
            case "mixed" -> {
                w.put("io_ms", cfg.ioMs());
                w.put("loop_bytes", cfg.loopBytes());
            }
            default -> { }
        }
        w.put("pool_size", cfg.approach().equals("threadpool") ? cfg.poolSize() : null);
        w.put("workers", Config.SIZED_BY_WORKERS.contains(cfg.approach()) ? cfg.workers() : null);
        return w;
    }

    Map<String, Object> toMap() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("schema_version", SCHEMA_VERSION);
        d.put("language", LANGUAGE);
        d.put("approach", cfg.approach());
        d.put("status", status);
        d.put("error", error);
        d.put("workload", workload());
        if (startedAt != null) {
            d.put("started_at", startedAt);
        }
        d.put("total_ms", totalMs);
        d.put("throughput_per_s", throughputPerS);
        d.put("latency_ms", latencyMs);
        d.put("memory", memory);
        d.put("cpu", cpu);
        if (ok()) {
            d.put("concurrency", concurrency);
        }
        d.put("checksum", checksum);
        d.put("runtime", runtime);
        d.put("environment", environment);
        if (ok()) {
            d.put("wakeup_ms", wakeupMs);
            d.put("checks", checks);
        }
        return d;
    }
}
