package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TortureCommandTest {

    @Test
    void aShortTortureRun_reportsSeedsStepsFaultsAndNoViolation_asJson() throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"torture", "--seeds", "5", "--steps", "300", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.get("seeds").asInt()).isEqualTo(5);
        assertThat(report.get("steps").asLong()).isEqualTo(1_500);
        assertThat(report.get("faults_injected").asLong()).isPositive();
        assertThat(report.get("violations").asLong()).isZero();
        assertThat(report.get("passed").asBoolean()).isTrue();
    }

    @Test
    void aServerStore_isRefusedWithAOneLineReason() {
        var err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"torture", "--store", "postgres://db/x"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(CliException.EXIT_BAD_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("memory: or sqlite:DIR").doesNotContain("\tat ");
    }
}
