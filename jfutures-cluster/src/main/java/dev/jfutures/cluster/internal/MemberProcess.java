package dev.jfutures.cluster.internal;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A worker member JVM that a local cluster pool started, tied to the pool's JVM by a lifeline:
 * its stdin is a pipe from this JVM, the key goes down it as the first line, and the member
 * exits when the pipe ends (the pool closed it, or this JVM died in any way, SIGKILL included).
 * Its stdout goes to this JVM's stdout as it is (what tasks print), its stderr to this JVM's
 * stderr, each line prefixed with the member's name.
 */
public final class MemberProcess {

    /** Options Hazelcast asks for to reach the JDK internals it uses for speed. */
    private static final List<String> HAZELCAST_OPENS = List.of(
            "--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private final String name;
    private final Process process;
    private final OutputStream lifeline;
    private final Thread[] pumps;

    private MemberProcess(String name, Process process, Thread... pumps) {
        this.name = name;
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.pumps = pumps;
    }

    /**
     * Starts a worker member.
     *
     * @param name its name, for its output lines
     * @param mainClass the member's main class
     * @param args its arguments
     * @param jvmOptions options for its JVM
     * @param key the cluster key, sent down the lifeline
     * @return the running member
     * @throws IOException if the JVM cannot be started
     */
    public static MemberProcess start(String name, String mainClass, List<String> args, List<String> jvmOptions,
            byte[] key) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(HAZELCAST_OPENS);
        if (Runtime.version().feature() >= 23) {
            // Hazelcast reaches memory through sun.misc.Unsafe, which JDK 24+ warns about on
            // stderr at first use; a worker that the pool starts says so for every start.
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        Thread out = pump(name, p.getInputStream(), System.out, "");
        Thread err = pump(name, p.getErrorStream(), System.err, "[" + name + "] ");
        OutputStream life = p.getOutputStream();
        life.write((HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        life.flush();
        return new MemberProcess(name, p, out, err);
    }

    private static Thread pump(String name, java.io.InputStream in, java.io.PrintStream to, String prefix) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    to.println(prefix + line);
                }
            } catch (IOException ignored) {
                // the member is gone
            }
        }, "jfutures-member-output-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * This JVM's classpath as a member needs it: the class path, the module path (run there as
     * the class path), and wherever jfutures-core, jfutures-cluster and Hazelcast were loaded from.
     */
    static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String prop : new String[] {"java.class.path", "jdk.module.path"}) {
            String v = System.getProperty(prop);
            if (v != null && !v.isEmpty()) {
                for (String e : v.split(File.pathSeparator)) {
                    if (!e.isEmpty()) {
                        entries.add(Path.of(e).toAbsolutePath().toString());
                    }
                }
            }
        }
        for (Class<?> c : new Class<?>[] {dev.jfutures.TaskExecutor.class, MemberProcess.class,
                com.hazelcast.core.HazelcastInstance.class}) {
            String loc = location(c);
            if (loc != null) {
                entries.add(loc);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> c) {
        try {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            return cs == null || cs.getLocation() == null ? null : Path.of(cs.getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The member's pid.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether it still runs.
     *
     * @return true if alive
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Its name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Kills it at once (SIGKILL).
     */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * Ends it: closes the lifeline, waits up to {@code graceMillis} for it to exit, then kills it
     * and waits for that.
     *
     * @param graceMillis how long it may take to leave the cluster and exit
     * @return its exit code
     */
    public int stop(long graceMillis) {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // it is gone already
        }
        try {
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
            for (Thread t : pumps) {
                t.join(1000);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
