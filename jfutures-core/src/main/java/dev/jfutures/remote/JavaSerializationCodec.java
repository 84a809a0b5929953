package dev.jfutures.remote;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link Codec}: JDK serialization, which carries {@code Serializable} lambdas (every
 * {@link dev.jfutures.Task}), records, collections and exceptions with their stack traces, decoded
 * through a {@link SerializationFilter}.
 *
 * <p>Two fast paths keep the per-task cost low, without changing what can be sent: a value that is
 * null, an {@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String} or {@code
 * byte[]} is written as a tag and its bytes, not as an object stream; and a lambda is written as its
 * {@link SerializedLambda} fields and rebuilt through a cached handle to its capturing class's
 * {@code $deserializeLambda$} (which checks it exactly as the JDK does).
 *
 * @since 0.1
 */
public final class JavaSerializationCodec implements Codec {

    private static final byte STREAM = 0;
    private static final byte NULL = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte TRUE = 5;
    private static final byte FALSE = 6;
    private static final byte STRING = 7;
    private static final byte BYTES = 8;
    private static final byte LAMBDA = 9;

    /** writeReplace of each lambda class (hidden classes: looked up once each). */
    private static final Map<Class<?>, Method> WRITE_REPLACE = new ConcurrentHashMap<>();
    /** Classes resolved by name through the application loader. */
    private static final Map<String, Class<?>> CLASSES = new ConcurrentHashMap<>();
    /** $deserializeLambda$ of each capturing class. */
    private static final Map<Class<?>, MethodHandle> DESERIALIZE = new ConcurrentHashMap<>();

    private final SerializationFilter filter;

    /**
     * A codec with the {@linkplain SerializationFilter#defaults() default filter}.
     *
     * @since 0.1
     */
    public JavaSerializationCodec() {
        this(SerializationFilter.defaults());
    }

