package dev.profilestore.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.UnsupportedFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeCodecTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final EnvelopeCodec codec = new EnvelopeCodec(mapper);

    @Test
    void aProfileRoundTrips_withLockTakeoverMessagesUserIdsAndMetadata() {
        Envelope env = new Envelope();
        env.meta = new Envelope.Meta();
        env.meta.createdMs = 1;
        env.meta.loadCount = 4;
        env.meta.lock = new Envelope.Lock("app", "server|1", "sess", 4, 99, "server|1/S/ab");
        env.meta.takeover = new Envelope.Takeover("app", "server-2", "sess-2", 100, null);
        env.meta.releasedBy = "sess-0";
        env.dataVersion = 2;
        env.userIds.add(42L);
        env.metadata.put("k", "v");
        env.lastMessageId = 7;
        env.messages.add(new Envelope.StoredMessage(7, mapper.createObjectNode().put("gift", 1)));
        byte[] bytes = codec.encode(env, "{\"coins\":5}".getBytes(StandardCharsets.UTF_8));

        Envelope back = codec.decode(bytes);
        assertThat(back.data.get("coins").asInt()).isEqualTo(5);
        assertThat(back.dataVersion).isEqualTo(2);
        assertThat(back.meta.lock).isEqualTo(env.meta.lock);
        assertThat(back.meta.takeover).isEqualTo(env.meta.takeover);
        assertThat(back.userIds).containsExactly(42L);
        assertThat(back.metadata.get("k").asText()).isEqualTo("v");
        assertThat(back.lastMessageId).isEqualTo(7);
        assertThat(back.messages).containsExactly(env.messages.get(0));
    }

    @Test
    void aMessageBoxHasNoMeta() {
        Envelope box = new Envelope();
        box.lastMessageId = 1;
        box.messages.add(new Envelope.StoredMessage(1, mapper.createObjectNode()));
        Envelope back = codec.decode(codec.encode(box, null));
        assertThat(back.isMessageBox()).isTrue();
        assertThat(back.messages).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "not json at all;not JSON",
            "[1,2,3];not a JSON object",
            "{\"Data\":{},\"MetaData\":{}};not written by this library",
            "{\"format\":\"profilestore/1\"};messages",
            "{\"format\":\"profilestore/1\",\"messages\":{\"lastId\":\"x\",\"items\":[]}};lastId",
            "{\"format\":\"profilestore/1\",\"messages\":{\"lastId\":1,\"items\":[{\"id\":1}]}};no body",
            "{\"format\":\"profilestore/1\",\"messages\":{\"lastId\":0,\"items\":[]},\"meta\":{}};data"})
    void anythingElse_isCorrupt_withTheProblemNamed(String payload, String problem) {
        assertThatThrownBy(() -> codec.decode(payload.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(CorruptProfileException.class).hasMessageContaining(problem);
    }

    @Test
    void aRecordOfANewerLayout_isUnsupported_notCorrupt() {
        String newer = "{\"format\":\"profilestore/2\",\"messages\":{\"lastId\":0,\"items\":[]}}";
        assertThatThrownBy(() -> codec.decode(newer.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UnsupportedFormatException.class).hasMessageContaining("profilestore/2")
                .hasMessageContaining("left untouched");
    }

    @Test
    void fieldsOfANewerMinorVersion_areKeptOnRewrite() {
        String stored = "{\"format\":\"profilestore/1\",\"dataVersion\":1,\"data\":{\"coins\":3},"
                + "\"meta\":{\"createdMs\":1,\"loadCount\":2,\"lastUpdateMs\":3,\"lastSnapshotMs\":4,\"shard\":\"eu\"},"
                + "\"metadata\":{},\"userIds\":[],\"messages\":{\"lastId\":0,\"items\":[]},\"audit\":[1,2]}";
        Envelope env = codec.decode(stored.getBytes(StandardCharsets.UTF_8));
        env.meta.loadCount = 3;
        var rewritten = readJson(codec.encode(env, null));
        assertThat(rewritten.get("audit").toString()).isEqualTo("[1,2]");
        assertThat(rewritten.get("meta").get("shard").asText()).isEqualTo("eu");
        assertThat(rewritten.get("meta").get("loadCount").asInt()).isEqualTo(3);
    }

    private com.fasterxml.jackson.databind.JsonNode readJson(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
