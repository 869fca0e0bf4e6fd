package concbench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The test validator accepts every valid example and rejects every invalid one, so it does validate. */
final class SchemaTest {
    private SchemaTest() {}

    static void testSchemaSubsetOnExamples() throws IOException {
        SchemaValidator v = SchemaValidator.composed();
        for (String kind : List.of("valid", "invalid")) {
            List<Path> paths = new ArrayList<>();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(SchemaValidator.SCHEMA_DIR.resolve("examples").resolve(kind), "*.json")) {
                dir.forEach(paths::add);
            }
            Check.isTrue(!paths.isEmpty(), "no " + kind + " examples");
            for (Path p : paths) {
                List<String> errors = v.errors(JsonParser.parse(p));
                if (kind.equals("valid")) {
                    Check.isTrue(errors.isEmpty(), p + " rejected: " + errors);
                } else {
                    Check.isTrue(!errors.isEmpty(), p + " accepted");
                }
            }
        }
    }

    static void testJsonWriterRoundTrip() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u00e9\u0001");
        m.put("n", null);
        m.put("i", 3);
        m.put("l", 1L << 40);
        m.put("d", 1.0E-5);
        m.put("a", new double[] {1.5, 2});
        m.put("list", List.of(true, "x"));
        String text = Json.write(m);
        Check.isTrue(text.chars().allMatch(c -> c < 0x7f), "ASCII only: " + text);
        Object back = JsonParser.parse(text);
        Check.equal(JsonParser.object(back).get("s"), m.get("s"), "string round trip");
        Check.equal(new ArrayList<>(JsonParser.object(back).keySet()), new ArrayList<>(m.keySet()), "key order kept");
        try {
            Json.write(java.util.Map.of("x", Double.NaN));
            Check.fail("NaN was written");
        } catch (IllegalArgumentException expected) {
            // a non-finite number is never printed
        }
    }
}
