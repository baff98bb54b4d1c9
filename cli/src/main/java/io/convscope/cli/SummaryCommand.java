package io.convscope.cli;

import io.convscope.model.ModelLoader;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope summary MODEL}: a Keras-like table of the layers. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Prints a model's layers and parameter totals, as Keras's model.summary() does.",
            "Each layer's name, type, output shape and parameter count; for branching models also its inputs. "
                + "Zoo models are summarized without downloading their weights."})
public final class SummaryCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    InputOptions input = new InputOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "Zoo name, Keras or ONNX file, or nothing for the embedded model.")
    String model;

    @Option(names = "--no-top", description = "Zoo models: without the classifier.")
    boolean noTop;

    @Override
    public Integer call() {
        ModelLoader.Request r = new ModelLoader.Request(model, "none", !noTop, 224, 224);
        Network net = r.zooName() != null
                ? ModelLoader.zooArchitecture(r.zooName(), !noTop, noTop ? -1 : 224, noTop ? -1 : 224)
                : Loading.load(r);
        net = input.apply(net);
        print(net, spec.commandLine().getOut());
        return 0;
    }

    static void print(Network net, PrintWriter out) {
        boolean chain = isChain(net);
        int nameW = 28;
        for (Node n : net.nodes()) {
            nameW = Math.max(nameW, n.name().length() + n.layer().type().length() + 5); // "name (Type)" and a space
        }
        int shapeW = 22;
        for (Node n : net.nodes()) {
            shapeW = Math.max(shapeW, n.outputShape().toKerasString().length() + 2);
        }
        int width = nameW + shapeW + 14 + (chain ? 0 : 30);
        String rule = "_".repeat(width);
        out.println("Model: \"" + net.name() + "\"");
        out.println(rule);
        out.println(row(chain, nameW, shapeW, "Layer (type)", "Output Shape", "Param #", "Connected to"));
        out.println("=".repeat(width));
        for (int i = 0; i < net.nodes().size(); i++) {
            Node n = net.nodes().get(i);
            String conn = String.join(", ", n.inputs());
            out.println(row(chain, nameW, shapeW, n.name() + " (" + n.layer().type() + ")", n.outputShape().toKerasString(),
                    String.format(Locale.ROOT, "%,d", net.paramCount(n)), conn));
            if (i < net.nodes().size() - 1) {
                out.println();
            }
        }
        out.println("=".repeat(width));
        long total = net.paramCount();
        long trainable = net.trainableParamCount();
        out.printf(Locale.ROOT, "Total params: %,d%n", total);
        out.printf(Locale.ROOT, "Trainable params: %,d%n", trainable);
        out.printf(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable);
        out.println(rule);
        out.printf(Locale.ROOT, "Input: %s, preprocessing: %s%s%n", net.inputShape().toKerasString(), net.preprocessing(),
                net.labels().isEmpty() ? "" : ", " + net.labels().size() + " class labels");
        out.flush();
    }

    private static String row(boolean chain, int nameW, int shapeW, String a, String b, String c, String d) {
        String s = String.format(Locale.ROOT, " %-" + (nameW - 1) + "s%-" + shapeW + "s%12s", a, b, c);
        return chain ? s : s + "   " + d;
    }

    private static boolean isChain(Network net) {
        List<Node> nodes = net.nodes();
        for (int i = 1; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.inputs().size() != 1 || !n.inputs().get(0).equals(nodes.get(i - 1).name())
                    || n.layer() instanceof Layer.Input) {
                return false;
            }
        }
        return true;
    }
}
