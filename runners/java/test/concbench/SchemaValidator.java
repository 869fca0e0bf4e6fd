package concbench;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The runner's documents against schema/result.schema.json composed with schema/runner_contract.json
 * exactly as schema/README.md says (steps 1-7), through a small JSON Schema (2020-12) validator that
 * covers the keywords the schema uses and fails on any other keyword, so it can never silently
 * under-validate (the approach of runners/go/schema_test.go).
 */
final class SchemaValidator {
    static final Path SCHEMA_DIR = TestPaths.REPO.resolve("schema");

    private final Map<String, Object> root;

    private SchemaValidator(Map<String, Object> root) {
        this.root = root;
    }

    /** result.schema.json completed with the contract. */
    static SchemaValidator composed() {
        Map<String, Object> schema = JsonParser.object(JsonParser.parse(SCHEMA_DIR.resolve("result.schema.json")));
        Map<String, Object> contract = JsonParser.object(JsonParser.parse(SCHEMA_DIR.resolve("runner_contract.json")));
        Map<String, Object> props = JsonParser.object(schema.get("properties"));
        JsonParser.object(props.get("schema_version")).put("const", contract.get("schema_version")); // 1

        List<Object> languages = new ArrayList<>(), approaches = new ArrayList<>(), perLanguage = new ArrayList<>();
        for (Map.Entry<String, Object> lang : JsonParser.object(contract.get("languages")).entrySet()) {
            languages.add(lang.getKey()); // 2
            List<Object> own = new ArrayList<>(JsonParser.object(JsonParser.object(lang.getValue()).get("approaches")).keySet());
            for (Object a : own) {
                if (!approaches.contains(a)) {
                    approaches.add(a); // 3
                }
            }
            perLanguage.add(Map.of( // 5
                    "if", Map.of("properties", Map.of("language", Map.of("const", lang.getKey())), "required", List.of("language")),
                    "then", Map.of("properties", Map.of("approach", Map.of("enum", own)))));
        }
        JsonParser.object(props.get("language")).put("enum", languages);
        JsonParser.object(props.get("approach")).put("enum", approaches);
        List<Object> kinds = new ArrayList<>();
        Map<String, Object> errorKinds = JsonParser.object(contract.get("error_kinds"));
        kinds.addAll(JsonParser.object(errorKinds.get("runner")).keySet());
        kinds.addAll(JsonParser.object(errorKinds.get("orchestrator")).keySet());
        Map<String, Object> errorObject = JsonParser.object(
                JsonParser.list(JsonParser.object(props.get("error")).get("oneOf")).get(1));
        JsonParser.object(JsonParser.object(errorObject.get("properties")).get("kind")).put("enum", kinds); // 4
        List<Object> allOf = new ArrayList<>(schema.containsKey("allOf") ? JsonParser.list(schema.get("allOf")) : List.of());
        allOf.addAll(perLanguage);
        schema.put("allOf", allOf);

        Map<String, Object> workload = JsonParser.object(props.get("workload"));
        List<Object> workloadKinds = new ArrayList<>(), perWorkload = new ArrayList<>();
        for (Map.Entry<String, Object> w : JsonParser.object(contract.get("workloads")).entrySet()) {
            workloadKinds.add(w.getKey()); // 6
            perWorkload.add(Map.of( // 7
                    "if", Map.of("properties", Map.of("kind", Map.of("const", w.getKey())), "required", List.of("kind")),
                    "then", Map.of("required", JsonParser.object(w.getValue()).get("options"))));
        }
        JsonParser.object(JsonParser.object(workload.get("properties")).get("kind")).put("enum", workloadKinds);
        List<Object> wAllOf = new ArrayList<>(workload.containsKey("allOf") ? JsonParser.list(workload.get("allOf")) : List.of());
        wAllOf.addAll(perWorkload);
        workload.put("allOf", wAllOf);
        return new SchemaValidator(schema);
    }

    private static final Set<String> KNOWN = Set.of("$schema", "$id", "$comment", "title", "description", "$defs",
            "$ref", "type", "enum", "const", "required", "properties", "additionalProperties", "items", "minItems",
            "maxItems", "minimum", "exclusiveMinimum", "minLength", "oneOf", "allOf", "if", "then", "else", "format");

    private static final Pattern DATE_TIME =
            Pattern.compile("^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:\\d{2})$");

    /** Every schema error of a parsed document (empty: valid). */
    List<String> errors(Object document) {
        List<String> errs = new ArrayList<>();
        check(root, document, "$", errs);
        return errs;
    }

    /** Every schema error of a document as printed. */
    List<String> errors(String printed) {
        return errors(JsonParser.parse(printed));
    }

