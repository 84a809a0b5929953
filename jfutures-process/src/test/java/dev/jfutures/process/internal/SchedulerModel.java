package dev.jfutures.process.internal;

import dev.jfutures.TaskPromise;
import dev.jfutures.TaskStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * A world for the {@link Scheduler}: simulated worker JVMs that follow the real worker's protocol
 * (they queue TASKs, answer a CANCEL with DROPPED only for a task not started, say STARTED before
 * running a task, answer in order, and may die at any moment, losing the frames on their way to
 * them but not those already on their way back), user threads that submit and cancel, timers, and
 * shutdowns, all stepped one event at a time in an order a chooser picks. After every event it
 * checks the scheduler's invariants against ghost state the scheduler cannot see (which calls a
 * worker really started).
 *
 * <p>No threads, no processes: one event at a time, so a failing schedule replays exactly from
 * its seed or its list of choices.
 */
final class SchedulerModel implements Scheduler.Effects {

    /** The size of a world and how much trouble it may have. */
    static final class Config {
        int maxWorkers = 2;
        int pipelineDepth = 3;
        int maxTasksPerWorker;
        int maxStartFailures = 3;
        int calls = 6;
        int deaths = 2;
        int startFailures = 1;
        int cancels = 3;
        int gaveUp = 1;
        int interrupts = 1;
        boolean timeouts = true;
        boolean shutdownCancel = true;
        boolean killAll = true;
        boolean idle = true;
        boolean prestart = true;
        /** Shut down when the budget is spent; false: only when {@link #requestShutdown} is called. */
        boolean autoShutdown = true;

        Config copy() {
            Config c = new Config();
            c.maxWorkers = maxWorkers;
            c.pipelineDepth = pipelineDepth;
            c.maxTasksPerWorker = maxTasksPerWorker;
            c.maxStartFailures = maxStartFailures;
            c.calls = calls;
            c.deaths = deaths;
            c.startFailures = startFailures;
            c.cancels = cancels;
            c.gaveUp = gaveUp;
            c.interrupts = interrupts;
            c.timeouts = timeouts;
            c.shutdownCancel = shutdownCancel;
            c.killAll = killAll;
            c.idle = idle;
            c.prestart = prestart;
            c.autoShutdown = autoShutdown;
            return c;
        }

        @Override
        public String toString() {
            return "workers=" + maxWorkers + " depth=" + pipelineDepth + " maxTasks=" + maxTasksPerWorker + " calls="
                    + calls + " deaths=" + deaths + " startFailures=" + startFailures + " cancels=" + cancels;
        }
    }

    /** A frame between the pool and a simulated worker. */
    private static final class Frame {
        final String type;
        final long ticket;

        Frame(String type, long ticket) {
            this.type = type;
            this.ticket = ticket;
        }

        @Override
        public String toString() {
            return type + "(" + ticket + ")";
        }
    }

    /** A simulated worker JVM. */
    private final class Sim {
        final WorkerSlot slot;
        /** Frames on their way to the worker; lost if it dies. */
        final ArrayDeque<Frame> toWorker = new ArrayDeque<>();
        /** Tasks it received and has not started. */
        final ArrayDeque<Long> queue = new ArrayDeque<>();
        long running;
        /** The ticket in its started slot (shared memory: it outlives the worker). */
        long startedSlot;
        /** It said STARTED for the running task. */
        boolean reported;
        boolean stopQueued;
        boolean alive;
        /** Its process exists (false while the pool is still starting it). */
        boolean up;
        /** Frames on their way to the pool; they arrive even if it dies. */
        final ArrayDeque<Frame> toPool = new ArrayDeque<>();
        boolean killRequested;
        boolean gone;
        /** CANCELs the pool sent it since its last steal report: a steal reports no more. */
        int cancelsSinceSteal;

        Sim(WorkerSlot slot) {
            this.slot = slot;
        }

        @Override
        public String toString() {
            return "sim " + slot.id() + (alive ? "" : " dead") + " in=" + toWorker + " queue=" + queue + " running="
                    + running + " out=" + toPool;
        }
    }

