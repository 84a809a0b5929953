package dev.jfutures.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the library logs (logger {@code dev.jfutures}, through {@link System.Logger},
 * which goes to java.util.logging by default), for tests of "a failure is logged".
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.start()) {
 *     ...
 *     assertThat(log.text()).contains("doh!");
 * }
 * }</pre>
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.jfutures");
    private final List<LogRecord> records = new ArrayList<>();

    private LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /**
     * Starts capturing.
     *
     * @return the capture; close it to stop
     */
    public static LogCapture start() {
        return new LogCapture();
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /**
     * The captured records.
     *
     * @return a snapshot
     */
    public synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    /**
     * All captured messages with their exceptions' class names and messages, one per line.
     *
     * @return the text
     */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder();
        for (LogRecord r : records) {
            sb.append(r.getLevel()).append(' ').append(r.getMessage());
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                sb.append(" | ").append(t.getClass().getName()).append(": ").append(t.getMessage());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
