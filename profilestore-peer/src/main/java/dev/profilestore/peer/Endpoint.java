package dev.profilestore.peer;

/** An address as advertised (host as written, never resolved here), a key of the directory. */
record Endpoint(String host, int port) {
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
