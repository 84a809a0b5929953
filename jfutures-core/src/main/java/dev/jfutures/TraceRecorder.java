package dev.jfutures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Records a run as a Chrome trace-event file ({@code chrome://tracing}, Perfetto's UI): one
 * track per worker, one slice per task that ran, from its start to its finish, named by its
 * task id and carrying its outcome and queue time, and an instant mark on the worker's track for
 * each worker event (a death with its cause, a recycle, a steal).
 *
 * <pre>{@code
 * try (TraceRecorder trace = TraceRecorder.to(Path.of("run.trace.json"));
 *      AutoCloseable l = pool.addListener(trace)) {
 *     ... run the work ...
 * }   // the file is written when the recorder closes
 * }</pre>
 *
 * <p>It keeps what it hears in memory (a finished task is about 100 bytes) and writes the file
 * once, on {@link #close()}, to a temporary file beside it that then replaces it: a run that
 * fails leaves no half-written trace. Events are called on the executor's event thread; one
 * recorder may listen to several executors (each gets a process of its own in the trace).
 *
 * @since 0.1
 */
public final class TraceRecorder implements ExecutorListener, AutoCloseable {

    private final Path file;
    private final Instant origin = Instant.now();
    private final Map<String, Integer> pids = new LinkedHashMap<>();
    private final Map<String, Integer> tids = new LinkedHashMap<>();
    private final List<String> events = new ArrayList<>();
    private boolean closed;

    private TraceRecorder(Path file) {
        this.file = file;
    }

    /**
     * A recorder that writes to {@code file} when it closes.
     *
     * @param file the trace file (conventionally {@code *.trace.json} or {@code *.json})
     * @return the recorder
     * @throws NullPointerException if {@code file} is null
     * @since 0.1
     */
    public static TraceRecorder to(Path file) {
        return new TraceRecorder(Objects.requireNonNull(file, "file"));
    }

    /**
     * Adds a finished task's slice to its worker's track.
     *
     * @param e the event
     * @since 0.1
     */
    @Override
    public synchronized void taskEvent(TaskEvent e) {
        if (closed || e.kind() != TaskEvent.Kind.FINISHED || e.ran() == null || e.worker() == null) {
            return;
        }
        int pid = pid(e.executor(), e.executorKind());
        int tid = tid(e.executor(), e.worker(), pid);
        Instant start = e.time().minus(e.ran());
        events.add("{\"name\":\"task " + e.taskId() + "\",\"cat\":\"task\",\"ph\":\"X\",\"ts\":" + micros(start)
                + ",\"dur\":" + Math.max(1, e.ran().toNanos() / 1000) + ",\"pid\":" + pid + ",\"tid\":" + tid
                + ",\"args\":{\"outcome\":\"" + e.outcome() + "\",\"queued_us\":"
                + (e.queued() != null ? e.queued().toNanos() / 1000 : 0) + "}}");
    }

    /**
     * Adds a worker's change as a mark on its track.
     *
     * @param e the event
     * @since 0.1
     */
    @Override
    public synchronized void workerEvent(WorkerEvent e) {
        if (closed) {
            return;
        }
        int pid = pid(e.executor(), e.executorKind());
        int tid = tid(e.executor(), e.worker(), pid);
        String args = "{" + (e.cause() != null ? "\"cause\":" + quote(e.cause()) : "")
                + (e.tasks() != 0 ? (e.cause() != null ? "," : "") + "\"tasks\":" + e.tasks() : "") + "}";
        events.add("{\"name\":\"" + e.kind() + "\",\"cat\":\"worker\",\"ph\":\"i\",\"s\":\"t\",\"ts\":"
                + micros(e.time()) + ",\"pid\":" + pid + ",\"tid\":" + tid + ",\"args\":" + args + "}");
    }

    /**
     * Writes the trace file (once; later calls do nothing).
     *
     * @throws UncheckedIOException if the file cannot be written; nothing is left in its place
     * @since 0.1
     */
    @Override
    public void close() {
        List<String> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(events);
        }
        Path tmp = null;
        try {
            tmp = tempBeside(file);
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
                for (int i = 0; i < all.size(); i++) {
                    w.write(all.get(i));
                    w.write(i + 1 < all.size() ? ",\n" : "\n");
                }
                w.write("]}\n");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
            }
            throw new UncheckedIOException("cannot write the trace " + file + ": " + e.getMessage()
                    + "; check that its folder exists and is writable", e);
        }
    }

    /**
     * A new empty file beside {@code target}, to be moved onto it. Not {@code createTempFile}:
     * that makes it readable by its owner only, and the finished file would keep that mode; this
     * one gets the mode any new file gets (the umask's).
     */
    static Path tempBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String base = "." + target.getFileName() + ".";
        for (;;) {
            Path p = dir.resolve(base + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                return Files.createFile(p);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another name
            }
        }
    }

    /** The trace's process for an executor; adds its name as metadata the first time. */
    private int pid(String executor, String kind) {
        Integer p = pids.get(executor);
        if (p == null) {
            p = pids.size() + 1;
            pids.put(executor, p);
            events.add("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + p + ",\"args\":{\"name\":"
                    + quote(executor + " (" + kind + ")") + "}}");
        }
        return p;
    }

    /** The trace's thread (track) for a worker of an executor; adds its name the first time. */
    private int tid(String executor, String worker, int pid) {
        String key = executor + "\u0000" + worker;
        Integer t = tids.get(key);
        if (t == null) {
            t = tids.size() + 1;
            tids.put(key, t);
            events.add("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + t
                    + ",\"args\":{\"name\":" + quote(worker) + "}}");
        }
        return t;
    }

    private long micros(Instant t) {
        return Duration.between(origin, t).toNanos() / 1000;
    }

    /** A JSON string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
