package dev.jfutures.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes an output file all or nothing: into a temporary file beside it, then renamed over it. A
 * failure part way (an exception from the writer, a full disk) deletes the temporary file, so
 * neither a partial output nor a stray temporary file is left; readers of the output never see it
 * half written.
 *
 * <p>Temporary files are named {@code .NAME.RANDOM.tmp} in the output's directory (the same file
 * system, so that the rename is atomic). A JVM that exits while writing (Ctrl-C, SIGTERM) deletes
 * its temporary files in a shutdown hook; only one killed outright (SIGKILL, a crash) can leave one
 * behind, and {@link #removeLeftovers} deletes those of one output.
 */
final class OutputFile {

    /**
     * The temporary files being written in this JVM, for the shutdown hook; guarded by itself.
     * Made and listed in one step, and refused once the hook has run: else a file made between the
     * hook's sweep and the JVM's end (a worker JVM goes on running its task while its hooks run)
     * would be left behind.
     */
    private static final Set<Path> WRITING = new HashSet<>();
    /** The hook has run: no more temporary files; guarded by WRITING. */
    private static boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (WRITING) {
                exiting = true;
                for (Path temp : WRITING) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException | RuntimeException e) {
                        // Exiting anyway: a hidden leftover is all that can remain.
                    }
                }
                WRITING.clear();
            }
        }, "jfutures-temp-files"));
    }

    /** Writes the contents to a stream; may throw, and then nothing is written. */
    @FunctionalInterface
    interface Contents {
        void writeTo(OutputStream out) throws IOException;
    }

    private OutputFile() {
    }

    /**
     * Refuses an output that exists, unless {@code force}: to check early, before the work that
     * produces the contents.
     *
     * @param target the output
     * @param shown the output as the user should see it named
     * @param force whether an existing output may be replaced
     * @throws IOException naming the output and {@code --force}, if it exists and {@code force} is false
     */
    static void checkAbsent(Path target, String shown, boolean force) throws IOException {
        if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(shown + " already exists (use --force to replace it)");
        }
    }

    /**
     * Writes {@code target} through a temporary file and a rename (atomic where the file system
     * can, else a plain move).
     *
     * @param target the output file
     * @param shown the output as the user should see it named, in messages
     * @param force whether an existing output may be replaced
     * @param contents writes the contents
     * @throws IOException whose message names the output: it exists and {@code force} is false, or
     *     it cannot be written (the reason, e.g. "Permission denied"), or what {@code contents} threw
     */
    static void write(Path target, String shown, boolean force, Contents contents) throws IOException {
        checkAbsent(target, shown, force);
        Path temp = createTemp(target, shown);
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                contents.writeTo(out);
            } catch (FileSystemException e) {
                throw cannotWrite(shown, e);
            }
            // Checked again at the end: the output may have appeared while the contents were made.
            checkAbsent(target, shown, force);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                if (force) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.move(temp, target);
                }
            } catch (FileSystemException e) {
                throw cannotWrite(shown, e);
            }
        } finally {
            Files.deleteIfExists(temp);
            synchronized (WRITING) {
                WRITING.remove(temp);
            }
        }
    }

    /** Makes a temporary file beside the target and lists it for the shutdown hook, in one step. */
    private static Path createTemp(Path target, String shown) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        while (true) {
            // Not Files.createTempFile: its 0600 mode would stay on the output after the rename;
            // createFile leaves the mode to the umask, as for any other new file.
            Path temp = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                synchronized (WRITING) {
                    if (exiting) {
                        throw new IOException("not writing " + shown + ": the program is exiting");
                    }
                    Files.createFile(temp);
                    WRITING.add(temp);
                }
                return temp;
            } catch (FileAlreadyExistsException e) {
                continue;   // a name another writer took: draw again
            } catch (FileSystemException e) {
                throw cannotWrite(shown, e);
            }
        }
    }

    private static IOException cannotWrite(String shown, FileSystemException e) {
        IOException wrapped = new IOException("cannot write " + shown + ": " + ListDirectory.reason(e));
        wrapped.initCause(e);
        return wrapped;
    }

    /**
     * Deletes the temporary files a killed writer of {@code target} left (best effort): after a
     * worker JVM died while writing it.
     *
     * @param target the output file
     */
    static void removeLeftovers(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: a leftover is a hidden file, harmless; the failure itself is reported.
        }
    }
}
