package dev.profilestore.minecraft;

import dev.profilestore.Profile;

import java.util.Objects;

/**
 * The outcome of a login: the player's profile, or the message to refuse the login with.
 *
 * @param <T> the profile data type
 */
public sealed interface LoginResult<T> {

    /**
     * The session started: let the player in.
     *
     * @param profile the player's active profile
     * @param <T> the profile data type
     */
    record Allowed<T>(Profile<T> profile) implements LoginResult<T> {
        /** Validates the field. */
        public Allowed {
            Objects.requireNonNull(profile, "profile");
        }
    }

    /**
     * The session did not start: refuse the login with {@code message}.
     *
     * @param message what the player reads on the disconnect screen
     * @param detail why, for logs
     * @param <T> the profile data type
     */
    record Refused<T>(String message, String detail) implements LoginResult<T> {
        /** Validates the fields. */
        public Refused {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
