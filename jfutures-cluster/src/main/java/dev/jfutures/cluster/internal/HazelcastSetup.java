package dev.jfutures.cluster.internal;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.time.Duration;
import java.util.List;

/**
 * The Hazelcast configuration every jfutures node uses, caller or worker member: a named cluster,
 * TCP-IP join to the addresses given (no multicast, no auto-detection, no phone-home), bound to
 * one address, and the executors the pool's protocol runs on.
 */
public final class HazelcastSetup {

    /** The executor on workers that runs tasks; its pool size is the member's threads. */
    public static final String TASKS = "jfutures-tasks";
    /** The executor on callers that answers claims. */
    public static final String CLAIMS = "jfutures-claims";
    /** The executor on workers that takes interrupts. */
    public static final String CONTROL = "jfutures-control";
    /** Member attribute: "worker" on a member that runs jfutures tasks. */
    public static final String ROLE = "jfutures.role";
    /** Member attribute: how many tasks a worker member runs at once. */
    public static final String THREADS = "jfutures.threads";
    /** Member attribute: the pid of a worker member's JVM. */
    public static final String PID = "jfutures.pid";
    /** Member attribute: comma-separated labels of a worker member. */
    public static final String LABELS = "jfutures.labels";

    private HazelcastSetup() {
    }

    /**
     * Starts a node on a port that was free a moment ago on 127.0.0.1 or the configuration's
     * address, with no port auto-increment (so it neither scans nor is found by the ports of
     * other clusters on the machine); tries again with another port if one was taken meanwhile.
     *
     * @param configFor the configuration for a port
     * @return the running node
     * @throws IllegalStateException if no port could be had in a few tries
     */
    public static com.hazelcast.core.HazelcastInstance startOnFreePort(java.util.function.IntFunction<Config> configFor) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            Config c = configFor.apply(0);
            String bind = c.getNetworkConfig().getInterfaces().getInterfaces().iterator().next();
            int port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress(bind, 0));
                port = probe.getLocalPort();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("no free port on " + bind + ": " + e.getMessage(), e);
            }
            c = configFor.apply(port);
            c.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
            try {
                return com.hazelcast.core.Hazelcast.newHazelcastInstance(c);
            } catch (RuntimeException e) {
                last = e;   // the port was taken between the probe and the bind
            }
        }
        throw new IllegalStateException("could not start a Hazelcast node on a free port: " + last, last);
    }

    /**
     * A member as messages name it: "host:port (pid N)" (the pid where it is a worker).
     *
     * @param m the member
     * @return its description
     */
    public static String describe(com.hazelcast.cluster.Member m) {
        String pid = m.getAttribute(PID);
        return m.getAddress().getHost() + ":" + m.getAddress().getPort() + (pid != null ? " (pid " + pid + ")" : "");
    }

    /**
     * A configuration.
     *
     * @param clusterName the cluster's name
     * @param bind the address to bind and advertise (127.0.0.1 for a local cluster)
     * @param port the first port to try (it increments from there)
     * @param join addresses (host or host:port) of members to join; empty to start a cluster
     * @param lite true for a node that holds no data and runs no tasks (a caller)
     * @param threads for a worker, how many tasks it runs at once; 0 for a caller
     * @param labels for a worker, its labels (may be empty)
     * @param failureDetection how long a silent member is given before it is declared dead
     * @return the configuration
     */
    public static Config config(String clusterName, String bind, int port, List<String> join, boolean lite,
            int threads, List<String> labels, Duration failureDetection) {
        Config c = new Config();
        c.setClusterName(clusterName);
        c.setLiteMember(lite);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.socket.bind.any", "false");
        // Our own shutdown paths end the node; Hazelcast's hook would race them at JVM exit.
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        long detect = Math.max(2, failureDetection.toSeconds());
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(detect));
        c.setProperty("hazelcast.member.list.publish.interval.seconds", "5");
        // After a partition heals, the smaller side merges back within seconds, not Hazelcast's
        // default of 5 minutes for the first check: a worker cut off for a while takes work
        // again soon after.
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        c.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        NetworkConfig n = c.getNetworkConfig();
        n.setPort(port).setPortAutoIncrement(true).setPortCount(200);
        n.getInterfaces().setEnabled(true).addInterface(bind);
        n.setPublicAddress(null);
        JoinConfig j = n.getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true);
        for (String a : join) {
            j.getTcpIpConfig().addMember(a);
        }
        if (join.isEmpty()) {
            j.getTcpIpConfig().addMember(bind);
        }
        c.getExecutorConfig(TASKS).setPoolSize(Math.max(1, threads));
        c.getExecutorConfig(CLAIMS).setPoolSize(4);
        c.getExecutorConfig(CONTROL).setPoolSize(2);
        if (!lite) {
            c.getMemberAttributeConfig().setAttribute(ROLE, "worker");
            c.getMemberAttributeConfig().setAttribute(THREADS, String.valueOf(threads));
            c.getMemberAttributeConfig().setAttribute(LABELS, String.join(",", labels));
            c.getMemberAttributeConfig().setAttribute(PID, String.valueOf(ProcessHandle.current().pid()));
        }
        return c;
    }
}
