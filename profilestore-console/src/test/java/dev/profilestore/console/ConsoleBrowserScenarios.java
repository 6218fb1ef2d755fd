package dev.profilestore.console;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.testkit.PlayerData;
import dev.profilestore.testkit.faults.FaultyStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser (Debian's headless Chromium) over a real backend: each page rendered with real data,
 * and each operator action clicked in the page and checked in the store. A game server ("game-1", a real ProfileStore
 * on the same backend) holds profiles meanwhile, so rollback and release meet a live holder. Subclasses give the
 * backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ConsoleBrowserScenarios {

    static final String STORE = "PlayerStore";
    static final String TOKEN = "test-token-0123456789";
    static final String OPERATOR = "ada";
    static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    Storage storage;
    Messaging messaging;
    ProfileStore<PlayerData> game;
    ConsoleServer console;
    ChromeDriver browser;
    WebDriverWait wait;

    /** Opens the backend's storage, keeping {@link #RETENTION} versions per key. */
    abstract Storage openStorage(Path dir);

    /** The messaging over the same backend. */
    abstract Messaging openMessaging(Storage storage);

    /** Whether this run saves the screenshots for docs/console (one backend is enough). */
    abstract boolean screenshots();

    /** Versions kept per key, small so that retention is seen to drop versions. */
    static final int RETENTION = 3;

    @BeforeAll
    void start() {
        storage = openStorage(dir);
        messaging = openMessaging(storage);
        game = ProfileStore.builder(STORE, PlayerData.class, PlayerData::new).storage(storage).messaging(messaging)
                .serverId("game-1").build();
        console = ConsoleServer.start(ConsoleConfig.loopback(storage, messaging, "a test store", STORE, 0, TOKEN)
                .withMetricsPeriod(Duration.ofMillis(300)));
        browser = Browser.start(dir.resolve("chromium-profile"));
        wait = new WebDriverWait(browser, PATIENCE);
        browser.get(console.url());
        wait.until(ExpectedConditions.urlContains("/login"));
        browser.findElement(By.id("operator")).sendKeys(OPERATOR);
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.titleContains("Live sessions"));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
        if (game != null) {
            game.close();
        }
        if (messaging != null) {
            messaging.close();
        }
        if (storage != null) {
            storage.close();
        }
        stopBackend();
    }

    /** Stops what {@link #openStorage} started, after everything using it is closed. */
    void stopBackend() throws Exception {}

    // ------------------------------------------------------------------ helpers

    /** Runs one whole session of the game server that sets the coins: it ends with a saved version. */
    void session(String key, int coins, Long userId) {
        Profile<PlayerData> p = game.startSession(key, SessionOptions.defaults()).orElseThrow();
        onLoop(() -> {
            p.data().coins = coins;
            if (userId != null) {
                p.addUserId(userId);
            }
        });
        p.endSession();
    }

    /** Starts a session the game server keeps. */
    Profile<PlayerData> hold(String key, int coins) {
        Profile<PlayerData> p = game.startSession(key, SessionOptions.defaults()).orElseThrow();
        onLoop(() -> p.data().coins = coins);
        return p;
    }

    void onLoop(Runnable r) {
        CompletableFuture.runAsync(r, game.callbackExecutor()).join();
    }

    int storedCoins(String key) {
        return game.getAsync(key).join().orElseThrow().data().coins;
    }

    String versionWithCoins(String key, int coins) {
        for (VersionInfo v : storage.versions(STORE, key, VersionRange.all(100))) {
            if (game.getAsync(key, v.versionId()).join().orElseThrow().data().coins == coins) {
                return v.versionId();
            }
        }
        throw new AssertionError("no version of " + key + " with " + coins + " coins");
    }

    void open(String path) {
        browser.get(console.url() + path.substring(1));
    }

    WebElement byId(String id) {
        try {
            return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no #" + id + " on " + browser.getCurrentUrl() + " (\"" + browser.getTitle()
                    + "\"): " + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    /** Clicks a button in the row of {@code versionId} on the profile page. */
    void clickInVersionRow(String versionId, String buttonClass) {
        browser.findElement(By.cssSelector("#versions tr[data-version='" + versionId + "'] button." + buttonClass)).click();
    }

    String outcome() {
        return byId("outcome").getText();
    }

    void shot(String name) {
        if (screenshots()) {
            Browser.screenshot(browser, name);
        }
    }

    // ------------------------------------------------------------------ pages

    @Test
    @Order(1)
    void everyPageRendersTheStoresRealData() {
        session("alice", 10, 42L);
        session("alice", 20, null);
        Profile<PlayerData> held = hold("carol", 5);
        try {
            open("/");
            await().atMost(PATIENCE).untilAsserted(() -> {
                browser.navigate().refresh();
                assertThat(byId("sessions").getText()).contains("carol").contains("game-1");
            });
            assertThat(byId("servers").getText()).contains("game-1").containsPattern("\\d+\\.\\d s");
            shot("sessions");

            open("/find");
            byId("q").sendKeys("ali");
            new Select(byId("by")).selectByValue("prefix");
            byId("find").click();
            assertThat(byId("results").getText()).isEqualTo("alice");
            shot("find");
            browser.findElement(By.linkText("alice")).click();
            assertThat(byId("user-ids").getText()).contains("42");
            assertThat(byId("lock").getText()).isEqualTo("free");
            assertThat(browser.findElement(By.cssSelector(".json")).getText()).contains("coins: 20");
            assertThat(byId("versions").findElements(By.cssSelector("tbody tr"))).hasSize(2);
            shot("profile");

            new Select(byId("diff-a")).selectByValue(versionWithCoins("alice", 10));
            new Select(byId("diff-b")).selectByValue("current");
            byId("diff").click();
            assertThat(byId("changes").getText()).contains("/coins").contains("10").contains("20");
            shot("diff");

            open("/find?by=user&q=42");
            assertThat(byId("results").getText()).isEqualTo("alice");
            open("/profile?key=carol");
            assertThat(byId("lock").getText()).contains("game-1").contains("epoch " + held.epoch());

            open("/metrics");
            await().atMost(PATIENCE).untilAsserted(() -> {
                browser.navigate().refresh();
                assertThat(browser.findElements(By.cssSelector("#charts svg"))).hasSize(6);
            });
            assertThat(byId("charts").getText()).contains("Held sessions: now");
            shot("metrics");
        } finally {
            held.endSession();
        }
    }

    // ------------------------------------------------------------------ actions

    @Test
    @Order(2)
    void aRollbackClickedWhileAServerHoldsTheProfileEndsThatSessionExternally_andChangesTheData() {
        session("rb", 1, null);
        Profile<PlayerData> held = hold("rb", 2);
        List<SessionEndReason> ends = new CopyOnWriteArrayList<>();
        held.onSessionEnd().connect(ends::add);
        String v = versionWithCoins("rb", 1);

        open("/profile?key=rb");
        assertThat(byId("lock").getText()).contains("game-1");
        clickInVersionRow(v, "rollback");

        assertThat(outcome()).contains("rolled back 'rb' to version " + v)
                .contains("server game-1 held it and was asked to save and release first");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ends).containsExactly(SessionEndReason.EXTERNAL));
        assertThat(storedCoins("rb")).isEqualTo(1);
        assertThat(game.getAsync("rb").join().orElseThrow().session()).as("the console ended its session").isEmpty();
        shot("rollback");

        open("/profile?key=rb");
        assertThat(byId("versions").findElements(By.cssSelector("tbody td.cause"))).extracting(WebElement::getText)
                .as("the causes, newest first: the rollback's own version, then the holder's last save")
                .startsWith("rollback", "session end");
    }

    @Test
    @Order(3)
    void aPinnedVersionSurvivesRetention() {
        session("pinned", 100, null);
        String v = versionWithCoins("pinned", 100);
        open("/profile?key=pinned");
        clickInVersionRow(v, "pin");
        assertThat(outcome()).contains("pinned version " + v);

        for (int i = 0; i < RETENTION + 2; i++) {
            session("pinned", 200 + i, null);
        }
        List<VersionInfo> kept = storage.versions(STORE, "pinned", VersionRange.all(100));
        assertThat(kept).extracting(VersionInfo::versionId).as("the pin and the newest snapshots").contains(v)
                .hasSize(RETENTION + 1);
        assertThat(game.getAsync("pinned", v).join().orElseThrow().data().coins).isEqualTo(100);

        open("/profile?key=pinned");
        assertThat(byId("versions").getText()).contains(v);
    }

    @Test
    @Order(4)
    void aGiftSentFromThePageArrivesExactlyOnce() {
        session("gifted", 0, null);
        Profile<PlayerData> held = hold("gifted", 0);
        List<String> received = new CopyOnWriteArrayList<>();
        onLoop(() -> held.messageHandler((m, processed) -> {
            received.add(m.body().path("gift").asText());
            held.data().items.add(m.body().path("gift").asText());
            processed.run();
        }));

        open("/profile?key=gifted");
        WebElement body = byId("message-body");
        body.clear();
        body.sendKeys("{\"gift\": \"sword\"}");
        byId("send").click();
        assertThat(outcome()).contains("sent message");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(received).containsExactly("sword"));
        held.endSession();
        var stored = ProfileRecords.decode(storage.read(STORE, "gifted").orElseThrow().payload());
        assertThat(stored.messages()).as("processed and deleted with the save: never delivered again").isEmpty();
        assertThat(stored.data().path("items")).hasSize(1);
        assertThat(stored.data().path("items").get(0).asText()).isEqualTo("sword");
        assertThat(received).containsExactly("sword");
    }

    @Test
    @Order(5)
    void forceReleaseNeedsTheWarningTicked_andClearsTheLock() {
        Profile<PlayerData> held = hold("stuck", 3);
        List<SessionEndReason> ends = new CopyOnWriteArrayList<>();
        held.onSessionEnd().connect(ends::add);
        open("/profile?key=stuck");
        assertThat(browser.findElement(By.cssSelector("form.danger")).getText()).contains("unsaved changes are lost");
        byId("release").click();
        assertThat(byId("error").getText()).contains("tick 'I understand'");
        assertThat(ProfileRecords.decode(storage.read(STORE, "stuck").orElseThrow().payload()).lock()).isPresent();

        open("/profile?key=stuck");
        byId("release-confirm").click();
        byId("release").click();
        assertThat(outcome()).contains("released 'stuck'").contains("held by server game-1");
        assertThat(ProfileRecords.decode(storage.read(STORE, "stuck").orElseThrow().payload()).lock()).isEmpty();
        assertThatThrownBy(held::endSession).as("its last save is refused: the lock is gone")
                .isInstanceOf(SessionLostException.class);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(ends).containsExactly(SessionEndReason.LOST));
    }

    @Test
    @Order(6)
    void eraseNeedsTheTypedConfirmation_andDeletesEveryVersion() {
        session("gone", 7, 77L);
        session("gone", 8, null);
        open("/erase");
        byId("erase-user").sendKeys("77");
        byId("erase-confirm").sendKeys("erase 78");
        byId("erase").click();
        assertThat(byId("error").getText()).contains("type 'erase 77'");
        assertThat(storage.read(STORE, "gone")).isPresent();

        open("/erase");
        byId("erase-user").sendKeys("77");
        byId("erase-confirm").sendKeys("erase 77");
        byId("erase").click();
        assertThat(outcome()).contains("Erased 1 profile(s)").contains("gone");
        assertThat(storage.read(STORE, "gone")).isEmpty();
        assertThat(storage.versions(STORE, "gone", VersionRange.all(10))).isEmpty();
    }

    @Test
    @Order(7)
    void theAuditLogShowsEachActionWithItsRevisions() {
        open("/audit");
        String log = byId("audit").getText();
        for (String action : List.of("rollback", "pin", "message", "release", "erase")) {
            assertThat(log).as(action).contains(action);
        }
        List<AuditEntry> entries = new AuditLog(storage).newest(100);
        assertThat(entries).extracting(AuditEntry::action)
                .containsSubsequence("erase", "release", "message", "pin", "rollback");
        AuditEntry rollback = entries.stream().filter(e -> e.action().equals("rollback")).findFirst().orElseThrow();
        assertThat(rollback.operator()).isEqualTo(OPERATOR);
        assertThat(rollback.tool()).isEqualTo("console");
        assertThat(rollback.revisionAfter()).isGreaterThan(rollback.revisionBefore()).isPositive();
        assertThat(entries).filteredOn(e -> !e.ok()).as("refused forms never reached an action").isEmpty();
        shot("audit");
    }

    // ------------------------------------------------------------------ security, failures

    @Test
    @Order(8)
    void requestsWithoutTheTokenOrTheCsrfTokenAreRefused() throws Exception {
        session("guarded", 1, null);
        String v = versionWithCoins("guarded", 1);
        int auditBefore = new AuditLog(storage).newest(1000).size();
        HttpClient http = HttpClient.newHttpClient();
        String base = console.url();

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "profile?key=guarded")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("/login");
        assertThat(page.body()).doesNotContain("guarded");

        assertThat(post(http, base + "action/pin", null, "key=guarded&version=" + v).statusCode()).isEqualTo(401);
        assertThat(post(http, base + "login", null, "operator=x&token=wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> signIn = post(http, base + "login", null, "operator=mallory&token=" + TOKEN);
        assertThat(signIn.statusCode()).isEqualTo(303);
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertThat(signIn.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("SameSite=Strict");

        HttpResponse<String> noCsrf = post(http, base + "action/pin", cookie, "key=guarded&version=" + v);
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(noCsrf.body()).contains("CSRF token is missing or wrong").doesNotContain("Exception");
        assertThat(post(http, base + "action/pin", cookie, "key=guarded&version=" + v + "&csrf=guess").statusCode())
                .isEqualTo(403);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "action/pin?key=guarded&version="
                + v)).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).as("no action is a GET").isEqualTo(405);
        assertThat(new AuditLog(storage).newest(1000)).as("nothing was done").hasSize(auditBefore);

        HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(URI.create(base + "profile?key=guarded"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).isEqualTo(200);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "profile?key=%00x"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid profile key").doesNotContain("at dev.profilestore");
    }

    private static HttpResponse<String> post(HttpClient http, String url, String cookie, String form) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(9)
    void aStoreThatGoesAwayShowsABanner_andThePageRecovers() {
        FaultyStorage flaky = new FaultyStorage(storage);
        try (ConsoleServer second = ConsoleServer.start(ConsoleConfig.loopback(flaky, null, "a flaky store", STORE, 0,
                TOKEN))) {
            browser.get(second.url());
            byId("operator").sendKeys(OPERATOR);
            byId("token").sendKeys(TOKEN);
            byId("sign-in").click();
            wait.until(ExpectedConditions.titleContains("Live sessions"));
            assertThat(browser.findElement(By.id("banner")).isDisplayed()).isFalse();

            flaky.down = true;
            WebElement banner = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("banner")));
            assertThat(banner.getText()).contains("The store did not answer").contains("unreachable");
            shot("store-down");

            flaky.down = false;
            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("banner")));
            assertThat(byId("held-count").getText()).matches("\\d+");
        }
    }
}
