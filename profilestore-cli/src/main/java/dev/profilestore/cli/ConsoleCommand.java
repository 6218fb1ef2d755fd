package dev.profilestore.cli;

import dev.profilestore.StoreConnection;
import dev.profilestore.console.ConsoleConfig;
import dev.profilestore.console.ConsoleServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code console}: serves the operator console (module profilestore-console) over a store until interrupted. */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = {"Serve the operator console, a web page over the store: live sessions, profiles, versions (diff,"
                + " pin, rollback), operator actions and their audit log, metrics. See docs/console.md.",
                "It listens on loopback unless --bind says otherwise. Every request needs the token it prints at start,"
                        + " or the password in the environment variable " + ConsoleCommand.PASSWORD_ENV + " when set."})
public final class ConsoleCommand implements Callable<Integer> {

    /** The environment variable holding a password to use instead of a random token. */
    static final String PASSWORD_ENV = "PROFILESTORE_CONSOLE_PASSWORD";

    @Mixin
    StoreOptions opts;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "Where to listen (default: ${DEFAULT-VALUE}); port 0 picks a free one.")
    String bind;

    @Option(names = "--meters", paramLabel = "URL", split = ",",
            description = "The game servers' /metrics pages (profilestore-metrics), comma-separated: the metrics page"
                    + " then charts their handoff latency, saves, failed saves and critical state.")
    List<URI> meters = List.of();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        InetSocketAddress address = address(bind);
        String password = System.getenv(PASSWORD_ENV);
        if (password != null && password.length() < 8) {
            throw new CliException(PASSWORD_ENV + " must be at least 8 characters long");
        }
        String secret = password != null ? password : dev.profilestore.console.ConsoleConfig.randomToken();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING);
             ConsoleServer console = ConsoleServer.start(new ConsoleConfig(s.storage(), s.messaging(), s.description(),
                     opts.storeName, address, secret, Duration.ofSeconds(5), Duration.ofSeconds(60), meters))) {
            out.println("console for store '" + opts.storeName + "' of " + s.description() + " at " + console.url());
            out.println(password != null ? "sign in with the password in " + PASSWORD_ENV
                    : "sign in with the token " + secret);
            if (!address.getAddress().isLoopbackAddress()) {
                out.println("warning: listening on " + address.getAddress().getHostAddress() + ", reachable from other"
                        + " machines, over plain HTTP: put it behind TLS or an SSH tunnel");
            }
            out.println("press Ctrl-C to stop");
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }

    /** Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6). */
    static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new CliException("--bind must be HOST:PORT, like 127.0.0.1:8080; was '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CliException("--bind: '" + s.substring(colon + 1) + "' is not a port number");
        }
        if (port < 0 || port > 65_535) {
            throw new CliException("--bind: port " + port + " is out of range");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CliException("--bind: unknown host '" + host + "'");
        }
    }
}
