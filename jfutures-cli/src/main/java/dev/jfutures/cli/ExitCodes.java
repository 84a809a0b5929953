package dev.jfutures.cli;

/**
 * The exit codes of every command. A code is never a count: "2 files failed" is 1, like "1 file
 * failed", so that no count can be mistaken for the usage error, 2 (as GNU tools: grep, ls, diff).
 * Above that, BSD's {@code sysexits.h} where a case has its own code, and 141 for a closed pipe.
 *
 * @since 0.1
 */
final class ExitCodes {
    /** Every input done. */
    static final int OK = 0;
    /** Some input failed (each failure has its line on stderr), or the output could not be written. */
    static final int FAILED = 1;
    /** A usage error: a bad option or argument; nothing was done. Every command. */
    static final int USAGE = 2;
    /** INPUT does not exist ({@code EX_NOINPUT}): compress and decompress. */
    static final int NO_INPUT = 66;
    /** An internal error, a bug ({@code EX_SOFTWARE}): picocli's exit code for an exception. */
    static final int SOFTWARE = 70;
    /** The output directory cannot be created ({@code EX_CANTCREAT}). */
    static final int CANNOT_CREATE = 73;
    /**
     * Stdout's reader went away (EPIPE): 128 + SIGPIPE (13), what a shell reports for a GNU tool
     * that the signal killed. A JVM ignores SIGPIPE and cannot die of it, so it exits with the
     * status the shell would have shown, quietly, as the killed tool would have.
     */
    static final int BROKEN_PIPE = 141;

    /** The exit codes in compress's and decompress's help: {@code code:meaning}, as picocli takes them. */
    static final String[] LIST = {
        "0:every file was done",
        "1:some input files failed (each is a line on stderr), or stdout could not be written",
        "2:usage error (a bad option or argument, --executor virtual before Java 21)",
        "66:INPUT does not exist",
        "70:an internal error (a bug: please report it)",
        "73:the output directory cannot be created"};

    private ExitCodes() {
    }

    /**
     * The exit code for a run in which {@code failed} files failed.
     *
     * @param failed how many files failed
     * @return 0 when none did, else 1 (never the count: see the class comment)
     */
    static int failed(int failed) {
        return failed == 0 ? OK : FAILED;
    }
}
