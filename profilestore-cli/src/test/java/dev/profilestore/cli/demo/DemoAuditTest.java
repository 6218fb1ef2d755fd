package dev.profilestore.cli.demo;

import dev.profilestore.StoreConnection;
import dev.profilestore.StoreUri;
import dev.profilestore.cli.CliStore;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit has teeth: breaking the game or the store on purpose makes it fail, naming what broke. */
class DemoAuditTest {

    private static final String STORE = "DemoPlayers";

    private static DemoConfig config(long seed, double crashesPerMinute, double resendRate, boolean receiptCheck) {
        return new DemoConfig(seed, 3, 12, Duration.ofSeconds(3), crashesPerMinute, Duration.ofSeconds(1),
                Duration.ofSeconds(1), resendRate, receiptCheck, Duration.ofMillis(50));
    }

    private static DemoReport run(DemoConfig config, java.util.function.Consumer<dev.profilestore.spi.Storage> tamper)
            throws Exception {
        try (StoreConnection store = CliStore.open("memory:", CliStore.OpenMode.CREATE, Duration.ZERO)) {
            return new Simulation(config, store, STORE, line -> { }).beforeAudit(tamper).run();
        }
    }

    @Test
    void anHonestRunWithCrashes_isClean() throws Exception {
        DemoReport report = run(config(1, 40, 0.5, true), s -> { });
        assertThat(report.audit().problems()).isEmpty();
        assertThat(report.audit().clean()).isTrue();
        assertThat(report.crashes()).isPositive();
        assertThat(report.purchasesGranted()).isEqualTo(report.purchasesRequested()).isPositive();
        assertThat(report.duplicatesBlocked()).as("resent receipts were refused by the receipt check").isPositive();
        assertThat(report.audit().economyTotal()).isEqualTo(report.audit().grantedTotal());
    }

    @Test
    void aPurchaseHandlerWithoutTheReceiptCheck_isCaughtGrantingTwice() throws Exception {
        DemoReport report = run(config(2, 0, 1.0, false), s -> { });
        assertThat(report.audit().duplicatedGrants()).isPositive();
        assertThat(report.audit().clean()).isFalse();
        assertThat(report.audit().economyTotal()).as("duplicated items inflate the economy")
                .isGreaterThan(report.audit().grantedTotal());
        assertThat(report.audit().problems()).anyMatch(p -> p.startsWith("DUPLICATE_GRANT") && p.contains("granted 2 times"));
    }

    @Test
    void aProfileQuietlyRestoredToAnOldVersion_isCaughtAsLostAcknowledgedSaves() throws Exception {
        String[] victim = {null};
        DemoReport report = run(config(3, 0, 0, true), storage -> {
            // Behind every server's back, put an old saved version of one profile back as its current record.
            for (String key : storage.listKeys(STORE, null, 100)) {
                List<VersionInfo> versions = storage.versions(STORE, key, VersionRange.all(100));
                StoredRecord current = storage.read(STORE, key).orElseThrow();
                if (versions.size() >= 2 && versions.getFirst().revision() != current.revision()) {
                    StoredRecord old = storage.readVersion(STORE, key, versions.getFirst().versionId()).orElseThrow();
                    var result = storage.write(STORE, key, current.revision(),
                            new RecordWrite(old.payload(), Set.of(), RecordWrite.Versioning.NONE));
                    assertThat(result).isInstanceOf(WriteResult.Written.class);
                    victim[0] = key;
                    return;
                }
            }
        });
        assertThat(victim[0]).as("a profile with an older version to restore").isNotNull();
        assertThat(report.audit().lostAcknowledgedSaves()).isPositive();
        assertThat(report.audit().clean()).isFalse();
        assertThat(report.audit().problems()).anyMatch(p -> p.contains(victim[0]) && p.startsWith("LOST_ACKNOWLEDGED_SAVE"));
    }

    @Test
    void coinsAddedToAStoredProfileOutsideTheGame_areCaught() throws Exception {
        DemoReport report = run(config(4, 0, 0, true), storage -> {
            String key = storage.listKeys(STORE, null, 1).getFirst();
            StoredRecord current = storage.read(STORE, key).orElseThrow();
            String json = new String(current.payload(), java.nio.charset.StandardCharsets.UTF_8)
                    .replaceFirst("\"coins\":(\\d+)", "\"coins\":1$1");
            storage.write(STORE, key, current.revision(), new RecordWrite(
                    json.getBytes(java.nio.charset.StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE));
        });
        assertThat(report.audit().clean()).isFalse();
        assertThat(report.audit().invariantViolations()).isPositive();
        assertThat(report.audit().economyTotal()).isNotEqualTo(report.audit().grantedTotal());
    }
}