    /** What the world knows of one call that the scheduler does not. */
    static final class Ghost {
        final Call call;
        int starts;
        WorkerSlot startedOn;
        boolean cancelSucceeded;
        boolean lostWithWorker;
        boolean timedOut;
        boolean brokenFail;
        boolean rejected;
        /** Run when its RESULT is read, for its value; null: the value is id * 10. */
        java.util.concurrent.Callable<?> task;

        Ghost(Call call) {
            this.call = call;
        }
    }

    /** A timer armed by the pool. */
    private static final class Timer {
        final boolean grace;
        final Call call;
        final long ticket;

        Timer(boolean grace, Call call, long ticket) {
            this.grace = grace;
            this.call = call;
            this.ticket = ticket;
        }
    }

    /** One step the world can take. */
    private static final class Event {
        final String label;
        final Runnable action;

        Event(String label, Runnable action) {
            this.label = label;
            this.action = action;
        }
    }

    final Config cfg;
    final Scheduler s;
    private long now = 1_000_000L;
    private final Map<WorkerSlot, Sim> sims = new LinkedHashMap<>();
    private final List<Ghost> ghosts = new ArrayList<>();
    private final Map<Call, Ghost> ghostOf = new HashMap<>();
    private final Map<Long, Ghost> byTicketEver = new HashMap<>();
    private final List<Timer> timers = new ArrayList<>();
    /** Cancels waiting for their worker's answer: a call per waiting canceller. */
    private final List<Call> waitingCancels = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private final Config budget;
    private boolean shutdown;
    private boolean draining;
    private boolean terminated;
    private boolean broken;
    int steps;
    private Runnable afterStep = () -> { };

    SchedulerModel(Config cfg) {
        this.cfg = cfg;
        this.budget = cfg.copy();
        this.s = new Scheduler(cfg.maxWorkers, cfg.pipelineDepth, cfg.maxTasksPerWorker, cfg.maxStartFailures, this,
                () -> now);
    }

    // ============================================================================ running

    /**
     * Runs one schedule: faults and user events while the budget lasts, then a drain (shutdown,
     * only progress), to quiescence; checks invariants after every step and the end state.
     *
     * @param choose picks one of n enabled events (an index in 0..n-1)
     * @param maxSteps the most steps before the drain starts
     */
    void run(IntUnaryOperator choose, int maxSteps) {
        if (cfg.prestart && choose.applyAsInt(2) == 1) {
            step("prestart", s::prestart);
        }
        while (true) {
            if (!draining && steps >= maxSteps) {
                startDrain();
            }
            List<Event> events = enabled();
            if (events.isEmpty()) {
                if (!draining) {
                    startDrain();
                    continue;
                }
                if (!shutdown) {
                    throw fail("nothing can happen, and the consumer has not finished: a call is lost");
                }
                break;
            }
            Event e = events.get(choose.applyAsInt(events.size()));
            step(e.label, e.action);
            if (steps > maxSteps + 10_000) {
                throw fail("no quiescence after " + steps + " steps (a livelock)");
            }
        }
        checkEnd();
    }

    /** Runs after every step (a consumer that takes results as they come). */
    void afterStep(Runnable hook) {
        this.afterStep = hook;
    }

    /** Shuts the pool down (as the drain does), for a world without auto shutdown. */
    void requestShutdown() {
        if (!shutdown) {
            trace.add("shutdown(false) by the consumer");
            shutdown = true;
            s.shutdown(false);
            checkInvariants();
        }
    }

    /**
     * Submits a task from outside the world's own events (a map's iterator).
     *
     * @return the call, or null if the pool refused it
     */
    Call submitTask(java.util.concurrent.Callable<?> task, TaskPromise<?> promise) {
        long id = ghosts.size() + 1;
        Call c = new Call(id, new byte[0], null, promise);
        Ghost g = new Ghost(c);
        g.task = task;
        ghosts.add(g);
        ghostOf.put(c, g);
        trace.add("external submit " + id);
        if (!s.submit(c)) {
            g.rejected = true;
            return null;
        }
        checkInvariants();
        return c;
    }

