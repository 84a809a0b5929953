package dev.jfutures;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes JVM exit wait for submitted work, as CPython joins its executors at interpreter exit: one
 * shutdown hook, installed on first use, shuts down every registered executor and waits for it.
 *
 * <p>JVM shutdown hooks run concurrently in no set order. Registration fails once the JVM is
 * exiting (the hook has begun, or hooks can no longer be added), so an executor that was never used
 * rejects work submitted from another hook instead of dropping it; one already registered accepts
 * such work only before the hook begins, and the hook then waits for it.
 */
final class JvmExit {

    private static final Set<AbstractTaskExecutor> LIVE = ConcurrentHashMap.newKeySet();
    private static boolean installed;
    private static volatile boolean exiting;

    private JvmExit() {
    }

    static boolean exiting() {
        return exiting;
    }

    static synchronized boolean register(AbstractTaskExecutor executor) {
        if (exiting) {
            return false;
        }
        if (!installed) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(JvmExit::run, "jfutures-exit"));
                installed = true;
            } catch (IllegalStateException shutdownInProgress) {
                exiting = true;
                return false;
            }
        }
        LIVE.add(executor);
        return true;
    }

    static void deregister(AbstractTaskExecutor executor) {
        LIVE.remove(executor);
    }

    private static void run() {
        List<AbstractTaskExecutor> executors;
        synchronized (JvmExit.class) {
            exiting = true;
            executors = new ArrayList<>(LIVE);
        }
        for (AbstractTaskExecutor e : executors) {
            e.shutdown(false, false);
        }
        for (AbstractTaskExecutor e : executors) {
            e.awaitJvmExit();
        }
    }
}
