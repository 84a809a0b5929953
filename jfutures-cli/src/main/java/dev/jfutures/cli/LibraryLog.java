package dev.jfutures.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The library's log (loggers under {@code dev.jfutures}) as one line per record on stderr, without
 * stack traces: a command reports each failure itself, per file, and a pool's own warnings (a
 * worker JVM that would not start) should read as messages, not as a crash. Left alone when the
 * user configures java.util.logging ({@code -Djava.util.logging.config.file}).
 */
final class LibraryLog {

    /** Held, so that the configured logger is not collected and its configuration lost. */
    private static Logger configured;

    private LibraryLog() {
    }

    /** Configures it, once per JVM. */
    static synchronized void oneLinePerRecord() {
        if (configured != null || System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        Logger logger = Logger.getLogger("dev.jfutures");
        ConsoleHandler handler = new ConsoleHandler();   // System.err
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String message = formatMessage(r);
                Throwable t = r.getThrown();
                if (t != null && (message == null || !message.contains(String.valueOf(t.getMessage())))) {
                    message = message + ": " + t;
                }
                return "jfutures: " + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": "
                        + String.valueOf(message).replace('\n', ' ') + System.lineSeparator();
            }
        });
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
        configured = logger;
    }
}
