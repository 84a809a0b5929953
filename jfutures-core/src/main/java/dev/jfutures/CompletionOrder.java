package dev.jfutures;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * The futures of one {@link Futures#asCompleted} call, in completion order: those already done
 * when it was called first, then each as it completes. It is both the {@link Iterable} (for a
 * for-each loop; it can be iterated once) and its {@link Iterator}.
 *
 * <p>It keeps no reference to a future once it has returned it. {@link #close()} (or a timeout)
 * detaches it from the futures it has not returned, so an abandoned iteration leaves nothing
 * behind on them; iterating to the end does the same.
 *
 * <p>Not thread-safe: one thread iterates. The futures may complete on any thread.
 *
 * @param <F> the future type
 * @since 0.1
 */
public final class CompletionOrder<F extends Future<?>> implements Iterable<F>, Iterator<F>, AutoCloseable {

    private final int total;
    private final long deadline;
    private final boolean timed;
    /** Done at the start, yielded first. */
    private final ArrayDeque<F> initiallyDone = new ArrayDeque<>();
    /** Not yet yielded and not done at the start, each with its watch. */
    private final HashMap<F, Watch> pending = new HashMap<>();
    /** Completed, in completion order, not yet yielded; filled by the completing threads. */
    private final ConcurrentLinkedQueue<F> completed = new ConcurrentLinkedQueue<>();
    private volatile Thread consumer;
    private boolean closed;

    CompletionOrder(Set<F> futures, long nanos) {
        this.total = futures.size();
        this.timed = nanos >= 0;
        this.deadline = timed ? System.nanoTime() + nanos : 0L;
        for (F f : futures) {
            if (f.isDone()) {
                initiallyDone.add(f);
            } else {
                // A future completing during start() reports through the completion queue.
                pending.put(f, Watch.start(f, this::onDone));
            }
        }
    }

    private void onDone(F f) {
        completed.add(f);
        Thread t = consumer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Returns this iteration, for a for-each loop.
     *
     * @return this
     * @since 0.1
     */
    @Override
    public Iterator<F> iterator() {
        return this;
    }

    /**
     * Whether futures remain to be returned. Never blocks.
     *
     * @return true if {@link #next()} has a future to return or to wait for
     * @since 0.1
     */
    @Override
    public boolean hasNext() {
        return !closed && (!initiallyDone.isEmpty() || !pending.isEmpty());
    }

    /**
     * Returns the next future to complete, waiting for it if need be.
     *
     * @return a done future
     * @throws NoSuchElementException if all futures were returned, or the iteration was closed
     * @throws WaitTimeoutException if the deadline passed first; the message reads {@code "2 (of 4)
     *     futures unfinished"}, and the iteration is closed
     * @throws WaitInterruptedException if the thread was interrupted while waiting; the iteration
     *     stays open
     * @since 0.1
     */
    @Override
    public F next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more futures");
        }
        F f = initiallyDone.poll();
        if (f != null) {
            return f;
        }
        consumer = Thread.currentThread();
        try {
            for (;;) {
                f = completed.poll();
                if (f != null) {
                    pending.remove(f);
                    return f;
                }
                long left = 0L;
                if (timed && (left = deadline - System.nanoTime()) <= 0L) {
                    int unfinished = pending.size();
                    close();
                    throw new WaitTimeoutException(unfinished + " (of " + total + ") futures unfinished");
                }
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new WaitInterruptedException(new InterruptedException());
                }
                if (timed) {
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            consumer = null;
        }
    }

    /**
     * Detaches from every future not yet returned and ends the iteration. Idempotent.
     *
     * @since 0.1
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Watch w : pending.values()) {
            if (w != null) {
                w.detach();
            }
        }
        pending.clear();
        initiallyDone.clear();
        completed.clear();
    }
}
