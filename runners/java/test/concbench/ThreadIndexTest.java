package concbench;

/** ThreadIndex: a task's index from its thread's id, across the ids other threads took meanwhile. */
final class ThreadIndexTest {
    private ThreadIndexTest() {}

    static void testConsecutiveIds() {
        ThreadIndex index = new ThreadIndex();
        for (int i = 0; i < 5; i++) {
            Check.equal(index.add(40 + i), i, "add " + (40 + i));
        }
        for (int i = 0; i < 5; i++) {
            Check.equal(index.index(40 + i), i, "index of " + (40 + i));
        }
    }

    /** Ids 100, 101, then three other threads (102-104), then 105, 106, then one more (107), then 108. */
    static void testIdsOtherThreadsTookAreSkipped() {
        ThreadIndex index = new ThreadIndex();
        long[] ids = {100, 101, 105, 106, 108};
        for (int i = 0; i < ids.length; i++) {
            Check.equal(index.add(ids[i]), i, "add " + ids[i]);
        }
        for (int i = 0; i < ids.length; i++) {
            Check.equal(index.index(ids[i]), i, "index of " + ids[i]);
        }
    }

    /** A task reads the table while later tasks are still being added: its own index never changes. */
    static void testLaterJumpsDoNotMoveEarlierTasks() {
        ThreadIndex index = new ThreadIndex();
        index.add(7);
        index.add(9);
        Check.equal(index.index(9), 1, "before the next jump");
        index.add(20);
        index.add(30);
        Check.equal(index.index(9), 1, "after two more jumps");
        Check.equal(index.index(20), 2, "third");
        Check.equal(index.index(30), 3, "fourth");
    }

    static void testIdsOutOfCreationOrderAreRefused() {
        ThreadIndex index = new ThreadIndex();
        index.add(10);
        index.add(11);
        Check.throwsWith(IllegalStateException.class, "not numbered in creation order", () -> index.add(11));
    }

    static void testTooManyJumpsAreRefused() {
        ThreadIndex index = new ThreadIndex();
        long id = 1;
        index.add(id);
        for (int k = 0; k < ThreadIndex.MAX_JUMPS; k++) {
            id += 2;
            index.add(id);
        }
        long last = id + 2;
        Check.throwsWith(IllegalStateException.class, "other threads were created", () -> index.add(last));
        Check.equal(index.index(id), ThreadIndex.MAX_JUMPS, "the last task added");
    }
}
