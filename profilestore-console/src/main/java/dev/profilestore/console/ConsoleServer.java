package dev.profilestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.profilestore.ProfileStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.profilestore.console.Html.esc;

/**
 * The operator console's web server: the JDK's own {@code com.sun.net.httpserver}, so the console adds no
 * dependency. Every page is rendered on the server; the one script (refreshing the sessions table) is served from the
 * console itself, so it works without the internet. Read-only pages are GETs; every action is a POST carrying the
 * session's CSRF token. A store error shows an error banner on the page, and the next request tries the store
 * again. Close it to stop.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ASSETS = Map.of(
            "/static/console.css", "text/css; charset=utf-8",
            "/static/console.js", "text/javascript; charset=utf-8");

    private final ConsoleConfig config;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Auth auth;
    private final OperatorActions actions;
    private final MetricsSampler metrics;
    private final Pages pages;

    private ConsoleServer(ConsoleConfig config) throws IOException {
        this.config = config;
        this.auth = new Auth(config.secret());
        this.actions = new OperatorActions(config.storage(), config.messaging(), "console");
        this.metrics = new MetricsSampler(config.storage(), config.storeName(), config.metricsPeriod(),
                new ServerMeters(config.meters(), config.storeName()));
        this.pages = new Pages(config.storage(), config.storeName(), config.description(), actions.audit(), metrics);
        this.server = HttpServer.create(config.bind(), 32);
        // A few threads: a rollback waits for the holder to release, and pages must still load meanwhile.
        this.threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "profilestore-console-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    /**
     * Starts a console.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static ConsoleServer start(ConsoleConfig config) {
        try {
            ConsoleServer c = new ConsoleServer(config);
            c.server.start();
            LOG.info("console for store '{}' of {} listening on {}", config.storeName(), config.description(),
                    c.address());
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("the console cannot listen on " + config.bind() + ": " + e.getMessage(), e);
        }
    }

    /** The address it listens on (the port chosen when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The address to open in a browser. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        metrics.close();
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) throws IOException {
        Reply reply;
        try {
            reply = route(Request.of(ex));
        } catch (BadRequest e) {
            reply = new Reply.Page(e.status, Html.page(e.status == 403 ? "Refused" : e.status == 404 ? "Not found"
                    : "Cannot do that", null, null, "<p id=\"error\">" + esc(e.getMessage()) + "</p>"
                    + "<p><a href=\"/\">Sessions</a> · <a href=\"/find\">Find</a></p>"));
        } catch (ProfileStoreException e) {
            metrics.storeError(e);
            LOG.warn("console request {} {} failed on the store: {}", ex.getRequestMethod(), ex.getRequestURI(),
                    e.toString());
            reply = new Reply.Page(503, Html.page("Store unavailable", null, "The store did not answer: "
                    + OperatorActions.firstLine(e.getMessage()) + ". Reload to try again.", "<p><a href=\""
                    + esc(ex.getRequestURI().toString()) + "\">Try again</a></p>"));
        } catch (RuntimeException e) {
            // Never a stack trace on the page: the log has it.
            LOG.error("console request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            reply = new Reply.Page(500, Html.page("Something went wrong", null, null, "<p id=\"error\">The console"
                    + " could not do this (" + esc(e.getClass().getSimpleName()) + "); its log says why.</p>"));
        }
        send(ex, reply);
    }

    private Reply route(Request r) {
        String path = r.path();
        String method = r.method();
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new BadRequest(405, "the console answers GET and POST only");
        }
        if (ASSETS.containsKey(path) && method.equals("GET")) {
            return asset(path); // the console's own script and style, the same for everyone; no data in them
        }
        if (path.equals("/login")) {
            return method.equals("POST") ? signIn(r) : Reply.ok(signInPage(null));
        }
        Optional<Auth.Session> session = auth.session(r);
        if (session.isEmpty()) {
            if (method.equals("GET") && !path.startsWith("/fragment/")) {
                return new Reply.Redirect("/login", null);
            }
            throw new BadRequest(401, "refused: sign in first (the console's token or password is required)");
        }
        Auth.Session s = session.get();
        if (method.equals("POST")) {
            Auth.checkPost(r, s);
            return post(path, r, s);
        }
        return switch (path) {
            case "/" -> Reply.ok(pages.sessions(s));
            case "/fragment/sessions" -> fragment();
            case "/find" -> Reply.ok(pages.find(s, r));
            case "/profile" -> Reply.ok(pages.profile(s, r));
            case "/diff" -> Reply.ok(pages.diff(s, r));
            case "/erase" -> Reply.ok(pages.erase(s));
            case "/audit" -> Reply.ok(pages.audit(s));
            case "/metrics" -> Reply.ok(pages.metrics(s));
            default -> {
                if (path.startsWith("/action/") || path.equals("/logout")) {
                    throw new BadRequest(405, "actions are POST requests, made by the page's buttons; not links");
                }
                throw new BadRequest(404, "there is no page " + path);
            }
        };
    }

    private Reply fragment() {
        try {
            return Reply.ok(pages.sessionsFragment());
        } catch (ProfileStoreException e) {
            metrics.storeError(e);
            return new Reply.Page(503, esc("The store did not answer: " + OperatorActions.firstLine(e.getMessage())
                    + ". Retrying."));
        }
    }

    private Reply post(String path, Request r, Auth.Session s) {
        String store = config.storeName();
        String who = s.operator();
        return switch (path) {
            case "/logout" -> {
                auth.signOut(r.cookies().get(Auth.COOKIE));
                yield new Reply.Redirect("/login", Auth.COOKIE + "=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict");
            }
            case "/action/rollback" -> {
                String k = Pages.key(r.required("key"));
                RollbackOutcome o = actions.rollback(who, store, k, r.required("version"), config.rollbackTimeout());
                yield result(s, "Rollback", k, o.outcome());
            }
            case "/action/pin" -> {
                String k = Pages.key(r.required("key"));
                yield result(s, "Pin", k, actions.pin(who, store, k, r.required("version")));
            }
            case "/action/message" -> {
                String k = Pages.key(r.required("key"));
                JsonNode body;
                try {
                    body = JSON.readTree(r.required("body"));
                } catch (IOException e) {
                    throw new BadRequest("the message is not JSON: " + OperatorActions.firstLine(e.getMessage()));
                }
                yield result(s, "Message", k, actions.message(who, store, k, body));
            }
            case "/action/release" -> {
                String k = Pages.key(r.required("key"));
                if (!"yes".equals(r.param("confirm"))) {
                    throw new BadRequest("tick 'I understand' to force-release: the holder's unsaved changes are lost");
                }
                yield result(s, "Force release", k, actions.forceRelease(who, store, k).outcome());
            }
            case "/action/erase" -> {
                String raw = r.required("user_id");
                long userId = Pages.userId(raw);
                if (!("erase " + userId).equals(r.param("confirm") == null ? null : r.param("confirm").trim())) {
                    throw new BadRequest("type 'erase " + userId + "' to confirm the erasure; nothing was erased");
                }
                List<String> keys = actions.erase(who, store, userId);
                yield Reply.ok(Html.page("Erase", who, null, "<p id=\"outcome\" class=\"ok\">" + (keys.isEmpty()
                        ? "No profiles are tied to user id " + userId + "; nothing erased."
                        : "Erased " + keys.size() + " profile(s) and their versions: " + esc(String.join(", ", keys)))
                        + "</p><p><a href=\"/audit\">Audit log</a></p>"));
            }
            default -> throw new BadRequest(404, "there is no action " + path);
        };
    }

    private static Reply result(Auth.Session s, String title, String key, ActionOutcome o) {
        String body = "<p id=\"outcome\" class=\"" + (o.ok() ? "ok" : "bad") + "\">" + esc(o.message()) + "</p>"
                + "<p>Revision " + o.revisionBefore() + " → " + o.revisionAfter() + ". <a id=\"back\" href=\"/profile?key="
                + esc(Html.url(key)) + "\">Back to " + esc(key) + "</a> · <a href=\"/audit\">Audit log</a></p>";
        return new Reply.Page(o.ok() ? 200 : 409, Html.page(title + (o.ok() ? ": done" : ": not done"), s.operator(),
                null, body));
    }

    // ------------------------------------------------------------------ sign-in

    private Reply signIn(Request r) {
        String operator = r.param("operator") == null ? "" : r.param("operator").trim();
        if (operator.isEmpty() || operator.length() > 64) {
            return new Reply.Page(400, signInPage("Give your name (1 to 64 characters): the audit log records it."));
        }
        return auth.signIn(r.param("token"), operator)
                .<Reply>map(id -> new Reply.Redirect("/", Auth.COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict"))
                .orElseGet(() -> new Reply.Page(401, signInPage("Wrong token or password.")));
    }

    private String signInPage(String error) {
        return Html.page("Sign in", null, error, "<p>Store name <b>" + esc(config.storeName()) + "</b> in "
                + esc(config.description()) + ".</p><form method=\"post\" action=\"/login\" class=\"action\">"
                + "<label>Your name (for the audit log) <input name=\"operator\" id=\"operator\"></label><br>"
                + "<label>Token or password <input type=\"password\" name=\"token\" id=\"token\"></label> "
                + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form>");
    }

    // ------------------------------------------------------------------ output

    private static Reply asset(String path) {
        try (InputStream in = ConsoleServer.class.getResourceAsStream(path.substring(1))) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the console's jar");
            }
            return new Reply.Asset(ASSETS.get(path), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        var h = ex.getResponseHeaders();
        // No other site may frame or script the console; it loads only its own files.
        h.set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " frame-ancestors 'none'; form-action 'self'");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "same-origin"); // not no-referrer: Chrome then sends "Origin: null" with forms
        h.set("Cache-Control", "no-store");
        byte[] body;
        int status;
        switch (reply) {
            case Reply.Page p -> {
                h.set("Content-Type", "text/html; charset=utf-8");
                body = p.html().getBytes(StandardCharsets.UTF_8);
                status = p.status();
            }
            case Reply.Redirect rd -> {
                h.set("Location", rd.location());
                if (rd.cookie() != null) {
                    h.add("Set-Cookie", rd.cookie());
                }
                body = new byte[0];
                status = 303;
            }
            case Reply.Asset a -> {
                h.set("Content-Type", a.contentType());
                body = a.body();
                status = 200;
            }
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
