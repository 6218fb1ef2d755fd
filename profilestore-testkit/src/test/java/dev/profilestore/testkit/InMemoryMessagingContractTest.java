package dev.profilestore.testkit;

import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.spi.Messaging;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;

/**
 * Runs the messaging specification against the in-process hub. Both "servers" share one hub, which is how
 * several stores in one JVM use it; delivery runs on a separate thread, as a real transport's would.
 */
final class InMemoryMessagingContractTest extends MessagingContract {

    private final ExecutorService delivery = Executors.newSingleThreadExecutor();
    private final InMemoryMessaging hub = new InMemoryMessaging(delivery);

    @Override
    protected Messaging createMessaging() {
        return hub;
    }

    @AfterEach
    void stopDelivery() {
        delivery.shutdownNow();
    }
}
