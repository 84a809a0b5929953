package dev.jfutures.cli;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.process.WorkerDiedException;
import java.io.IOException;
import java.nio.file.FileSystemException;

/** One-line descriptions of what went wrong with one file, for {@code jfutures COMMAND: LINE}. */
final class Problems {

    private Problems() {
    }

    /**
     * {@code INPUT: problem}, from an I/O error while working on {@code input}: the reason without
     * a second copy of the file name when the message already names it.
     *
     * @param input the input file as the user named it
     * @param e the error
     * @return one line
     */
    static String of(String input, IOException e) {
        if (e instanceof FileSystemException) {
            // The JDK's messages are "FILE: reason" or only "FILE"; say the reason in words.
            String file = ((FileSystemException) e).getFile();
            return oneLine(input + (file != null && !file.equals(input) ? ": " + file : "") + ": "
                    + ListDirectory.reason(e));
        }
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        return oneLine(message.startsWith(input + ":") || message.contains(" " + input + ":")
                ? message : input + ": " + message);
    }

    /**
     * {@code INPUT: problem}, from a task that did not return: its worker died, the executor broke,
     * or something unexpected was thrown.
     *
     * @param input the input file as the user named it
     * @param executor the executor's name, as {@code --executor} gives it
     * @param failure what the task's future failed with (the cause of a {@code TaskFailedException})
     * @return one line
     */
    static String ofTask(String input, String executor, Throwable failure) {
        String what;
        if (failure instanceof WorkerDiedException) {
            what = failure.getMessage();
        } else if (failure instanceof BrokenExecutorException) {
            what = "the " + executor + " executor is broken: " + failure.getMessage();
        } else if (failure instanceof OutOfMemoryError) {
            what = "out of memory (the image is too large for this JVM's heap: give java a larger -Xmx,"
                    + " or use fewer --workers)";
        } else if (failure instanceof IOException) {
            return of(input, (IOException) failure);
        } else {
            what = failure.getClass().getName() + (failure.getMessage() != null ? ": " + failure.getMessage() : "");
        }
        return oneLine(input + ": " + what);
    }

    private static String oneLine(String s) {
        return s.replace("\r\n", " | ").replace('\n', ' ').replace('\r', ' ');
    }
}