    private void startDrain() {
        draining = true;
        if (!cfg.autoShutdown) {
            return;
        }
        if (!shutdown) {
            step("drain: shutdown(false)", () -> {
                shutdown = true;
                s.shutdown(false);
            });
        }
        // Cancellers still waiting give up only if nothing will answer them; answers come by progress.
    }

    private void step(String label, Runnable action) {
        trace.add(label);
        steps++;
        action.run();
        checkInvariants();
        afterStep.run();
    }

    /** The events enabled now, in a deterministic order. */
    private List<Event> enabled() {
        List<Event> ev = new ArrayList<>();
        if (!draining && !shutdown && ghosts.size() < cfg.calls) {
            ev.add(new Event("submit " + (ghosts.size() + 1), this::submit));
        }
        for (Sim sim : new ArrayList<>(sims.values())) {
            long id = sim.slot.id();
            if (!sim.up && !sim.gone) {
                if (sim.killRequested) {
                    ev.add(new Event("kill lands on starting w" + id, () -> startGone(sim, false)));
                } else {
                    ev.add(new Event("w" + id + " ready", () -> ready(sim)));
                    if (!draining && budget.startFailures > 0) {
                        ev.add(new Event("w" + id + " fails to start", () -> {
                            budget.startFailures--;
                            startGone(sim, true);
                        }));
                    }
                }
                continue;
            }
            if (sim.alive) {
                if (!sim.toWorker.isEmpty()) {
                    ev.add(new Event("w" + id + " reads " + sim.toWorker.peekFirst(), () -> deliver(sim)));
                }
                if (sim.running == 0 && !sim.queue.isEmpty()) {
                    ev.add(new Event("w" + id + " starts " + sim.queue.peekFirst(), () -> startNext(sim)));
                }
                if (sim.running != 0) {
                    ev.add(new Event("w" + id + " finishes " + sim.running, () -> finish(sim)));
                    if (!sim.reported) {
                        ev.add(new Event("w" + id + " says STARTED " + sim.running, () -> {
                            sim.reported = true;
                            sim.toPool.addLast(new Frame("STARTED", sim.running));
                        }));
                    }
                }
                if (sim.stopQueued && sim.queue.isEmpty() && sim.running == 0) {
                    ev.add(new Event("w" + id + " exits on STOP", () -> die(sim)));
                }
                if (sim.killRequested) {
                    ev.add(new Event("kill lands on w" + id, () -> die(sim)));
                }
                if (!draining && budget.deaths > 0) {
                    ev.add(new Event("w" + id + " dies", () -> {
                        budget.deaths--;
                        die(sim);
                    }));
                }
            }
            if (!sim.toPool.isEmpty()) {
                ev.add(new Event("pool reads " + sim.toPool.peekFirst() + " from w" + id, () -> read(sim)));
            } else if (!sim.alive && sim.up && !sim.gone) {
                ev.add(new Event("pool sees w" + id + " gone", () -> {
                    sim.gone = true;
                    s.workerGone(sim.slot, false, sim.startedSlot);
                }));
            }
        }
        for (Timer t : new ArrayList<>(timers)) {
            ev.add(new Event((t.grace ? "grace of " : "timeout of ") + t.call.id(), () -> {
                timers.remove(t);
                if (t.grace) {
                    s.graceExpired(t.call, t.ticket);
                } else {
                    s.timedOut(t.call, t.ticket);
                }
            }));
        }
        if (!draining) {
            if (budget.cancels > 0) {
                for (Ghost g : ghosts) {
                    if (g.call.promise().future().status() == TaskStatus.PENDING && !g.rejected) {
                        ev.add(new Event("cancel " + g.call.id(), () -> {
                            budget.cancels--;
                            cancel(g);
                        }));
                    }
                }
            }
            if (budget.gaveUp > 0) {
                for (Call c : new ArrayList<>(waitingCancels)) {
                    ev.add(new Event("canceller of " + c.id() + " gives up", () -> {
                        budget.gaveUp--;
                        waitingCancels.remove(c);
                        s.withdrawCancel(c);
                    }));
                }
            }
            if (budget.interrupts > 0) {
                for (Ghost g : ghosts) {
                    if (g.call.promise().future().isRunning()) {
                        ev.add(new Event("cancel(true) " + g.call.id(), () -> {
                            budget.interrupts--;
                            g.call.promise().future().cancel(true);
                        }));
                    }
                }
            }
            // Shutdowns only once every call is submitted: a random walk would otherwise end most
            // schedules before they get anywhere.
            if (cfg.autoShutdown && !shutdown && ghosts.size() == cfg.calls) {
                ev.add(new Event("shutdown(false)", () -> {
                    shutdown = true;
                    s.shutdown(false);
                }));
                if (cfg.shutdownCancel) {
                    ev.add(new Event("shutdown(cancelFutures)", () -> {
                        shutdown = true;
                        s.shutdown(true);
                    }));
                }
                if (cfg.killAll) {
                    ev.add(new Event("killWorkers", () -> {
                        shutdown = true;
                        s.killAll();
                    }));
                }
            }
            if (cfg.idle && budget.idle) {
                ev.add(new Event("idle timeout", () -> {
                    budget.idle = false;
                    now += 10_000_000_000L;
                    s.retireIdle(1_000_000_000L);
                }));
            }
        }
        return ev;
    }

