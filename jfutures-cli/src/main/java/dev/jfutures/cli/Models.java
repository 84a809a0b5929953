package dev.jfutures.cli;

import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the picocli models of {@code jfutures}, {@code find}, {@code compress} and {@code decompress}
 * share. Those models are built in code, each by a static {@code model} method next to its
 * command's fields, not read from annotations.
 *
 * <p>Why: picocli builds a model from annotations by reflection at every start. It parses the
 * annotations (spinning a dynamic proxy class for each annotation type), walks {@code
 * getDeclaredMethods} over the class hierarchy, and {@code mixinStandardHelpOptions} builds one more
 * model from the annotations of its own mixin. Measured on a 2-core machine (JDK 17, with the
 * launcher's class-data archive) that was about 45 ms of the 155 ms a {@code jfutures find
 * /tmp/empty x} took; the same model built in code is parsed in a 88 ms JVM instead of a 134 ms
 * one. {@code find} and {@code compress} are timed whole process against GNU find and the book's
 * Python program, so their start matters. {@code samples} and {@code bench} are not timed and keep
 * their annotations (see {@link Main#COMMANDS}).
 *
 * <p>The models bind each value to its command's field with a setter ({@link #into}), so the
 * commands read plain fields, as if picocli injected them.
 */
final class Models {

    /** The heading of every command's list of exit codes. */
    static final String EXIT_CODES_HEADING = "%nExit codes:%n";

    private Models() {
    }

    /**
     * {@code -h, --help}, as picocli's {@code mixinStandardHelpOptions} adds it (same names and
     * description), without the annotated mixin it builds that from.
     *
     * @return the option
     */
    static OptionSpec help() {
        return OptionSpec.builder("-h", "--help").usageHelp(true).type(boolean.class).initialValue(false)
                .description("Show this help message and exit.").build();
    }

    /**
     * {@code -V, --version}, as picocli's {@code mixinStandardHelpOptions} adds it.
     *
     * @return the option
     */
    static OptionSpec version() {
        return OptionSpec.builder("-V", "--version").versionHelp(true).type(boolean.class).initialValue(false)
                .description("Print version information and exit.").build();
    }

    /**
     * A setter that hands each value picocli sets (the initial value, the default, the parsed value)
     * to {@code field}: {@code into((String v) -> command.glob = v)}. A primitive field needs a
     * non-null initial value on its option ({@code initialValue(false)}), since picocli sets the
     * initial value before each parse.
     *
     * @param <T> the option's type
     * @param field stores the value
     * @return the setter
     */
    static <T> ISetter into(Consumer<T> field) {
        return new ISetter() {
            @Override
            @SuppressWarnings("unchecked")
            public <V> V set(V value) {
                field.accept((T) value);
                return null;   // the previous value: picocli only traces it
            }
        };
    }

    /**
     * A command object from {@code factory}, failing as picocli fails when it cannot make one.
     *
     * @param <K> the command's type
     * @param factory makes the object (tests pass one with seams)
     * @param type the command's class
     * @return the object
     * @throws CommandLine.InitializationException if the factory throws
     */
    static <K> K create(CommandLine.IFactory factory, Class<K> type) {
        try {
            return factory.create(type);
        } catch (CommandLine.InitializationException e) {
            throw e;
        } catch (Exception e) {
            throw new CommandLine.InitializationException("Could not instantiate " + type + ": " + e, e);
        }
    }

    /**
     * A new model for {@code command}, which picocli will run ({@code Runnable} or {@code Callable}),
     * with no annotations read. Not {@link CommandSpec#create()} or the one-argument {@code
     * wrapWithoutInspection}: they make picocli's default factory, whose class initializer looks for
     * Groovy on the class path (see {@link Main.Factory}).
     *
     * @param command the command object
     * @param name the command's name
     * @param factory the command line's factory
     * @return the model, without options
     */
    static CommandSpec wrap(Object command, String name, CommandLine.IFactory factory) {
        return CommandSpec.wrapWithoutInspection(command, factory).name(name);
    }
}
