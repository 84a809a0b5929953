package dev.jfutures.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Memory figures of a process from Linux's {@code /proc}; NaN where there is none. */
final class ProcMem {
    private ProcMem() {
    }

    /** A {@code kB} field of {@code /proc/PID/status} ({@code VmRSS}, {@code VmHWM}), in MiB. */
    static double statusMiB(long pid, String field) {
        return kibField(Path.of("/proc", Long.toString(pid), "status"), field);
    }

    /** The proportional set size ({@code Pss} of {@code /proc/PID/smaps_rollup}), in MiB. */
    static double pssMiB(long pid) {
        return kibField(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss");
    }

    /** The mean of {@code VmRSS} over the pids, in MiB. */
    static double meanRssMiB(List<Long> pids) {
        return pids.stream().mapToDouble(p -> statusMiB(p, "VmRSS")).average().orElse(Double.NaN);
    }

    /** The mean of {@code Pss} over the pids, in MiB. */
    static double meanPssMiB(List<Long> pids) {
        return pids.stream().mapToDouble(ProcMem::pssMiB).average().orElse(Double.NaN);
    }

    private static double kibField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc here, or the process is gone
        }
        return Double.NaN;
    }
}
