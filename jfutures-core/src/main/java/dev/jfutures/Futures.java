package dev.jfutures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting on many futures at once, as CPython's {@code concurrent.futures.wait} and {@code
 * as_completed}: over {@link TaskFuture}s from any executor and {@link
 * java.util.concurrent.CompletableFuture}s, mixed freely.
 *
 * <pre>{@code
 * List<TaskFuture<Path>> fs = ...;
 * for (TaskFuture<Path> f : Futures.asCompleted(fs)) {      // in completion order
 *     System.out.println(f.result());
 * }
 * DoneAndNotDone<TaskFuture<Path>> r = Futures.wait(fs, Duration.ofSeconds(5), ReturnWhen.FIRST_EXCEPTION);
 * }</pre>
 *
 * <p>Both take any collection, including an empty one; duplicates collapse. A cancelled future
 * counts as done at once, whoever cancelled it (CPython misses futures cancelled outside an
 * executor: its defect D1). Both cost time and memory linear in the number of futures.
 *
 * @since 0.1
 */
public final class Futures {

    private Futures() {
    }

    /**
     * Waits, without a time limit, until every future is done.
     *
     * @param futures the futures; duplicates collapse
     * @param <F> the future type
     * @return the done and not-done futures (here: all done)
     * @throws NullPointerException if {@code futures} or an element is null
     * @throws IllegalArgumentException if a future is neither a TaskFuture nor a CompletableFuture
     * @throws WaitInterruptedException if the waiting thread is interrupted
     * @since 0.1
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(Collection<F> futures) {
        return waitImpl(futures, -1L, ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Waits, without a time limit, until {@code returnWhen} holds.
     *
     * @param futures the futures; duplicates collapse
     * @param returnWhen when to return
     * @param <F> the future type
     * @return the done and not-done futures at the moment of return
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if a future is neither a TaskFuture nor a CompletableFuture
     * @throws WaitInterruptedException if the waiting thread is interrupted
     * @since 0.1
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(Collection<F> futures, ReturnWhen returnWhen) {
        return waitImpl(futures, -1L, returnWhen);
    }

    /**
     * Waits at most {@code timeout} until every future is done. Never throws on timeout: the
     * futures still running are in {@link DoneAndNotDone#notDone()}.
     *
     * @param futures the futures; duplicates collapse
     * @param timeout the longest wait; zero or negative polls once
     * @param <F> the future type
     * @return the done and not-done futures at the moment of return
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if a future is neither a TaskFuture nor a CompletableFuture
     * @throws WaitInterruptedException if the waiting thread is interrupted
     * @since 0.1
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(Collection<F> futures, Duration timeout) {
        return waitImpl(futures, timeoutNanos(timeout), ReturnWhen.ALL_COMPLETED);
    }

    /**
     * Waits at most {@code timeout} until {@code returnWhen} holds. Never throws on timeout: the
     * caller sees a non-empty {@link DoneAndNotDone#notDone()}.
     *
     * <p>{@link ReturnWhen#FIRST_COMPLETED} returns once any future is done (at once, if one already
     * is); {@link ReturnWhen#FIRST_EXCEPTION} once any future has failed (a cancellation is not a
     * failure), or when all are done; {@link ReturnWhen#ALL_COMPLETED} when all are done.
     *
     * @param futures the futures; duplicates collapse
     * @param timeout the longest wait; zero or negative polls once
     * @param returnWhen when to return
     * @param <F> the future type
     * @return the done and not-done futures at the moment of return
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if a future is neither a TaskFuture nor a CompletableFuture
     * @throws WaitInterruptedException if the waiting thread is interrupted
     * @since 0.1
     */
    public static <F extends Future<?>> DoneAndNotDone<F> wait(
            Collection<F> futures, Duration timeout, ReturnWhen returnWhen) {
        return waitImpl(futures, timeoutNanos(timeout), returnWhen);
    }

    /**
     * Iterates over the futures as they complete, without a time limit: those already done first,
     * then each as it completes. See {@link #asCompleted(Collection, Duration)}.
     *
     * @param futures the futures; duplicates collapse
     * @param <F> the future type
     * @return the futures in completion order
     * @throws NullPointerException if {@code futures} or an element is null
     * @throws IllegalArgumentException if a future is neither a TaskFuture nor a CompletableFuture
     * @since 0.1
     */
    public static <F extends Future<?>> CompletionOrder<F> asCompleted(Collection<F> futures) {
        return new CompletionOrder<>(distinct(futures), -1L);
    }

