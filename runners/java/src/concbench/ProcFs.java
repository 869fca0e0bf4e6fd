package concbench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The /proc files the runner reads; every reader returns null (or false) where a file cannot be read. */
final class ProcFs {
    private ProcFs() {}

    static final Path SELF_STATUS = Path.of("/proc/self/status");

    /** The fields of /proc/self/status the runner uses (bytes, or -1 where absent). */
    record Status(long vmRss, long vmHwm, long vmPeak, int threads, String cpusAllowed) {
        boolean complete() {
            return vmRss >= 0 && vmHwm >= 0 && threads >= 0;
        }
    }

    static Status parseStatus(String text) {
        long rss = -1, hwm = -1, peak = -1;
        int threads = -1;
        String cpus = null;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon), value = line.substring(colon + 1).strip();
            switch (key) {
                case "VmRSS" -> rss = kbBytes(value);
                case "VmHWM" -> hwm = kbBytes(value);
                case "VmPeak" -> peak = kbBytes(value);
                case "Threads" -> threads = value.matches("[0-9]+") ? Integer.parseInt(value) : -1;
                case "Cpus_allowed_list" -> cpus = value.isEmpty() ? null : value;
                default -> { }
            }
        }
        return new Status(rss, hwm, peak, threads, cpus);
    }

    /** "1234 kB" as bytes, -1 when malformed. */
    static long kbBytes(String value) {
        String number = value.split(" ", 2)[0];
        if (!number.matches("[0-9]+")) {
            return -1;
        }
        return Long.parseLong(number) * 1024;
    }

    /** /proc/self/status, or null when unreadable or lacking VmRSS, VmHWM or Threads. */
    static Status readStatus() {
        String text = readString(SELF_STATUS);
        if (text == null) {
            return null;
        }
        Status st = parseStatus(text);
        return st.complete() ? st : null;
    }

    /** Threads of /proc/self/status, 0 when unreadable. */
    static int readThreads() {
        Status st = readStatus();
        return st == null ? 0 : st.threads();
    }

    /**
     * A whole /proc, /sys or cgroup file as text, null when unreadable. Read with a large buffer:
     * these files report size 0, and Files.readString then reads one byte first, while a sysctl file
     * (/proc/sys/kernel/pid_max) answers a read at a nonzero offset with end-of-file.
     */
    static String readString(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buf = new byte[16 * 1024];
            int len = 0;
            for (int k; (k = in.read(buf, len, buf.length - len)) > 0; ) {
                len += k;
                if (len == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                }
            }
            return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Writes "5" to /proc/self/clear_refs: VmHWM back to the current RSS (Linux >= 4.0). */
    static boolean resetPeakRss() {
        try {
            Files.write(Path.of("/proc/self/clear_refs"), new byte[] {'5'}, StandardOpenOption.WRITE);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * memory.peak_rss_bytes: the VmHWM read after the window, never below the exact VmRSS read at the
     * window's opening (the baseline) or with that VmHWM after it. The kernel keeps VmHWM from its
     * approximate (per-CPU batched) RSS counter while VmRSS is exact, so the true peak is at least every
     * exact reading (Go's peakRSS, Node's peakRss, Python's peak_rss).
     */
    static long peakRss(long hwmAfter, long baselineRss, long rssAfter) {
        return Math.max(hwmAfter, Math.max(baselineRss, rssAfter));
    }

    /** /proc/vmstat pswpin and pswpout; null when either is missing. */
    record Swap(long in, long out) {}

    static Swap readSwap() {
        String text = readString(Path.of("/proc/vmstat"));
        return text == null ? null : parseVmstat(text);
    }

    static Swap parseVmstat(String text) {
        long in = -1, out = -1;
        for (String line : text.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 2 || !(f[0].equals("pswpin") || f[0].equals("pswpout"))) {
                continue;
            }
            if (!f[1].matches("[0-9]+")) {
                return null;
            }
            long n = Long.parseLong(f[1]);
            if (f[0].equals("pswpin")) {
                in = n;
            } else {
                out = n;
            }
        }
        return in >= 0 && out >= 0 ? new Swap(in, out) : null;
    }

    /** Pages swapped in and out between two reads; nulls where a read failed. */
    static Long[] swapDelta(Swap before, Swap after) {
        if (before == null || after == null || after.in() < before.in() || after.out() < before.out()) {
            return new Long[] {null, null};
        }
        return new Long[] {after.in() - before.in(), after.out() - before.out()};
    }

    /** One integer >= 0 in a file (/proc/sys/...), null when unreadable. */
    static Long readLongFile(Path path) {
        String text = readString(path);
        return text == null ? null : Cgroup.parseNonNegative(text.strip());
    }

    /** The soft limit of one row of /proc/self/limits ("Max processes"), null when unlimited or unreadable. */
    static Long softLimit(String limitsText, String row) {
        if (limitsText == null) {
            return null;
        }
        for (String line : limitsText.split("\n")) {
            if (line.startsWith(row)) {
                String[] fields = line.substring(row.length()).strip().split("\\s+");
                return Cgroup.parseNonNegative(fields[0]);
            }
        }
        return null;
    }

    /**
     * Lines of a file, read in chunks (a process near vm.max_map_count has ~65k lines in
     * /proc/self/maps); null when unreadable.
     */
    static Long countLines(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buf = new byte[32 * 1024];
            long n = 0;
            int last = '\n';
            for (int k; (k = in.read(buf)) > 0; ) {
                for (int i = 0; i < k; i++) {
                    if (buf[i] == '\n') {
                        n++;
                    }
                }
                last = buf[k - 1];
            }
            if (last != '\n') {
                n++;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Fields 14-17 of /proc/self/stat (utime, stime, cutime, cstime) in clock ticks; null when unreadable. */
    static long[] parseStatTimes(String stat) {
        if (stat == null) {
            return null;
        }
        int close = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
        if (close < 0) {
            return null;
        }
        String[] f = stat.substring(close + 1).strip().split("\\s+");
        // f[0] is field 3 (state), so field k is f[k - 3].
        if (f.length < 15) {
            return null;
        }
        long[] t = new long[4];
        for (int i = 0; i < 4; i++) {
            String s = f[11 + i];
            if (!s.matches("[0-9]+")) {
                return null;
            }
            t[i] = Long.parseLong(s);
        }
        return t;
    }
}
