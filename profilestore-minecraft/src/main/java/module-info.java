/** Server-neutral player sessions for Minecraft-style game servers: login, kick and messaging policies. */
module dev.profilestore.minecraft {
    requires transitive dev.profilestore.core;
    requires org.slf4j;

    exports dev.profilestore.minecraft;
}
