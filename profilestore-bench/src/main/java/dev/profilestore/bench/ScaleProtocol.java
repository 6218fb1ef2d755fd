package dev.profilestore.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.DataFormatException;

/**
 * The lines {@link ScaleBench} and its {@link ScaleChild} processes exchange over the child's standard input and
 * output. A line is a verb, then a space and its arguments:
 *
 * <pre>
 * parent → child                              child → parent
 * plan {Plan as JSON}                         ready {loaded} {millis}    (every profile of the child loaded)
 * hop {key} {server} {epoch}                  done {key} {server} ok|fail
 * mark {epoch}                                marked                     (the measured window starts)
 * end                                         ended                      (the window ends: counters read)
 * report                                      report {Report as JSON}
 * close                                       closed                     (then the child exits)
 * </pre>
 *
 * <p>Why lines on pipes rather than a socket: the parent owns the children's lifetime anyway, a pipe needs no port,
 * and a child whose parent dies reads end-of-file and exits instead of lingering.
 */
final class ScaleProtocol {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ScaleProtocol() {}

    /**
     * What one child hosts and how it connects. The child hosts every server {@code s} with
     * {@code s % children == child}, and first loads every profile whose initial server ({@code key % servers}) it
     * hosts.
     *
     * @param child this child's index
     * @param children how many children the run has
     * @param backend {@code postgres} or {@code redis}: the storage
     * @param storageUrl JDBC URL (PostgreSQL) or Redis URI
     * @param messaging {@code postgres} or {@code redis}
     * @param messagingUrl JDBC URL or Redis URI for messaging
     * @param storeName the store every server opens
     * @param servers servers in the whole run
     * @param profiles profiles in the whole run
     * @param serversPerConnectionSet servers that share one storage and messaging instance (1: each its own)
     * @param pgPoolSize storage pool connections per connection set on PostgreSQL
     */
    record Plan(int child, int children, String backend, String storageUrl, String messaging, String messagingUrl,
                String storeName, int servers, int profiles,
                int serversPerConnectionSet, int pgPoolSize) {

        boolean hosts(int server) {
            return server % children == child;
        }
    }

    /**
     * Store operations of one child's servers, summed.
     *
     * @param reads record reads
     * @param writes record writes (conditional writes and multi-writes)
     * @param leaseWrites lease renewals
     * @param leaseReads lease checks
     */
    record Counts(long reads, long writes, long leaseWrites, long leaseReads) {

        static final Counts ZERO = new Counts(0, 0, 0, 0);

        Counts minus(Counts o) {
            return new Counts(reads - o.reads, writes - o.writes, leaseWrites - o.leaseWrites, leaseReads - o.leaseReads);
        }

        Counts plus(Counts o) {
            return new Counts(reads + o.reads, writes + o.writes, leaseWrites + o.leaseWrites, leaseReads + o.leaseReads);
        }
    }

    /**
     * What a child measured over the window.
     *
     * @param window store operations between {@code mark} and {@code end}
     * @param handoffs latency of every hop started in the window, an HdrHistogram of nanoseconds, compressed and
     *                 Base64-encoded so the parent can merge the children's
     * @param failedHops hops started in the window that did not start the session
     */
    record Report(Counts window, String handoffs, long failedHops) {}

    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not a compressed histogram", e);
        }
    }

    static String line(String verb, Object value) {
        try {
            return verb + " " + JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value, e);
        }
    }

    static <T> T parse(String line, String verb, Class<T> type) {
        if (!line.startsWith(verb + " ")) {
            throw new IllegalStateException("expected \"" + verb + " ...\", got: " + line);
        }
        try {
            return JSON.readValue(line.substring(verb.length() + 1), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read " + verb + ": " + e.getOriginalMessage(), e);
        }
    }
}
