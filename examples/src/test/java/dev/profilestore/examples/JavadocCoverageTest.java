package dev.profilestore.examples;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import org.junit.jupiter.api.Test;

import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public type, method, constructor, field and enum constant of the public API packages has a Javadoc
 * comment. The Javadoc build's doclint leaves the "missing" group out (it would also demand {@code @param} and
 * {@code @return} on every one-line accessor of every module); this test keeps the part of it that matters to a
 * user reading the API. Methods marked {@code @Override} inherit their comment.
 */
class JavadocCoverageTest {

    private static final Path CORE = Path.of("..", "profilestore-core", "src", "main", "java", "dev", "profilestore");
    private static final List<Path> API_PACKAGES = List.of(CORE, CORE.resolve("spi"), CORE.resolve("memory"));

    @Test
    void everyPublicMemberOfTheApi_hasAJavadocComment() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : API_PACKAGES) {
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
            }
        }
        assertThat(files).as("API sources").hasSizeGreaterThan(30);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> missing = new ArrayList<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            JavacTask task = (JavacTask) compiler.getTask(null, fm, null, List.of("-proc:none"), null,
                    fm.getJavaFileObjectsFromPaths(files));
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                new TreePathScanner<Void, Boolean>() {
                    private void check(Tree tree, String what) {
                        if (docs.getDocCommentTree(getCurrentPath()) == null) {
                            long line = unit.getLineMap().getLineNumber(
                                    docs.getSourcePositions().getStartPosition(unit, tree));
                            missing.add(Path.of(unit.getSourceFile().getName()).getFileName() + ":" + line + " " + what);
                        }
                    }

                    private boolean isPublic(ModifiersTree modifiers, boolean inInterface) {
                        return modifiers.getFlags().contains(Modifier.PUBLIC)
                                || (inInterface && !modifiers.getFlags().contains(Modifier.PRIVATE));
                    }

                    @Override
                    public Void visitClass(ClassTree tree, Boolean inInterface) {
                        if (!isPublic(tree.getModifiers(), inInterface)) {
                            return null; // a package-private type's members are not API
                        }
                        check(tree, tree.getSimpleName().toString());
                        boolean isInterface = tree.getKind() == Tree.Kind.INTERFACE
                                || tree.getKind() == Tree.Kind.ANNOTATION_TYPE;
                        for (Tree member : tree.getMembers()) {
                            scan(member, isInterface);
                        }
                        return null;
                    }

                    @Override
                    public Void visitMethod(MethodTree tree, Boolean inInterface) {
                        boolean generated = docs.getSourcePositions().getEndPosition(unit, tree) < 0;
                        boolean overrides = tree.getModifiers().getAnnotations().stream()
                                .anyMatch(a -> a.getAnnotationType().toString().equals("Override"));
                        if (!generated && !overrides && isPublic(tree.getModifiers(), inInterface)) {
                            check(tree, tree.getName() + "()");
                        }
                        return null;
                    }

                    @Override
                    public Void visitVariable(VariableTree tree, Boolean inInterface) {
                        if (isPublic(tree.getModifiers(), inInterface)
                                || tree.getModifiers().getFlags().contains(Modifier.PUBLIC)) {
                            check(tree, tree.getName().toString());
                        }
                        return null;
                    }
                }.scan(new TreePath(unit), false);
            }
        }
        assertThat(missing).as("public API members without a Javadoc comment").isEmpty();
    }
}
