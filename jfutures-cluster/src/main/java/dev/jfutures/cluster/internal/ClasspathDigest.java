package dev.jfutures.cluster.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * A digest of the classes a JVM's class path and module path hold, which worker members publish
 * so that a caller can tell, when a member joins, whether its task classes are the caller's.
 *
 * <p>It covers contents, not paths: the same jars in other folders, on another machine, give the
 * same digest. A jar counts by its central directory (the names and CRC-32s of all its entries,
 * read from the end of the file: a jar is neither decompressed nor read whole, so a class path of
 * tens of megabytes costs a few milliseconds), a folder by the names and CRC-32s of its class
 * files; the digest is the SHA-256 of the sorted list, shortened to 16 hex digits. Entries that
 * cannot be read are left out: the digest then differs, and the warning that follows names the
 * member, which is what it is for.
 */
public final class ClasspathDigest {

    private static volatile String current;

    private ClasspathDigest() {
    }

    /**
     * The digest of this JVM's class path and module path, computed once.
     *
     * @return 16 hex digits
     */
    public static String current() {
        String d = current;
        if (d == null) {
            String cp = System.getProperty("java.class.path", "");
            String mp = System.getProperty("jdk.module.path", "");
            d = of(mp.isEmpty() ? cp : cp.isEmpty() ? mp : cp + File.pathSeparator + mp);
            current = d;
        }
        return d;
    }

    /**
     * The digest of the classes of a path.
     *
     * @param path entries separated by {@link File#pathSeparator}: jars, folders, or folders of
     *     modules' jars (as a module path may name)
     * @return 16 hex digits
     */
    public static String of(String path) {
        TreeSet<String> classes = new TreeSet<>();
        for (String e : path.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                add(Path.of(e), classes, true);
            }
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        for (String c : classes) {
            sha.update(c.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static void add(Path entry, TreeSet<String> classes, boolean top) {
        if (Files.isRegularFile(entry)) {
            if (entry.toString().endsWith(".jar") || entry.toString().endsWith(".zip") || top) {
                addJar(entry, classes);
            }
        } else if (Files.isDirectory(entry)) {
            if (!addFolder(entry, classes) && top) {
                // No class files: a module path may name a folder of modular jars.
                try (Stream<Path> jars = Files.list(entry)) {
                    jars.sorted().forEach(j -> add(j, classes, false));
                } catch (IOException ignored) {
                    // unreadable: left out (see the class notes)
                }
            }
        }
    }

    /** End of central directory record: its signature, and its size without a comment. */
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int EOCD_SIZE = 22;

    private static void addJar(Path jar, TreeSet<String> classes) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(jar)) {
            long size = ch.size();
            int tailLength = (int) Math.min(size, EOCD_SIZE + 0xFFFF);
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(tailLength).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            readFully(ch, tail, size - tailLength);
            for (int at = tailLength - EOCD_SIZE; at >= 0; at--) {
                if (tail.getInt(at) == EOCD_SIGNATURE) {
                    long cdSize = Integer.toUnsignedLong(tail.getInt(at + 12));
                    long cdOffset = Integer.toUnsignedLong(tail.getInt(at + 16));
                    if (cdOffset + cdSize <= size && cdSize <= Integer.MAX_VALUE) {
                        java.nio.ByteBuffer cd = java.nio.ByteBuffer.allocate((int) cdSize);
                        readFully(ch, cd, cdOffset);
                        CRC32 crc = new CRC32();
                        crc.update(cd.flip());
                        classes.add("jar " + Long.toHexString(crc.getValue()) + " " + cdSize);
                        return;
                    }
                }
            }
            // No directory found where a zip has it (a Zip64 jar, or not a jar): the whole file.
            CRC32 crc = new CRC32();
            java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate(64 * 1024);
            for (long pos = 0; pos < size; ) {
                all.clear();
                int n = ch.read(all, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
                crc.update(all.flip());
            }
            classes.add("file " + Long.toHexString(crc.getValue()) + " " + size);
        } catch (IOException ignored) {
            // unreadable: left out (see the class notes)
        }
    }

    private static void readFully(java.nio.channels.FileChannel ch, java.nio.ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new java.io.EOFException();
            }
        }
    }

    /** Adds a folder's class files; false if it has none. */
    private static boolean addFolder(Path folder, TreeSet<String> classes) {
        boolean[] found = {false};
        try (Stream<Path> s = Files.walk(folder, 64)) {
            s.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p)).forEach(p -> {
                found[0] = true;
                String name = folder.relativize(p).toString().replace(File.separatorChar, '/');
                CRC32 crc = new CRC32();
                try (InputStream in = Files.newInputStream(p)) {
                    crc.update(in.readAllBytes());
                    classes.add("class " + name + " " + Long.toHexString(crc.getValue()));
                } catch (IOException ignored) {
                    // unreadable: left out
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // unreadable: left out
        }
        return found[0];
    }
}
