package dev.profilestore.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.profilestore.ProfileStoreException;
import dev.profilestore.cli.demo.DemoCommand;
import dev.profilestore.cli.demo.DemoServerCommand;
import dev.profilestore.cli.play.PlayCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.CompletionException;

/**
 * The {@code profilestore} command. Errors caused by input (a malformed URI, an unknown key, a file that is
 * not a database) print one line on standard error and exit with {@value CliException#EXIT_BAD_INPUT}; the
 * demo exits with 1 when its audit finds a problem.
 */
@Command(name = "profilestore", mixinStandardHelpOptions = true, version = "profilestore 0.1.0-SNAPSHOT",
        description = "Session-locked player profiles: a demo network with an audit, operator commands, the fault-injecting simulator (torture), and benchmarks (bench).",
        subcommands = {DemoCommand.class, DemoServerCommand.class, PlayCommand.class, OperatorCommands.Inspect.class, OperatorCommands.Versions.class,
                OperatorCommands.Rollback.class, OperatorCommands.Erase.class, OperatorCommands.Sessions.class,
                OperatorCommands.Release.class, OperatorCommands.Export.class, OperatorCommands.Import.class,
                MigrateCommand.class, ImportSqlCommand.class,
                ConsoleCommand.class,
                TortureCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Log library warnings and errors to standard error (the demo silences them otherwise).")
    void verbose(boolean on) {
        verbose = on;
        if (on) {
            setLogLevel("dev.profilestore", Level.INFO);
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static volatile boolean verbose;

    /** Whether {@code --verbose} was given. */
    public static boolean isVerbose() {
        return verbose;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns its exit code, writing results to {@code out} and errors to {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        verbose = false;
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof CliException || cause instanceof ProfileStoreException
                    || cause instanceof IllegalArgumentException) {
                err.println("profilestore: error: " + CliStore.firstLine(cause.getMessage()));
                return CliException.EXIT_BAD_INPUT;
            }
            err.println("profilestore: internal error: " + cause);
            cause.printStackTrace(err);
            return 3;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("profilestore: error: " + CliStore.firstLine(e.getMessage()));
            err.println("(see: profilestore " + e.getCommandLine().getCommandName() + " --help)");
            return CliException.EXIT_BAD_INPUT;
        });
        return cli.execute(args);
    }

    /** Sets a logback logger's level. */
    public static void setLogLevel(String logger, Level level) {
        if (LoggerFactory.getLogger(logger) instanceof Logger l) {
            l.setLevel(level);
        }
    }

    /** For commands: the printer of results, on the command line's standard output. */
    static Output output(CommandLine.Model.CommandSpec spec) {
        return new Output(spec.commandLine().getOut());
    }
}
