package dev.jfutures.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.jfutures.TaskAction;
import dev.jfutures.cluster.internal.HazelcastSetup;
import dev.jfutures.cluster.internal.Signer;
import dev.jfutures.remote.Codec;
import dev.jfutures.remote.internal.Failures;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The worker side of the protocol, one per worker member JVM: checks a task's signature, runs the
 * pool's initializer once, claims the task from its caller, runs it, and answers its outcome.
 * Interrupts reach the thread that runs the task only while it runs it.
 */
final class MemberAgent {

    private static volatile MemberAgent current;

    private final Signer signer;
    private final Codec codec;
    /** How long a claim may take before the worker gives the task up (the caller is gone). */
    private final long claimTimeoutMillis;
    /** Running tasks by pool and call; the thread's monitor is this map. */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Per pool: null while not initialized, TRUE once its initializer ran, else its failure. */
    private final Map<UUID, Object> initialized = new ConcurrentHashMap<>();

    private static final class Running {
        final Thread thread;
        final int send;

        Running(Thread thread, int send) {
            this.thread = thread;
            this.send = send;
        }
    }

    MemberAgent(byte[] key, Codec codec, long claimTimeoutMillis) {
        this.signer = new Signer(key);
        this.codec = codec;
        this.claimTimeoutMillis = claimTimeoutMillis;
    }

    static MemberAgent current() {
        return current;
    }

    static void install(MemberAgent agent) {
        current = agent;
    }

    static byte[] tagged(byte tag, byte[] payload) {
        byte[] b = new byte[1 + payload.length];
        b[0] = tag;
        System.arraycopy(payload, 0, b, 1, payload.length);
        return b;
    }

    static byte[] tagged(byte tag, String message) {
        return tagged(tag, message.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs one task on this member's TASKS thread; never throws. */
    byte[] run(Envelopes.RunTask t, HazelcastInstance hz) {
        try {
            if (!signer.verify(t.signature, t.pool, t.call, t.send, t.payload, t.initializer)) {
                return tagged(Envelopes.BAD_SIGNATURE, "member " + hz.getCluster().getLocalMember().getAddress()
                        + " refused a task not signed with its cluster key (its key's fingerprint is "
                        + signer.fingerprint() + "); give the pool and the members the same key");
            }
            if (t.initializer != null) {
                byte[] failure = initialize(t.pool, t.initializer);
                if (failure != null) {
                    return tagged(Envelopes.INIT_FAILED, failure);
                }
            }
            UUID self = hz.getCluster().getLocalMember().getUuid();
            Member caller = null;
            for (Member m : hz.getCluster().getMembers()) {
                if (m.getUuid().equals(t.caller)) {
                    caller = m;
                }
            }
            if (caller == null) {
                return tagged(Envelopes.REFUSED, "the caller left the cluster");
            }
            int attempt;
            try {
                attempt = hz.getExecutorService(HazelcastSetup.CLAIMS)
                        .submitToMember(new Envelopes.Claim(t.pool, t.call, t.send, self), caller)
                        .get(claimTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                Thread.interrupted();
                return tagged(Envelopes.REFUSED, "the claim failed: " + e);
            }
            if (attempt <= 0) {
                return tagged(Envelopes.REFUSED, "cancelled");
            }
            return runClaimed(t, attempt);
        } catch (Throwable unexpected) {
            return tagged(Envelopes.FAILED, Failures.encode(new IllegalStateException(
                    "the member could not run the task: " + Failures.describe(unexpected)), codec));
        }
    }

    private byte[] runClaimed(Envelopes.RunTask t, int attempt) {
        String key = t.pool + "/" + t.call;
        Object task;
        try {
            task = codec.decode(t.payload);
            if (!(task instanceof Callable)) {
                throw new java.io.IOException("the payload holds a " + (task == null ? "null" : task.getClass().getName())
                        + ", not a task");
            }
        } catch (Throwable e) {
            return tagged(Envelopes.DECODE_FAILED, Failures.encode(e, codec));
        }
        TaskContext previous = TaskContext.enter(t.pool + "-" + t.call, attempt);
        synchronized (running) {
            running.put(key, new Running(Thread.currentThread(), t.send));
        }
        Object value;
        try {
            value = ((Callable<?>) task).call();
        } catch (Throwable e) {
            return tagged(Envelopes.FAILED, Failures.encode(e, codec));
        } finally {
            synchronized (running) {
                running.remove(key);
            }
            // No interrupt reaches this thread now (it is out of the map): one that came late must
            // not hit the next task, or Hazelcast's own work on this thread.
            Thread.interrupted();
            TaskContext.leave(previous);
        }
        try {
            return tagged(Envelopes.RESULT, codec.encode(value));
        } catch (Throwable e) {
            return tagged(Envelopes.FAILED, Failures.encode(new java.io.NotSerializableException(
                    "the task's result could not be sent back: " + Failures.describe(e)), codec));
        }
    }

    /** Runs a pool's initializer once on this member; returns its failure payload, or null. */
    private byte[] initialize(UUID pool, byte[] initializer) {
        Object state = initialized.get(pool);
        if (state == null) {
            synchronized (initialized) {
                state = initialized.get(pool);
                if (state == null) {
                    try {
                        Object action = codec.decode(initializer);
                        ((TaskAction) action).run();
                        state = Boolean.TRUE;
                    } catch (Throwable e) {
                        state = Failures.encode(e, codec);
                    }
                    initialized.put(pool, state);
                }
            }
        }
        return state instanceof byte[] ? (byte[]) state : null;
    }

    /** Interrupts a task if it runs here for that send; true if it did. */
    boolean interrupt(UUID pool, long call, int send) {
        synchronized (running) {
            Running r = running.get(pool + "/" + call);
            if (r == null || r.send != send) {
                return false;
            }
            r.thread.interrupt();
            return true;
        }
    }

    /** Forgets a pool's initializer outcome (the pool ended). */
    void forget(UUID pool) {
        initialized.remove(pool);
    }
}
