/** The README's example game server, compiled and tested with the build. */
module dev.profilestore.examples {
    requires dev.profilestore.core;
    requires org.slf4j;

    exports dev.profilestore.examples;
    // Player data is read and written by Jackson.
    opens dev.profilestore.examples to com.fasterxml.jackson.databind;
}
