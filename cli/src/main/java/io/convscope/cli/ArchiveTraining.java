package io.convscope.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The run that the launcher records its class-data archive from ({@code -XX:ArchiveClassesAtExit}):
 * the classes a JVM loads are parsed and verified once into the archive, and later runs map them.
 * A class the recording run did not load is read from its jar at every start, so the run loads what
 * the commands need: it runs the commands that compute (predict, activations, classviz, explain, style)
 * briefly on the embedded model and the sample images into a temporary folder, then loads, without
 * initialising, every other class of convscope's own jars (the ONNX and Keras importers, the server).
 * Not a command: {@code java -cp … io.convscope.cli.ArchiveTraining SAMPLES_FOLDER}; it prints nothing
 * and exits 0 when the commands ran.
 */
final class ArchiveTraining {
    private ArchiveTraining() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(train(Path.of(args.length > 0 ? args[0] : "samples")) == 0 ? 0 : 1);
    }

    /** Runs the commands on the samples in {@code samplesRoot}; returns how many failed. */
    static int train(Path samplesRoot) throws IOException {
        Path samples = samplesRoot.resolve("fashion-mnist");
        String sneaker = samples.resolve("7_sneaker.png").toString();
        String bag = samples.resolve("8_bag.png").toString();
        Path out = Files.createTempDirectory("convscope-archive-");
        int failed = 0;
        try {
            failed += run("predict", sneaker, bag);
            failed += run("activations", "-o", out.resolve("a").toString(), sneaker);
            failed += run("classviz", "--class", "bag", "--steps", "2", "-o", out.resolve("c").toString());
            failed += run("explain", "--method", "saliency,integrated-gradients", "-o", out.resolve("e").toString(), sneaker);
            failed += run("style", "--weights", "none", "--size", "32", "--steps", "1", "--out", out.resolve("s.png").toString(),
                    sneaker, bag);
            loadAll(Main.class);
            loadAll(io.convscope.network.Network.class);
        } finally {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return failed;
    }

    private static int run(String... args) {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        return Main.run(args, sink, sink) == 0 ? 0 : 1;
    }

    /** Loads (without initialising) every class in the jar that holds {@code anchor}. */
    private static void loadAll(Class<?> anchor) {
        Path jar;
        try {
            jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return;
        }
        if (!Files.isRegularFile(jar)) {
            return; // classes in a folder (a test run): nothing to record
        }
        List<String> names = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements();) {
                String n = e.nextElement().getName();
                if (n.endsWith(".class") && !n.endsWith("module-info.class")) {
                    names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            return;
        }
        ClassLoader loader = anchor.getClassLoader();
        for (String n : names) {
            try {
                Class.forName(n, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // a class whose dependency is absent (Spark's, say): not needed by these runs
            }
        }
    }
}
