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
    void aTakeoverWithItsRequest_survivesTheRoundTrip() {
        var request = new ControlMessage.Request(41, 42, "app|x", "session-1", 1_700_000_000_000L, "srv/Store/1f");
        var m = new ControlMessage(ControlMessage.Kind.TAKEOVER, "Store", 3, "srv", "key", request);
        assertThat(ControlMessage.decode(m.encode())).isEqualTo(m);
        assertThat(request.takeover("srv")).isEqualTo(new Envelope.Takeover("app|x", "srv", "session-1", 1_700_000_000_000L,
                "srv/Store/1f"));
    }

    @Test
    void malformedMessages_areIgnored() {
        for (String bad : new String[]{"", "TAKEOVER|a|b", "NOPE|s|1|srv|k", "TAKEOVER|s|notanumber|srv|k",
                "TAKEOVER|s|1|srv|k|1|2|app", "TAKEOVER|s|1|srv|k|x|2|app|sess|3"}) {
            assertThat(ControlMessage.decode(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isNull();
        }
    }
}
