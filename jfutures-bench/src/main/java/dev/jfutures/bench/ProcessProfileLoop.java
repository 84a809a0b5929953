package dev.jfutures.bench;

import dev.jfutures.process.ProcessPool;
import java.util.Arrays;
import java.util.Locale;

/**
 * Runs one {@link ProcessBench} case in a loop on a {@code ProcessPool} of 2 workers, for a
 * profiler to watch the parent (a JFR recording of this JVM) and the workers (JVM options passed
 * after the seconds, such as a JFR recording of each worker). Not a measurement: see
 * {@link ProcessBench}.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=/tmp/parent.jfr,settings=profile \
 *      -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.ProcessProfileLoop map 20 \
 *      -XX:StartFlightRecording=filename=/tmp/w%p.jfr,settings=profile
 * </pre>
 *
 * <p>Cases: {@code roundtrip} (5k one at a time), {@code submit} (20k, then wait), {@code map} (1M,
 * chunk 1000), {@code start} (a fresh pool to its first result).
 */
public final class ProcessProfileLoop {

    private ProcessProfileLoop() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ProcessProfileLoop roundtrip|submit|map|start [seconds] [worker JVM options...]");
            System.exit(2);
        }
        String what = args[0];
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        String[] workerOptions = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length) : new String[0];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int runs = 0;
        double total = 0;
        if (what.equals("start")) {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                try (ProcessPool pool = ProcessPool.builder().workers(ProcessBench.WORKERS).jvmOptions(workerOptions)
                        .build()) {
                    pool.submit(ProcessTasks.ident(1)).result();
                    total += (System.nanoTime() - t0) / 1e6;
                }
                runs++;
            }
        } else {
            try (ProcessPool pool = ProcessPool.builder().workers(ProcessBench.WORKERS).jvmOptions(workerOptions)
                    .build()) {
                while (System.nanoTime() < end) {
                    switch (what) {
                        case "roundtrip":
                            total += Stats.p50p99Micros(ProcessBench.roundTrip(pool, 5_000))[0];
                            break;
                        case "submit":
                            total += ProcessBench.submitAll(pool, 20_000);
                            break;
                        case "map":
                            total += ProcessBench.map(pool, 1_000_000, 1000);
                            break;
                        default:
                            throw new IllegalArgumentException("unknown case " + what);
                    }
                    runs++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d runs, mean figure %.2f%n", what, runs, total / runs);
    }
}
