package dev.jfutures.cli.image;

import java.io.IOException;

/**
 * A problem with an image file's contents. Its message does not name the file: {@link Bilevel#read}
 * adds the name.
 */
final class ImageException extends IOException {
    private static final long serialVersionUID = 1L;

    ImageException(String message) {
        super(message);
    }

    ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
