package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every command does alike, as a GNU tool: a usage error is two lines and exit code 2,
 * {@code --version} names the version, and {@code generate-completion} prints a bash script.
 */
class ConventionsTest {

    /** A usage error: {@code jfutures CMD: MESSAGE}, then the Try line; exit code 2; never the full help. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"find", "compress", "decompress", "samples", "bench", ""})
    void aUsageErrorIsOneLineThenTryHelpAndExitCode2(String command) {
        List<String> args = new ArrayList<>();
        if (!command.isEmpty()) {
            args.add(command);
        }
        // The required arguments, so that the error is the unknown option, not a missing argument.
        switch (command) {
            case "find" -> args.addAll(List.of(".", "x"));
            case "compress", "decompress", "samples" -> args.add("some-input");
            default -> { }
        }
        args.add("--no-such-option");
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        String name = command.isEmpty() ? "jfutures" : "jfutures " + command;
        assertThat(r.code()).as("exit code of %s", args).isEqualTo(ExitCodes.USAGE).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(name + ": Unknown option: '--no-such-option'\n"
                + "Try '" + name + " --help' for more information.\n");
    }

    /** A command's own check (not picocli's parser) is reported the same way. */
    @Test
    void aCommandsOwnUsageCheckIsReportedTheSameWay() {
        Cli.Result r = Cli.run("samples", "out", "--count", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("jfutures samples: --count must be a positive number, was 0\n"
                + "Try 'jfutures samples --help' for more information.\n");
        assertThat(Cli.run().err()).startsWith("jfutures: missing command (find, compress");
    }

    /** No exit code is a count: the codes of the help lists are 0, 1, 2 and a few sysexits above 63. */
    @Test
    void failuresAreExitCode1WhateverTheirNumber() {
        assertThat(ExitCodes.failed(0)).isZero();
        assertThat(ExitCodes.failed(1)).isEqualTo(1);
        assertThat(ExitCodes.failed(2)).as("2 files failed is not the usage error").isEqualTo(1);
        assertThat(ExitCodes.failed(1000)).isEqualTo(1);
    }

    /** {@code --version} on every command prints {@code jfutures VERSION} first, the version Maven filtered in. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"find", "compress", "decompress", "samples", "bench", "generate-completion", ""})
    void everyCommandPrintsTheVersion(String command) {
        Cli.Result r = command.isEmpty() ? Cli.run("--version") : Cli.run(command, "--version");
        assertThat(r.code()).isZero();
        String first = r.out().lines().findFirst().orElse("");
        assertThat(first).isEqualTo(new Main.Version().getVersion()[0]).matches("jfutures \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(r.out()).contains("Java " + Runtime.version());
    }

    /** {@code generate-completion} prints a bash completion script covering every command and its options. */
    @Test
    void generateCompletionPrintsABashScriptForEveryCommand() {
        Cli.Result r = Cli.run("generate-completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_jfutures",
                "_picocli_jfutures_find", "_picocli_jfutures_compress", "_picocli_jfutures_decompress",
                "_picocli_jfutures_samples", "_picocli_jfutures_bench", "'--executor'", "\"thread\" \"virtual\" \"process\"");
        assertThat(Cli.run("--help").out()).contains("generate-completion");
    }
}
