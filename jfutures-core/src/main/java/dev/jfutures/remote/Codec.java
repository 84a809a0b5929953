package dev.jfutures.remote;

import java.io.IOException;

/**
 * Turns tasks, results and exceptions into bytes and back, on both sides of the channel to a
 * worker JVM. The default is {@link JavaSerializationCodec}. A custom codec needs a public no-arg
 * constructor, since the worker builds its own instance from the class name.
 *
 * @since 0.1
 */
public interface Codec {

    /**
     * Encodes a value.
     *
     * @param value a task, a result or an exception; may be null
     * @return the bytes
     * @throws IOException if the value cannot be encoded; the message names the offending class
     */
    byte[] encode(Object value) throws IOException;

    /**
     * Decodes a value.
     *
     * @param bytes bytes from {@link #encode}
     * @return the value
     * @throws IOException if the bytes cannot be decoded, or a class is not allowed
     * @throws ClassNotFoundException if a class is not on this side's classpath
     */
    Object decode(byte[] bytes) throws IOException, ClassNotFoundException;
}
