package dev.jfutures.process;

import dev.jfutures.TaskAction;
import dev.jfutures.process.internal.Frames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import dev.jfutures.process.internal.ChannelStreams;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
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
 * or the pool's JVM died, even by {@code kill -9}) the worker halts at once. The worker connects to
 * the pool's Unix-domain socket, proves the token in its HELLO, runs the initializer, then reads
 * frames: TASKs queue up (the pool pipelines several), one task thread runs them in order, and the
 * reader stays free to act on CANCEL (drop a queued task) and INTERRUPT (interrupt the running
 * one). Results are written in task order, so the pool knows which task runs: the oldest one it
 * has no answer for. User code's stdout and stderr are the process's own, which the pool forwards;
 * the protocol never touches them.
 */
public final class Worker {

    private static final long STOP_ID = -1L;

    /**
     * Set on STOP, before the channels close: the reader and the lifeline then see their channel
     * close under them, and must leave quietly (the exit is under way) instead of halting.
     */
    private static volatile boolean stopping;
    /** The lifeline's stdin and the pool's socket; closed on STOP (see {@link #exit}). */
    private static FileChannel lifelineChannel;
    private static SocketChannel socketChannel;

    private final Codec codec;
    private final DataOutputStream out;
    /** Tasks received and not started; guarded by {@code roles}. */
    private final java.util.ArrayDeque<Frames.Frame> queue = new java.util.ArrayDeque<>();
    private final Object runLock = new Object();
    private long runningId;

    private Worker(Codec codec, DataOutputStream out) {
        this.codec = codec;
        this.out = out;
    }

