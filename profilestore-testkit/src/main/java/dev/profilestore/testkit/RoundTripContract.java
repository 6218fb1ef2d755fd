package dev.profilestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profilestore.SaveCause;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The round trips of a SQL backend's writes: where the connection takes several statements in one text, a snapshot
 * save, retention included, is three round trips; where it does not, the same writes go one statement at a time;
 * with the same results either way. Runs on one real connection that is never closed in between, so a transaction
 * left open by a write would show in the next one. A backend's test extends this and says how to connect.
 */
public abstract class RoundTripContract {

    private static final int VERSIONS_PER_KEY = 3;

    private OneConnection source;

    /**
     * A new connection to the backend's test database, taking several statements in one text or not; null when the
     * driver cannot be told not to (the one-by-one case is then skipped).
     */
    protected abstract Connection connect(boolean severalStatementsInOneText) throws SQLException;

    /** The backend's storage on {@code dataSource}, with tables named from {@code tablePrefix}. */
    protected abstract Storage open(DataSource dataSource, String tablePrefix, int versionsPerKey);

    /** Whether a transaction is open on {@code connection}. */
    protected abstract boolean inTransaction(Connection connection) throws SQLException;

    @AfterEach
    void closeConnection() throws SQLException {
        if (source != null) {
            source.physical.close();
        }
    }

    private Storage open(boolean severalStatementsInOneText, String prefix) throws SQLException {
        Connection physical = connect(severalStatementsInOneText);
        Assumptions.assumeTrue(physical != null, "the driver always takes several statements in one text");
        source = new OneConnection(physical);
        return open(source.dataSource(), prefix + System.nanoTime() % 1_000_000 + "_", VERSIONS_PER_KEY);
    }

    private static RecordWrite snapshot(String s) {
        return new RecordWrite(s.getBytes(StandardCharsets.UTF_8), Set.of(7L), RecordWrite.Versioning.SNAPSHOT,
                SaveCause.SESSION_END);
    }

    @Test
    void aSnapshotSave_takesThreeRoundTrips_retentionIncluded() throws SQLException {
        try (Storage storage = open(true, "trips")) {
            long revision = ((WriteResult.Written) storage.write("s", "k", Storage.ABSENT, snapshot("v0"))).revision();
            for (int i = 1; i <= VERSIONS_PER_KEY + 3; i++) {
                source.statements.set(0);
                revision = ((WriteResult.Written) storage.write("s", "k", revision, snapshot("v" + i))).revision();
                // The allocation with the transaction's start; the compare-and-set with the snapshot, the user ids
                // and the retention query; the retention's deletes with the commit.
                assertThat(source.statements).as("round trips of save %d", i).hasValue(3);
                assertNoTransactionLeftOpen();
            }
            assertThat(storage.versions("s", "k", VersionRange.all(100))).hasSize(VERSIONS_PER_KEY);
            assertThat(new String(storage.read("s", "k").orElseThrow().payload(), StandardCharsets.UTF_8))
                    .isEqualTo("v" + (VERSIONS_PER_KEY + 3));
            assertThat(storage.keysByUserId("s", 7L)).containsExactly("k");
        }
    }

    @Test
    void withoutMultiStatementText_theSameWritesGoOneByOne() throws SQLException {
        try (Storage storage = open(false, "onebyone")) {
            long revision = ((WriteResult.Written) storage.write("s", "k", Storage.ABSENT, snapshot("v0"))).revision();
            for (int i = 1; i <= VERSIONS_PER_KEY + 3; i++) {
                source.statements.set(0);
                revision = ((WriteResult.Written) storage.write("s", "k", revision, snapshot("v" + i))).revision();
                assertThat(source.statements.get()).as("statements of save %d", i).isGreaterThan(3);
                assertNoTransactionLeftOpen();
            }
            assertThat(storage.versions("s", "k", VersionRange.all(100))).hasSize(VERSIONS_PER_KEY);
            assertThat(storage.keysByUserId("s", 7L)).containsExactly("k");
        }
    }

    @Test
    void aStaleRevision_conflicts_changesNothing_andLeavesNoTransactionOpen() throws SQLException {
        try (Storage storage = open(true, "conflict")) {
            long first = ((WriteResult.Written) storage.write("s", "k", Storage.ABSENT, snapshot("v0"))).revision();
            long second = ((WriteResult.Written) storage.write("s", "k", first, snapshot("v1"))).revision();

            WriteResult stale = storage.write("s", "k", first, snapshot("lost"));

            assertThat(stale).isInstanceOfSatisfying(WriteResult.Conflict.class,
                    c -> assertThat(c.current().orElseThrow().revision()).isEqualTo(second));
            assertNoTransactionLeftOpen();
            assertThat(new String(storage.read("s", "k").orElseThrow().payload(), StandardCharsets.UTF_8))
                    .isEqualTo("v1");
            assertThat(storage.versions("s", "k", VersionRange.all(100))).hasSize(2);
        }
    }

    private void assertNoTransactionLeftOpen() throws SQLException {
        assertThat(inTransaction(source.physical)).as("a transaction is open on the connection").isFalse();
        assertThat(source.physical.getAutoCommit()).isTrue();
    }

    /** One physical connection, lent again and again (closing the lent one does nothing), counting statements. */
    private static final class OneConnection {
        final Connection physical;
        final AtomicInteger statements = new AtomicInteger();

        OneConnection(Connection physical) {
            this.physical = physical;
        }

        Connection lent() {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "close" -> {
                                return null;
                            }
                            case "prepareStatement", "createStatement", "prepareCall" -> statements.incrementAndGet();
                            default -> { }
                        }
                        try {
                            return method.invoke(physical, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        DataSource dataSource() {
            return new DataSource() {
                @Override
                public Connection getConnection() {
                    return lent();
                }

                @Override
                public Connection getConnection(String user, String password) {
                    return lent();
                }

                @Override
                public PrintWriter getLogWriter() {
                    return null;
                }

                @Override
                public void setLogWriter(PrintWriter out) {
                }

                @Override
                public void setLoginTimeout(int seconds) {
                }

                @Override
                public int getLoginTimeout() {
                    return 0;
                }

                @Override
                public Logger getParentLogger() {
                    return Logger.getGlobal();
                }

                @Override
                public <T> T unwrap(Class<T> type) throws SQLException {
                    throw new SQLException("not a wrapper");
                }

                @Override
                public boolean isWrapperFor(Class<?> type) {
                    return false;
                }
            };
        }
    }
}
