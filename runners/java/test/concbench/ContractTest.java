package concbench;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runner keeps schema/runner_contract.json: approaches, options, exit codes, error kinds,
 * schema_version, and its own entry (local command, image arguments) against runners/java's
 * Dockerfile and build script. A change on either side fails here until the other side follows
 * (the approach of runners/go/contract_test.go).
 */
final class ContractTest {
    private ContractTest() {}

    static final String LANGUAGE = "java";

    static Map<String, Object> contract() {
        return JsonParser.object(JsonParser.parse(TestPaths.REPO.resolve("schema").resolve("runner_contract.json")));
    }

    static Map<String, Object> own() {
        Map<String, Object> languages = JsonParser.object(contract().get("languages"));
        Check.isTrue(languages.containsKey(LANGUAGE), "the contract has no language " + LANGUAGE);
        return JsonParser.object(languages.get(LANGUAGE));
    }

    static Map<String, Object> ownApproaches() {
        return JsonParser.object(own().get("approaches"));
    }

    static List<String> workloadsOf(String approach) {
        List<String> out = new ArrayList<>();
        for (Object w : JsonParser.list(JsonParser.object(ownApproaches().get(approach)).get("workloads"))) {
            out.add((String) w);
        }
        return out;
    }

    static String[] caseArgs(String approach, String workload, String... more) {
        List<String> args = new ArrayList<>(List.of("--workload", workload, "--approach", approach));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** Any valid case: the base command line of the option checks. */
    static String[] baseArgs(String... more) {
        String approach = new TreeSet<>(ownApproaches().keySet()).first();
        return caseArgs(approach, workloadsOf(approach).get(0), more);
    }

    static String cliNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    static void assertRefused(String[] args, String named) {
        int usage = ((Number) JsonParser.object(contract().get("exit_codes")).get("usage")).intValue();
        ConfigTest.Outcome o = ConfigTest.realMain(args);
        Check.equal(o.code(), usage, List.of(args) + ": exit code (the contract's usage code)");
        Check.equal(o.stdout(), "", List.of(args) + ": stdout");
        Check.isTrue(o.stderr().indexOf('\n') == o.stderr().length() - 1, List.of(args) + ": not one stderr line: " + o.stderr());
        Check.isTrue(o.stderr().startsWith("runner: error: ") && o.stderr().contains(named),
                List.of(args) + ": stderr does not name " + named + ": " + o.stderr());
    }

    static void testContractHasThisRunner() {
        Check.equal(own().get("source_dir"), "runners/java", "source_dir");
        Check.equal(TestPaths.REPO.resolve((String) own().get("source_dir")).normalize(),
                TestPaths.RUNNER_DIR.normalize(), "source_dir is this folder");
        Check.equal(own().get("display_name"), "Java", "display_name");
    }

    /**
     * The runner's workloads are the contract's, in its order, except those where the contract gives
     * java no approach (a workload added for other languages first): the runner refuses those.
     */
    static void testApproachesByWorkload() {
        Map<String, Object> workloads = JsonParser.object(contract().get("workloads"));
        List<String> known = new ArrayList<>();
        for (String workload : workloads.keySet()) {
            Set<String> want = new TreeSet<>();
            for (String approach : ownApproaches().keySet()) {
                if (workloadsOf(approach).contains(workload)) {
                    want.add(approach);
                }
            }
            if (want.isEmpty()) {
                Check.isTrue(!Config.APPROACHES_BY_WORKLOAD.containsKey(workload), workload + ": the contract gives java no approach");
                continue;
            }
            known.add(workload);
            Check.isTrue(Config.APPROACHES_BY_WORKLOAD.containsKey(workload), workload + ": not run by the runner");
            Check.equal(new TreeSet<>(Config.APPROACHES_BY_WORKLOAD.get(workload)), want, workload + " approaches");
        }
        Check.equal(Config.WORKLOADS, known, "the runner's workloads, in contract order");
        Check.equal(new TreeSet<>(Config.APPROACHES_BY_WORKLOAD.keySet()), new TreeSet<>(known), "workloads");
        Check.equal(Config.allApproaches(), new ArrayList<>(new TreeSet<>(ownApproaches().keySet())), "all approaches");
    }

    static void testApproachesAccepted() throws Exception {
        for (String approach : ownApproaches().keySet()) {
            for (String workload : workloadsOf(approach)) {
                Config c = Config.parse(caseArgs(approach, workload));
                Check.equal(c.approach() + "/" + c.workload(), approach + "/" + workload, "parsed case");
                Benchmark.launcher(c).close(); // the runner knows how to run it
            }
        }
    }

    static void testApproachesRefused() {
        int refused = 0;
        Map<String, Object> languages = JsonParser.object(contract().get("languages"));
        for (String workload : JsonParser.object(contract().get("workloads")).keySet()) {
            // A workload java has no approach for is refused as such; otherwise the approach is.
            String named = Config.WORKLOADS.contains(workload) ? "--approach" : "--workload";
            for (String approach : ownApproaches().keySet()) {
                if (!workloadsOf(approach).contains(workload)) {
                    assertRefused(caseArgs(approach, workload), named);
                    refused++;
                }
            }
            for (Object lang : languages.values()) {
                for (String approach : JsonParser.object(JsonParser.object(lang).get("approaches")).keySet()) {
                    if (!ownApproaches().containsKey(approach)) {
                        assertRefused(caseArgs(approach, workload), named);
                        refused++;
                    }
                }
            }
        }
        Check.isTrue(refused > 0, "the contract gives no approach to refuse");
    }

    static double number(Config c, String component) throws ReflectiveOperationException {
        return ((Number) Config.class.getMethod(component).invoke(c)).doubleValue();
    }

    /** Every contract option maps to the one Config component its flag sets, found through the real parser. */
    static Map<String, String> optionComponents() throws Exception {
        Config defaults = Config.parse(baseArgs());
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : JsonParser.object(contract().get("options")).entrySet()) {
            Map<String, Object> spec = JsonParser.object(e.getValue());
            double step = spec.get("type").equals("number") ? 0.5 : 1;
            double value = JsonParser.num(spec.get("default")) + step;
            Config c = Config.parse(baseArgs((String) spec.get("flag"), cliNumber(value)));
            List<String> changed = new ArrayList<>();
            for (RecordComponent rc : Config.class.getRecordComponents()) {
                Object got = rc.getAccessor().invoke(c), was = rc.getAccessor().invoke(defaults);
                if (!got.equals(was)) {
                    changed.add(rc.getName());
                }
            }
            Check.equal(changed.size(), 1, "option " + e.getKey() + ": components changed " + changed);
            Check.equal(number(c, changed.get(0)), value, "option " + e.getKey() + " set " + changed.get(0));
            fields.put(e.getKey(), changed.get(0));
        }
        return fields;
    }

