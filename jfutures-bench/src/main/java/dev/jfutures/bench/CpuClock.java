package dev.jfutures.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time summed over every live JVM thread (nanosecond clocks, unlike the process CPU time the
 * JDK reports in 10 ms ticks here). Waiting for a CPU on a loaded machine does not count, so the
 * difference over a window is the work done in it. GC worker threads are not Java threads and are
 * not counted; the runner collects garbage before every measured run.
 */
final class CpuClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static final boolean SUPPORTED;

    static {
        boolean ok = THREADS.isThreadCpuTimeSupported();
        if (ok && !THREADS.isThreadCpuTimeEnabled()) {
            try {
                THREADS.setThreadCpuTimeEnabled(true);
            } catch (UnsupportedOperationException | SecurityException e) {
                ok = false;
            }
        }
        SUPPORTED = ok;
    }

    private CpuClock() {
    }

    /** Total CPU nanoseconds of the live threads, or 0 if unsupported. */
    static long nanos() {
        if (!SUPPORTED) {
            return 0L;
        }
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    /** {wall ms, cpu ms} of a window measured as nanoTime and nanos() pairs. */
    static double[] millis(long wall0, long wall1, long cpu0, long cpu1) {
        return new double[] {(wall1 - wall0) / 1e6, SUPPORTED ? (cpu1 - cpu0) / 1e6 : Double.NaN};
    }
}
