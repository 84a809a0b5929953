package dev.jfutures.examples;

import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The book's parallel {@code find}: one task per directory, and a driver that keeps a queue of
 * futures. It takes the oldest future, waits for it, prints the matches it found, and submits a
 * task for each subdirectory it listed; the walk is breadth-first and ends when the queue is
 * empty. A path matches when its absolute path contains the pattern.
 *
 * <pre>
 * java dev.jfutures.examples.FindLoop [ROOT [PATTERN]]     (defaults: . and "Future")
 * </pre>
 */
public final class FindLoop {

    private FindLoop() {
    }

    /** What one task found in one directory: its matching entries and its subdirectories. */
    record Listing(List<String> matches, List<String> subdirectories) implements Serializable {
    }

    /**
     * Runs the example.
     *
     * @param args ROOT and PATTERN, both optional
     */
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        String pattern = args.length > 1 ? args[1] : "Future";
        if (!Files.isDirectory(root)) {
            System.err.println("find: " + root + ": no such directory");
            System.exit(2);
        }
        int found = find(root, pattern, System.out);
        System.err.println(found + " paths match \"" + pattern + "\" under " + root.toAbsolutePath().normalize());
    }

    /**
     * Prints every path under {@code root} whose absolute path contains {@code pattern}.
     *
     * @param root the directory to walk
     * @param pattern the substring to look for
     * @param out where to print the matches
     * @return the number of matches
     */
    public static int find(Path root, String pattern, PrintStream out) {
        String start = root.toAbsolutePath().normalize().toString();
        int found = 0;
        try (TaskExecutor pool = ThreadPool.builder().workers(4).build()) {
            Deque<TaskFuture<Listing>> queue = new ArrayDeque<>();
            queue.add(pool.submit(() -> list(start, pattern)));
            while (!queue.isEmpty()) {
                Listing listing = queue.poll().result();   // the oldest: breadth-first
                for (String match : listing.matches()) {
                    out.println(match);
                    found++;
                }
                for (String dir : listing.subdirectories()) {
                    queue.add(pool.submit(() -> list(dir, pattern)));
                }
            }
        }
        return found;
    }

    /**
     * Lists one directory: the entries whose absolute path contains {@code pattern}, and the
     * subdirectories to walk next (symbolic links to directories are not followed).
     *
     * @param dir an absolute directory path
     * @param pattern the substring
     * @return the listing; empty if the directory vanished
     */
    static Listing list(String dir, String pattern) {
        List<String> matches = new ArrayList<>();
        List<String> subdirectories = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(dir))) {
            for (Path entry : entries) {
                String path = entry.toString();
                if (path.contains(pattern)) {
                    matches.add(path);
                }
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    subdirectories.add(path);
                }
            }
        } catch (NoSuchFileException vanished) {
            return new Listing(matches, subdirectories);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return new Listing(matches, subdirectories);
    }
}
