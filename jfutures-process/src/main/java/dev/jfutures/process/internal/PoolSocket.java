package dev.jfutures.process.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pool's end of the channel and its authentication: a Unix-domain socket in a private
 * directory, the acceptor, and the handshake that lets a connection through only with the
 * pool's token.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>The directory, {@code jfutures-PID-RANDOM} under {@code java.io.tmpdir} (or {@code /tmp}
 *       when that path is too long for a socket address), is made with mode 0700: only our user
 *       can reach the socket. It holds {@code pool.sock} and {@code pool.lock}, which the pool
 *       keeps locked (an {@code fcntl} lock) for as long as it lives.
 *   <li>Stale directories (a JVM killed with SIGKILL never removes its own) are swept by the next
 *       pool: one whose lock can be taken belongs to no live process and is removed. Liveness is
 *       proved by the lock, not by a visible pid: {@code /tmp} may be shared between PID
 *       namespaces, where another container's live pool has a pid we cannot see. A directory
 *       without a lock file (one a pool is making right now, or of an older jfutures) and one
 *       changed in the last minute are left alone.
 *   <li>A connection must send a whole HELLO within the hello timeout; the handshake reads exactly
 *       its bytes (nothing beyond) on a short thread of its own, and checks the token in constant
 *       time ({@link MessageDigest#isEqual}) before anything else. At most {@code maxPending}
 *       connections may be in their handshake at once: more are closed at once, so unauthenticated
 *       peers cannot pile up threads.
 * </ul>
 */
public final class PoolSocket implements AutoCloseable {

    /** Routes an authenticated connection to its worker. */
    public interface Router {
        /**
         * A worker proved the token.
         *
         * @param workerId the id it gave
         * @param channel its channel, blocking, with nothing read beyond the HELLO
         * @return false if no worker of that id waits for its connection (the channel is closed)
         */
        boolean connected(long workerId, SocketChannel channel);

        /**
         * Whether refusals are worth a warning (not while the pool shuts down, when a worker
         * killed while starting may still knock).
         *
         * @return true while the pool runs
         */
        boolean warnOnRefusal();
    }

    private static final System.Logger LOG = System.getLogger("dev.jfutures.process");
    private static final long SWEEP_MIN_AGE_MILLIS = 60_000;

    private final String name;
    private final byte[] token;
    private final Duration helloTimeout;
    private final ScheduledExecutorService timer;
    private final Semaphore pending;
    private final Path dir;
    private final Path socketPath;
    private final Path lockPath;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ServerSocketChannel server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private volatile Router router;
    private Thread acceptor;

    /**
     * Opens the socket (sweeping stale directories first); {@link #start} accepts on it.
     *
     * @param name the pool's name, for threads and logs
     * @param token the pool's token
     * @param helloTimeout how long a connection may take to say HELLO
     * @param maxPending the most connections in their handshake at once
     * @param timer for the hello deadlines
     * @throws IOException if the directory or the socket cannot be made
     */
    public PoolSocket(String name, byte[] token, Duration helloTimeout, int maxPending, ScheduledExecutorService timer)
            throws IOException {
        this.name = name;
        this.token = token.clone();
        this.helloTimeout = helloTimeout;
        this.timer = timer;
        this.pending = new Semaphore(maxPending);
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        if (base.toString().length() > 60) {
            base = Path.of("/tmp");
        }
        sweepStale(base);
        this.dir = Files.createTempDirectory(base, "jfutures-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.lockPath = dir.resolve("pool.lock");
        FileChannel lc = null;
        FileLock l = null;
        ServerSocketChannel s = null;
        try {
            lc = FileChannel.open(lockPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            l = lc.tryLock();
            if (l == null) {
                throw new IOException("cannot lock " + lockPath + ", which this pool just made");
            }
            this.socketPath = dir.resolve("pool.sock");
            s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            closeQuietly(lc);
            deleteQuietly(dir.resolve("pool.sock"));
            deleteQuietly(lockPath);
            deleteQuietly(dir);
            throw e;
        }
        this.lockChannel = lc;
        this.lock = l;
        this.server = s;
    }

    /**
     * The socket's path, which workers connect to.
     *
     * @return the path
     */
    public Path path() {
        return socketPath;
    }

    /**
     * The socket's directory.
     *
     * @return the private directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * Starts accepting connections.
     *
     * @param router gets each authenticated connection
     */
    public void start(Router router) {
        this.router = router;
        acceptor = new Thread(this::acceptLoop, name + "-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        for (;;) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException closedOrBroken) {
                return;
            }
            if (!pending.tryAcquire()) {
                if (overflowLogged.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, name + ": too many connections in their handshake at once;"
                            + " closing the new ones until some end (logged once)");
                }
                closeQuietly(ch);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    handshake(ch);
                } finally {
                    pending.release();
                }
            }, name + "-handshake");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handshake(SocketChannel ch) {
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    refuse(ch, "a connection that sent no HELLO within " + helloTimeout);
                }
            }, helloTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            refuse(ch, "a connection during shutdown");
            return;
        }
        try {
            // Length and type first: a peer that announces anything but a HELLO is refused at once,
            // before anything else is awaited or allocated for it.
            ByteBuffer head = ByteBuffer.allocate(5);
            readFully(ch, head);
            head.flip();
            int length = head.getInt();
            byte type = head.get();
            if (type != Protocol.HELLO || length != Protocol.HEADER + Protocol.HELLO_PAYLOAD) {
                refuse(ch, "a connection that did not start with a valid HELLO");
                return;
            }
            ByteBuffer id = ByteBuffer.allocate(8);
            readFully(ch, id);
            long workerId = id.getLong(0);
            ByteBuffer payload = ByteBuffer.allocate(Protocol.HELLO_PAYLOAD);
            readFully(ch, payload);
            Protocol.Hello hello = Protocol.Hello.parse(payload.array());
            if (hello.magic() != Protocol.MAGIC || !MessageDigest.isEqual(hello.token(), token)) {
                refuse(ch, "a connection with a wrong token");
                return;
            }
            if (hello.version() != Protocol.VERSION) {
                refuse(ch, "a worker speaking protocol version " + hello.version() + " (this pool speaks "
                        + Protocol.VERSION + "): the worker classpath has another jfutures version");
                return;
            }
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (!router.connected(workerId, ch)) {
                refuse(ch, "a connection for unknown worker " + workerId);
            }
        } catch (IOException e) {
            refuse(ch, "a connection that failed during the handshake: " + e);
        } finally {
            deadline.cancel(false);
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("the connection ended inside its HELLO");
            }
        }
    }

    private void refuse(SocketChannel ch, String what) {
        Router r = router;
        if (r != null && r.warnOnRefusal() && !closed.get()) {
            LOG.log(System.Logger.Level.WARNING, name + " refused " + what);
        }
        closeQuietly(ch);
    }

    /** Stops accepting, closes the socket, removes the directory, releases the lock. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(server);
        deleteQuietly(socketPath);
        deleteQuietly(lockPath);
        try {
            lock.release();
        } catch (IOException ignored) {
            // released with its channel
        }
        closeQuietly(lockChannel);
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": could not remove " + dir, e);
        }
    }

    /** The acceptor thread, for a check that nothing outlives the pool. */
    Thread acceptor() {
        return acceptor;
    }

    /**
     * Removes the socket directories of pools whose JVM died without removing them: those whose
     * lock no live process holds. Best effort.
     *
     * @param base the directory that holds them
     */
    static void sweepStale(Path base) {
        long now = System.currentTimeMillis();
        // Never one named after this JVM's pid: it is ours (or another namespace's JVM that has
        // our pid number), and opening a lock file this JVM holds would, by POSIX rules, release
        // that lock when the channel closes.
        String own = "jfutures-" + ProcessHandle.current().pid() + "-";
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "jfutures-*-*")) {
            for (Path d : dirs) {
                if (d.getFileName().toString().startsWith(own)) {
                    continue;
                }
                try {
                    Path lockFile = d.resolve("pool.lock");
                    FileTime changed = Files.getLastModifiedTime(d);
                    if (now - changed.toMillis() < SWEEP_MIN_AGE_MILLIS || !Files.isRegularFile(lockFile)) {
                        continue;
                    }
                    try (FileChannel c = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                        FileLock l;
                        try {
                            l = c.tryLock();
                        } catch (OverlappingFileLockException heldInThisJvm) {
                            continue;
                        }
                        if (l == null) {
                            continue;   // a live pool, maybe in another PID namespace, holds it
                        }
                        Files.deleteIfExists(d.resolve("pool.sock"));
                        Files.deleteIfExists(lockFile);
                        Files.deleteIfExists(d);
                        l.release();
                    }
                } catch (IOException | RuntimeException notOurs) {
                    // someone else's, or not empty: leave it
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the sweep is a courtesy; the pool works without it
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
