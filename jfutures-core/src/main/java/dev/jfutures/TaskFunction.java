package dev.jfutures;

import java.io.Serializable;

/**
 * A serializable function of one argument, the work of {@link TaskExecutor#map}.
 *
 * @param <A> the argument type
 * @param <R> the result type
 * @since 0.1
 */
@FunctionalInterface
public interface TaskFunction<A, R> extends Serializable {
    /**
     * Applies the function.
     *
     * @param argument one input element
     * @return its result, which may be null
     * @throws Exception any failure; it is raised at this element's position in the results
     */
    R apply(A argument) throws Exception;
}