    private static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof BigInteger || v instanceof BigDecimal || v instanceof Double
                || v instanceof Integer;
    }

    private static BigDecimal decimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        return BigDecimal.valueOf(((Number) v).longValue());
    }

    private static boolean typeMatches(String type, Object v) {
        return switch (type) {
            case "null" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            case "string" -> v instanceof String;
            case "number" -> isNumber(v);
            case "integer" -> isNumber(v) && decimal(v).stripTrailingZeros().scale() <= 0;
            default -> throw new IllegalStateException("schema subset: unsupported type " + type);
        };
    }

    /** Canonical text of a value, so 1 and 1.0 compare equal. */
    private static String canonical(Object v) {
        if (isNumber(v)) {
            return decimal(v).stripTrailingZeros().toPlainString();
        }
        return Json.write(normalize(v));
    }

    private static Object normalize(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.TreeMap<>();
            m.forEach((k, x) -> out.put((String) k, normalize(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(SchemaValidator::normalize).toList();
        }
        if (isNumber(v)) {
            return canonical(v);
        }
        return v;
    }

    private void check(Object schemaAny, Object value, String where, List<String> errs) {
        if (schemaAny instanceof Boolean b) {
            if (!b) {
                errs.add(where + ": not allowed");
            }
            return;
        }
        Map<String, Object> schema = JsonParser.object(schemaAny);
        for (String key : schema.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new IllegalStateException("schema subset: unsupported keyword " + key + " at " + where);
            }
        }
        if (schema.get("$ref") instanceof String ref) {
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("schema subset: unsupported $ref " + ref);
            }
            Object node = root;
            for (String part : ref.substring(2).split("/")) {
                node = JsonParser.object(node).get(part);
            }
            check(node, value, where, errs);
        }
        if (schema.containsKey("type")) {
            Object t = schema.get("type");
            List<Object> types = t instanceof String s ? List.of(s) : JsonParser.list(t);
            boolean matched = false;
            for (Object type : types) {
                matched |= typeMatches((String) type, value);
            }
            if (!matched) {
                errs.add(where + ": expected type " + types + ", got " + canonical(value));
                return;
            }
        }
        if (schema.get("enum") instanceof List<?> en) {
            boolean found = false;
            for (Object e : en) {
                found |= canonical(e).equals(canonical(value));
            }
            if (!found) {
                errs.add(where + ": " + canonical(value) + " not in enum " + en);
            }
        }
        if (schema.containsKey("const") && !canonical(schema.get("const")).equals(canonical(value))) {
            errs.add(where + ": " + canonical(value) + " is not the const " + canonical(schema.get("const")));
        }
        if (isNumber(value)) {
            BigDecimal f = decimal(value);
            if (schema.containsKey("minimum") && f.compareTo(decimal(schema.get("minimum"))) < 0) {
                errs.add(where + ": " + f + " < minimum " + schema.get("minimum"));
            }
            if (schema.containsKey("exclusiveMinimum") && f.compareTo(decimal(schema.get("exclusiveMinimum"))) <= 0) {
                errs.add(where + ": " + f + " <= exclusiveMinimum " + schema.get("exclusiveMinimum"));
            }
        }
        if (value instanceof String s) {
            if (schema.containsKey("minLength") && s.codePointCount(0, s.length()) < JsonParser.num(schema.get("minLength"))) {
                errs.add(where + ": too short");
            }
            if ("date-time".equals(schema.get("format")) && !DATE_TIME.matcher(s).matches()) {
                errs.add(where + ": not a date-time");
            }
        }
        if (value instanceof List<?> arr) {
            if (schema.containsKey("minItems") && arr.size() < JsonParser.num(schema.get("minItems"))) {
                errs.add(where + ": too few items");
            }
            if (schema.containsKey("maxItems") && arr.size() > JsonParser.num(schema.get("maxItems"))) {
                errs.add(where + ": too many items");
            }
            if (schema.containsKey("items")) {
                for (int i = 0; i < arr.size(); i++) {
                    check(schema.get("items"), arr.get(i), where + "[" + i + "]", errs);
                }
            }
        }
        if (value instanceof Map<?, ?> obj) {
            if (schema.get("required") instanceof List<?> required) {
                for (Object name : required) {
                    if (!obj.containsKey(name)) {
                        errs.add(where + ": missing required " + name);
                    }
                }
            }
            Map<String, Object> props = schema.containsKey("properties") ? JsonParser.object(schema.get("properties")) : Map.of();
            for (Object key : new TreeSet<>(obj.keySet())) {
                String name = (String) key;
                if (props.containsKey(name)) {
                    check(props.get(name), obj.get(name), where + "." + name, errs);
                } else if (Boolean.FALSE.equals(schema.get("additionalProperties"))) {
                    errs.add(where + ": unexpected property " + name);
                }
            }
        }
        if (schema.get("allOf") instanceof List<?> all) {
            for (Object sub : all) {
                check(sub, value, where, errs);
            }
        }
        if (schema.get("oneOf") instanceof List<?> one) {
            int matching = 0;
            for (Object sub : one) {
                List<String> e = new ArrayList<>();
                check(sub, value, where, e);
                if (e.isEmpty()) {
                    matching++;
                }
            }
            if (matching != 1) {
                errs.add(where + ": matches " + matching + " of oneOf, want exactly 1");
            }
        }
        if (schema.containsKey("if")) {
            List<String> e = new ArrayList<>();
            check(schema.get("if"), value, where, e);
            String branch = e.isEmpty() ? "then" : "else";
            if (schema.containsKey(branch)) {
                check(schema.get(branch), value, where, errs);
            }
        }
    }
}
