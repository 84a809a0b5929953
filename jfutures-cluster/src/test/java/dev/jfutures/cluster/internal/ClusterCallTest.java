package dev.jfutures.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The claim record alone, without a cluster: scripted cases for each transition, then seeded
 * random schedules of every event (current and stale claims, outcomes and losses, cancels,
 * timeouts, a broken pool) with the invariants checked after each step, then races of real
 * threads claiming and cancelling.
 */
class ClusterCallTest {

    private static final UUID A = new UUID(0, 1);
    private static final UUID B = new UUID(0, 2);
    private static final UUID C = new UUID(0, 3);

    @Test
    void aClaimedTaskRunsAsAttemptOneAndItsOutcomeFinishesIt() {
        ClusterCall c = new ClusterCall(1, 0);
        int s = c.dispatch(A);
        assertThat(c.state()).isEqualTo(ClusterCall.SENT);
        assertThat(c.claim(A, s)).isEqualTo(1);
        assertThat(c.state()).isEqualTo(ClusterCall.RUNNING);
        assertThat(c.cancel()).as("a claimed task cannot be cancelled").isFalse();
        assertThat(c.outcome(s)).isTrue();
        assertThat(c.state()).isEqualTo(ClusterCall.FINISHED);
        assertThat(c.occupying()).isFalse();
    }

    @Test
    void aCancelBeforeTheClaimWinsAndTheClaimIsRefused() {
        ClusterCall c = new ClusterCall(1, 0);
        int s = c.dispatch(A);
        assertThat(c.cancel()).isTrue();
        assertThat(c.claim(A, s)).isZero();
        assertThat(c.state()).isEqualTo(ClusterCall.CANCELLED);
        assertThat(c.occupying()).as("the member still holds the refused task until it answers").isTrue();
        c.released(s);
        assertThat(c.occupying()).isFalse();
    }

    @Test
    void aLostMemberBeforeTheClaimRequeuesAndOnlyTheNewSendMayClaim() {
        ClusterCall c = new ClusterCall(1, 0);
        int first = c.dispatch(A);
        assertThat(c.memberLost(A, first)).isEqualTo(ClusterCall.Loss.REQUEUED);
        assertThat(c.state()).isEqualTo(ClusterCall.QUEUED);
        int second = c.dispatch(B);
        assertThat(second).isGreaterThan(first);
        assertThat(c.claim(A, first)).as("the lost member's late claim").isZero();
        assertThat(c.claim(B, first)).as("the right member, the wrong send").isZero();
        assertThat(c.claim(B, second)).isEqualTo(1);
    }

    @Test
    void aStartedTaskWithoutRetriesFailsWhenItsMemberIsLost() {
        ClusterCall c = new ClusterCall(1, 0);
        int s = c.dispatch(A);
        c.claim(A, s);
        assertThat(c.memberLost(A, s)).isEqualTo(ClusterCall.Loss.FAILED);
        assertThat(c.state()).isEqualTo(ClusterCall.FINISHED);
        assertThat(c.lostMember()).isEqualTo(A);
        assertThat(c.attempts()).isEqualTo(1);
    }

    @Test
    void retriesRunItAgainThenTheThirdLossIsPoisonous() {
        ClusterCall c = new ClusterCall(1, 10);
        UUID[] members = {A, B, C};
        for (int i = 0; i < 2; i++) {
            int s = c.dispatch(members[i]);
            assertThat(c.claim(members[i], s)).isEqualTo(i + 1);
            assertThat(c.memberLost(members[i], s)).isEqualTo(ClusterCall.Loss.RETRIED);
        }
        int s = c.dispatch(C);
        assertThat(c.claim(C, s)).isEqualTo(3);
        assertThat(c.memberLost(C, s)).isEqualTo(ClusterCall.Loss.POISONOUS);
        assertThat(c.state()).isEqualTo(ClusterCall.FINISHED);
    }

    @Test
    void oneRetryMeansTwoAttemptsAtMost() {
        ClusterCall c = new ClusterCall(1, 1);
        int s = c.dispatch(A);
        c.claim(A, s);
        assertThat(c.memberLost(A, s)).isEqualTo(ClusterCall.Loss.RETRIED);
        s = c.dispatch(B);
        assertThat(c.claim(B, s)).isEqualTo(2);
        assertThat(c.memberLost(B, s)).isEqualTo(ClusterCall.Loss.FAILED);
    }