    static void testOptionFlagsAndDefaults() throws Exception {
        Map<String, String> fields = optionComponents();
        Config defaults = Config.parse(baseArgs());
        Map<String, Object> options = JsonParser.object(contract().get("options"));
        for (Map.Entry<String, String> f : fields.entrySet()) {
            Check.equal(number(defaults, f.getValue()), JsonParser.num(JsonParser.object(options.get(f.getKey())).get("default")),
                    "default of " + f.getKey());
        }
        Check.equal(Config.class.getRecordComponents().length - 2, options.size(), "Config holds exactly the contract's options");
        List<String> flags = new ArrayList<>();
        for (Object spec : options.values()) {
            flags.add((String) JsonParser.object(spec).get("flag"));
        }
        Check.equal(new TreeSet<>(Config.FLAGS), new TreeSet<>(setOf(flags, "--workload", "--approach")), "flags");
    }

    private static Set<String> setOf(List<String> list, String... more) {
        Set<String> s = new HashSet<>(list);
        s.addAll(List.of(more));
        return s;
    }

    static void testOptionBounds() throws Exception {
        for (Map.Entry<String, Object> e : JsonParser.object(contract().get("options")).entrySet()) {
            Map<String, Object> spec = JsonParser.object(e.getValue());
            String flag = (String) spec.get("flag");
            double step = spec.get("type").equals("number") ? 0.5 : 1;
            double accepted, refused;
            if (spec.containsKey("minimum")) {
                accepted = JsonParser.num(spec.get("minimum"));
                refused = accepted - step;
            } else if (spec.containsKey("exclusive_minimum")) {
                refused = JsonParser.num(spec.get("exclusive_minimum"));
                accepted = refused + step;
            } else {
                Check.fail("option " + e.getKey() + " has no lower bound in the contract");
                return;
            }
            Config.parse(baseArgs(flag, cliNumber(accepted)));
            assertRefused(baseArgs(flag, cliNumber(refused)), flag);
            if (spec.get("type").equals("integer")) {
                assertRefused(baseArgs(flag, cliNumber(JsonParser.num(spec.get("default")) + 0.5)), flag);
            }
            if (spec.containsKey("maximum")) {
                double max = JsonParser.num(spec.get("maximum"));
                Config.parse(baseArgs(flag, cliNumber(max)));
                assertRefused(baseArgs(flag, cliNumber(max + step)), flag);
            }
        }
    }

