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
    private static final long WAITER_BUDGET_NANOS = 20_000_000L;

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
     * the thread is interrupted, or the channel ends. The I/O thread, woken by the same bytes, leaves them to
     * it, and reads on once it is done.
     *
     * @param done whether the future is done
     * @param deadlineNanos the {@link System#nanoTime()} deadline, or Long.MAX_VALUE
     */
    public void awaitAnswer(java.util.function.BooleanSupplier done, long deadlineNanos) {
        if (listener == null || !readRole.tryLock()) {
            return;
        }
        try {
            long now = System.nanoTime();
            long end = deadlineNanos - now < WAITER_BUDGET_NANOS ? deadlineNanos : now + WAITER_BUDGET_NANOS;
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
                int n;
                if (readRole.tryLock()) {
                    try {
                        n = readOnce();
                    } finally {
                        readRole.unlock();
                    }
                } else {
                    // A waiting caller reads (and was woken by the same bytes): do not queue on the
                    // role, whose release would then have to wake this thread on the caller's time.
                    Thread.yield();
                    n = 0;
                }
                if (n < 0) {
                    return;
                }
                if (n == in.capacity()) {
                    continue;   // the buffer filled: there may be more right behind
                }
                selector.select();
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