    // ============================================================================ world events

    private void submit() {
        long id = ghosts.size() + 1;
        Duration timeout = cfg.timeouts && id % 3 == 0 ? Duration.ofSeconds(1) : null;
        Call c = new Call(id, new byte[0], timeout, new TaskPromise<>());
        Ghost g = new Ghost(c);
        ghosts.add(g);
        ghostOf.put(c, g);
        if (!s.submit(c)) {
            g.rejected = true;
            if (!shutdown && !broken) {
                throw fail("submit refused while running");
            }
        }
    }

    private void ready(Sim sim) {
        sim.up = true;
        sim.alive = true;
        s.workerReady(sim.slot);
    }

    private void startGone(Sim sim, boolean failure) {
        sim.gone = true;
        s.workerGone(sim.slot, failure, 0L);
    }

    private void deliver(Sim sim) {
        Frame f = sim.toWorker.pollFirst();
        switch (f.type) {
            case "TASK":
                sim.queue.addLast(f.ticket);
                break;
            case "CANCEL":
                if (sim.queue.remove(f.ticket)) {
                    sim.toPool.addLast(new Frame("DROPPED", f.ticket));
                }
                break;
            case "INTERRUPT":
                // The task sees its interrupt; whether and when it ends is the "finishes" event.
                break;
            case "STOP":
                sim.stopQueued = true;
                break;
            default:
                throw fail("unknown frame " + f);
        }
    }

    private void startNext(Sim sim) {
        long t = sim.queue.pollFirst();
        sim.running = t;
        sim.startedSlot = t;
        sim.reported = false;
        Ghost g = byTicketEver.get(t);
        g.starts++;
        g.startedOn = sim.slot;
        if (g.starts > 1) {
            throw fail("call " + g.call.id() + " started twice");
        }
        if (g.cancelSucceeded) {
            throw fail("call " + g.call.id() + " started after a cancel of it succeeded");
        }
    }

    private void finish(Sim sim) {
        sim.toPool.addLast(new Frame("RESULT", sim.running));
        sim.running = 0;
        sim.reported = false;
    }

    private void die(Sim sim) {
        sim.alive = false;
        sim.running = 0;
        sim.queue.clear();
        sim.toWorker.clear();
    }

    private void read(Sim sim) {
        Frame f = sim.toPool.pollFirst();
        switch (f.type) {
            case "STARTED":
                if (!s.started(sim.slot, f.ticket)) {
                    throw fail("the scheduler refused a well-formed STARTED " + f);
                }
                break;
            case "RESULT":
                Call c = s.answered(sim.slot, f.ticket);
                if (c != null) {
                    Ghost g = ghostOf.get(c);
                    if (g.task == null) {
                        c.promise().trySetResult(c.id() * 10);
                    } else {
                        try {
                            c.promise().trySetResult(g.task.call());
                        } catch (Exception e) {
                            c.promise().trySetException(e);
                        }
                    }
                }
                break;
            case "DROPPED":
                s.dropped(sim.slot, f.ticket);
                break;
            default:
                throw fail("unknown frame " + f);
        }
    }

