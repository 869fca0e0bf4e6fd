package concbench;

import java.util.Objects;

/** Assertions for the tests (no test library: the JDK alone runs them). */
final class Check {
    private Check() {}

    static void isTrue(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    static void equal(Object got, Object want, String what) {
        if (!Objects.equals(got, want)) {
            throw new AssertionError(what + ": got " + got + ", want " + want);
        }
    }

    static void fail(String message) {
        throw new AssertionError(message);
    }

    /** action throws a kind of exception whose message contains part. */
    static void throwsWith(Class<? extends Throwable> kind, String part, Runnable action) {
        try {
            action.run();
        } catch (Throwable e) {
            if (kind.isInstance(e) && String.valueOf(e.getMessage()).contains(part)) {
                return;
            }
            throw new AssertionError("want " + kind.getSimpleName() + " with \"" + part + "\", got " + e, e);
        }
        throw new AssertionError("want " + kind.getSimpleName() + " with \"" + part + "\", nothing was thrown");
    }
}
