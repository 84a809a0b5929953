package dev.jfutures.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Objects;

/**
 * The default {@link Codec}: JDK serialization, which carries {@code Serializable} lambdas (every
 * {@link dev.jfutures.Task}), records, collections and exceptions with their stack traces, decoded
 * through a {@link SerializationFilter}.
 */
public final class JavaSerializationCodec implements Codec {

    private final SerializationFilter filter;

    /** A codec with the {@linkplain SerializationFilter#defaults() default filter}. */
    public JavaSerializationCodec() {
        this(SerializationFilter.defaults());
    }

    /**
     * A codec with the given filter.
     *
     * @param filter what decoding accepts
     * @throws NullPointerException if {@code filter} is null
     */
    public JavaSerializationCodec(SerializationFilter filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /**
     * The filter in use.
     *
     * @return the filter
     */
    public SerializationFilter filter() {
        return filter;
    }

    @Override
    public byte[] encode(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
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
        SerializationFilter.Check check = filter.new Check();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(check);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (check.rejected != null) {
                throw check.explain(e);
            }
            throw e;
        }
    }
}
