package dev.jfutures.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.jfutures.cluster.internal.HazelcastSetup;
import dev.jfutures.remote.JavaSerializationCodec;
import dev.jfutures.remote.SerializationFilter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The entry point of a worker member: a Hazelcast member that runs the tasks of {@link
 * ClusterPool}s. {@code ClusterPool.local(n)} starts these itself; for a cluster of several
 * machines, start one per machine (the {@code jfutures member} command does), with the classes of
 * the tasks on its classpath:
 *
 * <pre>
 *   java -cp app.jar:jfutures-core.jar:jfutures-cluster.jar:hazelcast.jar dev.jfutures.cluster.Member \
 *       --cluster NAME --bind 10.0.0.5 --join 10.0.0.4:5701 --threads 8
 * </pre>
 *
 * <p>Options: {@code --cluster NAME} (required), {@code --bind ADDRESS} (default 127.0.0.1),
 * {@code --port N} (the first port tried, default 5701; 0: a free port), {@code --join HOST:PORT[,...]},
 * {@code --threads N} (tasks at once, default the CPUs), {@code --label L} (repeatable),
 * {@code --failure-detection SECONDS} (default 10), {@code --lifeline} (read the key from stdin's
 * first line, and exit when stdin ends), and the serialization filter's {@code --filter-...}
 * arguments ({@link SerializationFilter#toArguments()}). Without {@code --lifeline} the key is
 * read from the environment variable {@code JFUTURES_CLUSTER_KEY} (hex).
 *
 * @since 0.1
 */
public final class Member {

    private Member() {
    }

    /**
     * Starts a worker member and runs until it is shut down (or, with {@code --lifeline}, until
     * stdin ends); prints a line ending in "ready" on stdout once it is up.
     *
     * @param args the options above
     * @throws Exception if the member cannot start
     * @since 0.1
     */
    public static void main(String[] args) throws Exception {
        String cluster = null;
        String bind = "127.0.0.1";
        int port = 5701;
        List<String> join = new ArrayList<>();
        int threads = Runtime.getRuntime().availableProcessors();
        List<String> labels = new ArrayList<>();
        long detect = 10;
        boolean lifeline = false;
        List<String> filterArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--cluster": cluster = value(args, ++i, a); break;
                case "--bind": bind = value(args, ++i, a); break;
                case "--port": port = Integer.parseInt(value(args, ++i, a)); break;
                case "--join": join.addAll(Arrays.asList(value(args, ++i, a).split(","))); break;
                case "--threads": threads = Integer.parseInt(value(args, ++i, a)); break;
                case "--label": labels.add(value(args, ++i, a)); break;
                case "--failure-detection": detect = Long.parseLong(value(args, ++i, a)); break;
                case "--lifeline": lifeline = true; break;
                default:
                    if (a.startsWith("--filter-")) {
                        filterArgs.add(a);
                    } else {
                        throw new IllegalArgumentException("unknown option " + a + "; see dev.jfutures.cluster.Member's javadoc");
                    }
            }
        }
        if (cluster == null) {
            throw new IllegalArgumentException("--cluster NAME is required");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
        }
        byte[] key;
        BufferedReader stdin = null;
        if (lifeline) {
            stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line = stdin.readLine();
            if (line == null) {
                return;   // the pool is gone already
            }
            key = HexFormat.of().parseHex(line.trim());
        } else {
            String hex = System.getenv("JFUTURES_CLUSTER_KEY");
            if (hex == null || hex.isBlank()) {
                throw new IllegalArgumentException("no cluster key: set JFUTURES_CLUSTER_KEY to the key the pools use (hex)");
            }
            key = HexFormat.of().parseHex(hex.trim());
        }
        quietHazelcastLogging();
        MemberAgent.install(new MemberAgent(key, new JavaSerializationCodec(SerializationFilter.fromArguments(filterArgs)),
                Duration.ofSeconds(Math.max(30, detect * 3)).toMillis()));
        String host = bind;
        String name = cluster;
        List<String> joinList = join;
        int threadCount = threads;
        List<String> labelList = labels;
        Duration detection = Duration.ofSeconds(detect);
        HazelcastInstance hz = port == 0
                ? HazelcastSetup.startOnFreePort(p -> HazelcastSetup.config(name, host, p, joinList, false, threadCount,
                        labelList, detection))
                : Hazelcast.newHazelcastInstance(HazelcastSetup.config(cluster, bind, port, join, false, threads, labels,
                        detection));
        if (lifeline) {
            // The pool closed the pipe, or its JVM died: leave at once. Tasks of that pool are
            // moot, and a graceful leave would hold up the pool's shutdown.
            try {
                while (stdin.read() >= 0) {
                    // the pool writes nothing after the key
                }
            } catch (IOException ignored) {
                // the pipe broke: the same
            }
            Runtime.getRuntime().halt(0);
        }
        // A member started by hand runs until it is shut down: main does not return before, so a
        // launcher that exits after main (the jfutures command does) keeps it. SIGTERM leaves the
        // cluster gracefully.
        java.util.concurrent.CountDownLatch down = new java.util.concurrent.CountDownLatch(1);
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTDOWN) {
                down.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> hz.getLifecycleService().shutdown()));
        com.hazelcast.cluster.Member self = hz.getCluster().getLocalMember();
        System.out.println("jfutures member " + self.getUuid() + " of cluster " + cluster + " at "
                + self.getAddress().getHost() + ":" + self.getAddress().getPort() + ", " + threads
                + " threads: ready");
        System.out.flush();
        if (hz.getLifecycleService().isRunning()) {
            down.await();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** Hazelcast logs every membership change at INFO; a worker shows warnings and worse. */
    static void quietHazelcastLogging() {
        java.util.logging.Logger hz = java.util.logging.Logger.getLogger("com.hazelcast");
        if (hz.getLevel() == null) {
            hz.setLevel(java.util.logging.Level.WARNING);
        }
        KEEP.add(hz);
        // Its advice (the --add-opens that let Hazelcast use JDK internals for speed) matters to
        // worker members, which the pool starts with those options; docs/cluster.md gives it.
        java.util.logging.Logger factory = java.util.logging.Logger.getLogger(
                "com.hazelcast.instance.impl.HazelcastInstanceFactory");
        if (factory.getLevel() == null) {
            factory.setLevel(java.util.logging.Level.SEVERE);
        }
        KEEP.add(factory);
    }

    /** Strong references: a logger's level lives only as long as the logger. */
    private static final List<java.util.logging.Logger> KEEP = new java.util.concurrent.CopyOnWriteArrayList<>();
}