    /**
     * Iterates over the futures as they complete: those already done first, then each as it
     * completes. The deadline runs from this call; once it passes with futures unfinished, {@code
     * next()} throws {@link WaitTimeoutException} with the message {@code "2 (of 4) futures
     * unfinished"} and the iteration ends. The iteration keeps no reference to futures it has
     * returned; {@link CompletionOrder#close()} detaches it from the futures not yet returned.
     *
     * @param futures the futures; duplicates collapse
     * @param timeout the deadline, from now; zero or negative returns only those already done
     * @param <F> the future type
     * @return the futures in completion order
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if a future is neither a TaskFuture nor a CompletableFuture
     * @since 0.1
     */
    public static <F extends Future<?>> CompletionOrder<F> asCompleted(Collection<F> futures, Duration timeout) {
        long nanos = timeoutNanos(timeout);
        return new CompletionOrder<>(distinct(futures), nanos);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * A wait's timeout in nanoseconds: a negative one is zero (poll once, as CPython treats every
     * negative timeout), one too long for a long is {@code Long.MAX_VALUE}. Never negative, since
     * the waits here use a negative count internally for "no limit".
     */
    static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return 0L;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static <F extends Future<?>> LinkedHashSet<F> distinct(Collection<F> futures) {
        Objects.requireNonNull(futures, "futures");
        LinkedHashSet<F> set = new LinkedHashSet<>(Math.max(16, futures.size() * 4 / 3 + 1));
        for (F f : futures) {
            Objects.requireNonNull(f, "futures contains a null element");
            Watch.checkSupported(f);
            set.add(f);
        }
        return set;
    }

    /** nanos < 0: no limit. */
    private static <F extends Future<?>> DoneAndNotDone<F> waitImpl(
            Collection<F> futures, long nanos, ReturnWhen returnWhen) {
        Objects.requireNonNull(returnWhen, "returnWhen");
        LinkedHashSet<F> all = distinct(futures);
        List<F> pending = new ArrayList<>();
        boolean anyDone = false;
        boolean anyFailed = false;
        for (F f : all) {
            if (f.isDone()) {
                anyDone = true;
                anyFailed |= Watch.failed(f);
            } else {
                pending.add(f);
            }
        }
        boolean satisfied = pending.isEmpty()
                || (returnWhen == ReturnWhen.FIRST_COMPLETED && anyDone)
                || (returnWhen == ReturnWhen.FIRST_EXCEPTION && anyFailed);
        if (!satisfied && nanos != 0L) {
            Waiter waiter = new Waiter(returnWhen, pending.size());
            List<Watch> watches = new ArrayList<>(pending.size());
            try {
                for (F f : pending) {
                    watches.add(Watch.start(f, waiter));
                    if (waiter.fired) {
                        break;
                    }
                }
                waiter.await(nanos);
            } finally {
                for (Watch w : watches) {
                    w.detach();
                }
            }
        }
        return partition(all, pending);
    }

    /**
     * Splits {@code all} by what is done now. Only {@code pending} (not done at the start) can have
     * changed, so the common outcome, everything done, reuses {@code all} as it is.
     */
    private static <F extends Future<?>> DoneAndNotDone<F> partition(LinkedHashSet<F> all, List<F> pending) {
        LinkedHashSet<F> notDone = new LinkedHashSet<>();
        for (F f : pending) {
            if (!f.isDone()) {
                notDone.add(f);
            }
        }
        if (notDone.isEmpty()) {
            return new DoneAndNotDone<>(Collections.unmodifiableSet(all), Collections.emptySet());
        }
        LinkedHashSet<F> done = new LinkedHashSet<>(Math.max(16, (all.size() - notDone.size()) * 4 / 3 + 1));
        for (F f : all) {
            if (!notDone.contains(f)) {
                done.add(f);
            }
        }
        return new DoneAndNotDone<>(Collections.unmodifiableSet(done), Collections.unmodifiableSet(notDone));
    }

    /** The one waiter that every future of a {@code wait} call reports to. */
    private static final class Waiter implements java.util.function.Consumer<Future<?>> {
        private final ReturnWhen returnWhen;
        private final AtomicInteger remaining;
        private final Thread thread = Thread.currentThread();
        volatile boolean fired;

        Waiter(ReturnWhen returnWhen, int pending) {
            this.returnWhen = returnWhen;
            this.remaining = new AtomicInteger(pending);
        }

        @Override
        public void accept(Future<?> f) {
            boolean last = remaining.decrementAndGet() == 0;
            if (last || returnWhen == ReturnWhen.FIRST_COMPLETED
                    || (returnWhen == ReturnWhen.FIRST_EXCEPTION && Watch.failed(f))) {
                fired = true;
                LockSupport.unpark(thread);
            }
        }

        void await(long nanos) {
            long deadline = nanos < 0 ? 0L : System.nanoTime() + nanos;
            while (!fired) {
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new WaitInterruptedException(new InterruptedException());
                }
                if (nanos < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        }
    }
}
