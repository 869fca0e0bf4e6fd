package concbench;

import java.util.Arrays;

/**
 * The index of a task that has a thread of its own (a platform thread or a virtual thread per
 * task), found from that thread's id, so that no object per task is needed to carry it: one
 * Runnable serves every task, as in a bare program (bench/bare/Bare.java), and the runner's only
 * per-task memory is the stamps (runners/README.md, "Runner bookkeeping").
 *
 * <p>The JVM numbers threads from one counter as it creates them, and the submitting thread
 * creates the tasks' threads one after another, so task i's thread id is the first task's plus i
 * plus the ids of other threads created meanwhile (a carrier or compiler thread): each such jump
 * is recorded, at most MAX_JUMPS of them. Only the submitting thread writes, and always before it
 * starts the thread it records; a task reads only entries written before its own thread was
 * started (Thread.start orders them before the task), and every other entry holds an id above its
 * own, written or still Long.MAX_VALUE, so the search never depends on them.
 */
final class ThreadIndex {
    static final int MAX_JUMPS = 1024;
    private final long[] jumpAt = new long[MAX_JUMPS]; // the first task thread id after jump k
    private final long[] skippedBy = new long[MAX_JUMPS]; // other threads' ids up to jump k, in all
    private long first = -1;
    private long next;
    private int jumps;

    ThreadIndex() {
        Arrays.fill(jumpAt, Long.MAX_VALUE);
    }

    /** On the submitting thread, each task's thread in turn, before it starts: that task's index. */
    int add(long id) {
        if (first < 0) {
            first = id;
        } else if (id != next) {
            if (id < next) {
                throw new IllegalStateException("thread id " + id + " came after " + (next - 1)
                        + ": task threads were not numbered in creation order");
            }
            if (jumps == MAX_JUMPS) {
                throw new IllegalStateException("more than " + MAX_JUMPS
                        + " other threads were created while the tasks' threads were");
            }
            skippedBy[jumps] = (jumps == 0 ? 0 : skippedBy[jumps - 1]) + (id - next);
            jumpAt[jumps] = id;
            jumps++;
        }
        next = id + 1;
        return index(id);
    }

    /** On any thread, for the id of a task thread already added: its index. */
    int index(long id) {
        int lo = 0, hi = MAX_JUMPS; // the jumps at or below id are a prefix (see the class comment)
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (jumpAt[mid] <= id) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return (int) (id - first - (lo == 0 ? 0 : skippedBy[lo - 1]));
    }
}
