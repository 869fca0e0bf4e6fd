package concbench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs the Java runner's test suite with the JDK alone: every static no-argument method named
 * test* of the classes below, in name order. Arguments, if any, keep only the tests whose
 * Class.method name contains one of them. Exit 0 when every test passed, 1 otherwise.
 */
public final class TestRunner {
    private TestRunner() {}

    static final List<Class<?>> CLASSES = List.of(
            ConfigTest.class,
            ContractTest.class,
            VectorsTest.class,
            ProcFsTest.class,
            SchemaTest.class,
            RunTest.class,
            ThreadIndexTest.class,
            ParkedFrameTest.class,
            FailureTest.class,
            BinaryTest.class);

    public static void main(String[] args) {
        int passed = 0;
        List<String> failed = new ArrayList<>();
        long start = System.nanoTime();
        for (Class<?> c : CLASSES) {
            Method[] methods = c.getDeclaredMethods();
            Arrays.sort(methods, Comparator.comparing(Method::getName));
            for (Method m : methods) {
                String name = c.getSimpleName() + "." + m.getName();
                if (!m.getName().startsWith("test") || !Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0) {
                    continue;
                }
                if (args.length > 0 && Arrays.stream(args).noneMatch(name::contains)) {
                    continue;
                }
                long t = System.nanoTime();
                try {
                    m.setAccessible(true);
                    m.invoke(null);
                    passed++;
                    System.out.printf("ok    %s (%.2f s)%n", name, (System.nanoTime() - t) / 1e9);
                } catch (InvocationTargetException e) {
                    failed.add(name);
                    System.out.printf("FAIL  %s: %s%n", name, e.getCause());
                    e.getCause().printStackTrace(System.out);
                } catch (ReflectiveOperationException e) {
                    failed.add(name);
                    System.out.printf("FAIL  %s: %s%n", name, e);
                }
            }
        }
        System.out.printf("%d passed, %d failed in %.1f s (Java %s)%n", passed, failed.size(),
                (System.nanoTime() - start) / 1e9, Runtime.version());
        if (!failed.isEmpty()) {
            System.out.println("failed: " + String.join(", ", failed));
        }
        System.exit(failed.isEmpty() && passed > 0 ? 0 : 1);
    }
}
