package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names that are not valid UTF-8 are printed as their bytes on disk, as GNU find prints
 * them, when {@code jfutures} runs through its launcher (which runs the JVM in a Latin-1 {@code
 * LC_CTYPE}: see {@link FileNames}); {@code --json} escapes each invalid byte as <code>&#92;udcXX</code>.
 *
 * <p>The launcher is a copy of the repository's, beside a jar that holds only a manifest: its
 * {@code Class-Path} is this test's class path, so the launcher runs the classes under test.
 */
class FileNamesTest {

    private static final Path LAUNCHER = Path.of("..", "jfutures").toAbsolutePath().normalize();
    private static final Path GNU_FIND = Path.of("/usr/bin/find");
    private static final Path LOCALEDEF = Path.of("/usr/bin/localedef");

    @TempDir
    Path tmp;

    private Path repo;
    private String root;

    /** root/a 0xff 0xfe b, root/sub/c 0xff d, root/é (valid UTF-8), made by sh: Java cannot name them. */
    @BeforeEach
    void tree() throws Exception {
        assumeTrue(Files.isRegularFile(LAUNCHER), "the launcher is not at " + LAUNCHER);
        assumeTrue(Files.isExecutable(GNU_FIND), "GNU find is not at " + GNU_FIND);
        assumeTrue(Files.isExecutable(LOCALEDEF), "no localedef (glibc's libc-bin) to make the launcher's Latin-1"
                + " locale; without it names stay in the user's locale");
        root = Files.createDirectories(tmp.toRealPath().resolve("tree/sub")).getParent().toString();
        Process p = new ProcessBuilder("/bin/sh", "-c", "cd \"$1\" && touch \"$(printf 'a\\377\\376b')\""
                + " \"sub/$(printf 'c\\377d')\" \"$(printf '\\303\\251')\"", "sh", root).inheritIO().start();
        assertThat(p.waitFor()).isZero();

        repo = Files.createDirectories(tmp.resolve("repo/jfutures-cli/target")).getParent().getParent();
        Files.copy(LAUNCHER, repo.resolve("jfutures"));
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toString());
        }
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(repo.resolve("jfutures-cli/target/jfutures.jar")), m)) {
            out.flush();
        }
    }

    /** -0: the same byte strings as {@code find ROOT -path '*X*' -print0}, on the thread and process executors. */
    @Test
    void nulSeparatedOutputEqualsGnuFindByteForByte() throws Exception {
        Set<String> gnu = records(run(GNU_FIND.toString(), root, "-path", "*/*", "-print0"), (byte) 0);
        assertThat(gnu).as("the tree").hasSize(5).contains(hex(root + "/a") + "fffe62", hex(root + "/sub/c") + "ff64");
        assertThat(records(jfutures("find", "-0", root, "/"), (byte) 0)).isEqualTo(gnu);
        assertThat(records(jfutures("find", "-0", root, "/", "--executor", "process", "--workers", "1"), (byte) 0))
                .isEqualTo(gnu);
        assertThat(records(jfutures("find", root, "/"), (byte) '\n'))
                .isEqualTo(records(run(GNU_FIND.toString(), root, "-path", "*/*"), (byte) '\n'));
        // A pattern of non-ASCII text matches its UTF-8 bytes, as GNU's does.
        assertThat(records(jfutures("find", "-0", root, "é"), (byte) 0))
                .isEqualTo(records(run(GNU_FIND.toString(), root, "-path", "*é*", "-print0"), (byte) 0));
    }

    /** --json is valid UTF-8: valid names as text, each invalid byte as the escape udcXX. */
    @Test
    void jsonEscapesEachInvalidByteAndKeepsValidUtf8AsText() throws Exception {
        byte[] out = jfutures("find", "--json", root, "/");
        StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(out));   // throws if not valid UTF-8
        String json = new String(out, StandardCharsets.UTF_8);
        assertThat(json).contains("\"" + root + "/a\\udcff\\udcfeb\"", "\"" + root + "/sub/c\\udcffd\"",
                "\"" + root + "/é\"").doesNotContain("\ufffd");
    }

    /** The byte-string decoding behind --json: valid sequences decoded, each invalid byte U+DC00 + it. */
    @Test
    void decodeKeepsValidUtf8AndMapsEachInvalidByte() {
        String bytes = new String(new byte[] {'a', (byte) 0xff, (byte) 0xc3, (byte) 0xa9, (byte) 0xe2, (byte) 0x82, 'z'},
                StandardCharsets.ISO_8859_1);
        assertThat(FileNames.decode(bytes)).isEqualTo("a\udcffé\udce2\udc82z");
        assertThat(Json.quote(FileNames.decode(bytes))).isEqualTo("\"a\\udcffé\\udce2\\udc82z\"");
        assertThat(Json.quote("\ud83d\ude00")).as("a pair is one character, kept").isEqualTo("\"\ud83d\ude00\"");
    }

    private byte[] jfutures(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/bash", repo.resolve("jfutures").toString()));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private byte[] run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("JFUTURES_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("ended").isTrue();
        assertThat(p.exitValue()).as("exit code of %s", List.of(command)).isZero();
        return out;
    }

    /** The records of {@code out}, each as hex: byte strings compared as such, in any order. */
    private static Set<String> records(byte[] out, byte end) {
        Set<String> s = new TreeSet<>();
        int start = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == end) {
                byte[] r = new byte[i - start];
                System.arraycopy(out, start, r, 0, r.length);
                s.add(HexFormat.of().formatHex(r));
                start = i + 1;
            }
        }
        assertThat(start).as("the output ends with its separator").isEqualTo(out.length);
        return s;
    }

    /** ASCII text as hex, to which the hex of the bytes that follow it is appended. */
    private static String hex(String asciiPrefix) {
        return HexFormat.of().formatHex(asciiPrefix.getBytes(StandardCharsets.US_ASCII));
    }
}