    /** The document records the options that apply to the case and null (or nothing) for the others. */
    static void testWorkloadBlock() throws Exception {
        Map<String, String> fields = optionComponents();
        Map<String, Object> workloads = JsonParser.object(contract().get("workloads"));
        Set<String> byWorkload = new HashSet<>(), sizing = new HashSet<>();
        for (Object w : workloads.values()) {
            for (Object o : JsonParser.list(JsonParser.object(w).get("options"))) {
                byWorkload.add((String) o);
            }
        }
        for (Object lang : JsonParser.object(contract().get("languages")).values()) {
            for (Object a : JsonParser.object(JsonParser.object(lang).get("approaches")).values()) {
                Object s = JsonParser.object(a).get("sized_by");
                if (s != null) {
                    sizing.add((String) s);
                }
            }
        }
        for (String approach : ownApproaches().keySet()) {
            Object sizedBy = JsonParser.object(ownApproaches().get(approach)).get("sized_by");
            for (String workload : workloadsOf(approach)) {
                Config c = Config.parse(caseArgs(approach, workload));
                Map<String, Object> block = JsonParser.object(JsonParser.parse(
                        Json.write(new Result(c, Map.of(), Map.of()).workload())));
                List<Object> workloadOptions = JsonParser.list(JsonParser.object(workloads.get(workload)).get("options"));
                for (String option : fields.keySet()) {
                    boolean applies = (!byWorkload.contains(option) && !sizing.contains(option))
                            || workloadOptions.contains(option) || option.equals(sizedBy);
                    Object got = block.get(option);
                    String where = approach + "/" + workload + ": workload." + option;
                    if (!applies) {
                        Check.isTrue(got == null, where + " = " + got + ", want null or absent");
                        continue;
                    }
                    Check.isTrue(got instanceof Number, where + " missing");
                    Check.equal(JsonParser.num(got), number(c, fields.get(option)), where);
                }
                if (sizing.contains("pool_size")) {
                    Check.isTrue(block.containsKey("pool_size") && block.containsKey("workers"),
                            approach + "/" + workload + ": pool_size and workers are always present");
                }
            }
        }
    }

    static void testSchemaVersionAndExitCodes() {
        Check.equal((long) Result.SCHEMA_VERSION, ((Number) contract().get("schema_version")).longValue(), "schema_version");
        Map<String, Object> codes = JsonParser.object(contract().get("exit_codes"));
        Check.equal(Map.of("ok", (long) Main.EXIT_OK, "run_failed", (long) Main.EXIT_RUN_FAILED, "usage", (long) Main.EXIT_USAGE),
                Map.copyOf(codes), "exit codes");
    }

