package dev.jfutures.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/**
 * Reaches virtual threads (JDK 21+) by reflection, so that the library compiles for Java 17 and
 * still uses them where the running JVM has them.
 */
public final class VirtualThreads {

    private VirtualThreads() {
    }

    /**
     * Whether the running JVM has virtual threads.
     *
     * @return true on JDK 21 and later
     */
    public static boolean available() {
        return Runtime.version().feature() >= 21;
    }

    /**
     * A factory of virtual threads named {@code prefix + "_" + n}, n counting from 0.
     *
     * @param prefix the name prefix
     * @return the factory
     * @throws UnsupportedOperationException on a JVM older than 21, saying what to change
     */
    public static ThreadFactory factory(String prefix) {
        if (!available()) {
            throw new UnsupportedOperationException("virtual threads need Java 21 or later, and this JVM is "
                    + Runtime.version() + " (" + System.getProperty("java.home") + "): run on JDK 21+, or use "
                    + "platform threads (ThreadPool.builder() without virtualThreads())");
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            Method name = ofVirtual.getMethod("name", String.class, long.class);
            builder = name.invoke(builder, prefix + "_", 0L);
            return (ThreadFactory) ofVirtual.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("cannot create virtual threads on " + Runtime.version(), e);
        }
    }
}
