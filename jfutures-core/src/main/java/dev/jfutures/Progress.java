package dev.jfutures;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * How far a piece of work has come: how many tasks are done of how many, how many failed or were
 * cancelled, how many run now, at what rate they finish and how long the rest will take. The view
 * a progress bar draws, and what the {@code jfutures} command's bar draws.
 *
 * <p>It is fed one of three ways, or several at once:
 * <ul>
 * <li>as an {@link ExecutorListener}, added to an executor before the work is submitted: it counts
 *     the tasks submitted (the total, unless {@link #expect} says more), started and finished from
 *     the executor's events;
 * <li>over futures, {@link #of(Collection)} or {@link #track}: a done-callback on each counts it;
 * <li>by hand, {@link #step}, for work that never reaches an executor (an input refused before
 *     it was submitted).
 * </ul>
 *
 * <pre>{@code
 * Progress progress = Progress.expecting(files.size());
 * try (ThreadPool pool = ThreadPool.builder().build();
 *      AutoCloseable l = pool.addListener(progress)) {
 *     files.forEach(f -> pool.submit(() -> convert(f)));
 *     while (!progress.snapshot().isComplete()) {
 *         System.err.print("\r" + progress.snapshot());   // 45/100 done (45%), 2 failed, 3 running, 12.3/s, 4s left
 *         Thread.sleep(200);
 *     }
 * }
 * }</pre>
 *
 * <p>Feed each task one way only: a task both heard from its executor and tracked by its future
 * counts twice.
 *
 * <p>The rate is that of the last ten seconds (of the whole run while it is younger), taken from
 * the snapshots asked for: a view polled every few hundred milliseconds follows changes of pace
 * within seconds, and the time left is what is not done at that rate. Thread-safe: the counts are
 * fed from any thread (the executor's event thread, completing threads) and read from any.
 *
 * @since 0.1
 */
public final class Progress implements ExecutorListener {

    /** The window of the rate. */
    private static final long WINDOW_NANOS = 10_000_000_000L;
    /** Snapshots kept for the rate; one per 1/16 of the window at most. */
    private static final int SAMPLES = 16;

    private final LongSupplier clock;
    private final long start;
    private long expected;
    private long submitted;
    private long started;
    private long succeeded;
    private long failed;
    private long cancelled;
    /** The rate's samples: (time, done) in a ring, oldest at {@code head}. Guarded by this. */
    private final long[] sampleTimes = new long[SAMPLES];
    private final long[] sampleDone = new long[SAMPLES];
    private int head;
    private int count;

    Progress(long expected, LongSupplier clock) {
        if (expected < 0) {
            throw new IllegalArgumentException("expected must be >= 0, not " + expected);
        }
        this.expected = expected;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /**
     * A view with no total yet: the tasks submitted while it listens, the futures it tracks and
     * the steps counted make it.
     *
     * @return the view
     * @since 0.1
     */
    public static Progress create() {
        return new Progress(0, System::nanoTime);
    }

    /**
     * A view of {@code total} tasks; the total grows if more are submitted, tracked or stepped.
     *
     * @param total how many tasks the work has
     * @return the view
     * @throws IllegalArgumentException if {@code total} is negative
     * @since 0.1
     */
    public static Progress expecting(long total) {
        return new Progress(total, System::nanoTime);
    }

    /**
     * A view of {@code total} tasks on a clock of the caller's: for tests and simulations, where
     * the rate and the time left must not depend on how fast the machine is.
     *
     * @param total how many tasks the work has
     * @param nanoTime the clock, in nanoseconds, as {@link System#nanoTime()} counts them
     * @return the view
     * @throws IllegalArgumentException if {@code total} is negative
     * @throws NullPointerException if {@code nanoTime} is null
     * @since 0.1
     */
    public static Progress expecting(long total, LongSupplier nanoTime) {
        return new Progress(total, Objects.requireNonNull(nanoTime, "nanoTime"));
    }

    /**
     * A view of these futures: each counts once it is done (a done-callback on each, which runs
     * at once for those done already).
     *
     * @param futures the futures; {@link TaskFuture}s, or other {@link Future}s, which are
     *     looked at when a snapshot is taken
     * @return the view
     * @throws NullPointerException if {@code futures} or one of them is null
     * @since 0.1
     */
    public static Progress of(Collection<? extends Future<?>> futures) {
        Progress p = new Progress(0, System::nanoTime);
        for (Future<?> f : futures) {
            p.track(f);
        }
        return p;
    }

    /**
     * Counts one more task, done when {@code future} is.
     *
     * @param future the future; a {@link TaskFuture} is counted by a done-callback, another
     *     {@link Future} is not seen to finish (give TaskFutures)
     * @return this view
     * @throws NullPointerException if {@code future} is null
     * @throws IllegalArgumentException if {@code future} is not a TaskFuture
     * @since 0.1
     */
    public Progress track(Future<?> future) {
        Objects.requireNonNull(future, "future");
        if (!(future instanceof TaskFuture)) {
            throw new IllegalArgumentException("Progress tracks TaskFutures, the futures of a jfutures executor;"
                    + " this is a " + future.getClass().getName() + ": wrap the work in a TaskExecutor's submit");
        }
        synchronized (this) {
            expected++;
        }
        ((TaskFuture<?>) future).addDoneCallback(f -> finished(f.status(), false, true));
        return this;
    }

    /**
     * Raises the total to at least {@code total}.
     *
     * @param total how many tasks the work has
     * @return this view
     * @throws IllegalArgumentException if {@code total} is negative
     * @since 0.1
     */
    public synchronized Progress expect(long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0, not " + total);
        }
        expected = Math.max(expected, total);
        return this;
    }

    /**
     * Counts one task done by hand: one that never reached an executor (refused, skipped), or
     * work of its own.
     *
     * @param outcome SUCCEEDED, FAILED or CANCELLED
     * @throws IllegalArgumentException if {@code outcome} is not a final status
     * @since 0.1
     */
    public void step(TaskStatus outcome) {
        if (outcome == null || !outcome.isDone()) {
            throw new IllegalArgumentException("a step is SUCCEEDED, FAILED or CANCELLED, not " + outcome);
        }
        finished(outcome, false, false);
    }

    /**
     * Counts the executor's tasks: SUBMITTED adds one to the total (unless {@link #expect} said
     * more), STARTED one to those running, FINISHED one to the done.
     *
     * @param e the event
     * @since 0.1
     */
    @Override
    public void taskEvent(TaskEvent e) {
        switch (e.kind()) {
            case SUBMITTED -> {
                synchronized (this) {
                    submitted++;
                }
            }
            case STARTED -> {
                synchronized (this) {
                    started++;
                }
            }
            case FINISHED -> finished(e.outcome(), e.ran() != null, false);
            default -> {
            }
        }
    }

    private synchronized void finished(TaskStatus outcome, boolean wasStarted, boolean tracked) {
        if (wasStarted) {
            started--;
        }
        if (outcome == TaskStatus.SUCCEEDED) {
            succeeded++;
        } else if (outcome == TaskStatus.CANCELLED) {
            cancelled++;
        } else {
            failed++;
        }
        long done = succeeded + failed + cancelled;
        if (!tracked && done > Math.max(expected, submitted)) {
            expected = done;   // a step or a task beyond the total: the total was short
        }
    }

    /**
     * Where the work stands now.
     *
     * @return the counts, the rate and the time left
     * @since 0.1
     */
    public synchronized Snapshot snapshot() {
        long now = clock.getAsLong();
        long done = succeeded + failed + cancelled;
        long total = Math.max(Math.max(expected, submitted), done);
        // The rate since the oldest sample within the window; with none there, since the newest
        // sample (nothing was asked for a window: the pace since then); with none at all, since
        // the start.
        long fromTime = start;
        long fromDone = 0;
        if (count > 0) {
            int newest = (head + count - 1) % SAMPLES;
            fromTime = sampleTimes[newest];
            fromDone = sampleDone[newest];
            for (int i = 0; i < count; i++) {
                int k = (head + i) % SAMPLES;
                if (now - sampleTimes[k] <= WINDOW_NANOS) {
                    fromTime = sampleTimes[k];
                    fromDone = sampleDone[k];
                    break;
                }
            }
        }
        long span = now - fromTime;
        double rate = span > 0 ? (done - fromDone) * 1e9 / span : 0;
        // A sample at most every 1/16 of the window; the ring drops its oldest when full.
        if (count == 0 || now - sampleTimes[(head + count - 1) % SAMPLES] >= WINDOW_NANOS / SAMPLES) {
            int slot;
            if (count < SAMPLES) {
                slot = (head + count++) % SAMPLES;
            } else {
                slot = head;
                head = (head + 1) % SAMPLES;
            }
            sampleTimes[slot] = now;
            sampleDone[slot] = done;
        }
        Duration remaining = done >= total ? Duration.ZERO
                : rate > 0 ? Duration.ofNanos((long) Math.min((total - done) / rate * 1e9, Long.MAX_VALUE)) : null;
        return new Snapshot(total, succeeded, failed, cancelled, Math.max(0, started), Duration.ofNanos(now - start),
                rate, remaining);
    }

    /**
     * Where the work stood at one moment.
     *
     * @param total how many tasks the work has (at least those done)
     * @param succeeded done with a result
     * @param failed done with an exception
     * @param cancelled cancelled
     * @param running running now (as the executor's events tell; 0 for a view over futures)
     * @param elapsed since the view was made
     * @param ratePerSecond tasks finishing per second, over the last ten seconds; 0 if none did
     * @param remaining the time the rest will take at that rate; zero when all are done, null
     *     while the rate is unknown
     * @since 0.1
     */
    public record Snapshot(long total, long succeeded, long failed, long cancelled, long running, Duration elapsed,
            double ratePerSecond, Duration remaining) {

        /**
         * How many are done, whatever their outcome.
         *
         * @return succeeded + failed + cancelled
         * @since 0.1
         */
        public long done() {
            return succeeded + failed + cancelled;
        }

        /**
         * The part done.
         *
         * @return from 0 to 1; 1 for an empty total
         * @since 0.1
         */
        public double fraction() {
            return total == 0 ? 1 : (double) done() / total;
        }

        /**
         * Whether every task of the total is done.
         *
         * @return true if so
         * @since 0.1
         */
        public boolean isComplete() {
            return done() >= total;
        }

        /**
         * One line: {@code 45/100 done (45%), 2 failed, 3 running, 12.3/s, 4s left}.
         *
         * @return the line
         */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append(done()).append('/').append(total).append(" done (")
                    .append((int) Math.floor(fraction() * 100)).append("%)");
            if (failed > 0) {
                b.append(", ").append(failed).append(" failed");
            }
            if (cancelled > 0) {
                b.append(", ").append(cancelled).append(" cancelled");
            }
            if (running > 0) {
                b.append(", ").append(running).append(" running");
            }
            if (ratePerSecond > 0) {
                b.append(", ").append(rate(ratePerSecond)).append("/s");
            }
            if (remaining != null && !isComplete()) {
                b.append(", ").append(duration(remaining)).append(" left");
            }
            return b.toString();
        }

        /**
         * A rate as a person reads it: {@code 0.25}, {@code 12.3}, {@code 4520}.
         *
         * @param perSecond the rate
         * @return the text
         * @since 0.1
         */
        public static String rate(double perSecond) {
            return perSecond >= 100 ? String.format(Locale.ROOT, "%.0f", perSecond)
                    : perSecond >= 1 ? String.format(Locale.ROOT, "%.1f", perSecond)
                    : String.format(Locale.ROOT, "%.2f", perSecond);
        }

        /**
         * A duration as a clock shows it: {@code 4s}, {@code 2:05}, {@code 1:02:05}.
         *
         * @param d the duration
         * @return the text
         * @throws NullPointerException if {@code d} is null
         * @since 0.1
         */
        public static String duration(Duration d) {
            long s = (d.toNanos() + 999_999_999L) / 1_000_000_000L;   // round up: "0s left" only when done
            if (s < 60) {
                return s + "s";
            }
            long h = s / 3600;
            long m = s / 60 % 60;
            long sec = s % 60;
            return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                    : String.format(Locale.ROOT, "%d:%02d", m, sec);
        }
    }
}