    /** Every ERR_KIND constant of the runner's source (found there, not in a hand-kept list) is a runner error kind. */
    static void testErrorKinds() throws IOException {
        Pattern constant = Pattern.compile("static\\s+final\\s+String\\s+(ERR_KIND_\\w+)\\s*=\\s*\"([^\"]*)\"");
        Set<String> runnerKinds = JsonParser.object(JsonParser.object(contract().get("error_kinds")).get("runner")).keySet();
        int found = 0;
        try (DirectoryStream<Path> sources = Files.newDirectoryStream(TestPaths.RUNNER_DIR.resolve("src/concbench"), "*.java")) {
            for (Path source : sources) {
                Matcher m = constant.matcher(Files.readString(source, StandardCharsets.UTF_8));
                while (m.find()) {
                    found++;
                    Check.isTrue(runnerKinds.contains(m.group(2)), source.getFileName() + ": " + m.group(1) + " = "
                            + m.group(2) + " is not a runner error kind of the contract");
                }
            }
        }
        Check.isTrue(found >= 3, "only " + found + " ERR_KIND constants found in the runner's source");
    }

    /** The contract's local command for java. */
    static List<String> localCommand() {
        List<String> out = new ArrayList<>();
        for (Object w : JsonParser.list(JsonParser.object(own().get("local")).get("command"))) {
            out.add((String) w);
        }
        return out;
    }

    /**
     * The local command runs the launcher build.sh writes ({binary}: a stub that execs the JDK chosen at
     * build time, followed by the jar) with the image ENTRYPOINT's JVM flags, word for word.
     */
    static void testLocalCommandIsTheImageEntrypoint() throws IOException {
        List<String> local = localCommand();
        Check.equal(local.get(0), "{binary}", "the local command runs the built launcher");
        Check.equal(local.subList(local.size() - 2, local.size()), List.of("-jar", "{binary}"), "... as a jar");
        Check.isTrue(local.contains("-XX:MaxRAMPercentage=75"), "the heap is sized from the limit: " + local);
        String dockerfile = Files.readString(TestPaths.RUNNER_DIR.resolve("Dockerfile"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)\\]$").matcher(dockerfile);
        Check.isTrue(m.find(), "no exec-form ENTRYPOINT in the Dockerfile");
        List<String> entrypoint = new ArrayList<>();
        for (Object w : JsonParser.list(JsonParser.parse("[" + m.group(1) + "]"))) {
            entrypoint.add((String) w);
        }
        Check.equal(entrypoint.get(0), "java", "the image's java");
        Check.equal(entrypoint.get(entrypoint.size() - 1), "/app/runner.jar", "the image's jar");
        Check.equal(entrypoint.subList(1, entrypoint.size() - 1), local.subList(1, local.size() - 1),
                "JVM flags of the ENTRYPOINT vs the contract's local command");
        List<String> build = new ArrayList<>();
        for (Object w : JsonParser.list(JsonParser.object(own().get("local")).get("build"))) {
            build.add((String) w);
        }
        Check.equal(build, List.of("sh", "{source}/build.sh", "--launcher", "{binary}"), "local build");
    }

    static void testImageArguments() throws IOException {
        Map<String, Object> image = JsonParser.object(own().get("image"));
        Map<String, Object> runtimes = JsonParser.object(image.get("runtimes"));
        Check.isTrue(runtimes.containsKey(image.get("default_runtime")), "default runtime is a runtime");
        String dockerfile = Files.readString(TestPaths.RUNNER_DIR.resolve("Dockerfile"), StandardCharsets.UTF_8);
        for (Object rt : runtimes.values()) {
            for (String side : List.of("official", "offline")) {
                Map<String, Object> args = JsonParser.object(JsonParser.object(rt).get(side));
                Check.equal(new TreeSet<>(args.keySet()), new TreeSet<>(List.of("BUILD_IMAGE", "RUNTIME_IMAGE")), side + " args");
                for (String name : args.keySet()) {
                    Check.isTrue(dockerfile.contains("ARG " + name + "="), "the Dockerfile has no ARG " + name);
                }
            }
            Map<String, Object> official = JsonParser.object(JsonParser.object(rt).get("official"));
            for (String name : official.keySet()) {
                Check.isTrue(dockerfile.contains("ARG " + name + "=" + official.get(name) + "\n"),
                        "the Dockerfile's default " + name + " is the contract's official " + official.get(name));
            }
            Map<String, Object> offline = JsonParser.object(JsonParser.object(rt).get("offline"));
            Check.equal(Set.copyOf(offline.values()), Set.of("@trixie"), "offline bases (Debian trixie has OpenJDK 21)");
        }
    }
}
