/** A runnable Minestom game server that keeps its players' wallets in ProfileStore, and a protocol bot. */
@SuppressWarnings("requires-automatic")
module dev.profilestore.minestom.example {
    requires dev.profilestore.minestom;
    requires dev.profilestore.sqlite;
    requires net.minestom.server;
    requires net.kyori.adventure;
    requires net.kyori.adventure.text.serializer.plain;
    requires org.slf4j;

    // The CLI's demo starts these servers and bots.
    exports dev.profilestore.minestom.example;
    // A wallet is profile data: Jackson reads and writes it.
    opens dev.profilestore.minestom.example to com.fasterxml.jackson.databind;
}
