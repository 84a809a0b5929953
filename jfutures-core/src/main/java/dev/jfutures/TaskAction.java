package dev.jfutures;

import java.io.Serializable;

/**
 * A serializable action with no result, such as a pool's initializer.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface TaskAction extends Serializable {
    /**
     * Runs the action.
     *
     * @throws Exception any failure
     */
    void run() throws Exception;
}
