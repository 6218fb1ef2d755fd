/** The {@code profilestore} command: operator commands, the playable demo and the hop demo. An application. */
@SuppressWarnings("requires-automatic")
module dev.profilestore.cli {
    requires dev.profilestore.core;
    requires dev.profilestore.sqlite;
    requires dev.profilestore.postgres;
    requires dev.profilestore.mysql;
    requires dev.profilestore.redis;
    requires dev.profilestore.console;
    requires dev.profilestore.minestom.example;
    requires dev.profilestore.testkit;
    requires info.picocli;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires HdrHistogram;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;

    // picocli fills the commands' option fields by reflection; Jackson maps the demo's events and operations.
    opens dev.profilestore.cli to info.picocli, com.fasterxml.jackson.databind;
    opens dev.profilestore.cli.demo to info.picocli, com.fasterxml.jackson.databind;
    opens dev.profilestore.cli.play to info.picocli, com.fasterxml.jackson.databind;
}
