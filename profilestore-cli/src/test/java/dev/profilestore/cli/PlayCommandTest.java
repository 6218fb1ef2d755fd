package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code play} end to end: three example Minestom servers, each its own JVM, on one SQLite file; protocol bots hop a
 * dozen times each with the transfer packet and give each other coins while one server is killed with SIGKILL and
 * restarted; the audit finds no duplicated and no lost acknowledged coins, and every paid gift applied once.
 */
class PlayCommandTest {

    @Test
    void botsHopBetweenServerJvms_whileOneIsKilled_andTheAuditIsClean(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("play", "--servers", "3", "--bots", "4", "--hops", "12", "--kill-rate", "30",
                "--lease", "1s", "--gift-chance", "0.5", "--seed", "11", "--store", "sqlite:" + dir.resolve("play.db"),
                "--json", "--quiet");
        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertThat(report.get("clean").asBoolean()).as(run.out()).isTrue();
        assertThat(report.get("server_kills").asInt()).as("a server was killed mid-run").isGreaterThanOrEqualTo(1);
        assertThat(report.get("hops").asLong() + report.get("hops_redirected").asLong()).isEqualTo(4 * 12);
        // A hop to the killed server while it restarts joins another one instead (redirected, not measured); in a
        // ring of three, hops between the two live servers are measured meanwhile.
        assertThat(report.get("hops").asLong()).as("hops reached a live server and were measured").isPositive();
        assertThat(report.get("logins_abandoned").asLong()).as("every login was served or refused").isZero();
        assertThat(report.get("duplicated_coins").asLong()).isZero();
        assertThat(report.get("lost_coins").asLong()).isZero();
        assertThat(report.get("coins_acknowledged").asLong()).as("saves were acknowledged to the bots").isPositive();
        assertThat(report.get("coins_stored").asLong()).isEqualTo(report.get("coins_earned_stored").asLong());
        assertThat(report.get("gifts_paid").asLong()).as("bots gave each other coins").isPositive();
        assertThat(report.get("gifts_applied").asLong()).isEqualTo(report.get("gifts_paid").asLong());
        assertThat(report.get("gifts_sent").asLong()).isLessThanOrEqualTo(report.get("gifts_paid").asLong());
        assertThat(report.get("hop_phases_ms").get("profile_load").get("count").asLong()).isEqualTo(report.get("hops").asLong());
        assertThat(report.get("problems")).isEmpty();
    }
}
