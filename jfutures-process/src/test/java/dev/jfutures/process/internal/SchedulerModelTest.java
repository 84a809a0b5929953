package dev.jfutures.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scheduler through thousands of schedules of simulated workers, users and timers
 * ({@link SchedulerModel}): seeded random walks over several pool shapes, and every interleaving
 * of small worlds. After each event: every call is in exactly one place; at most one RUNNING call
 * per worker, its pipeline's head; a successful cancel means the call never started (and never
 * will); a call fails with its worker only if it started there; no call starts twice. At the end:
 * every future completed, with the right result, and the pool terminated with no worker left.
 */
class SchedulerModelTest {

    /** Seeds per shape; a failure names its seed. */
    private static final int SEEDS = Integer.getInteger("jfutures.scheduler.seeds", 1500);

    /** Runs the seeds; returns how many batches of steals the pools reported in all. */
    private static long random(SchedulerModel.Config cfg, int seeds, int maxSteps) {
        long steals = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + cfg.hashCode());
            SchedulerModel m = new SchedulerModel(cfg);
            try {
                m.run(rnd::nextInt, maxSteps);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
            steals += m.stealReports;
        }
        return steals;
    }

    /** Two workers, a pipeline of 3, six calls, deaths, cancels, interrupts, timeouts, shutdowns. */
    @Test
    void randomSchedulesTwoWorkers() {
        random(new SchedulerModel.Config(), SEEDS, 400);
    }

    /** One worker, so every call goes through one pipeline and every steal has nowhere to go. */
    @Test
    void randomSchedulesOneWorker() {
        SchedulerModel.Config c = new SchedulerModel.Config();
        c.maxWorkers = 1;
        c.pipelineDepth = 4;
        random(c, SEEDS, 400);
    }

    /** Three workers, deep pipelines, many calls: stealing and least-loaded dispatch under churn. */
    @Test
    void randomSchedulesThreeWorkersDeepPipelines() {
        SchedulerModel.Config c = new SchedulerModel.Config();
        c.maxWorkers = 3;
        c.pipelineDepth = 8;
        c.calls = 20;
        c.deaths = 3;
        c.cancels = 6;
        c.gaveUp = 2;
        c.interrupts = 2;
        // Steals happen here, and each batch that took calls back reports once (the model checks
        // its count against the CANCELs the worker was sent).
        assertThat(random(c, SEEDS, 1200)).as("batches of steals reported").isPositive();
    }

    /** Workers recycled after two calls each (maxTasksPerWorker), with deaths and cancels. */
    @Test
    void randomSchedulesRecycledWorkers() {
        SchedulerModel.Config c = new SchedulerModel.Config();
        c.maxTasksPerWorker = 2;
        c.calls = 9;
        random(c, SEEDS, 600);
    }

    /** Workers that keep failing to start break the pool: every call still gets an outcome. */
    @Test
    void randomSchedulesBrokenPool() {
        SchedulerModel.Config c = new SchedulerModel.Config();
        c.maxStartFailures = 2;
        c.startFailures = 4;
        random(c, SEEDS, 400);
    }

    /**
     * Every interleaving of small worlds (depth-first over the choices, each schedule replayed
     * from the start): one or two workers, two calls, a death, a cancel and its giving up.
     */
    @Test
    void everyInterleavingOfSmallWorlds() {
        SchedulerModel.Config one = new SchedulerModel.Config();
        one.maxWorkers = 1;
        one.pipelineDepth = 2;
        one.calls = 2;
        one.deaths = 1;
        one.startFailures = 0;
        one.cancels = 1;
        one.gaveUp = 1;
        one.interrupts = 0;
        one.timeouts = false;
        one.shutdownCancel = false;
        one.killAll = false;
        one.idle = false;
        one.prestart = false;
        long n1 = exhaust(one, 40);

        SchedulerModel.Config two = one.copy();
        two.maxWorkers = 2;
        two.cancels = 1;
        two.gaveUp = 0;
        long n2 = exhaust(two, 40);

        SchedulerModel.Config shut = one.copy();
        shut.deaths = 0;
        shut.shutdownCancel = true;
        shut.interrupts = 1;
        long n3 = exhaust(shut, 40);
        System.out.println("every interleaving: " + n1 + ", " + n2 + " and " + n3 + " distinct states");
        assertThat(n1 + n2 + n3).as("distinct states explored").isGreaterThan(1000);
    }

    /** Thrown by the chooser to abandon a schedule that reached a state explored before. */
    private static final class Pruned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Pruned() {
            super(null, null, false, false);
        }
    }

    /**
     * Explores every schedule of a world up to quiescence, depth first, each replayed from the
     * start; a schedule is cut where it reaches a state (by {@link SchedulerModel#fingerprint})
     * that an earlier one already explored. Returns the number of distinct states.
     */
    private static long exhaust(SchedulerModel.Config cfg, int maxSteps) {
        Set<String> visited = new HashSet<>();
        List<Integer> prefix = new ArrayList<>();
        while (true) {
            List<Integer> taken = new ArrayList<>();
            List<Integer> seen = new ArrayList<>();
            int[] pos = {0};
            SchedulerModel[] model = new SchedulerModel[1];
            model[0] = new SchedulerModel(cfg);
            try {
                model[0].run(n -> {
                    if (pos[0] >= prefix.size() && !visited.add(model[0].fingerprint())) {
                        throw new Pruned();
                    }
                    int i = pos[0] < prefix.size() ? prefix.get(pos[0]) : 0;
                    pos[0]++;
                    taken.add(i);
                    seen.add(n);
                    return i;
                }, maxSteps);
            } catch (Pruned p) {
                // explored from here before
            } catch (AssertionError e) {
                throw new AssertionError("schedule " + taken + ": " + e.getMessage(), e);
            }
            // Next schedule: the last choice that has an untried sibling, advanced by one.
            int k = taken.size() - 1;
            while (k >= 0 && taken.get(k) + 1 >= seen.get(k)) {
                k--;
            }
            if (k < 0) {
                return visited.size();
            }
            prefix.clear();
            prefix.addAll(taken.subList(0, k));
            prefix.add(taken.get(k) + 1);
        }
    }
}
