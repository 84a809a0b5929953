package dev.jfutures;

import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The lazy, bounded, ordered map behind {@link TaskExecutor#map}, for any executor.
 *
 * <p>Implementation notes. At most {@code bufferSize} tasks are in flight: that many are
 * submitted at the call, then one more before each wait for the oldest (as CPython 3.14's
 * {@code buffersize}). With {@code chunkSize > 1} a task maps a whole chunk and returns one
 * outcome per element, a failure wrapped in {@link ElementFailure}, so that a failing element
 * raises at its own position and its chunk-mates still yield (CPython loses the whole chunk).
 * A chunk task that fails or is cancelled as a whole (its worker process died) still gives every
 * one of its elements an outcome of its own, at its own position: the chunk's size is kept beside
 * its future for that, so later results never shift to wrong positions.
 * Yielded futures and results are dropped at once (CPython issue 14406).
 *
 * <p>Abandonment. A lazy map that nobody iterates runs only its buffer and silently drops the rest
 * of the input (code ported from Python, whose map is eager, does this). So a lazy MapIterator
 * registers an {@link Abandoned} action with a {@link Cleaner}, as Netty's leak detector tracks
 * buffers: consumed to the end or closed, it deregisters it (settled); unreachable before that, the
 * Cleaner runs it and it logs a WARNING naming the call site of {@code map}, captured at the call
 * as one stack frame. The action holds only what the message needs, never the MapIterator (which
 * would then never become unreachable). An eager map is not watched: it submitted every input.
 */
final class MapIterator<A, R> implements MapResults<R> {

    private final TaskExecutor executor;
    private final TaskFunction<A, R> fn;
    private final Iterator<? extends A> input;
    private final int chunkSize;
    private final int bufferSize;
    private final boolean timed;
    private final long deadline;

    private final ArrayDeque<TaskFuture<?>> inFlight = new ArrayDeque<>();
    /** With chunkSize > 1: the number of elements of each future in inFlight, in the same order. */
    private final ArrayDeque<Integer> chunkSizes = new ArrayDeque<>();
    private Object[] chunk;
    private int chunkPos;
    private boolean inputDone;
    private RejectedExecutionException rejected;
    private boolean closed;
    /** The index in the input of the next element to yield. */
    private long position;
    /** What the Cleaner reports if this map is abandoned; null for an eager map (not watched). */
    private final Abandoned abandoned;
    /** This map's registration with the Cleaner; null for an eager map. */
    private final Cleaner.Cleanable cleanable;

    MapIterator(TaskExecutor executor, TaskFunction<A, R> fn, Iterable<? extends A> inputs,
                MapOptions options, int defaultBufferSize) {
        this.executor = executor;
        this.fn = Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(options, "options");
        this.chunkSize = options.chunkSize();
        // Eager: a buffer no input can fill, so the loop below submits all of it at the call and
        // next() never has another to submit.
        this.bufferSize = options.isEager() ? Integer.MAX_VALUE : options.bufferSize().orElse(defaultBufferSize);
        this.timed = options.timeout().isPresent();
        this.deadline = timed ? System.nanoTime() + Futures.timeoutNanos(options.timeout().get()) : 0L;
        this.input = Objects.requireNonNull(inputs.iterator(), "inputs.iterator()");
        this.abandoned = options.isEager() ? null : new Abandoned(Abandoned.callSite());
        while (inFlight.size() < bufferSize && submitNext()) {
            // fill the buffer
        }
        if (rejected != null && inFlight.isEmpty()) {
            // Nothing was accepted: fail in the caller, as submit would.
            RejectedExecutionException e = rejected;
            closed = true;
            throw e;
        }
        // Registered last: a map whose construction threw was never handed out, so never abandoned.
        this.cleanable = abandoned == null ? null : Abandoned.CLEANER.register(this, abandoned);
    }

    private void markInputDone() {
        inputDone = true;
        if (abandoned != null) {
            abandoned.inputUsedUp = true;
        }
    }

    /** Consumed to the end or closed: nothing to report, and the Cleaner can forget this map. */
    private void settle() {
        if (cleanable != null) {
            abandoned.settled = true;
            cleanable.clean(); // runs the action here and now, which sees settled and returns
        }
    }

    /** Submits the next task; false when the input is used up or the executor refused. */
    private boolean submitNext() {
        if (inputDone || rejected != null || closed) {
            return false;
        }
        Task<?> task;
        if (chunkSize == 1) {
            if (!input.hasNext()) {
                markInputDone();
                return false;
            }
            task = new ElementTask<>(fn, input.next());
        } else {
            List<A> elements = new ArrayList<>(chunkSize);
            while (elements.size() < chunkSize && input.hasNext()) {
                elements.add(input.next());
            }
            if (elements.isEmpty()) {
                markInputDone();
                return false;
            }
            task = new ChunkTask<>(fn, elements);
        }
        try {
            inFlight.add(executor.submit(task));
            int n = chunkSize == 1 ? 1 : ((ChunkTask<?, ?>) task).arguments.size();
            if (chunkSize > 1) {
                chunkSizes.add(n);
            }
            if (abandoned != null) {
                abandoned.submitted += n;
            }
            return true;
        } catch (RejectedExecutionException e) {
            rejected = e;
            return false;
        }
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        if (chunk != null || !inFlight.isEmpty() || rejected != null) {
            return true;
        }
        if (inputDone) {
            settle();
            return false;
        }
        if (input.hasNext()) {
            return true;
        }
        markInputDone();
        settle();
        return false;
    }

    @Override
    public R next() {
        return nextOutcome().value();
    }

    @Override
    public Iterable<Outcome<R>> outcomes() {
        // A view of this same iteration: each element is yielded once, by whichever is asked.
        return () -> new Iterator<Outcome<R>>() {
            @Override
            public boolean hasNext() {
                return MapIterator.this.hasNext();
            }

            @Override
            public Outcome<R> next() {
                return nextOutcome();
            }
        };
    }

    /**
     * The next element's outcome: the one path for {@link #next()} and {@link #outcomes()}. Throws
     * only what ends or interrupts the whole iteration (deadline, refusal, interrupt, the end),
     * never an element's own failure.
     */
    Outcome<R> nextOutcome() {
        try {
            Outcome<R> o = takeNext();
            if (abandoned != null) {
                abandoned.taken = position;
            }
            return o;
        } finally {
            // This map must not look abandoned to the Cleaner while one of its own calls runs,
            // e.g. in pool.map(...).next(), where nothing else holds it.
            Reference.reachabilityFence(this);
        }
    }

    private Outcome<R> takeNext() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more map results");
        }
        if (chunk != null) {
            return fromChunk();
        }
        if (inFlight.size() <= bufferSize) {
            submitNext();
        }
        TaskFuture<?> f = inFlight.peekFirst();
        if (f == null) {
            RejectedExecutionException cause = rejected;
            close();
            throw new RejectedExecutionException(
                    "the executor stopped taking tasks before the map's input was used up: " + cause.getMessage(),
                    cause);
        }
        Throwable failure;
        try {
            if (timed) {
                long left = deadline - System.nanoTime();
                try {
                    failure = f.exception(java.time.Duration.ofNanos(Math.max(0L, left)));
                } catch (WaitTimeoutException e) {
                    int pending = inFlight.size();
                    close();
                    throw new WaitTimeoutException("map deadline passed with " + pending + " task(s) unfinished");
                }
            } else {
                failure = f.exception();
            }
        } catch (CancellationException e) {
            inFlight.pollFirst();
            if (chunkSize == 1) {
                return Outcome.failure(position++, e, null);
            }
            return lostChunk(chunkSizes.pollFirst(), CANCELLED);
        }
        inFlight.pollFirst();
        Integer size = chunkSize == 1 ? null : chunkSizes.pollFirst();
        if (failure != null) {
            if (chunkSize == 1) {
                return Outcome.failure(position++, failure, null);
            }
            return lostChunk(size, new ChunkLost(failure, size));
        }
        Object value = f.result();
        if (chunkSize == 1) {
            @SuppressWarnings("unchecked")
            R r = (R) value;
            return Outcome.success(position++, r);
        }
        chunk = (Object[]) value;
        chunkPos = 0;
        return fromChunk();
    }

    /** A chunk whose task failed or was cancelled as a whole: each element gets that outcome. */
    private Outcome<R> lostChunk(int size, Object outcome) {
        chunk = new Object[size];
        java.util.Arrays.fill(chunk, outcome);
        chunkPos = 0;
        return fromChunk();
    }

    private Outcome<R> fromChunk() {
        Object o = chunk[chunkPos];
        chunk[chunkPos++] = null;
        if (chunkPos == chunk.length) {
            chunk = null;
        }
        long index = position++;
        if (o instanceof ElementFailure) {
            return Outcome.failure(index, ((ElementFailure) o).cause, null);
        }
        if (o instanceof ChunkLost) {
            ChunkLost lost = (ChunkLost) o;
            return Outcome.failure(index, lost.cause, "the map task holding this element and " + (lost.size - 1)
                    + " more failed as a whole, so each of them fails: " + PromiseFuture.describe(lost.cause));
        }
        if (o == CANCELLED) {
            // One instance per element: each outcome is its own.
            return Outcome.failure(index, new CancellationException("the map task holding this element was cancelled"),
                    null);
        }
        @SuppressWarnings("unchecked")
        R r = (R) o;
        return Outcome.success(index, r);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        settle();
        for (TaskFuture<?> f : inFlight) {
            f.cancel(false);
        }
        inFlight.clear();
        chunkSizes.clear();
        chunk = null;
    }

    // ------------------------------------------------------------------------------------------

    /**
     * The Cleaner action of a lazy map: logs a WARNING naming where {@code map} was called, unless
     * the map was settled (consumed to the end or closed) first. It must never reference the
     * MapIterator. Its counters are written by the iterating thread and read by the Cleaner's
     * only once the map is unreachable, so no longer iterated; they only word the message.
     */
    static final class Abandoned implements Runnable {

        /** One daemon thread for the library, started by the first lazy map (class-holder idiom). */
        static final Cleaner CLEANER = Cleaner.create(r -> {
            Thread t = new Thread(r, "jfutures-map-cleaner");
            t.setDaemon(true); // the Cleaner sets it too; JVM exit never waits for this thread
            t.setContextClassLoader(null); // pins no class loader of whoever mapped first
            return t;
        });

        private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

        private final StackWalker.StackFrame callSite;
        volatile boolean settled;
        long submitted;
        long taken;
        boolean inputUsedUp;

        Abandoned(StackWalker.StackFrame callSite) {
            this.callSite = callSite;
        }

        /**
         * The first frame outside the map machinery: this class, MapIterator and every
         * TaskExecutor (AbstractTaskExecutor's two map overloads, an executor that overrides map
         * and calls super, a delegating executor). Kept as a StackFrame; turned into a
         * StackTraceElement (the costly part) only if the map is reported. Measured on JDK 17,
         * 2 cores: about 2 us a map at stack depth 5 or 40 alike (the walk stops at the first frame
         * that matches), about 4-5 us with the Cleaner's register and clean, against about 10 us
         * for the cheapest map (one input, taken, closed) and 16-26 us for a new
         * Throwable().getStackTrace() at depth 40.
         */
        static StackWalker.StackFrame callSite() {
            return WALKER.walk(frames -> frames
                    .filter(f -> !isMapMachinery(f.getDeclaringClass()))
                    .findFirst()
                    .orElse(null));
        }

        private static boolean isMapMachinery(Class<?> c) {
            return c.getNestHost() == MapIterator.class || TaskExecutor.class.isAssignableFrom(c);
        }

        @Override
        public void run() {
            if (settled) {
                return;
            }
            Log.LOG.log(System.Logger.Level.WARNING, message());
        }

        String message() {
            String where = callSite == null ? "an unknown place" : callSite.toStackTraceElement().toString();
            String lost = inputUsedUp
                    ? "it had submitted all " + submitted + " input(s); the results not taken, failures"
                            + " included, were dropped unseen"
                    : "only " + submitted + " input(s) were submitted (a lazy map submits its bufferSize ahead"
                            + " of the caller), so the rest of the input never ran";
            return "the results of a map called at " + where + " were abandoned, neither consumed to the end nor"
                    + " closed: " + taken + " result(s) were taken, and " + lost + ". Iterate the results to"
                    + " the end, or close them (try-with-resources); to run every input without iterating, as"
                    + " CPython's map does, use MapOptions.eager()";
        }
    }

    /**
     * One input element; serializable so that worker processes can run it.
     *
     * @param <A> the input's type
     * @param <R> the result's type
     */
    static final class ElementTask<A, R> implements Task<R> {
        private static final long serialVersionUID = 1L;
        private final TaskFunction<A, R> fn;
        private final A argument;

        ElementTask(TaskFunction<A, R> fn, A argument) {
            this.fn = fn;
            this.argument = argument;
        }

        @Override
        public R call() throws Exception {
            return fn.apply(argument);
        }
    }

    /**
     * A chunk of input elements; returns one outcome per element.
     *
     * @param <A> the inputs' type
     * @param <R> the results' type
     */
    static final class ChunkTask<A, R> implements Task<Object[]> {
        private static final long serialVersionUID = 1L;
        private final TaskFunction<A, R> fn;
        private final List<A> arguments;

        ChunkTask(TaskFunction<A, R> fn, List<A> arguments) {
            this.fn = fn;
            this.arguments = arguments;
        }

        @Override
        public Object[] call() {
            Object[] out = new Object[arguments.size()];
            for (int i = 0; i < out.length; i++) {
                try {
                    out[i] = fn.apply(arguments.get(i));
                } catch (Exception e) {
                    out[i] = new ElementFailure(e);
                }
            }
            return out;
        }
    }

    /** The outcome of each element of a chunk whose task was cancelled. */
    private static final Object CANCELLED = new Object();

    /** The outcome of each element of a chunk whose task failed as a whole; never serialized. */
    private static final class ChunkLost {
        final Throwable cause;
        final int size;

        ChunkLost(Throwable cause, int size) {
            this.cause = cause;
            this.size = size;
        }
    }

    /** An element's failure inside a chunk's outcomes. */
    static final class ElementFailure implements Serializable {
        private static final long serialVersionUID = 1L;
        final Throwable cause;

        ElementFailure(Throwable cause) {
            this.cause = cause;
        }
    }
}