    @Test
    void aTimeoutOrInterruptFinishesItButTheMemberHoldsItUntilItAnswers() {
        ClusterCall c = new ClusterCall(1, 3);
        int s = c.dispatch(A);
        c.claim(A, s);
        assertThat(c.finishRunning()).isTrue();
        assertThat(c.occupying()).isTrue();
        assertThat(c.outcome(s)).as("the late outcome completes nothing").isFalse();
        assertThat(c.occupying()).isFalse();
        assertThat(c.memberLost(A, s)).as("no retry for a finished task").isEqualTo(ClusterCall.Loss.IGNORED);
    }

    @Test
    void aTaskQueuedForARetryHasRunSoOnlyCancelTrueEndsIt() {
        ClusterCall c = new ClusterCall(1, 2);
        int s = c.dispatch(A);
        c.claim(A, s);
        assertThat(c.memberLost(A, s)).isEqualTo(ClusterCall.Loss.RETRIED);
        assertThat(c.cancel()).as("it ran on A").isFalse();
        s = c.dispatch(B);
        assertThat(c.cancel()).isFalse();
        assertThat(c.finishRunning()).isTrue();
        assertThat(c.claim(B, s)).as("the dropped retry never starts").isZero();
        assertThat(c.state()).isEqualTo(ClusterCall.FINISHED);
    }

    @Test
    void aBrokenPoolFailsOnlyWhatHasNotStarted() {
        ClusterCall queued = new ClusterCall(1, 0);
        assertThat(queued.failUnstarted()).isTrue();
        ClusterCall running = new ClusterCall(2, 0);
        int s = running.dispatch(A);
        running.claim(A, s);
        assertThat(running.failUnstarted()).isFalse();
        assertThat(running.state()).isEqualTo(ClusterCall.RUNNING);
    }

