/** The operator web console: profiles, versions, sessions and the fleet's meters in a browser. */
module dev.profilestore.console {
    requires transitive dev.profilestore.core;
    requires jdk.httpserver;
    requires java.net.http;
    requires org.slf4j;

    exports dev.profilestore.console;
}
