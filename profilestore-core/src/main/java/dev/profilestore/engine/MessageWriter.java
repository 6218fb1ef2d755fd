package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.DroppedMessages;
import dev.profilestore.StorageException;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.spi.RecordWrite;

import java.util.concurrent.CompletableFuture;

/**
 * Durable messages: appends a message to a profile's record (creating a message box for a key without a
 * profile), retrying store errors until the store closes, and nudges the holder to pick it up. Each send
 * has a sequence number of this store instance, kept per sender in the record (see
 * {@link Envelope#senders}), so a retry whose earlier try landed does not append it twice. Runs on the
 * event loop.
 */
final class MessageWriter<T> {

    private final StoreEngine<T> engine;
    MessageWriter(StoreEngine<T> engine) {
        this.engine = engine;
    }

    CompletableFuture<Void> message(String key, JsonNode body) {
        engine.requireOpen();
        var backoff = new Backoff(engine.timings.backoffInitial(), engine.timings.backoffMax());
        // Numbered when its turn comes, and retried inside that turn: this instance's sends and commits on
        // the key then land in number order, so a later one can never make this one look landed.
        return engine.keys.run(key, () -> {
            long seq = engine.nextSendSeq();
            CompletableFuture<Void> result = new CompletableFuture<>();
            attemptMessage(key, body, seq, backoff, result);
            return result;
        });
    }

    private void attemptMessage(String key, JsonNode body, long seq, Backoff backoff, CompletableFuture<Void> result) {
        int[] dropped = {0};
        engine.update(key, null, current -> {
            if (current.env() != null && current.env().landed(engine.leaseId, seq)) {
                return new Plan.Abort("already sent"); // an earlier try landed; only its reply was lost
            }
            Envelope env = current.env() != null ? current.env().copy() : new Envelope();
            env.markSent(engine.leaseId, seq);
            env.lastMessageId++;
            env.messages.add(new Envelope.StoredMessage(env.lastMessageId, body));
            dropped[0] = 0;
            while (env.messages.size() > engine.timings.maxMessages()) {
                env.messages.remove(0);
                dropped[0]++;
            }
            return new Plan.Write(env, null, current.corrupt() != null ? RecordWrite.Versioning.PRESERVE_PREVIOUS
                    : RecordWrite.Versioning.NONE);
        }).whenComplete((outcome, error) -> {
            if (error == null && outcome instanceof Outcome.Aborted) {
                result.complete(null);
                return;
            }
            if (error == null) {
                delivered(key, (Outcome.Written) outcome, dropped[0]);
                result.complete(null);
                return;
            }
            Throwable cause = StoreEngine.unwrap(error);
            engine.reportError("message failed", key, cause);
            if (!(cause instanceof StorageException) || engine.closing || cause instanceof UnsupportedFormatException) {
                result.completeExceptionally(cause);
                return;
            }
            engine.scheduler.schedule(backoff.next(),
                    () -> engine.loop.execute(() -> attemptMessage(key, body, seq, backoff, result)));
        });
    }

    private void delivered(String key, Outcome.Written written, int dropped) {
        if (written.before().corrupt() != null) {
            engine.reportOverwrite(key, written.before().corrupt());
        }
        if (dropped > 0) {
            engine.onMessagesDropped.fire(new DroppedMessages(engine.name, key, dropped));
        }
        Envelope.Lock lock = written.env().isMessageBox() ? null : written.env().meta.lock;
        if (lock != null) {
            ActiveProfile<T> local = engine.active.get(key);
            if (local != null && local.session.sessionId().equals(lock.sessionId())) {
                // After the key's turn ends: the save queues behind this send rather than inside it.
                engine.loop.execute(() -> engine.writer.save(local, false));
            } else {
                engine.publish(lock.serverId(), ControlMessage.Kind.MESSAGE, key, lock.epoch());
            }
        }
    }
}
