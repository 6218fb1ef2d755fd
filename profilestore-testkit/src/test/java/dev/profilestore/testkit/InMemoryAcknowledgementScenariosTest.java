package dev.profilestore.testkit;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.ManualScheduler;

/** The acknowledgement scenarios on the in-memory store. */
class InMemoryAcknowledgementScenariosTest extends AcknowledgementScenarios {

    @Override
    protected Storage newStorage(ManualScheduler clock) {
        return new InMemoryStorage(clock, 100);
    }

    @Override
    protected boolean leasesOnManualClock() {
        return true;
    }
}
