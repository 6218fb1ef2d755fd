package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's layers call only down (docs/design.md, "The engine's parts"): each class below names no class of a
 * layer above it, nor a sibling it must not call. Read from the sources with comments removed, so a Javadoc link
 * that explains the design is allowed and a field or a call is not.
 */
class LayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/profilestore/engine");

    /** For each class of a lower layer, the engine classes it must not name. */
    private static final Map<String, Set<String>> FORBIDDEN = Map.of(
            "RecordUpdater", Set.of("StoreEngine", "ActiveProfile", "ViewProfile", "Sessions", "SessionStarter",
                    "SessionWriter", "CommitWriter", "MessageWriter", "AutoSaver"),
            "LeaseKeeper", Set.of("StoreEngine", "ActiveProfile", "Sessions", "SessionStarter", "SessionWriter"),
            "Sessions", Set.of("StoreEngine", "SessionStarter", "SessionWriter", "CommitWriter", "MessageWriter",
                    "AutoSaver", "RecordUpdater"),
            "SessionStarter", Set.of("StoreEngine", "SessionWriter", "CommitWriter", "MessageWriter", "AutoSaver"),
            "SessionWriter", Set.of("StoreEngine", "SessionStarter", "CommitWriter", "MessageWriter", "AutoSaver"),
            "CommitWriter", Set.of("StoreEngine", "SessionStarter", "MessageWriter", "AutoSaver"),
            "MessageWriter", Set.of("StoreEngine", "SessionStarter", "CommitWriter", "AutoSaver"),
            "AutoSaver", Set.of("StoreEngine", "SessionStarter", "CommitWriter", "MessageWriter"));

    private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");
    private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    @Test
    void everyLayerNamesOnlyTheLayersBelowIt() throws IOException {
        List<String> violations = new ArrayList<>();
        for (var entry : FORBIDDEN.entrySet()) {
            String code = code(entry.getKey());
            for (String above : entry.getValue()) {
                if (Pattern.compile("\\b" + above + "\\b").matcher(code).find()) {
                    violations.add(entry.getKey() + " names " + above);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theCheckSeesAReferenceInCode() {
        String code = stripped("class X { /* StoreEngine */ // StoreEngine\n String s = \"StoreEngine\"; StoreEngine e; }");
        assertThat(Pattern.compile("\\bStoreEngine\\b").matcher(code).results().count()).isEqualTo(1);
    }

    private static String code(String className) throws IOException {
        return stripped(Files.readString(SOURCES.resolve(className + ".java")));
    }

    private static String stripped(String source) {
        return STRINGS.matcher(COMMENTS.matcher(source).replaceAll(" ")).replaceAll("\"\"");
    }
}
