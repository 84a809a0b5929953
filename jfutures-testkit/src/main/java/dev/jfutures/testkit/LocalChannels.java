package dev.jfutures.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link Gate}s and {@link SharedLog}s for executors that run tasks in this JVM: each is a handle
 * (an id) to a latch or a list in a static registry, so that it stays serializable and a copy still
 * reaches the same latch.
 */
public final class LocalChannels {

    private static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> LOGS = new ConcurrentHashMap<>();

    private LocalChannels() {
    }

    /**
     * A new closed gate.
     *
     * @return the gate
     */
    public static Gate newGate() {
        String id = UUID.randomUUID().toString();
        LATCHES.put(id, new CountDownLatch(1));
        return new LocalGate(id);
    }

    /**
     * A new empty log.
     *
     * @return the log
     */
    public static SharedLog newLog() {
        String id = UUID.randomUUID().toString();
        LOGS.put(id, new ArrayList<>());
        return new LocalLog(id);
    }

    private record LocalGate(String id) implements Gate {
        @Override
        public boolean await(Duration timeout) throws InterruptedException {
            return LATCHES.get(id).await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void open() {
            LATCHES.get(id).countDown();
        }

        @Override
        public boolean isOpen() {
            return LATCHES.get(id).getCount() == 0;
        }
    }

    private record LocalLog(String id) implements SharedLog {
        @Override
        public void append(String entry) {
            List<String> log = LOGS.get(id);
            synchronized (log) {
                log.add(entry);
            }
        }

        @Override
        public List<String> entries() {
            List<String> log = LOGS.get(id);
            synchronized (log) {
                return List.copyOf(log);
            }
        }
    }
}
