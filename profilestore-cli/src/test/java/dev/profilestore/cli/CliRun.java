package dev.profilestore.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of the command line in this JVM, with what it printed.
 *
 * @param exit the exit code
 * @param out standard output
 * @param err standard error
 */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The error line, which must be exactly one line. */
    String errorLine() {
        return err.strip();
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
}
