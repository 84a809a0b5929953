package dev.jfutures.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * ProcessBench's control for the round trip: a raw JVM-to-JVM echo over a Unix-domain socket,
 * with nothing of jfutures in it. The bench's JVM sends a frame of {@value #REQUEST_BYTES} bytes
 * (about a small task's frame) and a child JVM, started as the pool starts its workers, answers
 * with a frame of {@value #REPLY_BYTES} bytes (about a small result's). Two variants, each on its
 * own connection to the same child:
 *
 * <ul>
 *   <li>{@link Variant#BLOCKING}: blocking {@code SocketChannel}s at both ends, what a plain
 *       program does;
 *   <li>{@link Variant#SELECTOR}: non-blocking {@code SocketChannel}s at both ends, each end
 *       waiting in a {@link Selector}.
 * </ul>
 *
 * <pre>
 * try (UnixEchoControl echo = UnixEchoControl.start(List.of())) {
 *     long[] nanos = echo.roundTrips(UnixEchoControl.Variant.SELECTOR, 1_000);
 * }
 * </pre>
 *
 * <p>Not thread-safe: one thread measures.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>The socket is {@code echo.sock} in a private directory (mode 0700, under {@code
 *       java.io.tmpdir}, or {@code /tmp} when that path is too long for a socket address). Both
 *       are deleted as soon as the child's two connections are accepted, since nothing connects
 *       after that, and again, if still there, by {@link #close}.
 *   <li>The child must not outlive the bench. Its stdin is a pipe from the bench, and it exits
 *       when that pipe reaches end-of-file: when {@link #close} closes it, and also when the
 *       bench's JVM dies in any way, SIGKILL included. {@link #close} then waits for it and kills
 *       it if it has not exited within {@link #EXIT_TIMEOUT}.
 *   <li>Every wait is bounded. The start waits at most {@link #START_TIMEOUT} for both
 *       connections, and gives up early when the child exits. A round of round trips is guarded
 *       by a watchdog that kills the child after {@link #roundTimeout}. The bench's read then
 *       sees end-of-file and throws.
 *   <li>A frame is a 4-byte big-endian body length, then the body. The request's body starts
 *       with the round trip's sequence number (a {@code long}), the rest is filler. The answer's
 *       body is that sequence number and 6 bytes of filler, and the bench checks it. The child
 *       reads whatever has arrived and answers each complete frame. The bench sends one frame
 *       at a time and reads exactly one answer.
 *   <li>The child runs with the pool's fixed worker flags ({@code -XX:+ExitOnOutOfMemoryError
 *       -XX:+UseSerialGC}) and the options given to the workers. Its first connection says
 *       {@code 'B'} and is served by a thread in blocking reads, its second says {@code 'S'} and
 *       is served by a second thread in a Selector. While one variant runs, the other's thread
 *       waits without using the CPU.
 * </ul>
 */
final class UnixEchoControl implements AutoCloseable {

    /** The request frame, header included: about the frame of a small task. */
    static final int REQUEST_BYTES = 160;
    /** The answer frame, header included: about the frame of a small result. */
    static final int REPLY_BYTES = 18;
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private static final int HEADER_BYTES = 4;
    private static final byte BLOCKING_MODE = 'B';
    private static final byte SELECTOR_MODE = 'S';
    /** The child's buffers: the answers to a full input buffer of the shortest frames (12 bytes) fit. */
    private static final int IN_BUFFER_BYTES = 64 * 1024;
    private static final int OUT_BUFFER_BYTES = 2 * IN_BUFFER_BYTES;

    /** How the two ends wait for each other's frame. */
    enum Variant {
        /** Blocking {@code SocketChannel}s at both ends. */
        BLOCKING,
        /** Non-blocking {@code SocketChannel}s at both ends, each waiting in a {@code Selector}. */
        SELECTOR
    }

    private final Process child;
    private final List<String> command;
    private final Path dir;
    private final Path socketPath;
    private final SocketChannel blocking;
    private final SocketChannel nonBlocking;
    private final Selector selector;
    private final ScheduledExecutorService watchdog;
    private final ByteBuffer request = ByteBuffer.allocateDirect(REQUEST_BYTES);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(REPLY_BYTES);
    private long sequence;
    private volatile boolean killedByWatchdog;

    private UnixEchoControl(Process child, List<String> command, Path dir, Path socketPath, SocketChannel blocking,
                            SocketChannel nonBlocking, Selector selector) {
        this.child = child;
        this.command = command;
        this.dir = dir;
        this.socketPath = socketPath;
        this.blocking = blocking;
        this.nonBlocking = nonBlocking;
        this.selector = selector;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "echo-control-watchdog");
            t.setDaemon(true);
            return t;
        });
        request.putInt(REQUEST_BYTES - HEADER_BYTES);
        while (request.hasRemaining()) {
            request.put((byte) request.position());
        }
    }

    // ------------------------------------------------------------------------------ bench side

    /**
     * Starts the child JVM and connects both variants to it.
     *
     * @param workerJvmOptions JVM options after the pool's fixed worker flags, as the pool passes them
     * @return the connected control; {@link #close} it
     * @throws IOException if the socket cannot be made, the child cannot start, exits, or does
     *     not connect both variants within {@link #START_TIMEOUT}
     */
    static UnixEchoControl start(List<String> workerJvmOptions) throws IOException {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        if (base.toString().length() > 60) {
            base = Path.of("/tmp");
        }
        Path dir = Files.createTempDirectory(base, "jfutures-echo-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socketPath = dir.resolve("echo.sock");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessBench.javaCommand());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(workerJvmOptions);
        cmd.add(UnixEchoControl.class.getName());
        cmd.add(socketPath.toString());
        Process child = null;
        SocketChannel b = null;
        SocketChannel s = null;
        Selector sel = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socketPath));
            server.configureBlocking(false);
            child = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            sel = Selector.open();
            b = accept(server, sel, child, deadline, BLOCKING_MODE);
            s = accept(server, sel, child, deadline, SELECTOR_MODE);
            deleteQuietly(socketPath);
            deleteQuietly(dir);
            b.configureBlocking(true);
            s.register(sel, SelectionKey.OP_READ);
            return new UnixEchoControl(child, List.copyOf(cmd), dir, socketPath, b, s, sel);
        } catch (IOException | RuntimeException e) {
            closeQuietly(b);
            closeQuietly(s);
            closeQuietly(sel);
            if (child != null) {
                stop(child);
            }
            deleteQuietly(socketPath);
            deleteQuietly(dir);
            throw e;
        }
    }

    /** Accepts the child's next connection and reads its mode byte, which must be {@code mode}. */
    private static SocketChannel accept(ServerSocketChannel server, Selector sel, Process child, long deadline,
                                        byte mode) throws IOException {
        SelectionKey key = server.register(sel, SelectionKey.OP_ACCEPT);
        SocketChannel ch;
        try {
            while ((ch = server.accept()) == null) {
                waitIn(sel, child, deadline, "connect");
            }
        } finally {
            key.cancel();
            sel.selectNow();
        }
        try {
            ch.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(1);
            key = ch.register(sel, SelectionKey.OP_READ);
            try {
                while (b.hasRemaining()) {
                    if (ch.read(b) < 0) {
                        throw new IOException("the echo control's child JVM closed its connection before saying"
                                + " which variant it serves");
                    }
                    if (b.hasRemaining()) {
                        waitIn(sel, child, deadline, "say which variant it serves");
                    }
                }
            } finally {
                key.cancel();
                sel.selectNow();
            }
            if (b.get(0) != mode) {
                throw new IOException("the echo control's child JVM said variant '" + (char) b.get(0)
                        + "' on a connection that should serve '" + (char) mode + "'");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static void waitIn(Selector sel, Process child, long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (!child.isAlive()) {
            throw new IOException("the echo control's child JVM exited with code " + child.exitValue()
                    + " before it could " + what + " (its stderr is above)");
        }
        if (left <= 0) {
            throw new IOException("the echo control's child JVM did not " + what + " within "
                    + START_TIMEOUT.toSeconds() + " s");
        }
        sel.select(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
        sel.selectedKeys().clear();
    }

    /** How long a round of {@code n} round trips may take before the watchdog kills the child. */
    static Duration roundTimeout(int n) {
        return Duration.ofSeconds(10).plusMillis(n);
    }

    /**
     * Runs {@code n} round trips one after the other, each from sending the request to having
     * read the whole answer.
     *
     * @param variant which connection, and how its two ends wait
     * @param n how many round trips
     * @return each round trip's latency in nanoseconds, in order
     * @throws IOException if the child closes the connection, answers wrongly, or does not finish
     *     the round within {@link #roundTimeout} (it is then killed)
     */
    long[] roundTrips(Variant variant, int n) throws IOException {
        long[] lat = new long[n];
        Duration limit = roundTimeout(n);
        ScheduledFuture<?> alarm = watchdog.schedule(() -> {
            killedByWatchdog = true;
            child.destroyForcibly();
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            for (int i = 0; i < n; i++) {
                long seq = ++sequence;
                long t0 = System.nanoTime();
                if (variant == Variant.BLOCKING) {
                    sendBlocking(seq);
                    receiveBlocking();
                } else {
                    sendSelector(seq);
                    receiveSelector();
                }
                lat[i] = System.nanoTime() - t0;
                long got = reply.getLong(HEADER_BYTES);
                if (reply.getInt(0) != REPLY_BYTES - HEADER_BYTES || got != seq) {
                    throw new IOException("its child JVM answered request " + seq + " with a frame of length "
                            + reply.getInt(0) + " for request " + got);
                }
            }
        } catch (IOException e) {
            String round = "the echo control's " + variant.name().toLowerCase(Locale.ROOT) + " round of " + n
                    + " round trips";
            if (killedByWatchdog) {
                throw new IOException(round + " took longer than " + limit.toMillis()
                        + " ms, so its child JVM was killed", e);
            }
            throw new IOException(round + " failed: " + e.getMessage() + childState(), e);
        } finally {
            alarm.cancel(false);
        }
        return lat;
    }

    private void sendBlocking(long seq) throws IOException {
        request.clear();
        request.putLong(HEADER_BYTES, seq);
        while (request.hasRemaining()) {
            blocking.write(request);
        }
    }

    private void receiveBlocking() throws IOException {
        reply.clear();
        while (reply.hasRemaining()) {
            if (blocking.read(reply) < 0) {
                throw endOfFile();
            }
        }
    }

    private void sendSelector(long seq) throws IOException {
        request.clear();
        request.putLong(HEADER_BYTES, seq);
        nonBlocking.write(request);
        if (request.hasRemaining()) {
            // Never with one small frame in flight; handled all the same.
            SelectionKey key = nonBlocking.keyFor(selector);
            key.interestOps(SelectionKey.OP_WRITE);
            while (request.hasRemaining()) {
                selector.select();
                selector.selectedKeys().clear();
                nonBlocking.write(request);
            }
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void receiveSelector() throws IOException {
        reply.clear();
        do {
            selector.select();
            selector.selectedKeys().clear();
            if (nonBlocking.read(reply) < 0) {
                throw endOfFile();
            }
        } while (reply.hasRemaining());
    }

    private IOException endOfFile() {
        return new IOException("its child JVM closed the connection");
    }

    private String childState() {
        try {
            child.waitFor(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return child.isAlive() ? " (the child JVM still runs)" : " (the child JVM exited with code "
                + child.exitValue() + ")";
    }

    /** The child JVM, for tests. */
    Process child() {
        return child;
    }

    /** The child JVM's command line. */
    List<String> command() {
        return command;
    }

    /** The private directory the socket was in (deleted once both variants connected). */
    Path directory() {
        return dir;
    }

    /**
     * Closes both connections and the child's stdin, waits up to {@link #EXIT_TIMEOUT} for the
     * child to exit and kills it if it has not, and deletes the socket's directory if it is still
     * there. Waits at most twice {@link #EXIT_TIMEOUT}.
     */
    @Override
    public void close() {
        watchdog.shutdownNow();
        closeQuietly(blocking);
        closeQuietly(nonBlocking);
        closeQuietly(selector);
        stop(child);
        deleteQuietly(socketPath);
        deleteQuietly(dir);
    }

    /** Closes the lifeline, then waits for the exit, killing the child if it does not come. */
    private static void stop(Process child) {
        try {
            child.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone: the wait below returns at once
        }
        boolean interrupted = false;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (child.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            child.destroyForcibly();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing: nothing left to do with it
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover in the temporary directory
        }
    }

    // ------------------------------------------------------------------------------ child side

    /**
     * The child JVM: connects twice to the socket at {@code args[0]}, serves the blocking
     * variant on one thread and the Selector variant on another, and exits when stdin reaches
     * end-of-file.
     *
     * @param args the socket's path
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: UnixEchoControl SOCKET_PATH (started by ProcessBench)");
            System.exit(2);
        }
        try {
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(args[0]);
            SocketChannel b = SocketChannel.open(address);
            b.write(ByteBuffer.wrap(new byte[] {BLOCKING_MODE}));
            SocketChannel s = SocketChannel.open(address);
            s.write(ByteBuffer.wrap(new byte[] {SELECTOR_MODE}));
            s.configureBlocking(false);
            daemon("echo-blocking", b, () -> serveBlocking(b));
            daemon("echo-selector", s, () -> serveSelector(s));
            while (System.in.read() >= 0) {
                // the lifeline: nothing is ever sent on it
            }
        } catch (IOException e) {
            System.err.println("UnixEchoControl child: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    /** The body of a serving thread; returns at end-of-file. */
    @FunctionalInterface
    private interface Serve {
        void run() throws IOException;
    }

    /** Serves one connection on a daemon thread, and closes it when done, so that the bench sees why. */
    private static void daemon(String name, SocketChannel ch, Serve body) {
        Thread t = new Thread(() -> {
            try (ch) {
                body.run();
            } catch (IOException e) {
                // the bench closed the connection, or sent a bad frame: either way it is closed now,
                // and the lifeline decides when to exit
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static ByteBuffer answer() {
        ByteBuffer a = ByteBuffer.allocateDirect(REPLY_BYTES);
        a.putInt(0, REPLY_BYTES - HEADER_BYTES);
        return a;
    }

    /**
     * Removes the complete frames at the start of {@code in} (in read mode) and adds an answer to
     * each to {@code out} (in write mode); leaves {@code in} compacted, in write mode.
     */
    private static void answerFrames(ByteBuffer in, ByteBuffer out, ByteBuffer answer) throws IOException {
        while (in.remaining() >= HEADER_BYTES) {
            int len = in.getInt(in.position());
            if (len < Long.BYTES || len > in.capacity() - HEADER_BYTES) {
                throw new IOException("a frame of length " + len);
            }
            if (in.remaining() < HEADER_BYTES + len) {
                break;
            }
            answer.putLong(HEADER_BYTES, in.getLong(in.position() + HEADER_BYTES));
            in.position(in.position() + HEADER_BYTES + len);
            answer.clear();
            out.put(answer);
        }
        in.compact();
    }

    private static void serveBlocking(SocketChannel ch) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER_BYTES);
        ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER_BYTES);
        ByteBuffer answer = answer();
        while (ch.read(in) >= 0) {
            in.flip();
            answerFrames(in, out, answer);
            out.flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            out.clear();
        }
    }

    private static void serveSelector(SocketChannel ch) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER_BYTES);
        ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER_BYTES);
        ByteBuffer answer = answer();
        try (Selector sel = Selector.open()) {
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            for (;;) {
                sel.select();
                sel.selectedKeys().clear();
                if (key.isReadable()) {
                    if (ch.read(in) < 0) {
                        return;
                    }
                    in.flip();
                    answerFrames(in, out, answer);
                }
                out.flip();
                ch.write(out);
                out.compact();
                key.interestOps(out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
                        : SelectionKey.OP_READ);
            }
        }
    }
}