    private void cancel(Ghost g) {
        Call c = g.call;
        switch (s.cancel(c)) {
            case CANCELLED:
                // What PromiseFuture.cancel does when its gate says yes.
                if (c.promise().setCancelled() || c.promise().future().isCancelled()) {
                    g.cancelSucceeded = true;
                }
                break;
            case REFUSED:
                break;
            case WAIT:
                waitingCancels.add(c);
                break;
            default:
                throw fail("unknown decision");
        }
    }

    // ============================================================================ effects

    @Override
    public void spawn(WorkerSlot w) {
        if (sims.containsKey(w)) {
            throw fail("spawn of " + w + " twice");
        }
        sims.put(w, new Sim(w));
    }

    @Override
    public void send(WorkerSlot w, int frame, Call c) {
        Sim sim = sims.get(w);
        if (sim == null || !sim.up) {
            throw fail("a frame for " + w + ", which is not up");
        }
        String type = frame == Scheduler.TASK ? "TASK" : frame == Scheduler.CANCEL ? "CANCEL"
                : frame == Scheduler.INTERRUPT ? "INTERRUPT" : "STOP";
        if (frame == Scheduler.TASK) {
            byTicketEver.put(c.ticket(), ghostOf.get(c));
        } else if (frame == Scheduler.CANCEL) {
            sim.cancelsSinceSteal++;
        }
        if (sim.alive) {
            sim.toWorker.addLast(new Frame(type, c == null ? 0 : c.ticket()));
        }
    }

    @Override
    public void kill(WorkerSlot w) {
        sims.get(w).killRequested = true;
    }

    @Override
    public void running(Call c) {
        Ghost g = ghostOf.get(c);
        if (g.starts == 0 || g.startedOn != c.worker()) {
            throw fail(c + " is RUNNING, but its worker did not start it");
        }
        if (!c.promise().future().isDone()) {
            c.promise().setRunning(() -> s.interrupt(c));
        }
        if (c.timeout() != null) {
            timers.add(new Timer(false, c, c.ticket()));
        }
    }

    @Override
    public void disarm(Call c) {
        timers.removeIf(t -> t.call == c);
    }

    @Override
    public void armGrace(Call c) {
        timers.add(new Timer(true, c, c.ticket()));
    }

    @Override
    public void cancelled(Call c) {
        Ghost g = ghostOf.get(c);
        if (g.starts > 0) {
            throw fail(c + " cancelled, but it started on " + g.startedOn);
        }
        boolean waited = waitingCancels.removeIf(x -> x == c);
        if (c.promise().setCancelled() || c.promise().future().isCancelled()) {
            g.cancelSucceeded = true;
        } else if (waited) {
            throw fail(c + ": a waiting cancel was told yes, but its future is " + c.promise().future().status());
        }
    }

    @Override
    public void cancelRefused(Call c) {
        waitingCancels.removeIf(x -> x == c);
    }

    @Override
    public void lost(Call c, WorkerSlot w) {
        Ghost g = ghostOf.get(c);
        if (g.starts == 0) {
            throw fail(c + " failed with its worker " + w + ", but it never started");
        }
        if (c.kill() == Call.Kill.TIMEOUT) {
            g.timedOut = true;
            c.promise().trySetException(new IllegalStateException("timed out"));
        } else {
            g.lostWithWorker = true;
            c.promise().trySetException(new IllegalStateException("worker died"));
        }
    }

    @Override
    public void broken(Call c) {
        ghostOf.get(c).brokenFail = true;
        if (!broken) {
            throw fail("broken(" + c + ") before poolBroken()");
        }
        c.promise().trySetException(new IllegalStateException("broken"));
    }

    @Override
    public void poolBroken() {
        if (broken) {
            throw fail("poolBroken() twice");
        }
        broken = true;
    }

    @Override
    public void protocolError(WorkerSlot w, String what) {
        throw fail("protocol error on a well-behaved worker " + w + ": " + what);
    }