    @Test
    void negativeRetriesAreRefused() {
        assertThatThrownBy(() -> new ClusterCall(1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retries must be >= 0");
    }

    /** A call and what the test knows of it, driven by random events. */
    private static final class World {
        final ClusterCall call;
        final int retries;
        final List<int[]> sends = new ArrayList<>();   // {send number, member index}
        final UUID[] members = {A, B, C};
        boolean cancelled;
        int granted;
        int completions;
        int terminalSeen = -1;

        World(int retries) {
            this.retries = retries;
            this.call = new ClusterCall(7, retries);
        }

        /** One random event, current or stale; returns its description. */
        String step(Random r) {
            int before = call.state();
            int attemptsBefore = call.attempts();
            String what;
            switch (r.nextInt(9)) {
                case 0: {
                    int m = r.nextInt(3);
                    int s = call.dispatch(members[m]);
                    what = "dispatch " + m + " -> " + s;
                    if (s > 0) {
                        assertThat(before).isEqualTo(ClusterCall.QUEUED);
                        sends.add(new int[] {s, m});
                    } else {
                        assertThat(before).isNotEqualTo(ClusterCall.QUEUED);
                    }
                    break;
                }
                case 1:
                case 2: {
                    int[] send = pick(r);
                    int m = send != null && r.nextInt(4) > 0 ? send[1] : r.nextInt(3);
                    int s = send != null ? send[0] : r.nextInt(3);
                    int attempt = call.claim(members[m], s);
                    what = "claim " + m + "/" + s + " -> " + attempt;
                    if (attempt > 0) {
                        granted++;
                        assertThat(cancelled).as("a claim after a successful cancel").isFalse();
                        assertThat(before).isEqualTo(ClusterCall.SENT);
                        assertThat(s).isEqualTo(call.send());
                        assertThat(attempt).isEqualTo(attemptsBefore + 1);
                    }
                    break;
                }
                case 3: {
                    boolean ok = call.cancel();
                    what = "cancel -> " + ok;
                    if (ok) {
                        assertThat(granted).as("cancelled after it started").isZero();
                        cancelled = true;
                    }
                    break;
                }
                case 4: {
                    boolean ok = call.finishRunning();
                    what = "finishRunning -> " + ok;
                    assertThat(ok).isEqualTo(before == ClusterCall.RUNNING
                            || before < ClusterCall.RUNNING && attemptsBefore > 0);
                    if (ok) {
                        completions++;
                    }
                    break;
                }
                case 5: {
                    int[] send = pick(r);
                    int s = send != null ? send[0] : 0;
                    boolean ok = call.outcome(s);
                    what = "outcome " + s + " -> " + ok;
                    if (ok) {
                        completions++;
                        assertThat(before).isEqualTo(ClusterCall.RUNNING);
                    }
                    break;
                }
                case 6:
                case 7: {
                    int[] send = pick(r);
                    int m = send != null && r.nextInt(4) > 0 ? send[1] : r.nextInt(3);
                    int s = send != null ? send[0] : 0;
                    ClusterCall.Loss loss = call.memberLost(members[m], s);
                    what = "lost " + m + "/" + s + " -> " + loss;
                    switch (loss) {
                        case REQUEUED:
                            assertThat(before).isEqualTo(ClusterCall.SENT);
                            assertThat(call.attempts()).isEqualTo(attemptsBefore);
                            break;
                        case RETRIED:
                            assertThat(before).isEqualTo(ClusterCall.RUNNING);
                            assertThat(attemptsBefore).isLessThanOrEqualTo(retries);
                            break;
                        case FAILED:
                        case POISONOUS:
                            assertThat(before).isEqualTo(ClusterCall.RUNNING);
                            completions++;
                            break;
                        default:
                            break;
                    }
                    break;
                }
                default: {
                    boolean ok = call.failUnstarted();
                    what = "failUnstarted -> " + ok;
                    if (ok) {
                        completions++;
                        assertThat(before).isIn(ClusterCall.QUEUED, ClusterCall.SENT);
                    }
                    break;
                }
            }
            check(before);
            return what;
        }

        int[] pick(Random r) {
            return sends.isEmpty() ? null : sends.get(r.nextInt(sends.size()));
        }

        void check(int before) {
            int s = call.state();
            if (terminalSeen >= 0) {
                assertThat(s).as("a terminal state is left").isEqualTo(terminalSeen);
            }
            if (s == ClusterCall.FINISHED || s == ClusterCall.CANCELLED) {
                terminalSeen = s;
            }
            assertThat(completions).as("completed more than once").isLessThanOrEqualTo(1);
            if (s == ClusterCall.CANCELLED) {
                assertThat(granted).as("cancelled yet started").isZero();
                assertThat(completions).isZero();
            }
            assertThat(granted).isEqualTo(call.attempts());
            assertThat(granted).as("ran more often than its retries allow")
                    .isLessThanOrEqualTo(Math.min(1 + retries, ClusterCall.POISON_LOSSES));
            if (retries == 0) {
                assertThat(granted).as("a task without retries ran twice").isLessThanOrEqualTo(1);
            }
            assertThat(call.losses()).isLessThanOrEqualTo(ClusterCall.POISON_LOSSES);
            if (s == ClusterCall.QUEUED) {
                assertThat(call.member()).isNull();
                assertThat(call.occupying()).isFalse();
            }
        }
    }

    /** Thousands of random schedules, each seed reproducible. */
    @Test
    void randomSchedulesKeepEveryInvariant() {
        long base = Long.getLong("jfutures.seed", 20261203L);
        for (int i = 0; i < 5_000; i++) {
            long seed = base + i;
            Random r = new Random(seed);
            World w = new World(r.nextInt(5));
            List<String> trace = new ArrayList<>();
            try {
                for (int step = 0; step < 40; step++) {
                    trace.add(w.step(r));
                }
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", retries " + w.retries + ", after " + trace, e);
            }
        }
    }

    /**
     * Real threads: a member's claim and a user's cancel race on many calls; exactly one wins
     * each, and a won cancel is never followed by a run.
     */
    @Test
    void claimAndCancelRacesHaveOneWinner() throws Exception {
        int n = 20_000;
        ClusterCall[] calls = new ClusterCall[n];
        int[] sends = new int[n];
        for (int i = 0; i < n; i++) {
            calls[i] = new ClusterCall(i, 0);
            sends[i] = calls[i].dispatch(A);
        }
        AtomicInteger claimed = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Thread member = new Thread(() -> {
            await(go);
            for (int i = 0; i < n; i++) {
                if (calls[i].claim(A, sends[i]) > 0) {
                    claimed.incrementAndGet();
                }
            }
        });
        Thread user = new Thread(() -> {
            await(go);
            for (int i = n - 1; i >= 0; i--) {
                if (calls[i].cancel()) {
                    cancelled.incrementAndGet();
                }
            }
        });
        member.start();
        user.start();
        go.countDown();
        member.join();
        user.join();
        assertThat(claimed.get() + cancelled.get()).isEqualTo(n);
        for (ClusterCall c : calls) {
            assertThat(c.state()).isIn(ClusterCall.RUNNING, ClusterCall.CANCELLED);
            assertThat(c.attempts()).isEqualTo(c.state() == ClusterCall.RUNNING ? 1 : 0);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
