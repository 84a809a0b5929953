package dev.jfutures;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The results of one {@link TaskExecutor#map} call, in input order. Both the {@link Iterable} (it
 * can be iterated once) and its {@link Iterator}; close it to stop early.
 *
 * <p>A failed element does not end the iteration: {@link #next()} throws {@link
 * TaskFailedException} at that element's position, and the next call goes on with the next
 * element (CPython's main branch, gh-108518). The map's deadline, in contrast, ends it.
 *
 * <pre>{@code
 * try (MapResults<Integer> results = pool.map(String::length, words)) {
 *     while (results.hasNext()) {
 *         try {
 *             use(results.next());
 *         } catch (TaskFailedException e) {
 *             log(e.getCause());                // this element failed; the rest go on
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>A for-each loop over the results stops at the first failed element, since {@code next()}
 * throws there. {@link #outcomes()} yields each element's {@link Outcome} instead (its index, and
 * its value or exception), so a for-each walks to the end:
 *
 * <pre>{@code
 * try (MapResults<Integer> results = pool.map(String::length, words)) {
 *     for (Outcome<Integer> o : results.outcomes()) {
 *         if (o.isSuccess()) use(o.value()); else log(o.index(), o.exception());
 *     }
 * }
 * }</pre>
 *
 * <p>Iterate the results to the end or close them. A lazy map runs only its buffer ahead of the
 * caller, so results that are abandoned (dropped while neither consumed to the end nor closed)
 * would silently leave the rest of the input unrun, where code ported from Python, whose {@code
 * map} is eager, expects every input to run. So once abandoned results become unreachable, the
 * library logs a
 * WARNING (logger {@code dev.jfutures}) naming where {@code map} was called, as Netty's leak
 * detector does for buffers. An {@linkplain MapOptions#eager() eager} map is not reported: it
 * submitted every input at the call.
 *
 * <p>Not thread-safe: one thread iterates.
 *
 * @param <R> the result type
 * @since 0.1
 */
public interface MapResults<R> extends Iterable<R>, Iterator<R>, AutoCloseable {

    /**
     * Whether another result (or element failure) remains. May pull the next input to find out,
     * but never waits for a task.
     *
     * @return true if {@link #next()} has something to return or throw
     */
    @Override
    boolean hasNext();

    /**
     * The next result in input order, waiting for it if need be.
     *
     * @return the result of the next input element
     * @throws TaskFailedException if that element failed (its cause is the element's exception);
     *     iteration continues with the next element
     * @throws CancellationException if that element's task was cancelled (for example by {@code
     *     shutdown(wait, true)}); iteration continues
     * @throws WaitTimeoutException if the map's deadline passed; the rest is cancelled and the
     *     iteration ends
     * @throws RejectedExecutionException if the executor was shut down before the input was used up;
     *     the iteration ends
     * @throws WaitInterruptedException if the thread was interrupted while waiting; iteration may
     *     be resumed
     * @throws NoSuchElementException if nothing remains
     */
    @Override
    R next();

    /**
     * The remaining elements' outcomes, in input order: a view of this same iteration, so each
     * element is yielded once, either by {@link #next()} or here. Each {@link Outcome} carries the
     * index of its input and its value or exception; an element's failure or cancellation is an
     * outcome, not an exception, so a for-each loop walks to the end. A chunk lost as a whole
     * (its worker process died) gives each of its inputs its own failed outcome at its own index.
     *
     * <p>The rules are the results': the same lazy buffering (one more task submitted as each
     * outcome is taken), the same deadline, and {@link #close()} cancels what has not started. What
     * ends or interrupts the whole map is still thrown by the view's {@code next()}, as by {@link
     * #next()}: {@link WaitTimeoutException} at the deadline, {@link RejectedExecutionException}
     * if the executor shut down before the input was used up, {@link WaitInterruptedException},
     * and {@link NoSuchElementException} past the end.
     *
     * @return an iterable over the remaining outcomes; each of its iterators continues the same
     *     iteration
     * @since 0.1
     */
    Iterable<Outcome<R>> outcomes();

    /**
     * Stops the map: cancels every task that has not started and pulls no more input. Tasks
     * already running finish, but their results are dropped. Idempotent.
     */
    @Override
    void close();

    /**
     * Returns this, for a for-each loop.
     *
     * @return this
     */
    @Override
    default Iterator<R> iterator() {
        return this;
    }

    /**
     * The remaining results as an ordered, sequential stream; closing the stream closes this. An
     * element failure surfaces as the {@link TaskFailedException} thrown by the stream operation.
     *
     * @return a stream over the remaining results
     */
    default Stream<R> stream() {
        return StreamSupport.stream(
                        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED),
                        false)
                .onClose(this::close);
    }
}
