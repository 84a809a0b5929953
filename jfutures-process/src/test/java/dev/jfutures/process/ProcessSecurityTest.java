package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.process.internal.Protocol;
import dev.jfutures.testkit.Tasks;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The pool's channel admits its own workers only: the socket lives in a private (0700) directory,
 * and a connection that does not open with a HELLO carrying the pool's token is closed, while the
 * pool keeps working. The socket is found the way an attacker of the same user would: in a
 * worker's command line.
 */
class ProcessSecurityTest extends ProcessTestBase {

    /** The socket path and worker id from a live worker's command line. */
    private record Target(Path socket, long workerId, long workerPid) {
    }

    private Target target(ProcessPool p) {
        List<Long> pids = p.workerPids();
        assertThat(pids).isNotEmpty();
        ProcessHandle worker = ProcessHandle.of(pids.get(0)).orElseThrow();
        List<String> args = Arrays.asList(worker.info().arguments().orElseThrow());
        int i = args.indexOf(Worker.class.getName());
        assertThat(i).as("the worker's main class in %s", args).isNotNegative();
        return new Target(Path.of(args.get(i + 1)), Long.parseLong(args.get(i + 2)), worker.pid());
    }

    private ProcessPool runningPool() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
        return p;
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static byte[] hello(long workerId, byte[] token) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        DataOutputStream p = new DataOutputStream(payload);
        p.writeInt(Protocol.MAGIC);
        p.writeShort(Protocol.VERSION);
        p.write(token);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        Protocol.write(new DataOutputStream(frame), Protocol.HELLO, workerId, payload.toByteArray());
        return frame.toByteArray();
    }

    private static void send(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Whether the pool closes the connection within {@code timeout}, sending nothing; a connection
     * still open then is closed here.
     */
    private static String outcomeWithin(SocketChannel ch, Duration timeout) throws Exception {
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            ByteBuffer b = ByteBuffer.allocate(64);
            try {
                int n = ch.read(b);
                return n < 0 ? "closed" : "answered " + n + " bytes";
            } catch (IOException e) {
                return "closed";
            }
        });
        try {
            return read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "still open after " + timeout;
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        } finally {
            ch.close();
        }
    }

    private void assertPoolStillWorks(ProcessPool p, Target t) {
        assertThat(p.isBroken()).isFalse();
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).as("the same worker still serves").isEqualTo(t.workerPid());
    }

    /** The socket is in a directory that only this user can enter (mode 0700). */
    @Test
    void socketLivesInAPrivateDirectory() throws IOException {
        ProcessPool p = runningPool();
        Target t = target(p);
        assertThat(Files.exists(t.socket())).isTrue();
        Path dir = t.socket().getParent();
        assertThat(dir.getFileName().toString()).startsWith("jfutures-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    /**
     * A connection that presents a HELLO with a wrong token, even for the id of a live worker, is
     * closed without an answer, and the pool keeps working with the real worker.
     */
    @Test
    void connectionWithWrongTokenIsRefused() throws Exception {
        ProcessPool p = runningPool();
        Target t = target(p);
        byte[] token = new byte[Protocol.TOKEN_BYTES];
        new SecureRandom().nextBytes(token);
        SocketChannel ch = connect(t.socket());
        send(ch, hello(t.workerId(), token));
        assertThat(outcomeWithin(ch, Duration.ofSeconds(10))).isEqualTo("closed");
        assertPoolStillWorks(p, t);
    }

    /** A connection whose first frame is not a HELLO (here a TASK) is closed, and the pool keeps working. */
    @Test
    void connectionWithoutHelloIsRefused() throws Exception {
        ProcessPool p = runningPool();
        Target t = target(p);
        SocketChannel ch = connect(t.socket());
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        Protocol.write(new DataOutputStream(frame), Protocol.TASK, 1L, "not a task".getBytes(StandardCharsets.UTF_8));
        send(ch, frame.toByteArray());
        assertThat(outcomeWithin(ch, Duration.ofSeconds(10))).isEqualTo("closed");
        assertPoolStillWorks(p, t);
    }

    /**
     * A connection that announces a first frame far bigger than a HELLO (1 GiB) is closed at once,
     * before the pool reads (or makes room for) the rest, and the pool keeps working.
     */
    @Test
    void connectionAnnouncingAHugeFirstFrameIsRefusedAtOnce() throws Exception {
        ProcessPool p = runningPool();
        Target t = target(p);
        SocketChannel ch = connect(t.socket());
        ByteBuffer header = ByteBuffer.allocate(5).putInt(Protocol.MAX_FRAME).put(Protocol.HELLO);
        send(ch, header.array());
        assertThat(outcomeWithin(ch, Duration.ofSeconds(5))).isEqualTo("closed");
        assertPoolStillWorks(p, t);
    }

    /** A connection that sends nothing is closed once the pool's start timeout has passed. */
    @Test
    void silentConnectionIsClosedAfterTheStartTimeout() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1).startTimeout(Duration.ofSeconds(1)));
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
        Target t = target(p);
        SocketChannel ch = connect(t.socket());
        assertThat(outcomeWithin(ch, Duration.ofSeconds(6))).isEqualTo("closed");
        assertPoolStillWorks(p, t);
    }

    /**
     * The token reaches a worker on its stdin only: no 64-hex-digit string (a 32-byte token in
     * hex) appears in a worker's command line or environment.
     */
    @Test
    void tokenIsNeitherInArgvNorInTheEnvironment() throws IOException {
        ProcessPool p = runningPool();
        Target t = target(p);
        Pattern hexToken = Pattern.compile("(?i)[0-9a-f]{" + 2 * Protocol.TOKEN_BYTES + "}");
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(t.workerPid()), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(t.workerPid()), "environ")),
                StandardCharsets.UTF_8).replace('\0', '\n');
        assertThat(cmdline).contains(Worker.class.getName());
        assertThat(hexToken.matcher(cmdline).find()).as("a token-like string in argv: %s", cmdline).isFalse();
        assertThat(hexToken.matcher(environ).find()).as("a token-like string in the environment").isFalse();
    }
}
