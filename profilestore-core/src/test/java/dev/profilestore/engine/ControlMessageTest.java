package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ControlMessageTest {

    @Test
    void namesWithSeparatorsAndUnicode_surviveTheRoundTrip() {
        var m = new ControlMessage(ControlMessage.Kind.TAKEOVER, "Store|1", 12, "srv|é", "key|with|bars ü");
        assertThat(ControlMessage.decode(m.encode())).isEqualTo(m);
    }

    @Test
    void malformedMessages_areIgnored() {
        for (String bad : new String[]{"", "TAKEOVER|a|b", "NOPE|s|1|srv|k", "TAKEOVER|s|notanumber|srv|k"}) {
            assertThat(ControlMessage.decode(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isNull();
        }
    }
}
