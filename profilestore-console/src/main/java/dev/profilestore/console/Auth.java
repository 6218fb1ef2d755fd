package dev.profilestore.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who may use the console. Every request needs the secret: a browser gives it once at sign-in and then carries a
 * session cookie ({@code HttpOnly}, {@code SameSite=Strict}); a script may send it as {@code Authorization: Bearer}
 * for reads. Every POST must carry the session's CSRF token, and a POST whose {@code Origin} is not the console's own
 * is refused, so another site open in the same browser cannot act through it. Thread-safe.
 */
final class Auth {

    /** The session cookie's name. */
    static final String COOKIE = "ps_console";

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A sign-in that is not used for this long ends: a browser left open on a shared support-desk machine should not
     * keep the power to erase players for ever.
     */
    static final Duration IDLE_TIMEOUT = Duration.ofHours(8);

    private final byte[] secret;
    private final LongSupplier nanoTime;
    private final Map<String, SignedIn> sessions = new ConcurrentHashMap<>();

    /** A session and when it was last used ({@link #nanoTime}). */
    private record SignedIn(Session session, long lastUsedNanos) {}

    /**
     * A signed-in operator.
     *
     * @param operator the name given at sign-in, for the audit log
     * @param csrf the token every POST of this session must carry; null for a Bearer request, which may only read
     */
    record Session(String operator, String csrf) {}

    Auth(String secret) {
        this(secret, System::nanoTime);
    }

    /** With the clock that times idle sessions out; tests pass their own. */
    Auth(String secret, LongSupplier nanoTime) {
        if (secret == null || secret.length() < 8) {
            throw new IllegalArgumentException("the console's token or password must be at least 8 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.nanoTime = nanoTime;
    }

    /** A random token: 128 bits, hex. */
    static String randomToken() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Signs in with the secret; empty when it is wrong. Returns the new session's id. */
    Optional<String> signIn(String given, String operator) {
        if (!matches(given)) {
            return Optional.empty();
        }
        String id = randomToken();
        long now = nanoTime.getAsLong();
        // Signing in is when the stale sessions of others are dropped, so the map never grows without bound.
        sessions.values().removeIf(s -> now - s.lastUsedNanos() > IDLE_TIMEOUT.toNanos());
        sessions.put(id, new SignedIn(new Session(operator, randomToken()), now));
        return Optional.of(id);
    }

    /** Ends a session. */
    void signOut(String sessionId) {
        if (sessionId != null) {
            sessions.remove(sessionId);
        }
    }

    /** The request's session, if it has a valid cookie or the secret as a Bearer token. */
    Optional<Session> session(Request r) {
        String id = r.cookies().get(COOKIE);
        if (id != null) {
            long now = nanoTime.getAsLong();
            SignedIn s = sessions.computeIfPresent(id, (k, v) -> now - v.lastUsedNanos() > IDLE_TIMEOUT.toNanos()
                    ? null : new SignedIn(v.session(), now));
            if (s != null) {
                return Optional.of(s.session());
            }
        }
        String a = r.authorization();
        if (a != null && a.startsWith("Bearer ") && matches(a.substring(7).trim())) {
            return Optional.of(new Session("api", null));
        }
        return Optional.empty();
    }

    /** Refuses a POST without this session's CSRF token, or from another origin. */
    static void checkPost(Request r, Session s) {
        if (r.origin() != null && r.host() != null && !r.origin().equals("http://" + r.host())) {
            throw new BadRequest(403, "refused: this request came from another site (" + r.origin() + ")");
        }
        String given = r.param("csrf");
        if (s.csrf() == null || given == null || !MessageDigest.isEqual(
                s.csrf().getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw new BadRequest(403, "refused: the form's CSRF token is missing or wrong; reload the page and try"
                    + " again");
        }
    }

    private boolean matches(String given) {
        return given != null && MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8));
    }
}
