package dev.profilestore.console;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing in, and a sign-in left unused ending by itself. */
class AuthTest {

    private static final String SECRET = "correct horse battery";

    private final AtomicLong nanos = new AtomicLong();
    private final Auth auth = new Auth(SECRET, nanos::get);

    private static Request withCookie(String sessionId) {
        return new Request("GET", "/", Map.of(), Map.of(Auth.COOKIE, sessionId), null, "127.0.0.1", null);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aWrongSecret_signsNobodyIn() {
        assertThat(auth.signIn("wrong secret!", "ada")).isEmpty();
    }

    @Test
    void aSessionInUse_staysSignedIn_pastTheIdleTimeout() {
        String id = auth.signIn(SECRET, "ada").orElseThrow();
        for (int i = 0; i < 3; i++) {
            advance(Auth.IDLE_TIMEOUT.minusMinutes(1));
            assertThat(auth.session(withCookie(id))).map(Auth.Session::operator).contains("ada");
        }
    }

    @Test
    void aSessionUnusedForTheIdleTimeout_isSignedOut() {
        String id = auth.signIn(SECRET, "ada").orElseThrow();
        advance(Auth.IDLE_TIMEOUT.plusSeconds(1));

        assertThat(auth.session(withCookie(id))).isEmpty();
        assertThat(auth.session(withCookie(id))).as("and stays out").isEmpty();
    }

    @Test
    void signingIn_dropsTheStaleSessionsOfOthers() {
        String stale = auth.signIn(SECRET, "ada").orElseThrow();
        advance(Auth.IDLE_TIMEOUT.plusSeconds(1));
        String fresh = auth.signIn(SECRET, "bob").orElseThrow();

        assertThat(auth.session(withCookie(fresh))).map(Auth.Session::operator).contains("bob");
        assertThat(auth.session(withCookie(stale))).isEmpty();
    }
}
