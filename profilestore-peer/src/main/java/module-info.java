/**
 * Messaging straight between game servers over authenticated, encrypted TCP, with a backend's own messaging as the
 * fallback and the address directory.
 */
module dev.profilestore.peer {
    requires dev.profilestore.core;
    requires org.slf4j;

    exports dev.profilestore.peer;
}
