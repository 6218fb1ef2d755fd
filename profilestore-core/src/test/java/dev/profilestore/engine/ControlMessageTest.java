package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

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
    void aFirstAsk_isARequestWrittenNowhere_thatOlderServersStillParse() {
        var who = new Envelope.Takeover("app", "srv-b", "session-2", 1_700_000_000_000L, "srv-b/Store/9");
        var ask = ControlMessage.Request.asked(who);
        var m = new ControlMessage(ControlMessage.Kind.TAKEOVER, "Store", 3, "srv-b", "key", ask);
        assertThat(ask.written()).isFalse();
        assertThat(new ControlMessage.Request(41, 42, "app", "s", 1, "l").written()).isTrue();
        assertThat(new String(m.encode(), StandardCharsets.UTF_8).split("\\|", -1)).as("the same fields as a written request")
                .hasSize(11);
        assertThat(ControlMessage.decode(m.encode())).isEqualTo(m);
        assertThat(ask.takeover("srv-b")).isEqualTo(who);
    }

    @Test
    void aHandedNotice_carriesTheRecordWritten_andLeavesItOutWhenAbsent() {
        byte[] record = "{\"format\":\"profilestore/1\",\"data\":{\"coins\":7}}".getBytes(StandardCharsets.UTF_8);
        Instant created = Instant.parse("2026-01-02T03:04:05.123456Z");
        Instant updated = Instant.parse("2026-12-02T18:00:00.000001Z");
        var m = new ControlMessage(ControlMessage.Kind.HANDED, "Store", 43, "srv-a", "key|1", null,
                new ControlMessage.Handed(43, created, updated, record));

        ControlMessage back = ControlMessage.decode(m.encode());

        assertThat(back.kind()).isEqualTo(ControlMessage.Kind.HANDED);
        assertThat(back.key()).isEqualTo("key|1");
        assertThat(back.epoch()).isEqualTo(43);
        assertThat(back.handed().revision()).isEqualTo(43);
        assertThat(back.handed().createdAt()).isEqualTo(created);
        assertThat(back.handed().updatedAt()).isEqualTo(updated);
        assertThat(back.handed().record()).isEqualTo(record);

        var bare = new ControlMessage(ControlMessage.Kind.HANDED, "Store", 43, "srv-a", "key", null,
                new ControlMessage.Handed(43, created, updated, null));
        assertThat(ControlMessage.decode(bare.encode()).handed().record()).isNull();
    }

    @Test
    void malformedMessages_areIgnored() {
        for (String bad : new String[]{"", "TAKEOVER|a|b", "NOPE|s|1|srv|k", "TAKEOVER|s|notanumber|srv|k",
                "TAKEOVER|s|1|srv|k|1|2|app", "TAKEOVER|s|1|srv|k|x|2|app|sess|3",
                "HANDED|s|1|srv|k|x|2026-01-01T00:00:00Z|2026-01-01T00:00:00Z|",
                "HANDED|s|1|srv|k|1|yesterday|2026-01-01T00:00:00Z|",
                "HANDED|s|1|srv|k|1|2026-01-01T00:00:00Z|2026-01-01T00:00:00Z|not*base64"}) {
            assertThat(ControlMessage.decode(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isNull();
        }
    }
}