    /**
     * Runs the worker.
     *
     * @param args socket path, worker id, codec class name, filter arguments
     * @throws Exception if the worker cannot start; it then exits non-zero and the pool reports it
     */
    public static void main(String[] args) throws Exception {
        FileInputStream stdin = new FileInputStream(FileDescriptor.in);
        byte[] token = HexFormat.of().parseHex(readLine(stdin));
        // Read through a FileChannel, not the stream: closing the channel wakes a thread blocked
        // in its read, which a stream's close does not (see exit).
        FileChannel lifelineIn = stdin.getChannel();
        lifelineChannel = lifelineIn;
        Thread lifeline = new Thread(() -> {
            ByteBuffer ignored = ByteBuffer.allocate(64);
            try {
                while (lifelineIn.read(ignored) >= 0) {
                    ignored.clear();   // the pool never writes; anything read is ignored
                }
            } catch (IOException e) {
                // a broken stdin is the pool gone too; a closed one is the exit under way
            }
            if (!stopping) {
                halt(0);
            }
        }, "jfutures-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
        System.setIn(new ByteArrayInputStream(new byte[0]));

        Path socket = Path.of(args[0]);
        long workerId = Long.parseLong(args[1]);
        Codec codec = newCodec(args[2], Arrays.asList(args).subList(3, args.length));

        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        socketChannel = channel;
        DataInputStream in = new DataInputStream(new BufferedInputStream(ChannelStreams.in(channel), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ChannelStreams.out(channel), 1 << 16));

        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(hello);
        h.writeInt(Frames.MAGIC);
        h.writeShort(Frames.VERSION);
        h.write(token);
        Frames.write(out, Frames.HELLO, workerId, hello.toByteArray());
        out.flush();

        Frames.Frame welcome = Frames.read(in);
        if (welcome == null || welcome.type() != Frames.WELCOME) {
            halt(3);
        }
        new Worker(codec, out).run(in, welcome.payload());
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

    private void run(DataInputStream in, byte[] initializer) throws IOException {
        if (initializer.length > 0) {
            try {
                ((TaskAction) codec.decode(initializer)).run();
            } catch (Throwable e) {
                send(Frames.INIT_FAILED, 0L, failure(e));
                System.err.flush();
                halt(4);
            }
        }
        send(Frames.INIT_OK, 0L, new byte[0]);
        this.in = in;
        Thread other = new Thread(this::roleLoop, "jfutures-worker-2");
        Thread.currentThread().setName("jfutures-worker-1");
        synchronized (roles) {
            pair = new Thread[] {Thread.currentThread(), other};
            reader = Thread.currentThread();
        }
        other.start();
        roleLoop();
    }

    /*
     * Leader/follower: two threads, one of which reads the channel at any time. When the reader
     * reads a task and no task runs, it runs the task itself and hands reading to the other thread
     * (whose wake-up then overlaps the task instead of delaying it). Tasks still run one at a
     * time, in order: tasks that arrive while one runs wait in the queue, and the running thread
     * takes them next. All role changes happen under `roles`.
     */
    private final Object roles = new Object();
    private DataInputStream in;
    private Thread[] pair;
    private Thread reader;
    private Thread executor;

    private void roleLoop() {
        Thread me = Thread.currentThread();
        List<Frames.Frame> arrived = new ArrayList<>();
        try {
            for (;;) {
                synchronized (roles) {
                    while (reader != me) {
                        try {
                            roles.wait();
                        } catch (InterruptedException stray) {
                            // only INTERRUPT frames interrupt, and only the executor
                        }
                    }
                }
                readBatch(arrived);
                boolean run = false;
                synchronized (roles) {
                    for (Frames.Frame f : arrived) {
                        apply(f);
                    }
                    arrived.clear();
                    if (executor == null && !queue.isEmpty()) {
                        executor = me;
                        reader = pair[0] == me ? pair[1] : pair[0];
                        run = true;
                        roles.notifyAll();
                    }
                }
                if (run) {
                    runQueued(me);
                }
            }
        } catch (IOException e) {
            // The channel broke: the pool is gone. Or STOP closed it: the exit is under way.
            if (!stopping) {
                halt(0);
            }
        }
    }

    /** Reads every frame that arrived together (at least one); halts at end of stream. */
    private void readBatch(List<Frames.Frame> arrived) throws IOException {
        Frames.Frame first = Frames.read(in);
        if (first == null) {
            // The pool closed the channel: it is gone or done with us.
            halt(0);
        }
        arrived.add(first);
        while (in.available() > 0) {
            Frames.Frame next = Frames.read(in);
            if (next == null) {
                break;
            }
            arrived.add(next);
        }
        // A TASK and the CANCEL right behind it: drop the task before anyone can start it.
        // Every CANCEL gets exactly one answer. This one is answered here (DROPPED), so it must
        // not reach apply too: there dropQueued would no longer find the task and answer KEPT as
        // well. The pool keeps the call's id when it re-sends a stolen call, so that stale KEPT
        // could land on a later steal of the same call, clear its "stolen" mark, and the DROPPED
        // answering that steal would then take the call out of the pipeline without re-queueing
        // it: a call neither queued, nor on a worker, nor done (ProcessPool.map stalled on it).
        for (Frames.Frame f : List.copyOf(arrived)) {
            if (f.type() == Frames.CANCEL
                    && arrived.removeIf(t -> t.type() == Frames.TASK && t.id() == f.id())) {
                arrived.remove(f);
                send(Frames.DROPPED, f.id(), new byte[0]);
            }
        }
    }

    /** Acts on one frame; `roles` held. */
    private void apply(Frames.Frame f) throws IOException {
        switch (f.type()) {
            case Frames.TASK:
                queue.add(f);
                break;
            case Frames.CANCEL:
                dropQueued(f.id());
                break;
            case Frames.INTERRUPT:
                synchronized (runLock) {
                    if (runningId == f.id() && executor != null) {
                        executor.interrupt();
                    }
                }
                break;
            case Frames.STOP:
                queue.add(new Frames.Frame(Frames.STOP, STOP_ID, new byte[0]));
                break;
            default:
                System.err.println("jfutures worker: unknown frame type " + f.type() + "; ignored");
        }
    }

    /**
     * Exits on STOP, at once. HotSpot's exit (System.exit and Runtime.halt alike) waits up to
     * 300 ms for every thread that is blocked in native code, and two always are: the reader, in
     * the socket's read, and the lifeline, in stdin's. So they are woken first by closing their
     * channels (every answer is already written; the pool reads them before the end of stream),
     * and the exit takes milliseconds instead of a third of a second (measured: a 2-worker
     * pool's shutdown went from 330 ms to 15-35 ms; every CLI run on the process executor paid it).
     */
    private static void exit() {
        stopping = true;
        System.out.flush();
        System.err.flush();
        closeQuietly(socketChannel);
        closeQuietly(lifelineChannel);
        System.exit(0);
    }

    /**
     * Halts at once (no shutdown hooks: the pool is gone, or the worker could not start), after
     * waking the threads blocked in native reads, as {@link #exit} does and for the same reason.
     */
    private static void halt(int status) {
        stopping = true;
        closeQuietly(socketChannel);
        closeQuietly(lifelineChannel);
        Runtime.getRuntime().halt(status);
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing only wakes its reader; the process exits next
            }
        }
    }

