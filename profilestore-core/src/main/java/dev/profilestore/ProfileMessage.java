package dev.profilestore;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A durable message sent to a profile with {@link ProfileStore#messageAsync}.
 *
 * @param id per-key, strictly increasing and never reused
 * @param body the message, as JSON; a private copy for each handler call
 */
public record ProfileMessage(long id, JsonNode body) {

    /** Validates the fields. */
    public ProfileMessage {
        Objects.requireNonNull(body, "body");
    }
}
