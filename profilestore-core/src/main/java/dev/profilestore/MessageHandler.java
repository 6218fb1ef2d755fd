package dev.profilestore;

/**
 * Receives a profile's durable messages. Called on the store's callback executor.
 *
 * <p>Change {@link Profile#data()} and call {@code processed.run()} before returning to get an
 * exactly-once effect: the next save writes the changed data and deletes the message in one atomic
 * write, and a crash before that save redelivers the message with the change undone. Calling
 * {@code processed} synchronously also stops delivery to handlers registered later.
 */
@FunctionalInterface
public interface MessageHandler {

    /**
     * Handles one message.
     *
     * @param message the message
     * @param processed marks the message handled; it is deleted from the store by the next save
     */
    void handle(ProfileMessage message, Runnable processed);
}
