/** Serves a store's Micrometer meters over HTTP in Prometheus form, with a JSON health endpoint. */
@SuppressWarnings("requires-automatic")
module dev.profilestore.metrics {
    requires transitive dev.profilestore.core;
    requires transitive micrometer.core;
    requires transitive micrometer.registry.prometheus;
    requires jdk.httpserver;
    requires org.slf4j;

    exports dev.profilestore.metrics;
}
