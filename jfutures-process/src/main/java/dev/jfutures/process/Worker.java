package dev.jfutures.process;

import dev.jfutures.TaskAction;
import dev.jfutures.process.internal.Protocol;
import dev.jfutures.remote.Codec;
import dev.jfutures.remote.JavaSerializationCodec;
import dev.jfutures.remote.SerializationFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The entry point of a worker JVM, started by {@link ProcessPool}; not for direct use.
 *
 * <pre>
 * java ... dev.jfutures.process.Worker SOCKET WORKER_ID CODEC_CLASS [filter arguments]
 * </pre>
 *
 * <p>Implementation notes. The first line of stdin is the pool's token (hex); the rest of stdin
 * is the lifeline: the pool never writes to it, and when it reads end-of-file (the pool closed it,
 * or the pool's JVM died, even by {@code kill -9}) the worker exits within a second, running its
 * shutdown hooks on the way (so what a task was writing is cleaned up as on any exit). The worker
 * connects to the pool's Unix-domain socket, proves the token in its HELLO, runs the initializer,
 * then reads frames ({@link Protocol}): TASKs queue up (the pool pipelines several), tasks run one
 * at a time in order, and a reader stays free to act on CANCEL (drop a queued task) and INTERRUPT
 * (interrupt the running one).
 *
 * <p>Started. Before any code of a task runs, decoding it included, the worker writes the task's
 * ticket into its started slot (a file in the pool's private directory, mapped into memory: no
 * system call, and it outlives the worker). The reader says STARTED on the socket once the task
 * has run {@link Protocol#REPORT_DELAY_NANOS}; a task that ends sooner says it by its answer. So a
 * short task's round trip costs no extra wake-up of the pool, and the pool still knows, even after
 * the worker died, whether a task started. Where the slot cannot be mapped, STARTED goes out at
 * once instead.
 *
 * <p>The channel is non-blocking: its writes cannot be interrupted (an interrupted blocking write
 * closes an {@code InterruptibleChannel}); the reader waits in a selector whose timeout is the
 * running task's report time. User code's stdout and stderr are the process's own, which the pool
 * forwards; the protocol never touches them.
 *
 * @since 0.1
 */
public final class Worker {

    /** The ticket of the STOP marker in the queue. */
    private static final long STOP_TICKET = -1L;
    /** How long a worker whose pool is gone gives its shutdown hooks before it halts. */
    private static final long HOOKS_GRACE_MILLIS = 1000;
    private static final byte[] EMPTY = new byte[0];

    /**
     * Set once the worker is on its way out (STOP, or its pool gone), before the channels close:
     * the reader and the lifeline then see their channel close under them, and leave quietly.
     */
    private static volatile boolean stopping;
    /** What must be closed to wake the threads blocked in native code on the way out. */
    private static volatile FileChannel lifelineChannel;
    private static volatile SocketChannel socketChannel;
    private static Selector readSelector;
    private static Selector writeSelector;

    private final Codec codec;
    private final SocketChannel channel;
    private final MappedByteBuffer slot;

    // Reading: only the thread in the reader role touches these.
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private final Protocol.Parser parser = new Protocol.Parser();

    // Writing, guarded by `out`.
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
    /** The running task not yet said STARTED (0: none), and when it started; guarded by `out`. */
    private long unreported;
    private long unreportedStart;

    /** Tasks received and not started, in order; guarded by {@code roles}. */
    private final ArrayDeque<Protocol.Frame> queue = new ArrayDeque<>();

    /** The running task's ticket, for INTERRUPT; guarded by runLock. */
    private final Object runLock = new Object();
    private long running;

    private Worker(Codec codec, SocketChannel channel, MappedByteBuffer slot) {
        this.codec = codec;
        this.channel = channel;
        this.slot = slot;
    }

    /**
     * Runs the worker.
     *
     * @param args socket path, worker id, codec class name, filter arguments
     * @throws Exception if the worker cannot start; it then exits non-zero and the pool reports it
     * @since 0.1
     */
    public static void main(String[] args) throws Exception {
        FileInputStream stdin = new FileInputStream(FileDescriptor.in);
        byte[] token = HexFormat.of().parseHex(readLine(stdin));
        Path socket = Path.of(args[0]);
        long workerId = Long.parseLong(args[1]);
        // Opening a Unix-domain channel initializes the JDK's security providers (UnixDomainSockets
        // takes a SecureRandom at class initialization): some 25 ms of a worker's start, which so
        // runs on a thread of its own, up to the HELLO, while this one starts the lifeline and
        // readies the codec, the selectors and the started slot.
        Connector connector = new Connector(socket, workerId, token);
        connector.start();
        // Read through a FileChannel, not the stream: closing the channel wakes a thread blocked
        // in its read, which a stream's close does not (see exit).
        lifelineChannel = stdin.getChannel();
        Thread lifeline = new Lifeline(lifelineChannel);
        lifeline.setDaemon(true);
        lifeline.start();
        System.setIn(new ByteArrayInputStream(new byte[0]));

        Codec codec = newCodec(args[2], Arrays.asList(args).subList(3, args.length));
        readSelector = Selector.open();
        writeSelector = Selector.open();
        MappedByteBuffer slot = mapSlot(socket.getParent(), workerId);
        warmUp(codec);

        SocketChannel ch = connector.await();
        // Exactly the WELCOME's bytes: what follows it is read by the parser, non-blocking.
        ByteBuffer head = ByteBuffer.allocate(4 + Protocol.HEADER);
        readFully(ch, head);
        head.flip();
        int length = head.getInt();
        byte type = head.get();
        if (type != Protocol.WELCOME || length < Protocol.HEADER || length > Protocol.MAX_FRAME) {
            halt(3);
        }
        ByteBuffer initializer = ByteBuffer.allocate(length - Protocol.HEADER);
        readFully(ch, initializer);

        ch.configureBlocking(false);
        ch.register(readSelector, SelectionKey.OP_READ);
        ch.register(writeSelector, SelectionKey.OP_WRITE);
        new Worker(codec, ch, slot).run(initializer.array());
    }

    /** Reads stdin until it ends: the pool's JVM is gone, or the worker's exit is under way. */
    private static final class Lifeline extends Thread {
        private final FileChannel in;

        Lifeline(FileChannel in) {
            super("jfutures-lifeline");
            this.in = in;
        }

        @Override
        public void run() {
            ByteBuffer ignored = ByteBuffer.allocate(64);
            try {
                while (in.read(ignored) >= 0) {
                    ignored.clear();   // the pool never writes; anything read is ignored
                }
            } catch (IOException e) {
                // a broken stdin is the pool gone too; a closed one is the exit under way
            }
            poolGone();
        }
    }

    /**
     * Opens and connects the worker's channel and says HELLO, on a thread of its own (see {@link
     * #main}); {@link #await} hands the channel over.
     */
    private static final class Connector extends Thread {
        private final Path socket;
        private final long workerId;
        private final byte[] token;
        private SocketChannel channel;
        private Throwable failure;

        Connector(Path socket, long workerId, byte[] token) {
            super("jfutures-connect");
            setDaemon(true);
            this.socket = socket;
            this.workerId = workerId;
            this.token = token;
        }

        @Override
        public void run() {
            try {
                // The SecureRandom that UnixDomainSockets takes, first: the security providers
                // initialize without lambdas, so this runs beside the main thread's first lambdas
                // (the selectors', the codec's warm-up) rather than after them, in their locks.
                try {
                    SecureRandom.getInstance("NativePRNGNonBlocking");
                } catch (NoSuchAlgorithmException notHere) {
                    // another platform: the channel below initializes what it needs
                }
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                socketChannel = ch;
                ch.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer hello = ByteBuffer.allocate(4 + Protocol.HEADER + Protocol.HELLO_PAYLOAD);
                Protocol.putHeader(hello, Protocol.HELLO, workerId, Protocol.HELLO_PAYLOAD);
                hello.put(Protocol.hello(token)).flip();
                while (hello.hasRemaining()) {
                    ch.write(hello);
                }
                channel = ch;
            } catch (Throwable e) {
                failure = e;
            }
        }

        /** The channel, connected and HELLO said; join() orders what run() wrote before this. */
        SocketChannel await() throws Exception {
            join();
            if (failure instanceof Exception) {
                throw (Exception) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            return channel;
        }
    }

    /** A serializable lambda of this class, for {@link #warmUp}. */
    private interface WarmUp extends Callable<Object>, java.io.Serializable {
    }

    /**
     * Encodes and decodes a serializable lambda once, while the channel connects: the first task's
     * decoding would otherwise pay for initializing serialization and lambda deserialization (the
     * class-data archive holds the classes, not their initialization). Best effort: a codec that
     * cannot do it loses only the head start.
     */
    private static void warmUp(Codec codec) {
        if (!(codec instanceof JavaSerializationCodec)) {
            return;
        }
        try {
            WarmUp w = () -> EMPTY;
            codec.decode(codec.encode(w));
        } catch (Exception e) {
            // only speed: the first task pays instead
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("the pool closed the channel during the handshake");
            }
        }
    }

    /** The started slot the pool made for this worker, mapped; null if it cannot be. */
    private static MappedByteBuffer mapSlot(Path socketDir, long workerId) {
        try (FileChannel c = FileChannel.open(Protocol.startedSlot(socketDir, workerId), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return c.map(FileChannel.MapMode.READ_WRITE, 0, Protocol.SLOT_BYTES);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Codec newCodec(String className, List<String> filterArgs) throws ReflectiveOperationException {
        if (className.equals(JavaSerializationCodec.class.getName())) {
            return new JavaSerializationCodec(SerializationFilter.fromArguments(filterArgs));
        }
        return (Codec) Class.forName(className).getConstructor().newInstance();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("stdin ended before the token");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }

    private void run(byte[] initializer) throws IOException {
        if (initializer.length > 0) {
            try {
                ((TaskAction) codec.decode(initializer)).run();
            } catch (Throwable e) {
                send(Protocol.INIT_FAILED, 0L, Protocol.failure(e, codec));
                System.err.flush();
                halt(4);
            }
        }
        send(Protocol.INIT_OK, 0L, Protocol.initOk(Runtime.getRuntime().maxMemory()));
        Thread other = new Thread(this::roleLoop, "jfutures-worker-2");
        Thread.currentThread().setName("jfutures-worker-1");
        synchronized (roles) {
            reader = Thread.currentThread();
            lastEnded = System.nanoTime();
        }
        other.start();
        roleLoop();
    }

    /*
     * Two threads, one of which reads the channel at a time (the reader), and one of which runs
     * tasks (the executor); tasks run one at a time, in order. The reader that reads a task while
     * none runs runs it itself, so a short task starts with no thread hand-off, and reading is
     * handed to the other thread lazily: only if the task runs a while (REPORT_DELAY), when that
     * thread, waiting in timed steps, takes the reader role (it then says STARTED, and can act on
     * CANCEL and INTERRUPT while the task runs). Waking it at once, on every task, measured 15 us
     * of the round trip on a virtual machine. When the executor is done and nobody reads, it reads
     * again itself. After a long quiet spell the other thread waits untimed, and the next task
     * start wakes it (the only wake-up then). All role changes happen under `roles`.
     */
    private static final long QUIET_NANOS = 50_000_000L;
    private final Object roles = new Object();
    private Thread reader;
    private Thread executor;
    /** When the running task started (for the take-over), and when the last one ended. */
    private long executorSince;
    private long lastEnded;
    /** The thread not reading or running waits untimed: a task start must wake it. */
    private boolean followerUntimed;

    private void roleLoop() {
        Thread me = Thread.currentThread();
        List<Protocol.Frame> arrived = new ArrayList<>();
        try {
            for (;;) {
                synchronized (roles) {
                    while (reader != me) {
                        if (reader == null && executor != me
                                && (executor == null || System.nanoTime() - executorSince >= Protocol.REPORT_DELAY_NANOS)) {
                            reader = me;   // a long task runs and nobody reads: take over
                            break;
                        }
                        boolean quiet = executor == null && System.nanoTime() - lastEnded > QUIET_NANOS;
                        followerUntimed = quiet;
                        try {
                            roles.wait(quiet ? 0 : 1);
                        } catch (InterruptedException stray) {
                            // only INTERRUPT frames interrupt, and only the executor
                        }
                        followerUntimed = false;
                    }
                }
                readBatch(arrived);
                boolean run = false;
                synchronized (roles) {
                    for (Protocol.Frame f : arrived) {
                        apply(f);
                    }
                    arrived.clear();
                    if (executor == null && !queue.isEmpty()) {
                        executor = me;
                        executorSince = System.nanoTime();
                        reader = null;
                        if (followerUntimed) {
                            roles.notifyAll();
                        }
                        run = true;
                    }
                }
                if (run) {
                    runQueued(me);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The channel broke: the pool is gone. Or the exit closed it: it is under way.
            poolGone();
        }
    }

    /**
     * Reads every frame that has arrived (at least one), saying STARTED for the running task when
     * its report time comes while waiting; at end of stream the pool is gone.
     */
    private void readBatch(List<Protocol.Frame> arrived) throws IOException {
        for (;;) {
            int n = channel.read(in);
            if (n < 0) {
                throw new EOFException("the pool closed the channel");
            }
            if (n > 0) {
                in.flip();
                parser.parse(in, arrived);
                in.clear();
                if (!arrived.isEmpty() && n < in.capacity()) {
                    break;
                }
                continue;
            }
            readSelector.select(reportWaitMillis());
            readSelector.selectedKeys().clear();
            reportIfDue();
        }
        // A TASK and the CANCEL right behind it: drop the task before anyone can start it. Every
        // CANCEL gets at most one answer: this one is answered here, so it does not reach apply.
        for (Protocol.Frame f : List.copyOf(arrived)) {
            if (f.type() == Protocol.CANCEL
                    && arrived.removeIf(t -> t.type() == Protocol.TASK && t.ticket() == f.ticket())) {
                arrived.remove(f);
                send(Protocol.DROPPED, f.ticket(), EMPTY);
            }
        }
    }

    /**
     * How long the reader may wait before a running task's STARTED is due; 0: no limit. Locks
     * `roles` then `out`, the order everywhere (a task is taken from the queue and marked started
     * in one step under both, so no task can start unseen between the two looks).
     */
    private long reportWaitMillis() {
        synchronized (roles) {
            synchronized (out) {
                if (unreported == 0) {
                    // A queued task is about to start (the executor takes it): look again soon.
                    return queue.isEmpty() ? 0 : 1;
                }
                long left = unreportedStart + Protocol.REPORT_DELAY_NANOS - System.nanoTime();
                return Math.max(1, (left + 999_999) / 1_000_000);
            }
        }
    }

    /** Says STARTED for the running task if it has run its report delay. */
    private void reportIfDue() throws IOException {
        synchronized (out) {
            if (unreported != 0 && System.nanoTime() - unreportedStart >= Protocol.REPORT_DELAY_NANOS) {
                write(Protocol.STARTED, unreported, Protocol.started(unreportedStart));
                flushOut();
                unreported = 0;
            }
        }
    }

    /** Acts on one frame; `roles` held. */
    private void apply(Protocol.Frame f) throws IOException {
        switch (f.type()) {
            case Protocol.TASK:
                queue.add(f);
                break;
            case Protocol.CANCEL:
                dropQueued(f.ticket());
                break;
            case Protocol.INTERRUPT:
                synchronized (runLock) {
                    Thread ex = executor;
                    if (running == f.ticket() && ex != null) {
                        ex.interrupt();
                    }
                }
                break;
            case Protocol.STOP:
                queue.add(new Protocol.Frame(Protocol.STOP, STOP_TICKET, EMPTY));
                break;
            default:
                System.err.println("jfutures worker: unknown frame " + Protocol.name(f.type()) + "; ignored");
        }
    }

    /**
     * Drops a queued task and answers DROPPED; a task not in the queue has started (its STARTED or
     * its answer will come) or finished, and gets no answer.
     */
    private void dropQueued(long ticket) throws IOException {
        for (Protocol.Frame f : queue) {
            if (f.ticket() == ticket && queue.remove(f)) {
                send(Protocol.DROPPED, ticket, EMPTY);
                return;
            }
        }
    }

    /** Runs queued tasks until the queue is empty, then becomes the reader again if no one reads. */
    private void runQueued(Thread me) throws IOException {
        for (;;) {
            Protocol.Frame f;
            synchronized (roles) {
                f = queue.poll();
                if (f == null) {
                    executor = null;
                    lastEnded = System.nanoTime();
                    if (reader == null) {
                        reader = me;
                    }
                    return;
                }
                executorSince = System.nanoTime();
                if (f.type() != Protocol.STOP) {
                    markStarted(f.ticket(), executorSince);
                }
            }
            if (f.type() == Protocol.STOP) {
                exit();
            }
            synchronized (runLock) {
                running = f.ticket();
            }
            Protocol.Frame answer = runOne(f);
            synchronized (runLock) {
                running = 0L;
            }
            // No INTERRUPT reaches this thread now; clear any that came, before user code could see it
            // in the next task.
            Thread.interrupted();
            // Each answer is written out before the next task starts, never batched: then a death
            // loses no finished task's answer, and the started slot names the only task that can
            // have been running. (A finished task whose answer was still buffered at a death would
            // look never-started and run a second time elsewhere.)
            synchronized (out) {
                unreported = 0;
                write(answer.type(), answer.ticket(), answer.payload());
                flushOut();
            }
        }
    }

    /**
     * Records that the task starts, before any of its code runs: in the slot (which the pool reads
     * if this JVM dies), and as the task whose STARTED the reader owes; without a slot, says
     * STARTED at once. `roles` held.
     */
    private void markStarted(long ticket, long start) throws IOException {
        if (slot != null) {
            slot.putLong(8, start);
            slot.putLong(0, ticket);
            synchronized (out) {
                unreported = ticket;
                unreportedStart = start;
            }
        } else {
            synchronized (out) {
                write(Protocol.STARTED, ticket, Protocol.started(start));
                flushOut();
            }
        }
    }

    /** Decodes and runs one task; returns the answer to send. Never throws. */
    private Protocol.Frame runOne(Protocol.Frame f) {
        try {
            Object task;
            try {
                task = codec.decode(f.payload());
                if (!(task instanceof Callable)) {
                    throw new IOException("the frame holds a " + (task == null ? "null" : task.getClass().getName())
                            + ", not a task");
                }
            } catch (Throwable e) {
                return new Protocol.Frame(Protocol.TASK_DECODE_FAILED, f.ticket(), Protocol.failure(e, codec));
            }
            Object value;
            try {
                value = ((Callable<?>) task).call();
            } catch (Throwable e) {
                return new Protocol.Frame(Protocol.FAILED, f.ticket(), Protocol.failure(e, codec));
            }
            try {
                return new Protocol.Frame(Protocol.RESULT, f.ticket(), codec.encode(value));
            } catch (Throwable e) {
                return new Protocol.Frame(Protocol.RESULT_ENCODE_FAILED, f.ticket(), Protocol.failure(e, codec));
            }
        } catch (Throwable unexpected) {
            // Protocol.failure does not throw; this is for what nothing else expects (an Error while
            // building an answer). The task fails; the worker goes on.
            return new Protocol.Frame(Protocol.FAILED, f.ticket(),
                    Protocol.failure(new IllegalStateException("the worker could not report the task's outcome: "
                            + unexpected.getClass().getName()), codec));
        }
    }

    /** Writes and flushes one frame. */
    private void send(byte type, long ticket, byte[] payload) throws IOException {
        synchronized (out) {
            write(type, ticket, payload);
            flushOut();
        }
    }

    /** Puts a frame into the out buffer, writing it out as it fills; `out` held. */
    private void write(byte type, long ticket, byte[] payload) throws IOException {
        if (out.remaining() < 4 + Protocol.HEADER) {
            flushOut();
        }
        Protocol.putHeader(out, type, ticket, payload.length);
        for (int off = 0; off < payload.length; ) {
            if (!out.hasRemaining()) {
                flushOut();
            }
            int n = Math.min(out.remaining(), payload.length - off);
            out.put(payload, off, n);
            off += n;
        }
    }

    /**
     * Writes the out buffer to the channel; waits in the write selector while the socket is full
     * (the pool reads on its own thread, so it always drains). `out` held.
     */
    private void flushOut() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                writeSelector.select();
                writeSelector.selectedKeys().clear();
                if (!channel.isOpen()) {
                    throw new IOException("the channel closed");
                }
            }
        }
        out.clear();
    }

    /**
     * Exits on STOP, at once. HotSpot's exit (System.exit and Runtime.halt alike) waits up to
     * 300 ms for every thread that is blocked in native code, and two always are: the reader, in
     * its selector, and the lifeline, in stdin's read. So they are woken first by closing what
     * they wait on (every answer is already written; the pool reads them before the end of
     * stream), and the exit takes milliseconds instead of a third of a second (measured: a
     * 2-worker pool's shutdown takes 15-35 ms with them woken first, 330 ms without).
     */
    private static void exit() {
        stopping = true;
        System.out.flush();
        System.err.flush();
        closeChannels();
        System.exit(0);
    }

    /**
     * The pool is gone (its JVM died, or it closed the channel or the lifeline): exit, running the
     * shutdown hooks (so that what a task was writing is cleaned up as on any JVM exit), but halt
     * if they have not finished within {@link #HOOKS_GRACE_MILLIS}: a worker never outlives its
     * pool by more than that. Idempotent; a no-op once the worker is exiting anyway.
     */
    private static synchronized void poolGone() {
        if (stopping) {
            return;
        }
        stopping = true;
        closeChannels();
        Thread backstop = new Thread(() -> {
            try {
                Thread.sleep(HOOKS_GRACE_MILLIS);   // the deadline for the hooks, not a wait for an event
            } catch (InterruptedException ignored) {
                // halt all the same
            }
            Runtime.getRuntime().halt(0);
        }, "jfutures-exit-backstop");
        backstop.setDaemon(true);
        backstop.start();
        Thread exiter = new Thread(() -> System.exit(0), "jfutures-exit");
        exiter.setDaemon(true);
        exiter.start();
    }

    /**
     * Halts at once (no shutdown hooks: the worker could not start), after waking the threads
     * blocked in native code, as {@link #exit} does and for the same reason.
     */
    private static void halt(int status) {
        stopping = true;
        closeChannels();
        Runtime.getRuntime().halt(status);
    }

    private static void closeChannels() {
        closeQuietly(readSelector);
        closeQuietly(writeSelector);
        closeQuietly(socketChannel);
        closeQuietly(lifelineChannel);
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing only wakes its waiter; the process exits next
            }
        }
    }
}
