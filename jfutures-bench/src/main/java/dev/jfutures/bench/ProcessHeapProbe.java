package dev.jfutures.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.process.ProcessPool;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap case of {@link ProcessBench}, in a JVM of its own (started with a fixed {@code -Xmx}) so
 * that nothing else lives on its heap: maps {@code N} inputs through a {@code ProcessPool} of 2
 * workers with the default bounded buffer, and prints one JSON line with the parent's heap figures.
 *
 * <pre>
 * java -Xmx256m -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.ProcessHeapProbe 2000000 1000
 * </pre>
 *
 * <ul>
 *   <li>{@code max_used_mib}: the most heap in use, sampled every 50 ms and at the end (garbage
 *       included, so it follows the collector's sizing as much as the live set);
 *   <li>{@code max_live_mib}: the most heap in use right after a collection, from every GC's
 *       notification (the live set, as near as the JVM tells it);
 *   <li>{@code peak_rss_mib}: the JVM's {@code VmHWM}, comparable to CPython's peak RSS.
 * </ul>
 */
public final class ProcessHeapProbe {

    private ProcessHeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 1000;

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong maxUsed = new AtomicLong();
        AtomicLong maxLive = new AtomicLong();
        AtomicLong gcs = new AtomicLong();
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((note, handback) -> {
                if (!note.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                GarbageCollectionNotificationInfo info =
                        GarbageCollectionNotificationInfo.from((CompositeData) note.getUserData());
                long live = 0;
                for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(e.getKey())) {
                        live += e.getValue().getUsed();
                    }
                }
                maxLive.accumulateAndGet(live, Math::max);
                gcs.incrementAndGet();
            }, null, null);
        }
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", n);
        out.put("chunk", chunk);
        out.put("xmx_mib", Runtime.getRuntime().maxMemory() / 1048576.0);
        long sum = 0;
        long t0 = System.nanoTime();
        try (ProcessPool pool = ProcessPool.builder().workers(ProcessBench.WORKERS).build();
             MapResults<Integer> results = pool.map(ProcessTasks.IDENTITY, new IntRange(n),
                     MapOptions.defaults().chunkSize(chunk))) {
            for (Integer r : results) {
                sum += r;
            }
            out.put("items_per_s", n / ((System.nanoTime() - t0) / 1e9));
            IntRange.check("ProcessHeapProbe map", sum, n);
        } catch (OutOfMemoryError e) {
            out.put("error", "OutOfMemoryError: " + e.getMessage());
        }
        sampler.interrupt();
        sampler.join();
        maxUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        out.put("max_used_mib", maxUsed.get() / 1048576.0);
        out.put("max_live_mib", gcs.get() == 0 ? Double.NaN : maxLive.get() / 1048576.0);
        out.put("gcs", gcs.get());
        out.put("peak_rss_mib", ProcMem.statusMiB(ProcessHandle.current().pid(), "VmHWM"));
        System.out.print(Json.write(out).replace("\n", "").replace("  ", ""));
        System.out.println();
    }
}