    @Override
    public void stolenFrom(WorkerSlot w, int calls) {
        Sim sim = sims.get(w);
        if (sim == null) {
            throw fail("a steal reported from " + w + ", which the pool never started");
        }
        if (calls < 1 || calls > sim.cancelsSinceSteal) {
            throw fail("a steal of " + calls + " call(s) reported from " + w + ", which was sent "
                    + sim.cancelsSinceSteal + " CANCEL(s) since its last one");
        }
        sim.cancelsSinceSteal = 0;
        stealReports++;
    }

    /** How many batches of steals the pool reported. */
    int stealReports;

    @Override
    public void terminated() {
        if (terminated) {
            throw fail("terminated() twice");
        }
        terminated = true;
    }

    // ============================================================================ checks

    private void checkInvariants() {
        Map<Call, Integer> inBacklog = new HashMap<>();
        for (Call c : s.backlog()) {
            if (c.state() == Call.QUEUED) {
                inBacklog.merge(c, 1, Integer::sum);
            }
        }
        Map<Call, WorkerSlot> onWorker = new HashMap<>();
        for (WorkerSlot w : s.workers()) {
            int running = 0;
            boolean first = true;
            for (Call c : w.pipeline()) {
                if (onWorker.put(c, w) != null) {
                    throw fail(c + " is in two pipelines");
                }
                if (c.state() == Call.RUNNING) {
                    running++;
                    if (!first) {
                        throw fail(c + " RUNNING but not the head of " + w);
                    }
                }
                first = false;
            }
            if (running > 1) {
                throw fail(w + " has " + running + " RUNNING calls");
            }
        }
        for (Ghost g : ghosts) {
            Call c = g.call;
            if (g.rejected) {
                continue;
            }
            int st = c.state();
            int b = inBacklog.getOrDefault(c, 0);
            WorkerSlot on = onWorker.get(c);
            if (st == Call.QUEUED) {
                if (b != 1 || on != null) {
                    throw fail(c + " QUEUED but in the backlog " + b + " times and on " + on);
                }
            } else if (st <= Call.RUNNING) {
                if (b != 0 || on == null || on != c.worker()) {
                    throw fail(c + " on a worker but in the backlog " + b + " times, in the pipeline of " + on);
                }
            } else if (b != 0 || on != null) {
                throw fail(c + " done but still in the backlog or on " + on);
            }
            if (st == Call.RUNNING && (g.starts != 1 || g.startedOn != c.worker())) {
                throw fail(c + " RUNNING but not started by its worker");
            }
            if (c.promise().future().isRunning() && g.starts == 0) {
                throw fail(c + ": its future is RUNNING but no worker started it");
            }
            if (g.cancelSucceeded && g.starts > 0) {
                throw fail(c + ": a cancel succeeded but it started");
            }
            if (c.promise().future().isCancelled() && g.starts > 0 && !c.interrupted()) {
                throw fail(c + ": cancelled (not by cancel(true)) although it started");
            }
        }
        if (terminated && s.runState() != Scheduler.TERMINATED) {
            throw fail("terminated() but the run state is " + s.runState());
        }
    }

    private void checkEnd() {
        if (!waitingCancels.isEmpty()) {
            throw fail("cancels still waiting at quiescence, for " + waitingCancels);
        }
        for (Ghost g : ghosts) {
            Call c = g.call;
            if (g.rejected) {
                continue;
            }
            if (!c.promise().future().isDone()) {
                throw fail(c + " is lost: its future never completed (" + c.promise().future().status() + ")");
            }
            if (c.state() < Call.FINISHED) {
                throw fail(c + " still " + Call.name(c.state()) + " at quiescence");
            }
            switch (c.promise().future().status()) {
                case SUCCEEDED:
                    if (g.task == null && !Long.valueOf(c.id() * 10).equals(c.promise().future().result())) {
                        throw fail(c + " has the result " + c.promise().future().result());
                    }
                    if (g.starts != 1) {
                        throw fail(c + " succeeded but started " + g.starts + " times");
                    }
                    break;
                case FAILED:
                    if (!(g.lostWithWorker || g.timedOut || g.brokenFail)) {
                        throw fail(c + " failed for no reason the world knows");
                    }
                    if (g.brokenFail && !broken) {
                        throw fail(c + " failed as broken, but the pool is not");
                    }
                    break;
                case CANCELLED:
                    if (g.starts > 0 && !c.interrupted()) {
                        throw fail(c + " cancelled although it started");
                    }
                    break;
                default:
                    throw fail("impossible");
            }
        }
        if (s.runState() != Scheduler.TERMINATED || !terminated) {
            throw fail("not terminated at quiescence after shutdown: run state " + s.runState() + ", workers "
                    + s.workers());
        }
        for (Sim sim : sims.values()) {
            if (sim.alive) {
                throw fail(sim + " still alive after the pool terminated");
            }
        }
    }

