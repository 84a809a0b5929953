package dev.jfutures.cli;

/**
 * The exit codes of compress, decompress and samples, after BSD's {@code sysexits.h} above 63:
 * 0 when every file was done, else the number of files that failed (at most 63), so that a script
 * can tell "2 of 100 failed" from a usage error.
 */
final class ExitCodes {
    /** Every file done. */
    static final int OK = 0;
    /** The most failed files the exit code counts; 63 means 63 or more. */
    static final int MAX_FAILED = 63;
    /** A usage error ({@code EX_USAGE}): a bad option or argument; nothing was done. */
    static final int USAGE = 64;
    /** INPUT does not exist ({@code EX_NOINPUT}). */
    static final int NO_INPUT = 66;
    /** An internal error, a bug ({@code EX_SOFTWARE}): picocli's exit code for an exception. */
    static final int SOFTWARE = 70;
    /** The output directory cannot be created ({@code EX_CANTCREAT}). */
    static final int CANNOT_CREATE = 73;

    /** The exit codes in compress's and decompress's help: {@code code:meaning}, as picocli takes them. */
    static final String[] LIST = {
        "0:every file was done",
        "1-63:that many input files failed (63: 63 or more); a single file that fails is 1",
        "64:usage error (a bad option or argument, --executor virtual before Java 21)",
        "66:INPUT does not exist",
        "70:an internal error (a bug: please report it)",
        "73:the output directory cannot be created"};

    private ExitCodes() {
    }

    /**
     * The exit code for a run in which {@code failed} files failed.
     *
     * @param failed how many files failed
     * @return 0, or {@code failed} capped at 63
     */
    static int failed(int failed) {
        return Math.min(failed, MAX_FAILED);
    }
}
