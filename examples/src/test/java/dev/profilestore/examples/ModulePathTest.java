package dev.profilestore.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.ProfileStore;
import dev.profilestore.jdbc.JdbcStorage;
import dev.profilestore.redis.RedisStorage;
import dev.profilestore.sqlite.SqliteStorage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The modules as a consumer on the module path sees them (the other tests run on the class path, where module
 * boundaries do not exist): a game module compiled with javac against the built modules may use the public API
 * but not the engine, and run in a JVM of its own it opens a store through {@code StoreConnection}, which finds
 * the SQLite backend by ServiceLoader across module boundaries, and keeps a profile over two runs.
 */
class ModulePathTest {

    private static final String MODULE_INFO = """
            module game {
                requires dev.profilestore.core;
                exports game;
                opens game to com.fasterxml.jackson.databind; // Jackson reads and writes PlayerData
            }
            """;

    private static final String GAME = """
            package game;

            import dev.profilestore.Profile;
            import dev.profilestore.ProfileStore;
            import dev.profilestore.StoreConnection;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            public final class Main {
                public static class PlayerData {
                    public int coins;
                }

                public static void main(String[] args) throws Exception {
                    ExecutorService mainThread = Executors.newSingleThreadExecutor();
                    try (StoreConnection connection = StoreConnection.open(args[0]);
                         ProfileStore<PlayerData> store = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
                                 .storage(connection.storage())
                                 .messaging(connection.messaging())
                                 .callbackExecutor(mainThread)
                                 .build()) {
                        Profile<PlayerData> profile = store.startSession("player-1").orElseThrow();
                        int coins = mainThread.submit(() -> profile.data().coins += 10).get();
                        profile.endSession();
                        System.out.println("coins=" + coins);
                    } finally {
                        mainThread.shutdown();
                    }
                }
            }
            """;

    /** Reaches into the engine: what the module boundary must refuse. */
    private static final String PEEK = """
            package game;

            final class Peek {
                Object engine = dev.profilestore.engine.StoreEngine.class;
            }
            """;

    /** The built modules a game on SQLite needs, and the libraries they require: found where their classes are. */
    private static String modulePath;

    @BeforeAll
    static void locateModules() {
        modulePath = Stream.of(ProfileStore.class, JdbcStorage.class, SqliteStorage.class, ObjectMapper.class,
                        JsonFactory.class, JsonProperty.class, LoggerFactory.class, org.sqlite.JDBC.class)
                .map(ModulePathTest::location)
                .map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void theEngineIsNotExportedAndTheRedisInternalsOnlyToTheBench() {
        ModuleDescriptor core = descriptor(ProfileStore.class, "dev.profilestore.core");
        Set<String> exported = core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).contains("dev.profilestore", "dev.profilestore.spi").doesNotContain("dev.profilestore.engine");
        assertThat(core.packages()).contains("dev.profilestore.engine");

        ModuleDescriptor redis = descriptor(RedisStorage.class, "dev.profilestore.redis");
        assertThat(redis.exports()).filteredOn(e -> e.source().equals("dev.profilestore.redis.internal"))
                .singleElement().satisfies(e -> assertThat(e.targets()).containsExactly("dev.profilestore.bench"));
        assertThat(redis.provides()).anySatisfy(p -> assertThat(p.service()).isEqualTo("dev.profilestore.spi.StoreProvider"));
    }

    @Test
    void aConsumerModuleCannotCompileAgainstTheEngine(@TempDir Path dir) throws IOException {
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, PEEK);

        assertThat(errors).isNotEmpty();
        assertThat(errors).allSatisfy(e -> assertThat(e.getMessage(null))
                .contains("package dev.profilestore.engine is not visible")
                .contains("does not export it"));
    }

    @Test
    void aConsumerModuleOpensAStoreThroughThePublicApi(@TempDir Path dir) throws Exception {
        assertThat(compile(dir, null)).isEmpty();
        String uri = "sqlite:" + dir.resolve("game.db");

        assertThat(runGame(dir, uri)).contains("coins=10");
        assertThat(runGame(dir, uri)).contains("coins=20"); // the first run's last save was kept
    }

    /** Compiles module {@code game} (its Main, plus {@code extra} if given) into dir/out; returns the errors. */
    private static List<Diagnostic<? extends JavaFileObject>> compile(Path dir, String extra) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("game"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("game/Main.java"), GAME);
        List<Path> files = new ArrayList<>(List.of(src.resolve("module-info.java"), src.resolve("game/Main.java")));
        if (extra != null) {
            Files.writeString(src.resolve("game/Peek.java"), extra);
            files.add(src.resolve("game/Peek.java"));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            // An empty class path: javac's default is this JVM's, which under surefire names every test dependency
            // (the core jar among them), so the engine would be found in the unnamed module instead.
            List<String> options = List.of("--release", "21", "--module-path", modulePath, "-classpath", "",
                    "-d", dir.resolve("out").toString());
            javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    /** Runs game.Main as a module in a JVM of its own; returns what it printed. */
    private static String runGame(Path dir, String uri) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=org.xerial.sqlitejdbc",
                "--module-path", modulePath + File.pathSeparator + dir.resolve("out"),
                "--module", "game/game.Main", uri)
                .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the game JVM finished").isTrue();
        String output = Files.readString(dir.resolve("run.log"));
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    private static ModuleDescriptor descriptor(Class<?> member, String name) {
        return ModuleFinder.of(location(member)).find(name).orElseThrow().descriptor();
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
