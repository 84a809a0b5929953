package dev.jfutures.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The messages of the cluster protocol, carried by Hazelcast's executors:
 *
 * <pre>
 *   caller --RunTask--> worker      (TASKS executor)   answers an outcome: tag byte + payload
 *   worker --Claim----> caller      (CLAIMS executor)  answers the attempt number, 0: do not run
 *   caller --Interrupt-> worker     (CONTROL executor) cancel(true), or a timeout
 *   caller --Digest---> worker      (CONTROL executor) answers its class path digest, on joining
 * </pre>
 *
 * A worker runs a task only after its claim is granted, so the caller's record of the task
 * ({@link dev.jfutures.cluster.internal.ClusterCall}) always knows whether it started.
 */
final class Envelopes {

    /** Outcome tags: the first byte of a RunTask's answer. */
    static final byte RESULT = 1;
    static final byte FAILED = 2;
    static final byte DECODE_FAILED = 3;
    static final byte REFUSED = 4;
    static final byte BAD_SIGNATURE = 5;
    static final byte INIT_FAILED = 6;
    static final byte NOT_A_WORKER = 7;

    private Envelopes() {
    }

    /** A task for a worker member. */
    static final class RunTask implements Callable<byte[]>, Serializable, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;

        final UUID pool;
        final UUID caller;
        final long call;
        final int send;
        final byte[] payload;
        final byte[] initializer;
        final byte[] signature;
        private transient HazelcastInstance hz;

        RunTask(UUID pool, UUID caller, long call, int send, byte[] payload, byte[] initializer, byte[] signature) {
            this.pool = pool;
            this.caller = caller;
            this.call = call;
            this.send = send;
            this.payload = payload;
            this.initializer = initializer;
            this.signature = signature;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.hz = hazelcastInstance;
        }

        @Override
        public byte[] call() {
            MemberAgent agent = MemberAgent.current();
            if (agent == null) {
                return MemberAgent.tagged(NOT_A_WORKER, "this member was not started as a jfutures worker"
                        + " (dev.jfutures.cluster.Member or jfutures member)");
            }
            return agent.run(this, hz);
        }
    }

    /** A worker asks the caller whether it may start a task. */
    static final class Claim implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;

        final UUID pool;
        final long call;
        final int send;
        final UUID member;

        Claim(UUID pool, long call, int send, UUID member) {
            this.pool = pool;
            this.call = call;
            this.send = send;
            this.member = member;
        }

        @Override
        public Integer call() {
            return ClusterRuntime.claim(pool, call, send, member);
        }
    }

    /** The caller asks a worker to interrupt a task it runs. */
    static final class Interrupt implements Callable<Boolean>, Serializable {
        private static final long serialVersionUID = 1L;

        final UUID pool;
        final long call;
        final int send;

        Interrupt(UUID pool, long call, int send) {
            this.pool = pool;
            this.call = call;
            this.send = send;
        }

        @Override
        public Boolean call() {
            MemberAgent agent = MemberAgent.current();
            return agent != null && agent.interrupt(pool, call, send);
        }
    }

    /** The caller asks a worker that joined for the digest of its classes. */
    static final class Digest implements Callable<String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return dev.jfutures.cluster.internal.ClasspathDigest.current();
        }
    }
}
