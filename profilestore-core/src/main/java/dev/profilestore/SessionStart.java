package dev.profilestore;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of a session start: the profile, or the reason there is none.
 *
 * @param <T> the profile data type
 */
public sealed interface SessionStart<T> {

    /** The profile if the session started. */
    Optional<Profile<T>> started();

    /** Whether the session started. */
    default boolean isStarted() {
        return this instanceof Started;
    }

    /** The profile, or an exception that names why it did not start. */
    default Profile<T> orElseThrow() {
        return switch (this) {
            case Started<T> started -> started.profile;
            case NotStarted<T> notStarted ->
                    throw new IllegalStateException("session not started: " + notStarted.reason() + " (" + notStarted.detail() + ")");
        };
    }

    /**
     * The session started.
     *
     * @param profile the active profile
     * @param <T> the profile data type
     */
    record Started<T>(Profile<T> profile) implements SessionStart<T> {
        /** Validates the field. */
        public Started {
            Objects.requireNonNull(profile, "profile");
        }

        @Override
        public Optional<Profile<T>> started() {
            return Optional.of(profile);
        }
    }

    /**
     * The session did not start.
     *
     * @param reason why, as a closed set
     * @param detail more, for logs
     * @param <T> the profile data type
     */
    record NotStarted<T>(Reason reason, String detail) implements SessionStart<T> {
        /** Validates the fields. */
        public NotStarted {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public Optional<Profile<T>> started() {
            return Optional.empty();
        }
    }

    /** Why a session did not start. The original returned nil for all of these. */
    enum Reason {
        /** The cancel condition returned true. */
        CANCELLED,
        /** The store is closing. */
        CLOSING,
        /** The store could not be reached within the start timeout. */
        TIMED_OUT,
        /** Another server asked for the profile after this one did; the last requester wins. */
        LOST_TO_ANOTHER_REQUEST,
        /** A newer start for the same key on this server took over this one (a quick rejoin). */
        SUPERSEDED,
        /** The stored profile has a newer data format than this server knows; it was left untouched. */
        UNSUPPORTED_FORMAT
    }
}
