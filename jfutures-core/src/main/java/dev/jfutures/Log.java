package dev.jfutures;

/**
 * The library's logger, {@code dev.jfutures}, made on first use. {@code System.getLogger} starts
 * the platform's logging (a service lookup, java.util.logging's LogManager and its configuration
 * file): about 10 ms of a command-line tool's start, paid only by a run that logs.
 */
final class Log {

    /** The logger; initialized when first read (the class-holder idiom). */
    static final System.Logger LOG = System.getLogger("dev.jfutures");

    private Log() {
    }
}
