package dev.jfutures.cli;

import dev.jfutures.Task;
import java.io.File;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The book's per-directory task: list one directory, keep the entries whose absolute path matches,
 * and name the subdirectories to walk next. A record of strings and a static method, so that it
 * crosses to a {@link dev.jfutures.process.ProcessPool} worker as it is.
 *
 * @param directory the directory's absolute path
 * @param kind how {@code pattern} matches: {@code substring}, {@code glob} or {@code regex}
 * @param pattern the pattern
 * @param subdirectories how many subdirectories the directory has, as its parent's listing found
 *     (see {@link LinkCounts#entry}); -1 if that is not known, {@link #ASK} to find out here
 */
record ListDirectory(String directory, String kind, String pattern, int subdirectories) implements Task<Listing> {
    private static final long serialVersionUID = 1L;

    /** For {@code subdirectories}: nobody has looked yet (ROOT); the task asks the directory itself. */
    static final int ASK = -2;

    /**
     * A task for a directory whose subdirectory count nobody has looked up (ROOT).
     *
     * @param directory the directory's absolute path
     * @param kind how {@code pattern} matches
     * @param pattern the pattern
     */
    ListDirectory(String directory, String kind, String pattern) {
        this(directory, kind, pattern, ASK);
    }

    static final String SUBSTRING = "substring";
    static final String GLOB = "glob";
    static final String REGEX = "regex";

    /** Compiled matchers, per JVM (a worker JVM compiles each pattern once, too). */
    private static final Map<String, Predicate<String>> MATCHERS = new ConcurrentHashMap<>();

    @Override
    public Listing call() {
        return list(directory, matcher(kind, pattern), subdirectories);
    }

    /**
     * The predicate on absolute paths that {@code kind} and {@code pattern} describe.
     *
     * @throws IllegalArgumentException if the pattern does not compile, or the kind is unknown
     */
    static Predicate<String> matcher(String kind, String pattern) {
        return MATCHERS.computeIfAbsent(kind + '\0' + pattern, k -> compile(kind, pattern));
    }

    private static Predicate<String> compile(String kind, String pattern) {
        switch (kind) {
            case SUBSTRING:
                return new Substring(pattern);
            case GLOB:
                PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
                return path -> glob.matches(Path.of(path));
            case REGEX:
                Pattern regex = Pattern.compile(pattern);
                return path -> regex.matcher(path).find();
            default:
                throw new IllegalArgumentException("unknown match kind " + kind);
        }
    }

    /**
     * The book's rule, "the absolute path contains PATTERN", tested per entry without joining the
     * directory and the name into a new string for each of them (most of a listing's entries).
     *
     * @param pattern the substring
     */
    record Substring(String pattern) implements Predicate<String> {
        @Override
        public boolean test(String path) {
            return path.contains(pattern);
        }

        /**
         * The same test on {@code prefix + name}, for every name in one directory.
         *
         * @param prefix the directory's absolute path, ending in '/'
         * @return the predicate on the names
         */
        Predicate<String> inDirectory(String prefix) {
            if (prefix.contains(pattern)) {
                return name -> true;
            }
            // Where the pattern can straddle the '/': a head of it ends the prefix, so a name that
            // starts with the rest matches. Usually there is none (the pattern has no '/').
            List<String> rests = new ArrayList<>();
            for (int k = 1; k < pattern.length(); k++) {
                if (prefix.endsWith(pattern.substring(0, k))) {
                    rests.add(pattern.substring(k));
                }
            }
            if (rests.isEmpty()) {
                return name -> name.contains(pattern);
            }
            return name -> {
                if (name.contains(pattern)) {
                    return true;
                }
                for (String rest : rests) {
                    if (name.startsWith(rest)) {
                        return true;
                    }
                }
                return false;
            };
        }
    }

    /**
     * Lists one directory, looking up its subdirectory count first. Never throws for the file
     * system's sake: an error is the listing's {@link Listing#error()}, with whatever was read
     * before it.
     *
     * @param directory an absolute directory path
     * @param matches the predicate on the entries' absolute paths
     * @return the listing
     */
    static Listing list(String directory, Predicate<String> matches) {
        return list(directory, matches, ASK);
    }

    /**
     * Lists one directory. Never throws for the file system's sake: an error is the listing's
     * {@link Listing#error()}, with whatever was read before it.
     *
     * @param directory an absolute directory path
     * @param matches the predicate on the entries' absolute paths
     * @param known how many subdirectories it has, -1 if that cannot be known, {@link #ASK} to look
     * @return the listing
     */
    static Listing list(String directory, Predicate<String> matches, int known) {
        // File.list reads the whole directory in one native call; a DirectoryStream makes one per
        // entry and a Path for each. Where it cannot say why (it returns null), the stream can.
        String[] names = new File(directory).list();
        String error = null;
        if (names == null) {
            List<String> read = new ArrayList<>();
            error = readNames(directory, read);
            names = read.toArray(new String[0]);
        }
        String prefix = directory.endsWith("/") ? directory : directory + "/";
        List<String> matched = new ArrayList<>();
        Predicate<String> nameMatches = matches instanceof Substring ? ((Substring) matches).inDirectory(prefix) : null;
        for (String name : names) {
            if (nameMatches != null ? nameMatches.test(name) : matches.test(prefix + name)) {
                matched.add(name);
            }
        }
        // Which entries are directories: one lstat each, until the link count's number of
        // subdirectories is found (none at all in a leaf). Names without a '.' past their first
        // character are asked about first: directories seldom have an extension and files mostly
        // do, so the count is reached sooner (on /usr, 19k lstats instead of 41k). Each lstat also
        // gives the subdirectory's own count, which its task then need not look up.
        int unfound = known == ASK ? LinkCounts.subdirectories(directory) : known;
        int[] counts = new int[names.length];
        Arrays.fill(counts, LinkCounts.NOT_A_DIRECTORY);
        int found = 0;
        for (int pass = 0; pass < 2 && unfound != 0; pass++) {
            for (int i = 0; i < names.length && unfound != 0; i++) {
                if (likelyDirectory(names[i]) == (pass == 0)) {
                    counts[i] = LinkCounts.entry(prefix + names[i]);
                    if (counts[i] != LinkCounts.NOT_A_DIRECTORY) {
                        found++;
                        unfound--;
                    }
                }
            }
        }
        // In the order they were read, whatever order the passes above asked in.
        List<String> subdirectories = new ArrayList<>(found);
        int[] subdirectoryCounts = new int[found];
        for (int i = 0; i < names.length; i++) {
            if (counts[i] != LinkCounts.NOT_A_DIRECTORY) {
                subdirectoryCounts[subdirectories.size()] = counts[i];
                subdirectories.add(names[i]);
            }
        }
        return new Listing(matched, subdirectories, subdirectoryCounts, error);
    }

    /** No '.' after the first character: "lib", "share", ".git"; not "Makefile.am" or "x.py". */
    static boolean likelyDirectory(String name) {
        return name.indexOf('.', 1) < 0;
    }

    /**
     * Reads a directory's names with a DirectoryStream, for one File.list could not read: it names
     * the reason, and keeps the names read before a failure.
     *
     * @return null, or why the directory could not be read (to the end)
     */
    private static String readNames(String directory, List<String> names) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(directory))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
            return null;
        } catch (IOException e) {
            return reason(e);
        } catch (DirectoryIteratorException e) {
            return reason(e.getCause());
        }
    }

    /** The errno-like reason, without the path (the warning names the path as the user gave it). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }
}
