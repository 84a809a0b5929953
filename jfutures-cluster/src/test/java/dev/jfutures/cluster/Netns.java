package dev.jfutures.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for the fault tests, made and removed by the test itself: a hub namespace
 * with a bridge at 10.213.7.1/24, and for each other namespace a veth pair from the hub's bridge
 * to an address 10.213.7.N/24 inside it. Every address lives inside a namespace made here; the
 * names carry this JVM's pid, so a later run removes what a killed run left ({@link #removeStale}).
 */
final class Netns implements AutoCloseable {

    static final String PREFIX = "jft-";
    static final String SUBNET = "10.213.7.";

    private final String base = PREFIX + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime() & 0xffff);
    private final List<String> names = new ArrayList<>();

    /** Why namespaces cannot be made here, or null if they can. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (this JVM runs as " + System.getProperty("user.name") + ")";
        }
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "'ip netns list' failed: iproute2's ip cannot manage namespaces here";
            }
        } catch (IOException | InterruptedException e) {
            return "no 'ip' command (iproute2): " + e.getMessage();
        }
        return null;
    }

    /** Removes namespaces of earlier test JVMs that are gone. */
    static void removeStale() throws IOException, InterruptedException {
        for (String line : run("ip", "netns", "list").split("\n")) {
            String name = line.split(" ")[0].trim();
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).split("-");
            long pid;
            try {
                pid = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(pid).isEmpty()) {
                run("ip", "netns", "del", name);
            }
        }
    }

    /** The hub namespace, with its bridge at .1. */
    String hub() throws IOException, InterruptedException {
        String hub = base + "-h";
        run("ip", "netns", "add", hub);
        names.add(hub);
        run("ip", "-n", hub, "link", "set", "lo", "up");
        run("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", hub, "addr", "add", SUBNET + "1/24", "dev", "br0");
        run("ip", "-n", hub, "link", "set", "br0", "up");
        return hub;
    }

    /** A namespace joined to the hub's bridge, at address .n; returns its name. */
    String spoke(String hub, int n) throws IOException, InterruptedException {
        String ns = base + "-" + n;
        run("ip", "netns", "add", ns);
        names.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        // Both ends are made inside the namespaces: no name in the host's namespace, ever.
        run("ip", "-n", hub, "link", "add", "h" + n, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", hub, "link", "set", "h" + n, "master", "br0");
        run("ip", "-n", hub, "link", "set", "h" + n, "up");
        run("ip", "-n", ns, "addr", "add", SUBNET + n + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        return ns;
    }

    /** Cuts (false) or heals (true) the link of spoke .n at the hub. */
    void link(String hub, int n, boolean up) throws IOException, InterruptedException {
        run("ip", "-n", hub, "link", "set", "h" + n, up ? "up" : "down");
    }

    /** The command that runs {@code command} inside namespace {@code ns}. */
    static List<String> in(String ns, List<String> command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(command);
        return c;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }

    /** The namespaces this object made. */
    List<String> names() {
        return List.copyOf(names);
    }

    /** Removes every namespace made (their veth ends go with them). */
    @Override
    public void close() throws IOException, InterruptedException {
        IOException first = null;
        for (String ns : names) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        names.clear();
        if (first != null) {
            throw first;
        }
    }
}
