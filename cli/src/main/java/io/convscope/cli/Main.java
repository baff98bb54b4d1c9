package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.UnknownChoiceException;
import io.convscope.engine.Devices;
import io.convscope.util.Interrupts;
import io.convscope.util.ProcessExit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code convscope} command line. */
@Command(name = "convscope", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Shows what a convolutional neural network sees.",
            "",
            "MODEL is a zoo name (vgg16, vgg19, resnet50v2: the Keras ImageNet models, weights fetched on first use), "
                + "a Keras file (.h5 or .keras), an ONNX file (.onnx), a convscope file (.cvs), or nothing for the embedded Fashion-MNIST "
                + "model, which works offline.",
            ""},
        footer = {"", "Examples:",
            "  convscope activations samples/fashion-mnist/7_sneaker.png",
            "  convscope predict samples/fashion-mnist/7_sneaker.png",
            "  convscope summary vgg16",
            "  convscope predict --model vgg16 --top 3 cat.jpg dog.jpg",
            "  convscope evaluate fashion-mnist",
            "  convscope style --weights none photo.jpg painting.jpg",
            "", "Run 'convscope help COMMAND' for a command's options."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // SIGTERM/SIGINT stop the work at its next step boundary, so that the JVM never exits (and
        // frees native memory) while the main thread is inside PyTorch; see Interrupts
        Interrupts.install(Interrupts.DEFAULT_GRACE);
        if (computes(args)) {
            Devices.preload(); // the PyTorch library loads while the command line is parsed and the model read
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        Devices.awaitPreload();
        out.flush();
        err.flush();
        ProcessExit.exit(code);
    }

    /** The commands, in the order {@code convscope --help} lists them (registered by {@link #commandLine}). */
    static final java.util.List<Class<?>> COMMANDS = java.util.List.of(ActivationsCommand.class, ExplainCommand.class,
            AtlasCommand.class, ServeCommand.class, StyleCommand.class, ReconstructCommand.class, ClassvizCommand.class,
            FiltersCommand.class, ModelsCommand.class, SummaryCommand.class, PredictCommand.class, EvaluateCommand.class,
            TrainCommand.class, CommandLine.HelpCommand.class);

    /** The command line with every command. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}. picocli builds each registered command's model by reflection
     * when it is registered, from classes that the class-data archive cannot hold (picocli's are
     * Java 5 class files): all of them took 170-180 ms of {@code convscope --version}'s 250 ms. A run
     * names one command, so only that one is registered; a bare {@code --version} needs none; no command
     * word, {@code help} or an unknown word get them all (usage, help, "did you mean"). Measured in 8
     * pairs: {@code --version} 375-434 ms before, 303-338 ms after.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String word = null;
        boolean version = false;
        boolean help = false;
        for (String a : args) {
            if (a.startsWith("-")) {
                version |= a.equals("-V") || a.equals("--version");
                help |= a.equals("-h") || a.equals("--help");
            } else {
                word = a;
                break;
            }
        }
        Class<?> only = word == null ? null : named(word);
        if (word == null && version && !help) {
            return cl;
        }
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }

    /** The command called {@code word} (a name or an alias), or null for help and unknown words. */
    private static Class<?> named(String word) {
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (c != CommandLine.HelpCommand.class && (a.name().equals(word) || java.util.Arrays.asList(a.aliases()).contains(word))) {
                return c;
            }
        }
        return null;
    }

    /** The commands that run a network (and so load the PyTorch library). */
    static final java.util.Set<String> COMPUTING = java.util.Set.of("activations", "explain", "atlas", "serve", "style",
            "reconstruct", "classviz", "filters", "predict", "evaluate", "train");

    /**
     * Whether {@code args} run a network: the first word is a computing command and no help or
     * version is asked for (those answer at once, without the library).
     */
    static boolean computes(String[] args) {
        String command = null;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
            if (command == null && !a.startsWith("-")) {
                command = a;
            }
        }
        return command != null && COMPUTING.contains(command);
    }

    /** The one line for an {@link OutOfMemoryError}. */
    static final String OUT_OF_MEMORY = "convscope: error: out of memory; try a smaller --size, fewer images or channels "
            + "at once, or raise the heap with CONVSCOPE_JAVA_OPTS=-Xmx12g";

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        CommandLine cl = commandLine(args);
        Flags.registerConverters(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            for (Throwable c = ex; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof Interrupts.Stopped stopped) {
                    return stopped(commandLine.getErr(), stopped.signal());
                }
            }
            Throwable t = ex;
            while (!(t instanceof ConvscopeException) && !(t instanceof OutOfMemoryError)
                    && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            if (t instanceof ConvscopeException) {
                commandLine.getErr().println("convscope: error: " + Flags.message((ConvscopeException) t));
                return 1;
            }
            if (t instanceof OutOfMemoryError) {
                commandLine.getErr().println(OUT_OF_MEMORY);
                return 1;
            }
            if (System.getenv("CONVSCOPE_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().println("convscope: internal error: " + ex + " (set CONVSCOPE_DEBUG=1 for the stack trace; "
                    + "please report it)");
            return 2;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            if (ex.getCause() instanceof UnknownChoiceException u) { // a named choice: one line, as any bad value
                c.getErr().println("convscope: error: " + u.describe(Flags.option(ex)));
                return 1;
            }
            String unknown = unknownCommand(ex);
            if (unknown != null) {
                c.getErr().println("convscope: error: " + unknown);
                return 64;
            }
            c.getErr().println("convscope: error: " + ex.getMessage());
            c.getErr().println("Try 'convscope " + (c.getCommandName().equals("convscope") ? "" : c.getCommandName() + " ")
                    + "--help' for the options.");
            return 64;
        });
        return execute(cl, args);
    }

    /**
     * "unknown command 'activation'; did you mean activations?" when the first word given to
     * {@code convscope} itself is no command and no option (picocli says "Unmatched arguments from
     * index 0"), or null for any other error.
     */
    static String unknownCommand(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || u.getCommandLine().getParent() != null
                || u.getUnmatched().isEmpty()) {
            return null;
        }
        String word = u.getUnmatched().get(0);
        if (word.startsWith("-")) {
            return null;
        }
        java.util.Set<String> commands = u.getCommandLine().getSubcommands().keySet();
        String near = io.convscope.util.Names.didYouMean(word, commands);
        return "unknown command '" + word + "'" + (near.isEmpty() ? "; the commands are " + String.join(", ", commands)
                : near) + " (convscope --help lists them)";
    }

    /**
     * Runs the parsed command: picocli hands only {@link Exception}s to the execution-exception
     * handler, so an {@link OutOfMemoryError} (or a StackOverflowError) thrown by a command would
     * otherwise reach the JVM's default handler and print a stack trace.
     */
    static int execute(CommandLine cl, String[] args) {
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            code = 1;
            cl.getErr().println(OUT_OF_MEMORY);
        } catch (StackOverflowError e) {
            code = 2;
            cl.getErr().println("convscope: internal error: stack overflow (the model's graph is too deep?) "
                    + "(please report it)");
        }
        // a signal that came after the last step boundary: the work finished, but the caller asked to stop
        int signal = Interrupts.received();
        if (signal != 0 && code < 128) {
            code = stopped(cl.getErr(), signal);
        }
        cl.getErr().flush();
        return code;
    }

    private static int stopped(PrintWriter err, int signal) {
        if (!stoppedSaid) {
            stoppedSaid = true;
            err.println("convscope: stopped (" + Interrupts.name(signal) + ")");
        }
        return 128 + signal;
    }

    private static volatile boolean stoppedSaid;

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"convscope " + (v == null ? "dev" : v) + " (DJL 0.35.1, PyTorch 2.7.1)"};
        }
    }
}
