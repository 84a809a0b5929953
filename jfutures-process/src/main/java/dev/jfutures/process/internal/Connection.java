package dev.jfutures.process.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool's side of one worker's socket: frames out through an outbox that any thread may add
 * to and flush, frames in through {@link #run}, the loop of the worker's I/O thread.
 *
 * <p>Implementation notes. The channel is in non-blocking mode, for one reason: a blocking write
 * by a thread that is interrupted meanwhile closes an {@code InterruptibleChannel}, and writers
 * here are user threads (a submit writes its task itself, saving a thread hand-off on the round
 * trip); a caller's interrupt must never cost a worker. A non-blocking write is not interruptible.
 * So reads wait in a {@link Selector} (one per connection), which costs one {@code epoll_wait} per
 * wake-up and nothing measurable on the round trip.
 *
 * <p>Writes: {@link #send} appends to the outbox (the pool's lock held, so frames go out in the
 * order the scheduler decided); {@link #flush} (no lock held) writes what it can without blocking.
 * One thread flushes at a time; one that finds another flushing leaves, and that one writes its
 * frames too before it stops. When the socket buffer is full the rest is left to the I/O thread,
 * which waits for the channel to be writable; so a worker that does not read never blocks anyone
 * but its own I/O thread.
 *
 * <p>Reads. A thread that waits for an answer reads the channel itself ({@link #awaitAnswer}), in
 * a selector of its own, holding the read role. The I/O thread then steps aside: while its
 * selector holds the channel, every answer would wake it as well as the caller, a second thread
 * woken on the round trip's time (measured: 75-110 us p50 against 25 us with it aside, on this
 * kind of host). Its two ways of waiting, written by the I/O thread only:
 *
 * <pre>
 * WATCHING  its selector holds the channel (OP_READ, and OP_WRITE while a write waits for room);
 *           it waits untimed and reads what arrives.
 * ASIDE     its selector does not hold the channel; it waits 1 ms at a time (a tick) and, at each
 *           tick, reads what has arrived if the read role is free.
 *
 * from      to        trigger
 * WATCHING  ASIDE     it finds the read role held (a caller reads), and no write waits for room
 * ASIDE     WATCHING  at a tick, with the role free, it read something (answers no caller
 *                     collected), or nothing was read for 50 ms (the pool idles: stop ticking)
 * ASIDE     WATCHING  watchAsked: a caller left the role without its answer, or with other calls
 *                     still out on this worker, or was refused the role (see awaitAnswer)
 * ASIDE     WATCHING  a write waits for room (it needs OP_WRITE)
 * </pre>
 *
 * <p>No answer depends on a wake-up to be read: whoever holds the role reads, and otherwise the
 * I/O thread watches or ticks. The wake-ups (watchAsked) only keep the latency of the cases above
 * from becoming a tick's: an answer that no caller waits for, arriving just after a run of calls
 * whose callers each waited, is read up to a millisecond late.
 */
public final class Connection {

    /** Receives what arrives. Called on the I/O thread. */
    public interface Listener {
        /**
         * Frames that arrived together, in order.
         *
         * @param frames the frames; the list is reused after the call returns
         */
        void frames(List<Protocol.Frame> frames);
    }


    private static final int BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    /**
     * How long a caller waits in the selector before it parks as usual: the answer of a short
     * task, which is what the faster wake-up is worth something for; a longer task's caller parks,
     * and the I/O thread completes its future.
     */
    private final long waiterBudgetNanos;
    /** ASIDE's wait between looks at the channel, in ms. */
    private final long tickMillis;
    /** After this long with nothing read, an ASIDE I/O thread watches again and stops ticking. */
    private final long quietNanos;

    /** ASIDE (true) or WATCHING (false); see the class notes. Written by the I/O thread only. */
    private volatile boolean aside;
    /** A caller's request that an ASIDE I/O thread watch again; cleared when it does. */
    private volatile boolean watchAsked;
    /** When anyone last read bytes from the channel. */
    private volatile long lastRead = System.nanoTime();

    /**
     * A second selector on the same channel, for the one thread that waits for an answer from
     * this worker with the read role held (see {@link #awaitAnswer}).
     */
    private final Selector waiterSelector;
    private final SelectionKey waiterKey;
    /**
     * Whoever reads the channel holds it: the I/O thread, only while it reads what has arrived;
     * or a thread waiting for an answer, for as long as it waits (the I/O thread, woken by the
     * same bytes, then goes back to its selector, and reads on once the waiter is done).
     */
    private final java.util.concurrent.locks.ReentrantLock readRole = new java.util.concurrent.locks.ReentrantLock();
    /** Set by run: whoever reads hands the frames to it. */
    private volatile Listener listener;
    // Guarded by readRole.
    private final List<Protocol.Frame> batch = new ArrayList<>();
    private boolean eof;
    private Protocol.MalformedFrameException malformed;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    private final Protocol.Parser parser = new Protocol.Parser();

    // Outbox, guarded by `this`.
    private final ArrayDeque<Out> outbox = new ArrayDeque<>();
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
    private boolean flushing;
    private boolean waitingWritable;
    private boolean broken;

    /** A frame to send: its header goes first, then its payload from {@code sent} on. */
    private static final class Out {
        final byte type;
        final long ticket;
        final byte[] payload;
        boolean headerDone;
        int sent;

        Out(byte type, long ticket, byte[] payload) {
            this.type = type;
            this.ticket = ticket;
            this.payload = payload;
        }
    }

    /**
     * Takes over a connected channel, switching it to non-blocking mode.
     *
     * @param channel the worker's authenticated channel
     * @throws IOException if the channel cannot be set up
     */
    public Connection(SocketChannel channel) throws IOException {
        this(channel, 1, 50_000_000L, 20_000_000L);
    }

    /**
     * A connection with ASIDE's tick and quiet spell, and the waiter's budget, of the caller's
     * choice; for tests, which make them long so that only the wake-ups of the class notes can
     * bring the I/O thread back.
     */
    Connection(SocketChannel channel, long tickMillis, long quietNanos, long waiterBudgetNanos) throws IOException {
        this.tickMillis = tickMillis;
        this.waiterBudgetNanos = waiterBudgetNanos;
        this.quietNanos = quietNanos;
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, SelectionKey.OP_READ);
        this.waiterSelector = Selector.open();
        this.waiterKey = channel.register(waiterSelector, SelectionKey.OP_READ);
    }

    /**
     * Lets a thread that waits for an answer from this worker read the channel itself, in a
     * selector of its own, instead of parking until the I/O thread completes its future: one
     * thread wake-up less on the round trip, and, measured on this kind of machine (a virtual
     * one), a thread woken from {@code epoll_wait} runs again several times sooner than one woken
     * from a park. It takes the read role (only if free at once: a second waiter, or the I/O
     * thread in the middle of a read, means it parks as usual), and reads and hands on every
     * frame that comes, as the I/O thread would, and finishes writes the socket had no room for,
     * until {@code done} says so (its future is done, or its call left this worker), 20 ms
     * passed or the deadline is near (under a millisecond: the selector counts in milliseconds),
     * the thread is interrupted, or the channel ends. The I/O thread steps aside meanwhile (see
     * the class notes); a caller that leaves without its answer, or with other calls still out on
     * this worker ({@code othersOut}), or that is refused the role, asks it to watch again.
     *
     * @param done whether the future is done
     * @param othersOut whether calls other than the waiter's are out on this worker
     * @param deadlineNanos the {@link System#nanoTime()} deadline, or Long.MAX_VALUE
     */
    public void awaitAnswer(java.util.function.BooleanSupplier done, java.util.function.BooleanSupplier othersOut,
            long deadlineNanos) {
        if (listener == null) {
            return;
        }
        if (!readRole.tryLock()) {
            // Another caller reads, or the I/O thread at a tick: this one parks, and someone
            // must read its answer without waiting for a tick.
            askToWatch();
            return;
        }
        try {
            long now = System.nanoTime();
            long end = deadlineNanos - now < waiterBudgetNanos ? deadlineNanos : now + waiterBudgetNanos;
            boolean first = true;
            while (!done.getAsBoolean()) {
                // Not before the first wait: the selector reports bytes already there at once,
                // and a read that finds nothing is a system call on the round trip for nothing.
                if (!first && readOnce() < 0) {
                    return;
                }
                first = false;
                if (done.getAsBoolean()) {
                    return;
                }
                long left = end - System.nanoTime();
                if (left < 1_000_000L || Thread.currentThread().isInterrupted()) {
                    return;
                }
                boolean write;
                synchronized (this) {
                    write = waitingWritable;
                }
                waiterKey.interestOps(write ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                waiterSelector.select(left / 1_000_000L);
                waiterSelector.selectedKeys().clear();
                if (waiterKey.isValid() && (waiterKey.readyOps() & SelectionKey.OP_WRITE) != 0) {
                    writable();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the worker is gone, or sent a malformed frame: the I/O thread sees it next and ends
        } finally {
            readRole.unlock();
            // After the unlock: an I/O thread about to step aside looks at the role after it set
            // `aside`, so either it sees the role free or this sees it aside.
            if (aside && (!done.getAsBoolean() || othersOut.getAsBoolean())) {
                askToWatch();
            }
        }
    }

    /** Asks an ASIDE I/O thread to watch again, now rather than at its next tick. */
    private void askToWatch() {
        if (aside) {
            watchAsked = true;
            selector.wakeup();
        }
    }

    /**
     * Queues a frame; {@link #flush} sends it. Frames go out in the order they were queued.
     *
     * @param type the type
     * @param ticket the ticket
     * @param payload the payload (not copied: it must not change)
     */
    public void send(byte type, long ticket, byte[] payload) {
        synchronized (this) {
            if (!broken) {
                outbox.add(new Out(type, ticket, payload));
            }
        }
    }

    /**
     * Writes what is queued without blocking; what does not fit now, the I/O thread writes when
     * the worker reads. Any thread, no lock held; never blocks, never throws (a broken channel is
     * seen by the I/O thread, which ends).
     */
    public void flush() {
        synchronized (this) {
            if (flushing || outbox.isEmpty() && out.position() == 0) {
                return;
            }
            flushing = true;
        }
        drain();
    }

    /** Writes until everything is out or the socket is full; this thread is the one flushing. */
    private void drain() {
        try {
            for (;;) {
                synchronized (this) {
                    fill();
                    if (out.position() == 0) {
                        flushing = false;
                        return;
                    }
                }
                out.flip();
                channel.write(out);
                boolean full = out.hasRemaining();
                out.compact();
                if (full) {
                    synchronized (this) {
                        // Left to the I/O thread, which flushes on OP_WRITE; `flushing` stays set, so
                        // others only queue meanwhile, and it writes their frames too.
                        waitingWritable = true;
                    }
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    selector.wakeup();
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                broken = true;
                outbox.clear();
                out.clear();
                flushing = false;
            }
            closeQuietly();
        }
    }

    /** Moves queued frames into the out buffer while they fit; `this` held. */
    private void fill() {
        while (!outbox.isEmpty() && out.hasRemaining()) {
            Out f = outbox.peekFirst();
            if (!f.headerDone) {
                if (out.remaining() < 4 + Protocol.HEADER) {
                    return;
                }
                Protocol.putHeader(out, f.type, f.ticket, f.payload.length);
                f.headerDone = true;
            }
            int n = Math.min(out.remaining(), f.payload.length - f.sent);
            out.put(f.payload, f.sent, n);
            f.sent += n;
            if (f.sent < f.payload.length) {
                return;
            }
            outbox.pollFirst();
        }
    }

    /**
     * The I/O thread's loop: reads frames and hands each batch to the listener, and finishes
     * writes the socket had no room for. Returns when the worker closes its end, the channel
     * breaks, or a frame is malformed (then it throws).
     *
     * @param listener gets the frames
     * @throws Protocol.MalformedFrameException if the worker sent a malformed frame
     */
    public void run(Listener listener) throws Protocol.MalformedFrameException {
        this.listener = listener;
        try {
            for (;;) {
                int n = 0;
                boolean read = readRole.tryLock();
                if (read) {
                    try {
                        n = readOnce();
                    } finally {
                        readRole.unlock();
                    }
                }
                if (n < 0) {
                    return;
                }
                if (aside) {
                    if (watchAsked || writePending()
                            || read && (n > 0 || System.nanoTime() - lastRead > quietNanos)) {
                        watch();
                    }
                } else if (!read && !writePending()) {
                    // A caller reads: step aside. `aside` first, then the role again (see
                    // awaitAnswer's finally): a caller that left meanwhile is not missed.
                    aside = true;
                    if (readRole.isLocked()) {
                        key.interestOps(0);
                    } else {
                        aside = false;
                        continue;
                    }
                }
                if (n == in.capacity()) {
                    continue;   // the buffer filled: there may be more right behind
                }
                if (aside) {
                    selector.select(tickMillis);
                } else {
                    selector.select();
                }
                selector.selectedKeys().clear();
                if (key.isValid() && (key.readyOps() & SelectionKey.OP_WRITE) != 0) {
                    writable();
                }
            }
        } catch (Protocol.MalformedFrameException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // the worker is gone; the caller collects its exit
        }
    }

    /** ASIDE to WATCHING; the I/O thread. */
    private void watch() {
        aside = false;
        watchAsked = false;
        key.interestOps(writePending() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Whether a write waits for room in the socket (then the I/O thread needs OP_WRITE). */
    private boolean writePending() {
        synchronized (this) {
            return waitingWritable;
        }
    }

    /**
     * Whether the I/O thread is ASIDE (see the class notes); for tests.
     *
     * @return true if ASIDE
     */
    boolean isAside() {
        return aside;
    }

    /**
     * Reads what has arrived and hands the whole frames to the listener; the read role held.
     * Returns the bytes read, or -1 at the end of the stream (also if a waiter saw it first).
     */
    private int readOnce() throws IOException {
        if (malformed != null) {
            throw malformed;
        }
        if (eof) {
            return -1;
        }
        int n = channel.read(in);
        if (n < 0) {
            eof = true;
            return -1;
        }
        if (n > 0) {
            lastRead = System.nanoTime();
            in.flip();
            try {
                parser.parse(in, batch);
            } catch (Protocol.MalformedFrameException e) {
                malformed = e;
                throw e;
            } finally {
                in.clear();
            }
            if (!batch.isEmpty()) {
                try {
                    listener.frames(batch);
                } finally {
                    batch.clear();
                }
            }
        }
        return n;
    }

    /** OP_WRITE: the worker read; go on writing what was left. */
    private void writable() {
        synchronized (this) {
            if (!waitingWritable) {
                return;
            }
            waitingWritable = false;
        }
        key.interestOps(SelectionKey.OP_READ);
        drain();
    }

    /**
     * Whether the bytes read so far end between frames (false: the worker died inside one).
     *
     * @return true if no frame is half read
     */
    public boolean betweenFrames() {
        readRole.lock();
        try {
            return parser.betweenFrames();
        } finally {
            readRole.unlock();
        }
    }

    /** Closes the channel and its selector. */
    public void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a dead worker's channel
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // idem
        }
        try {
            waiterSelector.close();
        } catch (IOException ignored) {
            // idem
        }
    }
}
