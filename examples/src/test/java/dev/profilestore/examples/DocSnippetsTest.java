package dev.profilestore.examples;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiles every {@code ```java} block of README.md and docs/*.md against the real modules, so the docs cannot
 * drift from the API. A block that declares a top-level type is compiled as the file it shows; any other block
 * is a fragment, compiled as the body of a method in {@link #PRELUDE}'s class, which imports the library's
 * packages and declares the game's own objects the snippets talk about ({@code player}, {@code mainThread},
 * {@code friendId}, {@code PlayerData}). There is no skip list.
 */
class DocSnippetsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A java block, also one indented inside a list item (its indent is stripped before compiling). */
    private static final Pattern BLOCK = Pattern.compile("(?m)^( *)```java\\n(.*?)^ *```", Pattern.DOTALL);
    private static final Pattern TOP_LEVEL_TYPE =
            Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+)?(?:class|record|interface|enum)\\s+(\\w+)");

    private static final String PRELUDE = """
            import dev.profilestore.*;
            import dev.profilestore.memory.*;
            import dev.profilestore.spi.*;
            import dev.profilestore.migration.*;
            import dev.profilestore.sqlite.*;
            import dev.profilestore.postgres.*;
            import dev.profilestore.mysql.*;
            import dev.profilestore.redis.*;
            import dev.profilestore.peer.*;
            import dev.profilestore.metrics.*;
            import dev.profilestore.testkit.sim.*;
            import io.micrometer.prometheusmetrics.*;
            import java.net.InetSocketAddress;
            import java.nio.file.Path;
            import java.time.Duration;
            import java.util.*;
            import java.util.concurrent.*;

            @SuppressWarnings("unused")
            class Snippet {
                /** The game's data class, as in the README. */
                public static class PlayerData {
                    public int coins;
                    public List<String> items = new ArrayList<>();
                }

                /** What a game platform calls a player. */
                interface Player {
                    String id();
                    long numericId();
                    boolean isOnline();
                    void kick(String reason);
                }

                Player player;
                Executor mainThread;
                String friendId;

                void snippet() throws Exception {
            """;

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfTheDocs_compiles() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : docs) {
            String text = Files.readString(doc);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 2;
                String where = ROOT.relativize(doc) + ":" + line;
                String code = m.group(2).replaceAll("(?m)^" + m.group(1), "");
                tests.add(DynamicTest.dynamicTest(where, () -> assertCompiles(where, code)));
            }
        }
        assertThat(tests).as("java blocks found in the docs").hasSizeGreaterThanOrEqualTo(7);
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyJsonBlockOfTheDocs_parses() throws IOException {
        Pattern json = Pattern.compile("(?m)^```json\\n(.*?)^```", Pattern.DOTALL);
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                Matcher m = json.matcher(Files.readString(doc));
                while (m.find()) {
                    String block = m.group(1);
                    tests.add(DynamicTest.dynamicTest(ROOT.relativize(doc).toString(),
                            () -> assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(block).isObject())
                                    .isTrue()));
                }
            }
        }
        assertThat(tests).as("the Grafana dashboard in docs/operations.md").isNotEmpty();
        return tests.stream();
    }

    private static void assertCompiles(String where, String code) {
        Matcher type = TOP_LEVEL_TYPE.matcher(code);
        JavaFileObject source = type.find()
                ? source(type.group(1), code)
                : source("Snippet", PRELUDE + code + "\n    }\n}\n");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out;
        try {
            out = Files.createTempDirectory("snippet-classes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean ok = compiler.getTask(null, null, diagnostics,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-proc:none",
                        "--release", "21"),
                null, List.of(source)).call();
        List<String> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(null))
                .toList();
        assertThat(ok).as("the java block at %s compiles; errors: %s%n%s", where, errors, code).isTrue();
    }

    private static JavaFileObject source(String className, String code) {
        return new SimpleJavaFileObject(URI.create("string:///" + className + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
