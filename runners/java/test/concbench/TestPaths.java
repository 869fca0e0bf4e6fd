package concbench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the repository (the shared vectors, the contract) and the built jar. */
final class TestPaths {
    private TestPaths() {}

    /** The repository root: -Dconcbench.repo, else the nearest parent holding schema/runner_contract.json. */
    static final Path REPO = findRepo();

    /** The runner as `build.sh --launcher` made it (-Dconcbench.binary); null when not given. */
    static final Path BINARY = System.getProperty("concbench.binary") == null ? null
            : Path.of(System.getProperty("concbench.binary"));

    /** runners/java. */
    static final Path RUNNER_DIR = REPO.resolve("runners").resolve("java");

    private static Path findRepo() {
        String given = System.getProperty("concbench.repo");
        if (given != null) {
            return Path.of(given).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("schema").resolve("runner_contract.json"))) {
                return p;
            }
        }
        throw new IllegalStateException("no schema/runner_contract.json above " + Path.of("").toAbsolutePath());
    }
}
