package concbench;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * getrusage(2), RUSAGE_SELF plus RUSAGE_CHILDREN, as the other runners read it.
 *
 * <p>Java's standard library has no getrusage. It is called through the Foreign Function & Memory API
 * (java.lang.foreign: final in Java 22, a preview API in Java 21 that Java 21 runs without
 * --enable-preview when called reflectively, as here, since this source must compile with
 * --release 21). The runner is started with --enable-native-access=ALL-UNNAMED so the restricted
 * downcall prints no warning. Where that API cannot be used (another architecture, a JVM without it),
 * the figures come from /proc instead and stderr says so once: user and system time from
 * /proc/self/stat (clock ticks of 10 ms, every thread, dead ones included), context switches summed
 * over the live threads of /proc/self/task (threads that exited are missing there).
 *
 * <p>struct rusage on 64-bit Linux (x86_64, aarch64, riscv64...): two struct timeval {long, long}
 * then 14 longs; ru_nvcsw at offset 128, ru_nivcsw at 136, 144 bytes in all.
 *
 * <p>Linking is paid before the baseline but stays in the process's memory (10 MiB with Java 21, 15 MiB
 * with Java 25: the JIT compiles the JDK's own linking code; runners/README.md, "Java"). A reading is a
 * plain call: the handle adapted once to (int, Object)int and called with invokeExact, the struct read
 * through a ByteBuffer view of the native segment, no reflection after open().
 */
final class Rusage {
    /** CPU times in ns and context switch counts. */
    record Usage(long userNs, long systemNs, long voluntary, long involuntary) {
        Usage plus(Usage o) {
            return new Usage(userNs + o.userNs, systemNs + o.systemNs, voluntary + o.voluntary,
                    involuntary + o.involuntary);
        }

        Usage minus(Usage o) {
            return new Usage(userNs - o.userNs, systemNs - o.systemNs, voluntary - o.voluntary,
                    involuntary - o.involuntary);
        }

        double cpuSeconds() {
            return (userNs + systemNs) / 1e9;
        }
    }

    static final int RUSAGE_SELF = 0;
    static final int RUSAGE_CHILDREN = -1;
    private static final long STRUCT_SIZE = 144;
    private static final long USER_HZ = 100;

    private final MethodHandle getrusage; // (int, Object) int over a MemorySegment; null: the /proc fallback
    private final Object segment; // a MemorySegment of STRUCT_SIZE bytes
    private final ByteBuffer struct; // the same native memory, in the platform's byte order
    final String unavailable; // why getrusage is not used, null when it is

    private Rusage(MethodHandle getrusage, Object segment, ByteBuffer struct, String unavailable) {
        this.getrusage = getrusage;
        this.segment = segment;
        this.struct = struct;
        this.unavailable = unavailable;
    }

    /** Links getrusage once (before the baseline: linking loads classes and generates code). */
    static Rusage open() {
        try {
            if (!System.getProperty("os.name", "").equals("Linux") || !"64".equals(System.getProperty("sun.arch.data.model"))) {
                return fallback("not 64-bit Linux");
            }
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
            Class<?> allocatorClass = Class.forName("java.lang.foreign.SegmentAllocator");

            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
            Optional<?> symbol = (Optional<?>) lookupClass.getMethod("find", String.class).invoke(lookup, "getrusage");
            if (symbol.isEmpty()) {
                return fallback("no getrusage symbol");
            }
            Object javaInt = valueLayoutClass.getField("JAVA_INT").get(null);
            Object address = valueLayoutClass.getField("ADDRESS").get(null);
            Object argLayouts = Array.newInstance(layoutClass, 2);
            Array.set(argLayouts, 0, javaInt);
            Array.set(argLayouts, 1, address);
            Object descriptor = descriptorClass.getMethod("of", layoutClass, argLayouts.getClass())
                    .invoke(null, javaInt, argLayouts);
            Object noOptions = Array.newInstance(optionClass, 0);
            MethodHandle handle = (MethodHandle) linkerClass
                    .getMethod("downcallHandle", segmentClass, descriptorClass, noOptions.getClass())
                    .invoke(linker, symbol.get(), descriptor, noOptions);
            Object arena = arenaClass.getMethod("global").invoke(null);
            Object segment = allocatorClass.getMethod("allocate", long.class).invoke(arena, STRUCT_SIZE);
            ByteBuffer struct = ((ByteBuffer) segmentClass.getMethod("asByteBuffer").invoke(segment))
                    .order(ByteOrder.nativeOrder());
            MethodHandle call = handle.asType(MethodType.methodType(int.class, int.class, Object.class));
            Rusage r = new Rusage(call, segment, struct, null);
            r.read(RUSAGE_SELF); // the first call links the rest
            return r;
        } catch (Throwable e) {
            return fallback(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static Rusage fallback(String why) {
        System.err.println("runner: getrusage is not available through java.lang.foreign (" + Config.oneLine(why)
                + "); CPU times come from /proc/self/stat and context switches from the live threads only");
        return new Rusage(null, null, null, why);
    }

    /** getrusage(who); throws where the call fails. */
    Usage read(int who) throws Throwable {
        int rc = (int) getrusage.invokeExact(who, segment);
        if (rc != 0) {
            throw new IOException("getrusage(" + who + ") returned " + rc);
        }
        return new Usage(
                timeval(0), timeval(16), field(128), field(136));
    }

    private long field(int offset) {
        return struct.getLong(offset);
    }

    private long timeval(int offset) {
        return field(offset) * 1_000_000_000L + field(offset + 8) * 1_000L;
    }

    /** RUSAGE_SELF + RUSAGE_CHILDREN; null when neither getrusage nor /proc can be read. */
    Usage process() {
        if (getrusage != null) {
            try {
                return read(RUSAGE_SELF).plus(read(RUSAGE_CHILDREN));
            } catch (Throwable e) {
                return null;
            }
        }
        return fromProc();
    }

    /** The /proc fallback: utime + cutime, stime + cstime, and the live threads' context switches. */
    static Usage fromProc() {
        long[] t = ProcFs.parseStatTimes(ProcFs.readString(Path.of("/proc/self/stat")));
        if (t == null) {
            return null;
        }
        long tick = 1_000_000_000L / USER_HZ;
        long voluntary = 0, involuntary = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String text = ProcFs.readString(task.resolve("status"));
                if (text == null) {
                    continue; // the thread exited meanwhile
                }
                for (String line : text.split("\n")) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        voluntary += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                    } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                        involuntary += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // context switches stay what could be read
        }
        return new Usage((t[0] + t[2]) * tick, (t[1] + t[3]) * tick, voluntary, involuntary);
    }
}
