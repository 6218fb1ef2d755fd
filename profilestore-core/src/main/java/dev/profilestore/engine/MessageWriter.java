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

    private final RecordUpdater<T> records;
    private final Sessions<T> sessions;
    private final SessionWriter<T> writer;

    MessageWriter(RecordUpdater<T> records, Sessions<T> sessions, SessionWriter<T> writer) {
        this.records = records;
        this.sessions = sessions;
        this.writer = writer;
    }

    CompletableFuture<Void> message(String key, JsonNode body) {
        records.requireOpen();
        var backoff = new Backoff(records.timings.backoffInitial(), records.timings.backoffMax());
        // Numbered when its turn comes, and retried inside that turn: this instance's sends and commits on
        // the key then land in number order, so a later one can never make this one look landed.
        return records.keys.run(key, () -> {
            long seq = records.nextSendSeq();
            return records.retry(backoff, cause -> {
                records.reportError("message failed", key, cause);
                return cause instanceof StorageException && !(cause instanceof UnsupportedFormatException) && !records.closing;
            }, () -> attemptMessage(key, body, seq));
        });
    }

    private CompletableFuture<Void> attemptMessage(String key, JsonNode body, long seq) {
        return records.update(key, null, current -> {
            if (current.env() != null && current.env().landed(records.leaseId, seq)) {
                return new Plan.Abort(Plan.Why.ALREADY_SENT); // an earlier try landed; only its reply was lost
            }
            Envelope env = current.env() != null ? current.env().copy() : new Envelope();
            env.markSent(records.leaseId, seq);
            env.lastMessageId++;
            env.messages.add(new Envelope.StoredMessage(env.lastMessageId, body));
            while (env.messages.size() > records.timings.maxMessages()) {
                env.messages.remove(0);
            }
            return new Plan.Write(env, null, current.corrupt() != null ? RecordWrite.Versioning.PRESERVE_PREVIOUS
                    : RecordWrite.Versioning.NONE);
        }).thenAccept(outcome -> {
            if (outcome instanceof Outcome.Written written) {
                delivered(key, written);
            }
        });
    }

    private void delivered(String key, Outcome.Written written) {
        // The messages the cap pushed out: those before, plus this one, minus those kept.
        Envelope before = written.before().env();
        int dropped = (before == null ? 0 : before.messages.size()) + 1 - written.env().messages.size();
        if (written.before().corrupt() != null) {
            records.reportOverwrite(key, written.before().corrupt());
        }
        if (dropped > 0) {
            records.onMessagesDropped.fire(new DroppedMessages(records.name, key, dropped));
        }
        Envelope.Lock lock = written.env().isMessageBox() ? null : written.env().meta.lock;
        if (lock != null) {
            ActiveProfile<T> local = sessions.active(key);
            if (local != null && local.session.sessionId().equals(lock.sessionId())) {
                // After the key's turn ends: the save queues behind this send rather than inside it.
                records.loop.execute(() -> writer.save(local, false));
            } else {
                records.publish(lock.serverId(), ControlMessage.Kind.MESSAGE, key, lock.epoch());
            }
        }
    }
}
