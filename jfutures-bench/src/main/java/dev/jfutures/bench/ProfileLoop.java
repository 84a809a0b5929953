package dev.jfutures.bench;

import java.util.Locale;

/**
 * Runs one CoreBench case of one subject in a loop, for a profiler to watch (a JFR recording, or
 * {@code jcmd PID Thread.print} samples). Not a measurement: see {@link CoreBench}.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=map.jfr,settings=profile \
 *      -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.ProfileLoop map jfutures 20
 * jfr print --events jdk.ExecutionSample map.jfr | ...
 * </pre>
 */
public final class ProfileLoop {

    private ProfileLoop() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ProfileLoop submit|roundtrip|map|wait|ascompleted jfutures|juc [seconds]");
            System.exit(2);
        }
        String what = args[0];
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 20;
        Subject s;
        switch (args[1]) {
            case "jfutures":
                s = new JfuturesSubject(CoreBench.WORKERS);
                break;
            case "juc":
                s = new JucSubject(CoreBench.WORKERS);
                break;
            default:
                throw new IllegalArgumentException("subject: jfutures or juc, not " + args[1]);
        }
        try {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int runs = 0;
            double total = 0;
            while (System.nanoTime() < end) {
                switch (what) {
                    case "submit":
                        total += s.submitAll(100_000);
                        break;
                    case "roundtrip":
                        long[] lat = s.roundTrip(10_000);
                        total += Stats.p50p99Micros(lat)[0];
                        break;
                    case "map":
                        total += s.map(1_000_000, 1024);
                        break;
                    case "wait":
                        total += s.waitAll(100_000)[0];
                        break;
                    case "ascompleted":
                        total += s.asCompleted(100_000)[0];
                        break;
                    default:
                        throw new IllegalArgumentException("unknown case " + what);
                }
                runs++;
            }
            System.out.printf(Locale.ROOT, "%s %s: %d runs, mean figure %.2f%n", what, s.name(), runs, total / runs);
        } finally {
            s.close();
        }
    }
}
