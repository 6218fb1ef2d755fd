/**
 * The conformance suite every backend runs (storage and messaging contracts, session, cluster, failure and
 * acknowledgement scenarios), fault injection, and the simulation checker.
 */
@SuppressWarnings("requires-automatic")
module dev.profilestore.testkit {
    requires transitive dev.profilestore.core;
    // The contracts are JUnit test classes a backend's tests extend, using AssertJ and Awaitility. "static": the
    // simulator (dev.profilestore.testkit.sim) needs none of the three and the CLI runs it without them; a
    // backend's tests, which run the contracts, have them on their test path. (Not "transitive": javac would
    // then demand them of every module that reads this one, the CLI included.)
    requires static org.junit.jupiter.api;
    requires static org.assertj.core;
    requires static awaitility;
    requires org.slf4j;
    // RoundTripContract lends a SQL backend's storage one counted JDBC connection.
    requires java.sql;

    exports dev.profilestore.testkit;
    exports dev.profilestore.testkit.faults;
    exports dev.profilestore.testkit.sim;

    // JUnit runs the contracts' inherited test methods by reflection; Jackson maps the simulation's wallets.
    opens dev.profilestore.testkit to org.junit.platform.commons;
    opens dev.profilestore.testkit.sim to com.fasterxml.jackson.databind;
}
