package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The link-count shortcut of find's listing: the mount table, device numbers, and when it is trusted. */
class LinkCountsTest {

    @TempDir
    Path dir;

    @Test
    void parsesMountinfoLinesWithAndWithoutOptionalFields() throws IOException {
        Path table = dir.resolve("mountinfo");
        Files.writeString(table, String.join("\n",
                "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
                "25 1 254:1 / / rw,relatime - ext4 /dev/vda rw",
                "26 25 0:23 / /proc rw,nosuid shared:12 master:3 - proc proc rw",
                "27 25 259:65537 / /big rw - xfs /dev/nvme rw",
                "not a mountinfo line",
                "28 25 x:y / /bad rw - tmpfs tmpfs rw",
                ""));
        Map<Long, String> types = LinkCounts.read(table);
        assertThat(types).containsEntry(LinkCounts.makedev(98, 0), "ext3")
                .containsEntry(LinkCounts.makedev(254, 1), "ext4")
                .containsEntry(LinkCounts.makedev(0, 23), "proc")
                .containsEntry(LinkCounts.makedev(259, 65537), "xfs")
                .hasSize(4);
    }

    @Test
    void aMissingMountTableTrustsNothing() {
        assertThat(LinkCounts.read(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void makedevMatchesWhatStatReportsForTheRootFileSystem() throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        assumeTrue(Files.isReadable(mountinfo), "needs Linux's /proc/self/mountinfo");
        long dev = (Long) Files.getAttribute(Path.of("/"), "unix:dev", LinkOption.NOFOLLOW_LINKS);
        assertThat(LinkCounts.read(mountinfo)).containsKey(dev);
    }

    @Test
    void countsSubdirectoriesOnATrustedFileSystemAndIgnoresFilesAndLinks() throws IOException {
        Files.createDirectories(dir.resolve("a/deep"));
        Files.createDirectories(dir.resolve("b"));
        Files.createDirectories(dir.resolve("c"));
        Files.createFile(dir.resolve("file"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("a"));
        long dev = (Long) Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        int links = (Integer) Files.getAttribute(dir, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        assumeTrue(links == 5, "this file system does not count subdirectories in the link count (" + links + ")");
        assertThat(LinkCounts.subdirectories(dir.toString(), Map.of(dev, "ext4"))).isEqualTo(3);
        assertThat(LinkCounts.subdirectories(dir.resolve("b").toString(), Map.of(dev, "ext4"))).isZero();
    }

    @Test
    void anUntrustedOrUnknownFileSystemAnswersUnknown() throws IOException {
        Files.createDirectories(dir.resolve("a"));
        long dev = (Long) Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        assertThat(LinkCounts.subdirectories(dir.toString(), Map.of(dev, "nfs"))).isEqualTo(-1);
        assertThat(LinkCounts.subdirectories(dir.toString(), Map.of())).isEqualTo(-1);
        assertThat(LinkCounts.subdirectories(dir.resolve("gone").toString(), Map.of(dev, "ext4"))).isEqualTo(-1);
    }

    @Test
    void theListingFindsEverySubdirectoryWithOrWithoutTheShortcut() throws IOException {
        for (int i = 0; i < 40; i++) {
            Files.createFile(dir.resolve("f" + i));
            if (i % 7 == 0) {
                Files.createDirectories(dir.resolve("d" + i));
            }
        }
        Files.createSymbolicLink(dir.resolve("ld"), dir.resolve("d0"));
        Listing listing = ListDirectory.list(dir.toString(), path -> path.contains("d"));
        assertThat(listing.subdirectories()).containsExactlyInAnyOrder("d0", "d7", "d14", "d21", "d28", "d35");
        assertThat(listing.matches()).contains("ld", "d0");
        assertThat(listing.error()).isNull();
    }

    @Test
    void oneLstatSaysWhetherAnEntryIsADirectoryAndHowManySubdirectoriesItHas() throws IOException {
        Files.createDirectories(dir.resolve("a/x"));
        Files.createDirectories(dir.resolve("a/y"));
        Files.createFile(dir.resolve("file"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("a"));
        long dev = (Long) Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Map<Long, String> ext4 = Map.of(dev, "ext4");
        assertThat(LinkCounts.entry(dir.resolve("file").toString(), ext4)).isEqualTo(LinkCounts.NOT_A_DIRECTORY);
        assertThat(LinkCounts.entry(dir.resolve("link").toString(), ext4)).isEqualTo(LinkCounts.NOT_A_DIRECTORY);
        assertThat(LinkCounts.entry(dir.resolve("gone").toString(), ext4)).isEqualTo(LinkCounts.NOT_A_DIRECTORY);
        assertThat(LinkCounts.entry(dir.resolve("a").toString(), Map.of(dev, "nfs"))).isEqualTo(-1);
        int links = (Integer) Files.getAttribute(dir.resolve("a"), "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        assumeTrue(links == 4, "this file system does not count subdirectories in the link count (" + links + ")");
        assertThat(LinkCounts.entry(dir.resolve("a").toString(), ext4)).isEqualTo(2);
    }

    /**
     * Entries that look like directories (no extension) are asked about first, and the asking stops
     * at the link count; directories with a '.' in their name and files without one are still
     * sorted right, and each subdirectory comes with its own count, in the order they were read.
     */
    @Test
    void theListingFindsDottedDirectoriesAmongUndottedFilesAndPassesOnTheirCounts() throws IOException {
        Files.createDirectories(dir.resolve("lib.d/one"));
        Files.createDirectories(dir.resolve("python3.11"));
        Files.createDirectories(dir.resolve("share"));
        Files.createFile(dir.resolve("Makefile"));
        Files.createFile(dir.resolve("README"));
        Files.createFile(dir.resolve("x.c"));
        Files.createSymbolicLink(dir.resolve("bin"), dir.resolve("share"));
        for (int known : new int[] {ListDirectory.ASK, -1, 3}) {
            Listing listing = ListDirectory.list(dir.toString(), path -> false, known);
            assertThat(listing.subdirectories()).as("known %d", known)
                    .containsExactlyInAnyOrder("lib.d", "python3.11", "share");
            String[] read = dir.toFile().list();
            assertThat(listing.subdirectories()).as("in the order read").isSubsetOf(read)
                    .isEqualTo(java.util.Arrays.stream(read).filter(listing.subdirectories()::contains).toList());
            for (int i = 0; i < listing.subdirectories().size(); i++) {
                String name = listing.subdirectories().get(i);
                assertThat(listing.subdirectoryCounts()[i]).as(name)
                        .isEqualTo(LinkCounts.entry(dir.resolve(name).toString()));
            }
        }
        assertThat(ListDirectory.likelyDirectory("share")).isTrue();
        assertThat(ListDirectory.likelyDirectory(".git")).isTrue();
        assertThat(ListDirectory.likelyDirectory("x.c")).isFalse();
    }

    /** The per-directory substring test equals contains() on the joined path, patterns with '/' included. */
    @Test
    void substringInDirectoryEqualsContainsOnTheJoinedPath() {
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        String alphabet = "ab/.";
        for (int round = 0; round < 20_000; round++) {
            String pattern = randomString(random, alphabet, 1 + random.nextInt(4));
            String prefix = "/" + randomString(random, alphabet, random.nextInt(6)) + "/";
            String name = randomString(random, "ab.", 1 + random.nextInt(5));
            boolean expected = (prefix + name).contains(pattern);
            assertThat(new ListDirectory.Substring(pattern).inDirectory(prefix).test(name))
                    .as("seed %d: prefix %s name %s pattern %s", seed, prefix, name, pattern)
                    .isEqualTo(expected);
        }
    }

    private static String randomString(java.util.Random random, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
