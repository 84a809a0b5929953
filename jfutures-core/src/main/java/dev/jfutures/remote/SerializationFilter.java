package dev.jfutures.remote;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link JavaSerializationCodec} accepts when it decodes, in the worker (tasks) and in the
 * pool (results): a JEP 290 {@link ObjectInputFilter} with limits and an allow-list.
 *
 * <p>Allowed by default: primitives and arrays of allowed types; the JDK's value types, collections
 * and exceptions ({@code java.lang}, {@code java.util}, {@code java.util.concurrent}, {@code
 * java.time}, {@code java.math}, {@code java.io}, {@code java.nio.file}, {@code java.net} exceptions
 * and {@code URI}, serialized lambdas); jfutures' own classes; and every class that is not part of
 * the JDK, that is the user's classes and libraries on the classpath, except well-known
 * deserialization gadgets (commons-collections functors, Groovy's runtime, and the like). Every
 * other JDK class (JMX, RMI, JNDI, {@code sun.*}, {@code com.sun.*}, {@code jdk.*}, ...) is
 * rejected. {@link #allow} and {@link #reject} add patterns, in {@link
 * ObjectInputFilter.Config#createFilter} syntax ({@code com.example.**}, {@code com.example.Type}).
 *
 * <p>A rejection names the class and the setting to change.
 *
 * @since 0.1
 */
public final class SerializationFilter {

    private static final String[] JDK_ALLOWED_PACKAGES = {
        "java.lang", "java.lang.invoke", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
        "java.util.regex", "java.time", "java.time.chrono", "java.time.format", "java.time.temporal",
        "java.time.zone", "java.math", "java.io", "java.nio.file", "java.nio.charset", "java.text",
    };
    private static final String[] JDK_ALLOWED_CLASSES = {
        "java.net.URI", "java.net.URISyntaxException", "java.net.MalformedURLException",
        "java.net.UnknownHostException", "java.net.SocketException", "java.net.ConnectException",
        "java.net.SocketTimeoutException", "java.util.concurrent.locks.ReentrantLock",
    };
    private static final String[] GADGETS = {
        "org.apache.commons.collections.functors.", "org.apache.commons.collections4.functors.",
        "org.codehaus.groovy.runtime.", "org.springframework.beans.factory.", "com.mchange.v2.c3p0.",
        "org.apache.xalan.", "bsh.", "clojure.", "org.python.core.", "net.sf.json.",
    };

    private final List<String> allow;
    private final List<String> reject;
    private final long maxDepth;
    private final long maxReferences;
    private final long maxBytes;
    private final long maxArrayLength;

    private SerializationFilter(List<String> allow, List<String> reject, long maxDepth, long maxReferences,
                                long maxBytes, long maxArrayLength) {
        this.allow = List.copyOf(allow);
        this.reject = List.copyOf(reject);
        this.maxDepth = maxDepth;
        this.maxReferences = maxReferences;
        this.maxBytes = maxBytes;
        this.maxArrayLength = maxArrayLength;
    }

    /**
     * The default filter: the allow-list above; depth at most 1000, 10 million references, 1 GiB,
     * arrays of up to {@code Integer.MAX_VALUE - 8} elements.
     *
     * @return the default filter
     * @since 0.1
     */
    public static SerializationFilter defaults() {
        return new SerializationFilter(List.of(), List.of(), 1000, 10_000_000, 1L << 30, Integer.MAX_VALUE - 8);
    }

    /**
     * This filter, also accepting classes matching {@code pattern}.
     *
     * @param pattern e.g. {@code javax.management.openmbean.**} or {@code com.example.Type}
     * @return a new filter
     * @throws NullPointerException if {@code pattern} is null
     * @since 0.1
     */
    public SerializationFilter allow(String pattern) {
        List<String> a = new ArrayList<>(allow);
        a.add(Objects.requireNonNull(pattern, "pattern"));
        return new SerializationFilter(a, reject, maxDepth, maxReferences, maxBytes, maxArrayLength);
    }

    /**
     * This filter, also rejecting classes matching {@code pattern} (checked before any allow).
     *
     * @param pattern e.g. {@code com.example.internal.**}
     * @return a new filter
     * @throws NullPointerException if {@code pattern} is null
     * @since 0.1
     */
    public SerializationFilter reject(String pattern) {
        List<String> r = new ArrayList<>(reject);
        r.add(Objects.requireNonNull(pattern, "pattern"));
        return new SerializationFilter(allow, r, maxDepth, maxReferences, maxBytes, maxArrayLength);
    }

    /**
     * This filter with other limits.
     *
     * @param maxDepth the deepest object graph
     * @param maxReferences the most objects and references
     * @param maxBytes the most bytes in one payload
     * @return a new filter
     * @throws IllegalArgumentException if a limit is not positive
     * @since 0.1
     */
    public SerializationFilter limits(long maxDepth, long maxReferences, long maxBytes) {
        if (maxDepth < 1 || maxReferences < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("filter limits must be positive: maxDepth=" + maxDepth
                    + ", maxReferences=" + maxReferences + ", maxBytes=" + maxBytes);
        }
        return new SerializationFilter(allow, reject, maxDepth, maxReferences, maxBytes, maxArrayLength);
    }

    /**
     * The settings as command-line arguments ({@code --filter-limits=}, {@code --filter-allow=},
     * {@code --filter-reject=}), the form in which a pool hands its filter to the JVMs it starts;
     * {@link #fromArguments} reads them back.
     *
     * @return the arguments, in order
     * @since 0.1
     */
    public List<String> toArguments() {
        List<String> args = new ArrayList<>();
        args.add("--filter-limits=" + maxDepth + "," + maxReferences + "," + maxBytes + "," + maxArrayLength);
        for (String a : allow) {
            args.add("--filter-allow=" + a);
        }
        for (String r : reject) {
            args.add("--filter-reject=" + r);
        }
        return args;
    }

    /**
     * Rebuilds a filter from the arguments {@link #toArguments} gave; arguments that are not the
     * filter's are ignored.
     *
     * @param args command-line arguments
     * @return the filter they describe (the defaults where they say nothing)
     * @throws IllegalArgumentException if a {@code --filter-limits=} argument is malformed
     * @since 0.1
     */
    public static SerializationFilter fromArguments(List<String> args) {
        SerializationFilter f = defaults();
        List<String> allow = new ArrayList<>();
        List<String> reject = new ArrayList<>();
        long[] limits = {f.maxDepth, f.maxReferences, f.maxBytes, f.maxArrayLength};
        for (String a : args) {
            if (a.startsWith("--filter-limits=")) {
                String[] p = a.substring("--filter-limits=".length()).split(",");
                for (int i = 0; i < 4; i++) {
                    limits[i] = Long.parseLong(p[i]);
                }
            } else if (a.startsWith("--filter-allow=")) {
                allow.add(a.substring("--filter-allow=".length()));
            } else if (a.startsWith("--filter-reject=")) {
                reject.add(a.substring("--filter-reject=".length()));
            }
        }
        return new SerializationFilter(allow, reject, limits[0], limits[1], limits[2], limits[3]);
    }

    /** The JDK filter for one decode; remembers what it rejected, for the message. */
    final class Check implements ObjectInputFilter {
        String rejected;

        @Override
        public Status checkInput(FilterInfo info) {
            if (info.depth() > maxDepth) {
                rejected = "an object graph deeper than " + maxDepth;
                return Status.REJECTED;
            }
            if (info.references() > maxReferences) {
                rejected = "more than " + maxReferences + " references";
                return Status.REJECTED;
            }
            if (info.streamBytes() > maxBytes) {
                rejected = "more than " + maxBytes + " bytes";
                return Status.REJECTED;
            }
            if (info.arrayLength() > maxArrayLength) {
                rejected = "an array of " + info.arrayLength() + " elements";
                return Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null) {
                return Status.UNDECIDED;
            }
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.isPrimitive()) {
                return Status.ALLOWED;
            }
            if (!isAllowed(c)) {
                rejected = "class " + c.getName();
                return Status.REJECTED;
            }
            return Status.ALLOWED;
        }

        InvalidClassException explain(InvalidClassException e) {
            String what = rejected != null ? rejected : e.getMessage();
            String setting = rejected != null && rejected.startsWith("class ")
                    ? "allow it with ProcessPool.builder().serializationFilter(SerializationFilter.defaults().allow(\""
                      + rejected.substring("class ".length()) + "\"))"
                    : "raise the limit with ProcessPool.builder().serializationFilter(SerializationFilter.defaults().limits(...))";
            InvalidClassException x = new InvalidClassException(
                    "the jfutures deserialization filter rejected " + what + "; " + setting);
            x.initCause(e);
            return x;
        }
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The rejection of a payload of {@code n} bytes, over the byte limit. */
    InvalidClassException tooLarge(long n) {
        Check check = new Check();
        check.rejected = "a payload of " + n + " bytes (more than " + maxBytes + ")";
        return check.explain(new InvalidClassException("payload of " + n + " bytes", "filter status: REJECTED"));
    }

    /** Whether the filter lets {@code c} through (for payloads decoded without an object stream). */
    boolean allows(Class<?> c) {
        return isAllowed(c);
    }

    /** The rejection of {@code c}, worded as the filter's. */
    InvalidClassException rejection(Class<?> c) {
        Check check = new Check();
        check.rejected = "class " + c.getName();
        return check.explain(new InvalidClassException(c.getName(), "filter status: REJECTED"));
    }

    private boolean isAllowed(Class<?> c) {
        String name = c.getName();
        for (String r : reject) {
            if (matches(r, name)) {
                return false;
            }
        }
        for (String a : allow) {
            if (matches(a, name)) {
                return true;
            }
        }
        if (name.startsWith("dev.jfutures.")) {
            return true;
        }
        ClassLoader loader = c.getClassLoader();
        boolean jdk = loader == null || loader == ClassLoader.getPlatformClassLoader();
        if (!jdk) {
            for (String g : GADGETS) {
                if (name.startsWith(g)) {
                    return false;
                }
            }
            return true;
        }
        String pkg = c.getPackageName();
        for (String p : JDK_ALLOWED_PACKAGES) {
            if (pkg.equals(p)) {
                return true;
            }
        }
        for (String k : JDK_ALLOWED_CLASSES) {
            if (name.equals(k)) {
                return true;
            }
        }
        return false;
    }

    /** JEP 290 pattern: {@code a.b.**} (package and subpackages), {@code a.b.*} (package), prefix {@code a.b*}, exact. */
    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith(".**")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 2));
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 1);
            return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
        }
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return name.equals(pattern);
    }

    @Override
    public String toString() {
        return "SerializationFilter[allow=" + allow + ", reject=" + reject + ", maxDepth=" + maxDepth
                + ", maxReferences=" + maxReferences + ", maxBytes=" + maxBytes + "]";
    }
}
