package dev.profilestore.testkit;

import dev.profilestore.Profile;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;

import static dev.profilestore.testkit.Cluster.done;

/**
 * What the scenario suites share: two servers ({@link #a}, {@link #b}) on one fresh storage of the backend
 * under test, on a manual clock. A backend runs a suite by subclassing it with its storage.
 */
public abstract class ClusterScenarios {

    /** A fresh, empty storage whose lease clock is {@code clock} where the backend allows it. */
    protected abstract Storage newStorage(ManualScheduler clock);

    /**
     * Whether the storage measures leases on the manual clock given to {@link #newStorage} (the in-memory
     * store does). A database measures them on its own clock, so scenarios that need a lease to run out
     * then wait for it in real time, with a short lease.
     */
    protected boolean leasesOnManualClock() {
        return false;
    }

    /** The servers' lease: the default 15 s on the manual clock, 2 s of real time otherwise. */
    protected Duration lease() {
        return leasesOnManualClock() ? Duration.ofSeconds(15) : Duration.ofSeconds(2);
    }

    /** Lets a crashed server's lease run out, on whichever clock the storage uses. */
    protected void letLeaseRunOut(Cluster.Server server) {
        if (leasesOnManualClock()) {
            cluster.advance(lease());
        } else {
            org.awaitility.Awaitility.await().atMost(lease().multipliedBy(5))
                    .until(() -> !cluster.shared.isLeaseLive(server.store().leaseId()));
        }
    }

    protected Cluster cluster;
    protected Cluster.Server a;
    protected Cluster.Server b;

    @BeforeEach
    final void startCluster() {
        cluster = new Cluster(this::newStorage, lease());
        a = cluster.server("server-a");
        b = cluster.server("server-b");
    }

    @AfterEach
    final void stopCluster() {
        cluster.close();
    }

    protected Profile<PlayerData> start(Cluster.Server server, String key) {
        return done(server.store().startSessionAsync(key)).orElseThrow();
    }

    protected PlayerData stored(String key) {
        return done(a.store().getAsync(key)).orElseThrow().data();
    }

}
