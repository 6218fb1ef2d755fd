package dev.profilestore.cli.demo;

import picocli.CommandLine.Option;

/** The options {@code demo} and {@code play} share: runs that audit an empty store and print a report. */
public final class AuditedRunOptions {

    /** Whether to erase the profiles already under the store name first. */
    @Option(names = "--reset", description = "Erase the profiles already under --store-name in --store before the run.")
    public boolean reset;

    /** Whether to print the report as JSON. */
    @Option(names = "--json", description = "Print the report as one JSON object (progress still goes to standard error).")
    public boolean json;

    /** Whether to print no progress. */
    @Option(names = {"-q", "--quiet"}, description = "No progress on standard error.")
    public boolean quiet;
}
