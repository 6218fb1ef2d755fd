package dev.profilestore;

/**
 * A store URI whose backend module is not on the class path, e.g. {@code redis://} without
 * {@code dev.profilestore:profilestore-redis}. The message says which dependency to add.
 */
public final class BackendNotFoundException extends StoreConfigException {
    private static final long serialVersionUID = 1L;

    /** The URI's scheme. */
    private final String scheme;
    /** The Maven coordinates of the module that serves it. */
    private final String module;

    /**
     * Creates the exception.
     *
     * @param scheme the URI's scheme
     * @param module the {@code groupId:artifactId} of the module that serves it
     */
    public BackendNotFoundException(String scheme, String module) {
        super("no ProfileStore backend for '" + scheme + ":' URIs on the class path: add " + module);
        this.scheme = scheme;
        this.module = module;
    }

    /** @return the URI's scheme */
    public String scheme() {
        return scheme;
    }

    /** @return the {@code groupId:artifactId} of the module to add */
    public String module() {
        return module;
    }
}
