package dev.jfutures.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Connection}'s reads, without a worker: two connections over a Unix-domain socket pair in
 * this JVM, the pool's end under test and a peer that plays the worker. The I/O thread's ASIDE and
 * WATCHING (the table in Connection's notes) are driven by callers that read, leave and are
 * refused; the tests that check a wake-up make the tick an hour and the quiet spell endless, so
 * only the wake-up can bring the I/O thread back, and a missing one hangs the test (caught by the
 * hang guard) instead of costing a millisecond.
 */
class ConnectionTest {

    /** Only against a hang; nothing here waits for time to pass. */
    private static final long HANG_SECONDS = 60;
    private static final long HOUR_MILLIS = 3_600_000L;

    @TempDir
    Path dir;

    private final List<Connection> open = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /** The pool's end: frames it reads, by ticket. */
    private final BlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> ioFailure = new AtomicReference<>();
    /** The peer's end: tickets of the frames it read. */
    private final BlockingQueue<Long> peerArrived = new LinkedBlockingQueue<>();
    private Connection pool;
    private Connection peer;
    private Thread poolIo;

    @AfterEach
    void closeAll() throws InterruptedException {
        for (Connection c : open) {
            c.closeQuietly();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            assertThat(t.isAlive()).as("thread %s ended", t.getName()).isFalse();
        }
        assertThat(ioFailure.get()).isNull();
    }

    /** A connected pair; the pool's I/O thread runs, the peer's too (it notes what it reads). */
    private void connect(long tickMillis, long quietNanos) throws IOException {
        Path socket = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            SocketChannel b = server.accept();
            pool = new Connection(a, tickMillis, quietNanos, Long.MAX_VALUE);
            peer = new Connection(b);
            open.add(pool);
            open.add(peer);
        }
        poolIo = start("pool-io", () -> pool.run(frames -> {
            for (Protocol.Frame f : frames) {
                seen.add(f.ticket());
                arrived.add(f.ticket());
            }
        }));
        start("peer-io", () -> peer.run(frames -> {
            for (Protocol.Frame f : frames) {
                peerArrived.add(f.ticket());
            }
        }));
    }

    private interface Body {
        void run() throws Exception;
    }

    private Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                ioFailure.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /** The peer (the worker) answers: one frame with this ticket. */
    private void answer(long ticket) {
        peer.send(Protocol.RESULT, ticket, new byte[] {1, 2, 3});
        peer.flush();
    }

    private void awaitArrived(long ticket) throws InterruptedException {
        for (;;) {
            Long t = arrived.poll(HANG_SECONDS, TimeUnit.SECONDS);
            assertThat(t).as("frame %d read within the hang guard", ticket).isNotNull();
            if (t == ticket) {
                return;
            }
        }
    }

    /** Waits for a condition that an event makes true (a frame read, a wake-up). */
    private static void awaitTrue(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("%s within the hang guard", what).isNegative();
            Thread.onSpinWait();
        }
    }

    /**
     * A caller that waits for {@code ticket} in awaitAnswer, on a thread of its own; the latch
     * opens once it has left. {@code othersOut} is what the pool would say of the worker's other
     * calls.
     */
    private CountDownLatch caller(long ticket, boolean othersOut, long deadlineNanos) {
        return caller(ticket, othersOut, deadlineNanos, null, null);
    }

    /**
     * The same; if {@code holding} is given, the caller's first look at its future, made with the
     * read role held, opens {@code holding} and waits for {@code release}.
     */
    private CountDownLatch caller(long ticket, boolean othersOut, long deadlineNanos,
            CountDownLatch holding, CountDownLatch release) {
        CountDownLatch left = new CountDownLatch(1);
        start("caller-" + ticket, () -> {
            boolean[] first = {true};
            try {
                // A caller that must hold the role tries again while refused: the I/O thread
                // takes the role for each read of its own (its first look at the channel, or
                // frames that just arrived), and a caller that comes then parks instead.
                do {
                    pool.awaitAnswer(() -> {
                        if (holding != null && first[0]) {
                            first[0] = false;
                            holding.countDown();
                            try {
                                assertThat(release.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        }
                        return seen.contains(ticket);
                    }, () -> othersOut, deadlineNanos);
                    if (holding != null && first[0]) {
                        Thread.yield();
                    }
                } while (holding != null && first[0]);
            } finally {
                left.countDown();
            }
        });
        return left;
    }

    /**
     * Puts the I/O thread ASIDE: a caller waits for {@code ticket} and is held with the read role
     * taken; a frame of another ticket wakes the I/O thread, which finds the role held and steps
     * aside; then the caller goes on (and reads that frame). Returns the caller's latch.
     */
    private CountDownLatch asideUnder(long ticket, boolean othersOut) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch left = caller(ticket, othersOut, Long.MAX_VALUE, holding, release);
        assertThat(holding.await(HANG_SECONDS, TimeUnit.SECONDS)).as("caller holds the role").isTrue();
        answer(1_000_000 + ticket);
        awaitTrue("the I/O thread stepped aside", pool::isAside);
        release.countDown();
        awaitArrived(1_000_000 + ticket);
        return left;
    }

    @Test
    void withNoCallerTheIoThreadWatchesAndReadsEveryFrame() throws Exception {
        connect(HOUR_MILLIS, Long.MAX_VALUE);
        for (long t = 1; t <= 100; t++) {
            answer(t);
        }
        for (long t = 1; t <= 100; t++) {
            awaitArrived(t);
        }
        assertThat(pool.isAside()).isFalse();
    }

    @Test
    void aCallerReadsItsOwnAnswerWhileTheIoThreadIsAside() throws Exception {
        connect(HOUR_MILLIS, Long.MAX_VALUE);
        CountDownLatch left = asideUnder(7, false);
        answer(7);
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).as("caller got its answer").isTrue();
        assertThat(seen).contains(7L);
        // It left with its answer and nothing else out: the I/O thread stays aside (no wake-up).
        assertThat(pool.isAside()).isTrue();
    }

    @Test
    void anAnswerNobodyWaitsForIsReadAtATick() throws Exception {
        connect(1, Long.MAX_VALUE);
        CountDownLatch left = asideUnder(7, false);
        answer(7);
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        answer(8);   // no caller waits: only a tick reads it
        awaitArrived(8);
        awaitTrue("WATCHING after a tick read what nobody collected", () -> !pool.isAside());
    }

    @Test
    void aQuietSpellEndsTheTicks() throws Exception {
        connect(1, TimeUnit.MILLISECONDS.toNanos(5));
        CountDownLatch left = asideUnder(7, false);
        answer(7);
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        awaitTrue("WATCHING once nothing was read for the quiet spell", () -> !pool.isAside());
    }

    @Test
    void aCallerThatLeavesWithoutItsAnswerAsksTheIoThreadToWatch() throws Exception {
        connect(HOUR_MILLIS, Long.MAX_VALUE);
        asideUnder(7, false);
        // A second call whose caller gives up at once (its deadline is now): the first caller
        // still holds the role, so this one is refused, and asks.
        CountDownLatch refused = caller(9, false, System.nanoTime());
        assertThat(refused.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        awaitTrue("WATCHING after a refused caller asked", () -> !pool.isAside());
        answer(9);
        awaitArrived(9);
        answer(7);
        awaitArrived(7);
    }

    @Test
    void aCallerThatLeavesWithOthersOutAsksTheIoThreadToWatch() throws Exception {
        connect(HOUR_MILLIS, Long.MAX_VALUE);
        CountDownLatch left = asideUnder(7, true);
        answer(7);
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        // Call 8 is out on the worker and nobody waits for it: with an hour's tick, only the
        // leaving caller's wake-up gets it read.
        answer(8);
        awaitArrived(8);
        assertThat(pool.isAside()).isFalse();
    }

    @Test
    void aCallerThatTimesOutAsksTheIoThreadToWatch() throws Exception {
        connect(HOUR_MILLIS, Long.MAX_VALUE);
        asideUnder(7, false);
        // A second caller reads once the first has its answer and left; it gives up at its
        // deadline without its answer, and asks.
        answer(7);
        awaitArrived(7);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch left = caller(9, false, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), holding, release);
        assertThat(holding.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isAside()).isTrue();
        release.countDown();
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).doesNotContain(9L);
        answer(9);
        awaitArrived(9);
    }

    @Test
    void aWriteThatWaitsForRoomIsFinishedWhileAside() throws Exception {
        connect(HOUR_MILLIS, Long.MAX_VALUE);
        CountDownLatch left = asideUnder(7, false);
        // 8 MiB to the peer: far more than the socket holds, so the rest waits for OP_WRITE, which
        // only a WATCHING I/O thread has once the caller is gone.
        pool.send(Protocol.TASK, 42, new byte[8 << 20]);
        pool.flush();
        answer(7);
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(peerArrived.poll(HANG_SECONDS, TimeUnit.SECONDS)).as("the whole frame reached the peer").isEqualTo(42L);
    }

    @Test
    void theEndOfTheStreamEndsTheIoThreadWhileAside() throws Exception {
        connect(1, Long.MAX_VALUE);
        CountDownLatch left = asideUnder(7, false);
        answer(7);
        assertThat(left.await(HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
        peer.closeQuietly();
        poolIo.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
        assertThat(poolIo.isAlive()).as("the I/O thread saw the end").isFalse();
    }
}
