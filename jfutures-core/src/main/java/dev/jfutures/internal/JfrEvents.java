package dev.jfutures.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * jfutures' JFR events. Loaded only where the JVM has JFR (see Telemetry.JFR). TaskFinished is on
 * by default: one event a task, whose duration is the task's run, with its queue time, worker
 * and outcome, so a recording's timeline shows every task where it ran. TaskSubmitted and
 * TaskStarted are off by default (enable them in the recording's settings): at the rates a
 * thread pool runs tiny tasks, three events a task cost more than one.
 */
final class JfrEvents {

    private JfrEvents() {
    }

    @Name("dev.jfutures.TaskSubmitted")
    @Label("Task Submitted")
    @Category({"jfutures", "Tasks"})
    @Description("A task was accepted by an executor")
    @Enabled(false)
    @StackTrace(false)
    static final class TaskSubmitted extends Event {
        @Label("Executor")
        String executor;
        @Label("Executor Kind")
        String executorKind;
        @Label("Task Id")
        long taskId;
    }

    @Name("dev.jfutures.TaskStarted")
    @Label("Task Started")
    @Category({"jfutures", "Tasks"})
    @Description("A worker started a task")
    @Enabled(false)
    @StackTrace(false)
    static final class TaskStarted extends Event {
        @Label("Executor")
        String executor;
        @Label("Executor Kind")
        String executorKind;
        @Label("Task Id")
        long taskId;
        @Label("Worker")
        String worker;
        @Label("Queued")
        @Timespan(Timespan.NANOSECONDS)
        long queued;
    }

    @Name("dev.jfutures.TaskFinished")
    @Label("Task")
    @Category({"jfutures", "Tasks"})
    @Description("A task's run, from its start to its outcome (a task cancelled unstarted has no run)")
    @StackTrace(false)
    // Off unless asked for (`+dev.jfutures.TaskFinished#enabled=true`, or a .jfc that enables
    // it): a duration event costs each task two clock reads even under a threshold, about 60 ns on
    // a VM whose clock read takes 29 ns, and a pool of tiny tasks runs one every 250 ns. Measured
    // on 2 threads with a recording on: 2.2M tasks/s with every task's event, 2.8M with a 1 ms
    // threshold, 3.8M without the events compiled in. Off, a default recording costs the tasks
    // nothing; WorkerChanged stays on (a worker's life is rare).
    @Enabled(false)
    static final class TaskFinished extends Event {
        @Label("Executor")
        String executor;
        @Label("Executor Kind")
        String executorKind;
        @Label("Task Id")
        long taskId;
        @Label("Worker")
        String worker;
        @Label("Queued")
        @Timespan(Timespan.NANOSECONDS)
        long queued;
        @Label("Outcome")
        String outcome;
    }

    @Name("dev.jfutures.WorkerChanged")
    @Label("Worker Changed")
    @Category({"jfutures", "Workers"})
    @Description("A worker started, stopped, died, was recycled, or had tasks taken back")
    @StackTrace(false)
    static final class WorkerChanged extends Event {
        @Label("Executor")
        String executor;
        @Label("Executor Kind")
        String executorKind;
        @Label("Change")
        String change;
        @Label("Worker")
        String worker;
        @Label("Cause")
        String cause;
        @Label("Tasks")
        int tasks;
    }

    // Instances asked only whether their kind is enabled: the check that costs nothing to a
    // JVM recording none of them.
    private static final TaskSubmitted SUBMITTED = new TaskSubmitted();
    private static final TaskStarted STARTED = new TaskStarted();
    private static final TaskFinished FINISHED = new TaskFinished();

    static boolean tasksEnabled() {
        return FINISHED.isEnabled() || STARTED.isEnabled() || SUBMITTED.isEnabled();
    }

    static void submitted(String executor, String kind, long id) {
        if (SUBMITTED.isEnabled()) {
            TaskSubmitted e = new TaskSubmitted();
            e.executor = executor;
            e.executorKind = kind;
            e.taskId = id;
            e.commit();
        }
    }

    /** Emits TaskStarted if enabled; returns the TaskFinished event begun now, or null. */
    static Object started(String executor, String kind, long id, String worker, long queued) {
        if (STARTED.isEnabled()) {
            TaskStarted e = new TaskStarted();
            e.executor = executor;
            e.executorKind = kind;
            e.taskId = id;
            e.worker = worker;
            e.queued = queued;
            e.commit();
        }
        if (FINISHED.isEnabled()) {
            TaskFinished f = new TaskFinished();
            f.begin();
            return f;
        }
        return null;
    }

    static void finished(Object begun, String executor, String kind, long id, String worker, long queued,
            String outcome) {
        TaskFinished f = begun instanceof TaskFinished ? (TaskFinished) begun : null;
        if (f == null) {
            if (!FINISHED.isEnabled()) {
                return;
            }
            f = new TaskFinished();   // cancelled unstarted, or started before the recording
            f.begin();
        }
        f.end();
        if (f.shouldCommit()) {
            f.executor = executor;
            f.executorKind = kind;
            f.taskId = id;
            f.worker = worker;
            f.queued = queued;
            f.outcome = outcome;
            f.commit();
        }
    }

    static void worker(String executor, String kind, String change, String worker, String cause, int tasks) {
        WorkerChanged e = new WorkerChanged();
        if (e.isEnabled()) {
            e.executor = executor;
            e.executorKind = kind;
            e.change = change;
            e.worker = worker;
            e.cause = cause;
            e.tasks = tasks;
            e.commit();
        }
    }
}
