package dev.jfutures.cluster.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Ends a pool that owns a Hazelcast node once the program is done with it. A JVM begins to exit
 * only when its last non-daemon thread ends, and Hazelcast's threads are not daemons: without
 * this, a program whose {@code main} returns with a cluster pool still open would never exit, and
 * the pool's shutdown hook (which waits for its tasks, as CPython joins its executors at exit)
 * would never run. So a daemon thread waits for the JVM's main thread, then for every other
 * non-daemon thread that is not the node's own, and then shuts the pool down (without cancelling
 * its tasks); once they are done the node's threads end, and the JVM exits as usual.
 *
 * <p>It waits by joining threads, one after another, never by polling.
 */
public final class ExitWatch {

    private ExitWatch() {
    }

    /**
     * Starts watching.
     *
     * @param name the watch thread's name
     * @param ours the threads that belong to the pool and its node (not waited for)
     * @param atExit what to do once no other non-daemon thread is left: shut the pool down
     * @return the watch thread, to interrupt when the pool ends first; null if there is no main
     *     thread to watch
     */
    public static Thread start(String name, Predicate<Thread> ours, Runnable atExit) {
        Thread main = mainThread();
        if (main == null) {
            return null;   // no main thread to wait for (an embedded JVM): the JVM's own exit decides
        }
        Thread t = new Thread(() -> {
            try {
                main.join();
                for (;;) {
                    List<Thread> others = others(ours);
                    if (others.isEmpty()) {
                        break;
                    }
                    others.get(0).join();
                }
            } catch (InterruptedException e) {
                return;
            }
            atExit.run();
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The JVM's main thread: named "main", in the "main" thread group (its id is not fixed). */
    private static Thread mainThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ThreadGroup g = t.getThreadGroup();
            if ("main".equals(t.getName()) && g != null && "main".equals(g.getName()) && !t.isDaemon()) {
                return t;
            }
        }
        return null;
    }

    /** Live non-daemon threads that neither belong to the pool nor are the JVM's own. */
    private static List<Thread> others(Predicate<Thread> ours) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isDaemon() && t != Thread.currentThread() && !"DestroyJavaVM".equals(t.getName())
                    && !ours.test(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
