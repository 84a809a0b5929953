package dev.jfutures.cluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one task runs on a {@link ClusterPool}: its retries, its timeout and the labels of the
 * workers it may run on. Immutable; each
 * method returns a new value.
 *
 * <pre>{@code
 * pool.submit(() -> charge(order), TaskOptions.defaults().retries(2).timeout(Duration.ofMinutes(1)));
 * }</pre>
 *
 * @since 0.1
 */
public final class TaskOptions {

    private static final TaskOptions DEFAULTS = new TaskOptions(0, null, Set.of());

    private final int retries;
    private final Duration timeout;
    private final Set<String> labels;

    private TaskOptions(int retries, Duration timeout, Set<String> labels) {
        this.retries = retries;
        this.timeout = timeout;
        this.labels = labels;
    }

    /**
     * No retry, and the pool's default timeout.
     *
     * @return the defaults
     * @since 0.1
     */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /**
     * How many times the task may run again, on another member, after a member it had started on
     * died or left. With retries the task may run more than once (it can read {@link
     * TaskContext#attempt()} and the stable {@link TaskContext#taskId()} to be idempotent);
     * without, it runs at most once and fails with a {@link MemberLostException}. Whatever the
     * retries, a task under which members were lost three times fails as poisonous.
     *
     * @param n the retries, 0 or more
     * @return options with these retries
     * @throws IllegalArgumentException if {@code n} is negative
     * @since 0.1
     */
    public TaskOptions retries(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("retries must be >= 0, not " + n);
        }
        return new TaskOptions(n, timeout, labels);
    }

    /**
     * How long the task may run, counted from the moment a member started it; past it, its
     * future fails with a {@code TaskTimeoutException} and the task is interrupted on its member.
     *
     * @param d the timeout; null for the pool's default
     * @return options with this timeout
     * @throws IllegalArgumentException if {@code d} is zero or negative
     * @since 0.1
     */
    public TaskOptions timeout(Duration d) {
        if (d != null && (d.isZero() || d.isNegative())) {
            throw new IllegalArgumentException("timeout must be positive, not " + d);
        }
        return new TaskOptions(retries, d, labels);
    }

    /**
     * The labels a worker must have to run the task (a worker's are its {@code --label}s): it
     * runs only on workers that have every one. While no worker there has them, the task waits,
     * and the pool says so once in its log.
     *
     * @param labels the labels; none for any worker
     * @return options with these labels
     * @throws IllegalArgumentException if a label is empty or holds a comma
     * @since 0.1
     */
    public TaskOptions labels(String... labels) {
        java.util.SortedSet<String> set = new TreeSet<>();
        for (String l : Arrays.asList(labels)) {
            if (l == null || l.isBlank() || l.contains(",")) {
                throw new IllegalArgumentException("a label must be a non-empty word without commas, not '" + l + "'");
            }
            set.add(l.strip());
        }
        return new TaskOptions(retries, timeout, java.util.Collections.unmodifiableSortedSet(set));
    }

    /**
     * The labels a worker must have.
     *
     * @return the labels, empty for any worker
     * @since 0.1
     */
    public Set<String> labels() {
        return labels;
    }

    /**
     * The retries.
     *
     * @return the retries
     * @since 0.1
     */
    public int retries() {
        return retries;
    }

    /**
     * The timeout, or null for the pool's default.
     *
     * @return the timeout
     * @since 0.1
     */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskOptions && ((TaskOptions) o).retries == retries
                && Objects.equals(((TaskOptions) o).timeout, timeout) && ((TaskOptions) o).labels.equals(labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(retries, timeout, labels);
    }

    @Override
    public String toString() {
        return "TaskOptions[retries=" + retries + ", timeout=" + timeout + (labels.isEmpty() ? "" : ", labels=" + labels)
                + "]";
    }
}
