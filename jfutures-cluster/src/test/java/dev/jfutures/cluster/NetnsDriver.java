package dev.jfutures.cluster;

import dev.jfutures.TaskFuture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The caller's side of {@link ClusterNetnsTest}, run inside a network namespace of its own: joins
 * the workers' cluster as a lite member, submits tasks that record each start as a file in a
 * shared directory and then sleep, and prints one line per task outcome, then END. It exits when
 * its stdin ends. Usage: {@code NetnsDriver CLUSTER KEYHEX BIND MEMBERS DIR TASKS MILLIS RETRIES
 * DETECTSECONDS}.
 */
public final class NetnsDriver {

    private NetnsDriver() {
    }

    /** A task's body: record the start (task, attempt, pid), sleep, return the task's number. */
    static int work(String dir, int i, long millis) throws Exception {
        TaskContext c = TaskContext.current();
        Files.createFile(Path.of(dir, "start-" + i + "-" + c.attempt() + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime()));
        Thread.sleep(millis);
        return i;
    }

    /**
     * Runs the scenario.
     *
     * @param a the arguments above
     * @throws Exception if it cannot
     */
    public static void main(String[] a) throws Exception {
        String cluster = a[0];
        byte[] key = HexFormat.of().parseHex(a[1]);
        String bind = a[2];
        String[] members = a[3].split(",");
        String dir = a[4];
        int tasks = Integer.parseInt(a[5]);
        long millis = Long.parseLong(a[6]);
        int retries = Integer.parseInt(a[7]);
        long detect = Long.parseLong(a[8]);
        ClusterPool pool = ClusterPool.builder().members(members).bind(bind).clusterName(cluster).key(key)
                .failureDetection(Duration.ofSeconds(detect)).name("netns-driver").build();
        System.out.println("READY " + pool.members().size());
        System.out.flush();
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            int x = i;
            fs.add(pool.submit(() -> work(dir, x, millis), TaskOptions.defaults().retries(retries)));
        }
        System.out.println("SUBMITTED " + tasks);
        System.out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        for (int i = 0; i < fs.size(); i++) {
            TaskFuture<Integer> f = fs.get(i);
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                Throwable e = f.exception(Duration.ofNanos(left));
                if (e == null) {
                    System.out.println("OUTCOME " + i + " OK " + f.result());
                } else {
                    String m = String.valueOf(e.getMessage()).replace('\n', ' ');
                    System.out.println("OUTCOME " + i + " FAIL " + e.getClass().getName() + " " + m);
                }
            } catch (dev.jfutures.WaitTimeoutException hang) {
                System.out.println("OUTCOME " + i + " HANG " + f);
            }
            System.out.flush();
        }
        System.out.println("END");
        System.out.flush();
        // Then commands, until the test closes the pipe: MEMBERS (how many workers the pool
        // sees), MORE n (n more tasks, numbered from 1000, then their outcomes and END).
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String cmd; (cmd = in.readLine()) != null; ) {
                if (cmd.equals("MEMBERS")) {
                    System.out.println("MEMBERS " + pool.members().size());
                } else if (cmd.startsWith("MORE ")) {
                    int n = Integer.parseInt(cmd.substring(5));
                    List<TaskFuture<Integer>> more = new ArrayList<>();
                    for (int i = 1000; i < 1000 + n; i++) {
                        int x = i;
                        more.add(pool.submit(() -> work(dir, x, millis), TaskOptions.defaults().retries(retries)));
                    }
                    for (int i = 0; i < n; i++) {
                        Throwable e = more.get(i).exception(Duration.ofSeconds(120));
                        System.out.println("OUTCOME " + (1000 + i) + (e == null ? " OK " + (1000 + i)
                                : " FAIL " + e.getClass().getName() + " " + String.valueOf(e.getMessage()).replace('\n', ' ')));
                    }
                    System.out.println("END");
                }
                System.out.flush();
            }
        }
        pool.shutdownNow();
        pool.shutdown(true, false);
        System.exit(0);
    }

    static List<String> args(String... a) {
        return Arrays.asList(a);
    }
}