    /**
     * A codec with the given filter.
     *
     * @param filter what decoding accepts
     * @throws NullPointerException if {@code filter} is null
     * @since 0.1
     */
    public JavaSerializationCodec(SerializationFilter filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /**
     * The filter in use.
     *
     * @return the filter
     * @since 0.1
     */
    public SerializationFilter filter() {
        return filter;
    }

    @Override
    public byte[] encode(Object value) throws IOException {
        if (value == null) {
            return new byte[] {NULL};
        }
        Class<?> c = value.getClass();
        if (c == Integer.class) {
            int v = (Integer) value;
            return new byte[] {INT, (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        if (c == Boolean.class) {
            return new byte[] {(Boolean) value ? TRUE : FALSE};
        }
        if (c == Long.class || c == Double.class || c == String.class || c == byte[].class) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(c == byte[].class ? ((byte[]) value).length + 5 : 16);
            DataOutputStream d = new DataOutputStream(bytes);
            if (c == Long.class) {
                d.writeByte(LONG);
                d.writeLong((Long) value);
            } else if (c == Double.class) {
                d.writeByte(DOUBLE);
                d.writeDouble((Double) value);
            } else if (c == String.class) {
                d.writeByte(STRING);
                d.write(((String) value).getBytes(StandardCharsets.UTF_8));
            } else {
                d.writeByte(BYTES);
                d.write((byte[]) value);
            }
            return bytes.toByteArray();
        }
        if (c.isSynthetic() && value instanceof Serializable) {
            byte[] compact = encodeLambda(value);
            if (compact != null) {
                return compact;
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        bytes.write(STREAM);
        try (ObjectOutputStream out = new LambdaAwareOutput(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw notSerializable(value, e);
        }
        return bytes.toByteArray();
    }

    private static NotSerializableException notSerializable(Object value, NotSerializableException e) {
        String offender = e.getMessage();
        String top = value == null ? "null" : value.getClass().getName();
        String advice;
        if (offender != null && offender.contains("$$Lambda")) {
            advice = "it is a lambda of an interface that is not Serializable: write it where a "
                    + "dev.jfutures.Task, TaskFunction or TaskAction is expected (or cast it to one)";
        } else if (offender != null && !offender.equals(top)) {
            advice = top + " captures or holds a " + offender + ", which is not Serializable: capture only "
                    + "serializable values (copy what the lambda needs into local variables, so it does not "
                    + "capture 'this'), or make " + offender + " Serializable";
        } else {
            advice = "make it Serializable, or send something that is";
        }
        NotSerializableException x = new NotSerializableException(offender + " cannot be sent to a worker process: " + advice);
        x.initCause(e);
        return x;
    }

    @Override
    public Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        if (bytes.length == 0) {
            throw new InvalidObjectException("empty payload");
        }
        if (bytes.length > filter.maxBytes()) {
            // Every payload, whatever its encoding: the JDK filter sees bytes only at class callbacks.
            throw filter.tooLarge(bytes.length);
        }
        switch (bytes[0]) {
            case NULL:
                return null;
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            case INT:
                return ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
            case LONG:
                return new DataInputStream(new ByteArrayInputStream(bytes, 1, 8)).readLong();
            case DOUBLE:
                return new DataInputStream(new ByteArrayInputStream(bytes, 1, 8)).readDouble();
            case STRING:
                return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
            case BYTES:
                return java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
            case LAMBDA:
                return decodeLambda(bytes);
            case STREAM:
                break;
            default:
                throw new InvalidObjectException("unknown payload tag " + bytes[0]);
        }
        SerializationFilter.Check check = filter.new Check();
        try (ObjectInputStream in = new LambdaAwareInput(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            in.setObjectInputFilter(check);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (check.rejected != null) {
                throw check.explain(e);
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ compact lambdas

    /** Per lambda class: its descriptor block (the SerializedLambda's strings), written once. */
    private static final Map<Class<?>, byte[]> DESCRIPTORS = new ConcurrentHashMap<>();
    /** Per descriptor block seen in decode: the capturing class and the strings, parsed once. */
    private final Map<String, Descriptor> descriptors = new ConcurrentHashMap<>();

    /** A lambda's identity: everything of its SerializedLambda but the captured values. */
    private record Descriptor(Class<?> capturing, MethodHandle deserialize, String fiClass, String fiName,
                              String fiSignature, int implKind, String implClass, String implName,
                              String implSignature, String instantiated) {
    }

    /**
     * A lambda whose captured values are all null, boxed scalars, strings or byte arrays, as: the
     * LAMBDA tag, its descriptor block, and each captured value in the scalar encoding. Null when
     * the lambda does not qualify (it then goes through an object stream).
     */
    private byte[] encodeLambda(Object lambda) throws IOException {
        SerializedLambda sl = serializedLambda(lambda);
        if (sl == null) {
            return null;
        }
        byte[][] args = new byte[sl.getCapturedArgCount()][];
        int size = 0;
        for (int i = 0; i < args.length; i++) {
            Object a = sl.getCapturedArg(i);
            Class<?> ac = a == null ? null : a.getClass();
            if (a != null && ac != Integer.class && ac != Long.class && ac != Double.class && ac != Boolean.class
                    && ac != String.class && ac != byte[].class) {
                return null;
            }
            args[i] = encode(a);
            size += 4 + args[i].length;
        }
        byte[] descriptor = DESCRIPTORS.computeIfAbsent(lambda.getClass(), k -> descriptorBlock(sl));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 + 4 + descriptor.length + 2 + size);
        DataOutputStream d = new DataOutputStream(bytes);
        d.writeByte(LAMBDA);
        d.writeInt(descriptor.length);
        d.write(descriptor);
        d.writeShort(args.length);
        for (byte[] a : args) {
            d.writeInt(a.length);
            d.write(a);
        }
        return bytes.toByteArray();
    }

    private static byte[] descriptorBlock(SerializedLambda sl) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream d = new DataOutputStream(bytes);
            d.writeUTF(sl.getCapturingClass());
            d.writeUTF(sl.getFunctionalInterfaceClass());
            d.writeUTF(sl.getFunctionalInterfaceMethodName());
            d.writeUTF(sl.getFunctionalInterfaceMethodSignature());
            d.writeInt(sl.getImplMethodKind());
            d.writeUTF(sl.getImplClass());
            d.writeUTF(sl.getImplMethodName());
            d.writeUTF(sl.getImplMethodSignature());
            d.writeUTF(sl.getInstantiatedMethodType());
            return bytes.toByteArray();
        } catch (IOException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    private Object decodeLambda(byte[] bytes) throws IOException, ClassNotFoundException {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
        int n = d.readInt();
        if (n < 0 || n > bytes.length - 5) {
            throw new InvalidObjectException("malformed lambda payload");
        }
        String key = new String(bytes, 5, n, StandardCharsets.ISO_8859_1);
        Descriptor desc = descriptors.get(key);
        if (desc == null) {
            desc = parseDescriptor(new DataInputStream(new ByteArrayInputStream(bytes, 5, n)));
            descriptors.putIfAbsent(key, desc);
        }
        d.skipBytes(n);
        Object[] captured = new Object[d.readUnsignedShort()];
        for (int i = 0; i < captured.length; i++) {
            int len = d.readInt();
            if (len < 1 || len > bytes.length) {
                throw new InvalidObjectException("malformed lambda payload");
            }
            byte[] arg = d.readNBytes(len);
            if (arg[0] == STREAM || arg[0] == LAMBDA) {
                throw new InvalidObjectException("malformed lambda payload: a nested object stream");
            }
            captured[i] = decode(arg);
        }
        SerializedLambda sl = new SerializedLambda(desc.capturing(), desc.fiClass(), desc.fiName(), desc.fiSignature(),
                desc.implKind(), desc.implClass(), desc.implName(), desc.implSignature(), desc.instantiated(), captured);
        try {
            return desc.deserialize().invoke(sl);
        } catch (Throwable e) {
            InvalidObjectException x = new InvalidObjectException("cannot rebuild a lambda of "
                    + desc.capturing().getName() + " (" + desc.implName() + "): " + e);
            x.initCause(e);
            throw x;
        }
    }

    private Descriptor parseDescriptor(DataInputStream d) throws IOException, ClassNotFoundException {
        String capturingName = d.readUTF().replace('/', '.');
        Class<?> capturing = Class.forName(capturingName, false, LambdaAwareInput.latestLoader());
        if (!filter.allows(capturing)) {
            throw filter.rejection(capturing);
        }
        MethodHandle deserialize = DESERIALIZE.computeIfAbsent(capturing, JavaSerializationCodec::deserializeHandle);
        if (deserialize == null) {
            throw new InvalidObjectException("cannot rebuild a lambda of " + capturing.getName()
                    + ": its $deserializeLambda$ is not accessible");
        }
        return new Descriptor(capturing, deserialize, d.readUTF(), d.readUTF(), d.readUTF(), d.readInt(),
                d.readUTF(), d.readUTF(), d.readUTF(), d.readUTF());
    }

    /** The SerializedLambda of a serializable lambda, or null if it is not one. */
    private static SerializedLambda serializedLambda(Object obj) {
        Class<?> c = obj.getClass();
        if (!c.isSynthetic() || !c.getName().contains("$$Lambda")) {
            return null;
        }
        Method writeReplace = WRITE_REPLACE.computeIfAbsent(c, k -> {
            try {
                Method m = k.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return NO_METHOD;
            }
        });
        if (writeReplace == NO_METHOD) {
            return null;
        }
        try {
            Object replaced = writeReplace.invoke(obj);
            return replaced instanceof SerializedLambda ? (SerializedLambda) replaced : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static final Method NO_METHOD;

    static {
        try {
            NO_METHOD = Object.class.getMethod("hashCode");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Writes serializable lambdas as {@link LambdaRef}s. */
    private static final class LambdaAwareOutput extends ObjectOutputStream {
        LambdaAwareOutput(OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) throws IOException {
            if (obj.getClass() == ArrayList.class || obj.getClass() == Object[].class) {
                return PackedValues.pack(obj);
            }
            if (obj instanceof SerializedLambda) {
                // The stream called the lambda's writeReplace itself, with access this module's
                // reflection lacks when the lambda's module does not open its package to it.
                return new LambdaRef((SerializedLambda) obj);
            }
            if (!(obj instanceof Serializable)) {
                return obj;
            }
            SerializedLambda sl = serializedLambda(obj);
            return sl != null ? new LambdaRef(sl) : obj;
        }
    }

    /** Rebuilds {@link LambdaRef}s through the capturing class's cached {@code $deserializeLambda$}. */
    private static final class LambdaAwareInput extends ObjectInputStream {
        LambdaAwareInput(java.io.InputStream in) throws IOException {
            super(in);
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            if (!(obj instanceof LambdaRef)) {
                return obj;
            }
            LambdaRef ref = (LambdaRef) obj;
            try {
                Class<?> capturing = Class.forName(ref.capturingClass.replace('/', '.'), false, latestLoader());
                MethodHandle deserialize = DESERIALIZE.computeIfAbsent(capturing, JavaSerializationCodec::deserializeHandle);
                if (deserialize == null) {
                    throw new InvalidObjectException("cannot rebuild a lambda of " + capturing.getName()
                            + ": its $deserializeLambda$ is not accessible");
                }
                return deserialize.invoke(ref.toSerializedLambda(capturing));
            } catch (IOException e) {
                throw e;
            } catch (Throwable e) {
                InvalidObjectException x = new InvalidObjectException("cannot rebuild a lambda of "
                        + ref.capturingClass + " (" + ref.implMethodName + "): " + e);
                x.initCause(e);
                throw x;
            }
        }

        static ClassLoader latestLoader() {
            ClassLoader l = Thread.currentThread().getContextClassLoader();
            return l != null ? l : JavaSerializationCodec.class.getClassLoader();
        }

        /**
         * Resolves through the application class loader, with a cache: the JDK's default walks the
         * stack for the latest user-defined loader on every class of every payload.
         *
         * @since 0.1
         */
        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            Class<?> c = CLASSES.get(name);
            if (c != null) {
                return c;
            }
            try {
                c = Class.forName(name, false, latestLoader());
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
            CLASSES.putIfAbsent(name, c);
            return c;
        }
    }

    private static MethodHandle deserializeHandle(Class<?> capturing) {
        MethodType type = MethodType.methodType(Object.class, SerializedLambda.class);
        try {
            return MethodHandles.privateLookupIn(capturing, MethodHandles.lookup())
                    .findStatic(capturing, "$deserializeLambda$", type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            try {
                Method m = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return MethodHandles.lookup().unreflect(m);
            } catch (ReflectiveOperationException | RuntimeException e2) {
                return null;
            }
        }
    }
}