    private AssertionError fail(String what) {
        StringBuilder sb = new StringBuilder(what).append("\n  config: ").append(cfg).append("\n  trace (")
                .append(trace.size()).append(" steps):");
        int from = Math.max(0, trace.size() - 60);
        for (int i = from; i < trace.size(); i++) {
            sb.append("\n    ").append(i).append(": ").append(trace.get(i));
        }
        sb.append("\n  workers: ");
        for (Iterator<Sim> it = sims.values().iterator(); it.hasNext(); ) {
            Sim sim = it.next();
            sb.append("\n    ").append(sim.slot).append(" / ").append(sim);
        }
        sb.append("\n  backlog: ").append(s.backlog());
        return new AssertionError(sb.toString());
    }

    List<Ghost> ghosts() {
        return ghosts;
    }

    /**
     * Everything that decides what can happen next, as a string: two worlds with the same
     * fingerprint have the same futures (up to the numbers of tickets and workers not yet made),
     * so an exhaustive search explores each only once.
     */
    String fingerprint() {
        StringBuilder sb = new StringBuilder(512);
        sb.append(s.counters()).append('|').append(s.queued()).append('|');
        for (Call c : s.backlog()) {
            sb.append(c.id()).append(':').append(c.state()).append(',');
        }
        sb.append('|');
        for (WorkerSlot w : s.workers()) {
            sb.append('w').append(w.id()).append(':').append(w.state()).append(w.killing() ? 'k' : '-')
                    .append(w.killedByUser() ? 'u' : '-').append('[');
            for (Call c : w.pipeline()) {
                sb.append(c.id()).append(':').append(c.state()).append(':').append(c.ticket()).append(':')
                        .append(c.cancelWaiters()).append(c.poolCancel() ? 'p' : '-').append(c.stolen() ? 's' : '-')
                        .append(c.interrupted() ? 'i' : '-').append(c.kill() == null ? '-' : c.kill().name().charAt(0))
                        .append(',');
            }
            sb.append(']');
        }
        sb.append('|');
        for (Sim sim : sims.values()) {
            sb.append(sim.slot.id()).append(sim.up ? 'u' : '-').append(sim.alive ? 'a' : '-').append(sim.gone ? 'g' : '-')
                    .append(sim.killRequested ? 'k' : '-').append(sim.stopQueued ? 's' : '-').append(sim.reported ? 'r' : '-')
                    .append(sim.startedSlot).append(sim.toWorker)
                    .append(sim.queue).append(sim.running).append(sim.toPool).append(';');
        }
        sb.append('|');
        for (Ghost g : ghosts) {
            sb.append(g.call.id()).append(':').append(g.call.state()).append(':').append(g.starts)
                    .append(g.cancelSucceeded ? 'c' : '-').append(g.lostWithWorker ? 'l' : '-')
                    .append(g.timedOut ? 't' : '-').append(g.brokenFail ? 'b' : '-').append(g.rejected ? 'r' : '-')
                    .append(g.call.promise().future().status().ordinal()).append(',');
        }
        sb.append('|');
        for (Timer t : timers) {
            sb.append(t.grace ? 'g' : 't').append(t.call.id()).append(':').append(t.ticket).append(',');
        }
        sb.append('|');
        for (Call c : waitingCancels) {
            sb.append(c.id()).append(',');
        }
        sb.append('|').append(budget.deaths).append(budget.startFailures).append(budget.cancels).append(budget.gaveUp)
                .append(budget.interrupts).append(budget.idle).append(shutdown).append(draining).append(terminated)
                .append(broken);
        return sb.toString();
    }
}
