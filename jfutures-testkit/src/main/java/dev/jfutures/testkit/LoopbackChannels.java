package dev.jfutures.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link Gate}s and {@link SharedLog}s that work across processes: a small line-protocol server on
 * 127.0.0.1 in the test JVM holds the latches and lists, and the serializable handles that tasks
 * capture connect to it from wherever they run (a worker JVM, a cluster member on this machine).
 *
 * <p>One server per JVM, started on first use, on an ephemeral loopback port, daemon threads only.
 */
public final class LoopbackChannels {

    private static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> LOGS = new ConcurrentHashMap<>();
    private static volatile int port;

    private LoopbackChannels() {
    }

    /**
     * A new closed gate, reachable from other processes on this machine.
     *
     * @return the gate
     */
    public static Gate newGate() {
        String id = UUID.randomUUID().toString();
        LATCHES.put(id, new CountDownLatch(1));
        return new RemoteGate(serverPort(), id);
    }

    /**
     * A new empty log, reachable from other processes on this machine.
     *
     * @return the log
     */
    public static SharedLog newLog() {
        String id = UUID.randomUUID().toString();
        LOGS.put(id, new ArrayList<>());
        return new RemoteLog(serverPort(), id);
    }

    private static synchronized int serverPort() {
        if (port == 0) {
            try {
                ServerSocket server = new ServerSocket();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Thread t = new Thread(() -> acceptLoop(server), "testkit-loopback-channels");
                t.setDaemon(true);
                t.start();
                port = server.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the loopback channel server", e);
            }
        }
        return port;
    }

    private static void acceptLoop(ServerSocket server) {
        for (;;) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "testkit-loopback-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One request per connection: "AWAIT id millis" | "OPEN id" | "ISOPEN id" | "APPEND id b64" | "ENTRIES id". */
    private static void serve(Socket s) {
        try (s;
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true)) {
            String[] req = in.readLine().split(" ", 3);
            switch (req[0]) {
                case "AWAIT":
                    out.println(LATCHES.get(req[1]).await(Long.parseLong(req[2]), TimeUnit.MILLISECONDS) ? "1" : "0");
                    break;
                case "OPEN":
                    LATCHES.get(req[1]).countDown();
                    out.println("1");
                    break;
                case "ISOPEN":
                    out.println(LATCHES.get(req[1]).getCount() == 0 ? "1" : "0");
                    break;
                case "APPEND":
                    List<String> log = LOGS.get(req[1]);
                    synchronized (log) {
                        log.add(new String(Base64.getDecoder().decode(req[2]), StandardCharsets.UTF_8));
                    }
                    out.println("1");
                    break;
                case "ENTRIES":
                    List<String> l = LOGS.get(req[1]);
                    List<String> copy;
                    synchronized (l) {
                        copy = List.copyOf(l);
                    }
                    out.println(copy.size());
                    for (String e : copy) {
                        out.println(Base64.getEncoder().encodeToString(e.getBytes(StandardCharsets.UTF_8)));
                    }
                    break;
                default:
                    out.println("?");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // a broken request: the client sees the connection close
        }
    }

    private static List<String> call(int port, String request, int expectLines) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true)) {
            out.println(request);
            List<String> lines = new ArrayList<>();
            String first = in.readLine();
            if (first == null) {
                throw new IOException("loopback channel server closed the connection for " + request);
            }
            lines.add(first);
            int more = expectLines < 0 ? Integer.parseInt(first) : expectLines - 1;
            for (int i = 0; i < more; i++) {
                lines.add(in.readLine());
            }
            return lines;
        }
    }

    private record RemoteGate(int port, String id) implements Gate {
        @Override
        public boolean await(Duration timeout) throws InterruptedException {
            // In slices, so that an interrupt (cancel(true), shutdownNow) is seen within one slice:
            // a blocking socket read is not interruptible.
            long deadline = System.nanoTime() + timeout.toNanos();
            for (;;) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting on a gate");
                }
                long left = Math.max(0L, (deadline - System.nanoTime()) / 1_000_000L);
                long slice = Math.min(left, 100L);
                try {
                    if (call(port, "AWAIT " + id + " " + slice, 1).get(0).equals("1")) {
                        return true;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (left == 0L) {
                    return false;
                }
            }
        }

        @Override
        public void open() {
            try {
                call(port, "OPEN " + id, 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean isOpen() {
            try {
                return call(port, "ISOPEN " + id, 1).get(0).equals("1");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record RemoteLog(int port, String id) implements SharedLog {
        @Override
        public void append(String entry) {
            try {
                call(port, "APPEND " + id + " " + Base64.getEncoder().encodeToString(entry.getBytes(StandardCharsets.UTF_8)), 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<String> entries() {
            try {
                List<String> lines = call(port, "ENTRIES " + id, -1);
                List<String> out = new ArrayList<>();
                for (String b64 : lines.subList(1, lines.size())) {
                    out.add(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
