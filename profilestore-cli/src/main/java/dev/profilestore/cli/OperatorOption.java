package dev.profilestore.cli;

import picocli.CommandLine.Option;

/** Who runs a command that changes profiles: recorded in the store's audit log (see docs/console.md). */
public final class OperatorOption {

    /** The operator's name. */
    @Option(names = "--operator", paramLabel = "NAME", defaultValue = "${sys:user.name}",
            description = "Who you are, for the store's audit log (default: your login name, ${DEFAULT-VALUE}).")
    public String name;
}
