package dev.jfutures.examples;

import dev.jfutures.Futures;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The book's first pattern, "call and answer": submit every call, then collect the answers as they
 * complete, whatever order that is.
 *
 * <p>Each call counts the primes below a bound (slow enough to be worth a thread); the answers
 * print in completion order, tagged with the call they answer.
 *
 * <pre>
 * java dev.jfutures.examples.CallAndAnswer [calls]
 * </pre>
 */
public final class CallAndAnswer {

    private CallAndAnswer() {
    }

    /**
     * Runs the example.
     *
     * @param args optionally, the number of calls (default 8)
     */
    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        run(calls, System.out);
    }

    /**
     * Submits {@code calls} prime counts and prints each answer as it completes.
     *
     * @param calls how many calls
     * @param out where to print
     * @return the total of all answers
     */
    public static long run(int calls, PrintStream out) {
        try (TaskExecutor pool = ThreadPool.builder().workers(4).build()) {
            List<TaskFuture<Integer>> answers = new ArrayList<>();
            for (int i = 1; i <= calls; i++) {
                int bound = 50_000 * i;
                answers.add(pool.submit(() -> countPrimesBelow(bound)));   // call
            }
            long total = 0;
            for (TaskFuture<Integer> answer : Futures.asCompleted(answers)) { // answer, as completed
                int call = answers.indexOf(answer) + 1;
                out.printf("call %d: %d primes below %d%n", call, answer.result(), 50_000 * call);
                total += answer.result();
            }
            return total;
        }
    }

    /**
     * Counts the primes below {@code n} by trial division.
     *
     * @param n the bound
     * @return how many primes are below it
     */
    static int countPrimesBelow(int n) {
        int count = 0;
        for (int k = 2; k < n; k++) {
            boolean prime = true;
            for (int d = 2; (long) d * d <= k; d++) {
                if (k % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            }
        }
        return count;
    }
}