    /** Drops a queued task (DROPPED), or says it is too late (KEPT): the pool waits for either. */
    private void dropQueued(long id) throws IOException {
        for (Frames.Frame f : queue) {
            if (f.id() == id && queue.remove(f)) {
                send(Frames.DROPPED, id, new byte[0]);
                return;
            }
        }
        send(Frames.KEPT, id, new byte[0]);
    }

    /** Runs queued tasks until the queue is empty, then becomes the reader again if no one reads. */
    private void runQueued(Thread me) throws IOException {
        for (;;) {
            Frames.Frame f;
            synchronized (roles) {
                f = queue.poll();
                if (f == null) {
                    executor = null;
                    return;
                }
            }
            if (f.type() == Frames.STOP) {
                exit();
            }
            synchronized (runLock) {
                runningId = f.id();
            }
            Frames.Frame answer = runOne(f);
            synchronized (runLock) {
                runningId = 0L;
            }
            // No INTERRUPT can reach this thread now; clear any that did before it touches the
            // channel: an interrupted write to an InterruptibleChannel closes it.
            Thread.interrupted();
            send(answer.type(), answer.id(), answer.payload());
        }
    }

    /** Decodes and runs one task; returns the answer to send. */
    private Frames.Frame runOne(Frames.Frame f) {
        Object task;
        try {
            task = codec.decode(f.payload());
            if (!(task instanceof Callable)) {
                throw new IOException("the frame holds a " + (task == null ? "null" : task.getClass().getName())
                        + ", not a task");
            }
        } catch (Throwable e) {
            return new Frames.Frame(Frames.TASK_DECODE_FAILED, f.id(), failure(e));
        }
        Object value;
        try {
            value = ((Callable<?>) task).call();
        } catch (Throwable e) {
            return new Frames.Frame(Frames.FAILED, f.id(), failure(e));
        }
        try {
            return new Frames.Frame(Frames.RESULT, f.id(), codec.encode(value));
        } catch (Throwable e) {
            return new Frames.Frame(Frames.RESULT_ENCODE_FAILED, f.id(), failure(e));
        }
    }

    private void send(byte type, long id, byte[] payload) throws IOException {
        synchronized (out) {
            Frames.write(out, type, id, payload);
            out.flush();
        }
    }

    /**
     * A failure as the pool reads it: class name, message, stack text, then the exception encoded
     * (empty if it would not encode), so that the pool can always report something.
     */
    private byte[] failure(Throwable e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        try {
            StringWriter stack = new StringWriter();
            e.printStackTrace(new PrintWriter(stack));
            Frames.writeString(d, e.getClass().getName());
            Frames.writeString(d, e.getMessage());
            Frames.writeString(d, stack.toString());
            byte[] encoded;
            try {
                encoded = codec.encode(e);
            } catch (Throwable notEncodable) {
                encoded = new byte[0];
                Frames.writeString(d, "the exception would not serialize: " + notEncodable);
            }
            if (encoded.length > 0) {
                Frames.writeString(d, null);
            }
            d.writeInt(encoded.length);
            d.write(encoded);
        } catch (IOException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
        return bytes.toByteArray();
    }
}
