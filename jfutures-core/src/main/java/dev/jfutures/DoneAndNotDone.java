package dev.jfutures;

import java.util.Objects;
import java.util.Set;

/**
 * What {@link Futures#wait} returns: the futures that were done and those that were not, at the
 * moment it returned. Both sets are unmodifiable, iterate in the order the futures were given,
 * and partition the distinct futures passed in.
 *
 * @param done the futures that were done
 * @param notDone the futures that were not done
 * @param <F> the future type
 * @since 0.1
 */
public record DoneAndNotDone<F>(Set<F> done, Set<F> notDone) {
    /**
     * Creates a result; both sets are copied as given.
     *
     * @param done the done futures
     * @param notDone the futures not done
     * @throws NullPointerException if either set is null
     * @since 0.1
     */
    public DoneAndNotDone {
        Objects.requireNonNull(done, "done");
        Objects.requireNonNull(notDone, "notDone");
    }
}
