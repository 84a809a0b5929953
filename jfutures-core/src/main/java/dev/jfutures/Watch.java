package dev.jfutures;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Observes one future for {@link Futures#wait} and {@link Futures#asCompleted}: calls a listener
 * once the future is done, and can be detached so that a finished wait leaves nothing behind on
 * futures that are still pending.
 */
abstract class Watch {

    /** Stops observing; the listener may still run once if the future completes concurrently. */
    abstract void detach();

    /**
     * Starts observing {@code future}; {@code onDone} runs exactly once when it is done, possibly
     * right away in this thread.
     *
     * @throws IllegalArgumentException if the future's completion cannot be observed
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <F extends Future<?>> Watch start(F future, Consumer<? super F> onDone) {
        if (future instanceof PromiseFuture) {
            PromiseFuture<Object> pf = (PromiseFuture<Object>) future;
            PromiseFuture.Node node = pf.listen(f -> onDone.accept(future));
            if (node == null) {
                onDone.accept(future);
                return NONE;
            }
            return new Watch() {
                @Override
                void detach() {
                    pf.unlisten(node);
                }
            };
        }
        Relay<F> relay = new Relay<>(future, onDone);
        if (future instanceof CompletableFuture) {
            ((CompletableFuture<?>) future).whenComplete((v, e) -> relay.fire());
        } else if (future instanceof TaskFuture) {
            ((TaskFuture) future).addDoneCallback(f -> relay.fire());
        } else {
            throw unsupported(future);
        }
        return relay;
    }

    /** Checks up front that {@code future} is of a kind whose completion can be observed. */
    static void checkSupported(Future<?> future) {
        if (!(future instanceof TaskFuture) && !(future instanceof CompletableFuture)) {
            throw unsupported(future);
        }
    }

    private static IllegalArgumentException unsupported(Future<?> future) {
        return new IllegalArgumentException("cannot observe the completion of a "
                + future.getClass().getName() + ": Futures.wait and asCompleted take TaskFuture and "
                + "CompletableFuture; submit the work to a TaskExecutor, or adapt it with "
                + "CompletableFuture.supplyAsync");
    }

    /** True if the future is done with a failure; a cancellation is not a failure. */
    static boolean failed(Future<?> future) {
        if (future instanceof PromiseFuture) {
            return ((PromiseFuture<?>) future).isFailed();
        }
        if (future instanceof TaskFuture) {
            return ((TaskFuture<?>) future).status() == TaskStatus.FAILED;
        }
        if (future instanceof CompletableFuture) {
            CompletableFuture<?> cf = (CompletableFuture<?>) future;
            return cf.isCompletedExceptionally() && !cf.isCancelled();
        }
        return false;
    }

    private static final Watch NONE = new Watch() {
        @Override
        void detach() {
        }
    };

    /**
     * For futures whose callbacks cannot be removed: detaching drops the listener (and so the
     * waiter it references); the callback left on the future is then a no-op.
     */
    private static final class Relay<F> extends Watch {
        private volatile F future;
        private volatile Consumer<? super F> onDone;

        Relay(F future, Consumer<? super F> onDone) {
            this.future = future;
            this.onDone = onDone;
        }

        void fire() {
            Consumer<? super F> l = onDone;
            F f = future;
            onDone = null;
            future = null;
            if (l != null && f != null) {
                l.accept(f);
            }
        }

        @Override
        void detach() {
            onDone = null;
            future = null;
        }
    }
}
