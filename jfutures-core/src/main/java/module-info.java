/**
 * jfutures: Python's {@code concurrent.futures} for the JVM. The API is the package
 * {@code dev.jfutures}; everything else is internal.
 */
module dev.jfutures {
    exports dev.jfutures;
}
