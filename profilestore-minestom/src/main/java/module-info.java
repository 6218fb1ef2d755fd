/** ProfileStore sessions wired into a Minestom server's login and disconnect events. */
@SuppressWarnings("requires-automatic")
module dev.profilestore.minestom {
    requires transitive dev.profilestore.minecraft;
    // Exported signatures take Minestom players, event nodes and Adventure components.
    requires transitive net.minestom.server;
    requires transitive net.kyori.adventure;
    requires org.slf4j;

    exports dev.profilestore.minestom;
}
