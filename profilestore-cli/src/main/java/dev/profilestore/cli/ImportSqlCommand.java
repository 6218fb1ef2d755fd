package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.StoreConnection;
import dev.profilestore.migration.ImportReport;
import dev.profilestore.migration.ImportedProfile;
import dev.profilestore.migration.JdbcRows;
import dev.profilestore.migration.ProfileImport;
import dev.profilestore.migration.RowProblem;
import dev.profilestore.migration.SqlRow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code import-sql}: player data kept as one JSON document per player in a table of another system, written as
 * profiles with {@link ProfileImport}.
 */
@Command(name = "import-sql", mixinStandardHelpOptions = true,
        description = {"Import players from a SQL table that keeps one JSON document per player (another plugin's, an old"
                + " backend's): each row of --query becomes a profile whose data is the document, through the lock"
                + " protocol (a profile a live server holds is never replaced).",
                "Rows that do not map (no key, data that is not a JSON object, a bad user id or time), repeat a key, or"
                + " are over --max-bytes are listed on standard error and not written; the others are imported, each"
                + " whole or not at all. Existing profiles are skipped unless --overwrite (the replaced one is kept as"
                + " a saved version). Exit 0 when no row was rejected, 2 otherwise."})
public final class ImportSqlCommand implements Callable<Integer> {

    @Mixin
    StoreOptions opts;

    @Option(names = "--from-jdbc", required = true, paramLabel = "JDBC_URL",
            description = "The source database, e.g. jdbc:mariadb://host:3306/db?user=u, jdbc:postgresql://host/db?user=u,"
                    + " jdbc:sqlite:old.db.")
    String jdbcUrl;

    @Option(names = "--jdbc-password-env", paramLabel = "VAR",
            description = "Take the source database's password from this environment variable.")
    String passwordEnv;

    @Option(names = "--query", required = true, paramLabel = "SQL", description = "The rows to import.")
    String query;

    @Option(names = "--key-column", required = true, paramLabel = "COLUMN", description = "The profile key.")
    String keyColumn;

    @Option(names = "--key-prefix", paramLabel = "TEXT", defaultValue = "",
            description = "Put before every key, e.g. player- (default: none).")
    String keyPrefix;

    @Option(names = "--data-column", required = true, paramLabel = "COLUMN",
            description = "The player's JSON document (text): it becomes the profile's data.")
    String dataColumn;

    @Option(names = "--user-id-column", paramLabel = "COLUMN", description = "A user id to tie to the profile.")
    String userIdColumn;

    @Option(names = "--first-session-column", paramLabel = "COLUMN",
            description = "When the player first played (a timestamp, ISO-8601 text or epoch milliseconds).")
    String firstSessionColumn;

    @Option(names = "--overwrite", description = "Replace existing profiles (kept as a saved version) instead of"
            + " skipping them.")
    boolean overwrite;

    @Option(names = "--max-bytes", paramLabel = "N", defaultValue = "4194304",
            description = "Reject a row whose record would be larger (default: ${DEFAULT-VALUE}, the stores' default"
                    + " maxDataBytes).")
    int maxBytes;

    @Option(names = "--format-version", paramLabel = "N", defaultValue = "1",
            description = "The data format version of the documents, as the game servers' formatVersion (default:"
                    + " ${DEFAULT-VALUE}).")
    int formatVersion;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        opts.checkStoreName();
        if (maxBytes <= 0 || formatVersion <= 0) {
            throw new CliException("--max-bytes and --format-version must be positive");
        }
        Properties props = new Properties();
        if (passwordEnv != null) {
            String password = System.getenv(passwordEnv);
            if (password == null) {
                throw new CliException("--jdbc-password-env: the environment variable " + passwordEnv + " is not set");
            }
            props.setProperty("password", password);
        }
        ImportReport report;
        String target;
        try (Connection source = connect(props); StoreConnection store = opts.open(CliStore.OpenMode.CREATE)) {
            target = store.description();
            ProfileImport<SqlRow, JsonNode> importer = ProfileImport.into(store.storage(), opts.storeName, this::map)
                    .objectMapper(Output.PLAIN).maxRecordBytes(maxBytes).dataVersion(formatVersion)
                    .existing(overwrite ? ProfileImport.Existing.OVERWRITE : ProfileImport.Existing.SKIP);
            JdbcRows rows;
            try {
                rows = JdbcRows.query(source, query);
            } catch (SQLException e) {
                throw new CliException("--query failed: " + CliStore.firstLine(e.getMessage()));
            }
            report = importer.run(rows);
        } catch (SQLException e) {
            throw new CliException("source database: " + CliStore.firstLine(e.getMessage()));
        }
        for (RowProblem p : report.rejected()) {
            spec.commandLine().getErr().println(p + " (not imported)");
        }
        spec.commandLine().getErr().flush();
        if (opts.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("store_name", opts.storeName);
            m.put("to", target);
            m.put("imported", report.imported());
            m.put("report", report);
            Main.output(spec).json(m);
        } else {
            Main.output(spec).line("imported " + report.imported() + " profile(s) into store '" + opts.storeName
                    + "' of " + target + " (" + report.created() + " new, " + report.overwritten() + " overwritten); "
                    + report.skipped() + " existing skipped; " + report.rejected().size() + " row(s) rejected"
                    + (report.rejected().isEmpty() ? "" : ", listed above"));
        }
        return report.rejected().isEmpty() ? 0 : CliException.EXIT_BAD_INPUT;
    }

    private Connection connect(Properties props) {
        try {
            return DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            throw new CliException("--from-jdbc: cannot connect: " + CliStore.firstLine(e.getMessage()));
        }
    }

    /** One row: key, document, and the optional user id and first-session time. */
    private ImportedProfile<JsonNode> map(SqlRow row) throws IOException {
        String key = row.text(keyColumn);
        if (key == null) {
            throw new IllegalArgumentException("column '" + keyColumn + "' is NULL");
        }
        String document = row.get(dataColumn) instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                : row.text(dataColumn);
        if (document == null) {
            throw new IllegalArgumentException("column '" + dataColumn + "' is NULL");
        }
        JsonNode data;
        try {
            data = Output.PLAIN.readTree(document);
        } catch (IOException e) {
            throw new IllegalArgumentException("column '" + dataColumn + "' is not JSON: "
                    + CliStore.firstLine(e.getMessage()));
        }
        if (data == null || !data.isObject()) {
            throw new IllegalArgumentException("column '" + dataColumn + "' is not a JSON object");
        }
        Long userId = userIdColumn == null ? null : row.number(userIdColumn);
        return new ImportedProfile<>(keyPrefix + key, data, userId == null ? Set.of() : Set.of(userId),
                firstSessionColumn == null ? null : row.instant(firstSessionColumn));
    }
}
