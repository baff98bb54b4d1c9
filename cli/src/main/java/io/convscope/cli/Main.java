package io.convscope.cli;

import io.convscope.ConvscopeException;
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
        subcommands = {ActivationsCommand.class, AtlasCommand.class, StyleCommand.class, ReconstructCommand.class, ClassvizCommand.class, FiltersCommand.class, ModelsCommand.class, SummaryCommand.class, PredictCommand.class, EvaluateCommand.class,
            TrainCommand.class, CommandLine.HelpCommand.class},
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
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable t = ex;
            while (!(t instanceof ConvscopeException) && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            if (t instanceof ConvscopeException) {
                commandLine.getErr().println("convscope: error: " + t.getMessage());
                return 1;
            }
            if (t instanceof OutOfMemoryError) {
                commandLine.getErr().println("convscope: error: out of memory; try fewer images at once or raise the heap "
                        + "with CONVSCOPE_JAVA_OPTS=-Xmx12g");
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
            c.getErr().println("convscope: error: " + ex.getMessage());
            c.getErr().println("Try 'convscope " + (c.getCommandName().equals("convscope") ? "" : c.getCommandName() + " ")
                    + "--help' for the options.");
            return 64;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"convscope " + (v == null ? "dev" : v) + " (DJL 0.35.1, PyTorch 2.7.1)"};
        }
    }
}
