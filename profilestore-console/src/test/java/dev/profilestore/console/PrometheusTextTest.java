package dev.profilestore.console;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the text format that the game servers' {@code /metrics} pages serve. */
class PrometheusTextTest {

    @Test
    void samplesWithAndWithoutLabels_areRead_commentsAndBlanksSkipped() {
        var samples = PrometheusText.parse("""
                # HELP profilestore_handoff_seconds from asking a live holder to release to holding the profile
                # TYPE profilestore_handoff_seconds histogram
                profilestore_handoff_seconds_bucket{store="Players",le="+Inf"} 3
                profilestore_handoff_seconds_count{store="Players"} 3

                profilestore_handoff_seconds_sum{store="Players"} 0.012
                process_uptime_seconds 12.5 1700000000000
                """);

        assertThat(samples).containsExactly(
                new PrometheusText.Sample("profilestore_handoff_seconds_bucket", Map.of("store", "Players", "le", "+Inf"), 3),
                new PrometheusText.Sample("profilestore_handoff_seconds_count", Map.of("store", "Players"), 3),
                new PrometheusText.Sample("profilestore_handoff_seconds_sum", Map.of("store", "Players"), 0.012),
                new PrometheusText.Sample("process_uptime_seconds", Map.of(), 12.5));
    }

    @Test
    void escapedQuotesAndCommasInLabelValues_stayInTheValue() {
        var s = PrometheusText.line("m{a=\"say \\\"hi\\\", then go\",b=\"x\"} 1");

        assertThat(s).isNotNull();
        assertThat(s.labels()).containsEntry("a", "say \"hi\", then go").containsEntry("b", "x");
    }

    @Test
    void specialValues_areRead() {
        assertThat(PrometheusText.line("m +Inf").value()).isInfinite().isPositive();
        assertThat(PrometheusText.line("m -Inf").value()).isInfinite().isNegative();
        assertThat(PrometheusText.line("m NaN").value()).isNaN();
    }

    @Test
    void linesThatAreNotSamples_areSkipped_notFatal() {
        assertThat(PrometheusText.line("m{a=\"unterminated} 1")).isNull();
        assertThat(PrometheusText.line("m not-a-number")).isNull();
        assertThat(PrometheusText.line("m")).isNull();
        assertThat(PrometheusText.parse("garbage here\nm 2\n")).extracting(PrometheusText.Sample::value).containsExactly(2.0);
    }
}
