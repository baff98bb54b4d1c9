package io.convscope.onnx;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.engine.Engine;
import io.convscope.keras.Fixtures;
import io.convscope.network.Network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Import-time benchmark (not a unit test): times {@link OnnxImporter#load} of an ONNX file, the
 * first load in a fresh JVM (cold: class loading and JIT included) and then {@code runs} more
 * (warm: median and minimum), against {@code Files.readAllBytes} of the same file, plus one
 * forward pass of a batch of one. Usage: {@code java … OnnxLoadBenchmark [FILE.onnx [runs]]}
 * (default: the shared SqueezeNet 1.1 fixture, 20 runs).
 */
public final class OnnxLoadBenchmark {
    private OnnxLoadBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path file = args.length > 0 ? Path.of(args[0]) : Fixtures.fixture("models/squeezenet1.1/model.onnx");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long t0 = System.nanoTime();
        Network net = OnnxImporter.load(file);
        double cold = (System.nanoTime() - t0) / 1e6;
        double[] warm = new double[runs];
        double[] read = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            Files.readAllBytes(file);
            read[i] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            OnnxImporter.load(file);
            warm[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(warm);
        Arrays.sort(read);
        System.out.printf("%s: %,d bytes, %d layers, %,d parameters%n", file, Files.size(file), net.nodes().size(), net.paramCount());
        System.out.printf("import cold (first in this JVM): %.1f ms%n", cold);
        System.out.printf("import warm: median %.1f ms, min %.1f ms over %d runs%n", warm[runs / 2], warm[0], runs);
        System.out.printf("Files.readAllBytes: median %.2f ms (import/read ratio %.1f)%n", read[runs / 2], warm[runs / 2] / read[runs / 2]);
        int[] dims = net.inputShape().dims();
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            long[] shape = {1, dims[0], dims[1], dims[2]};
            float[] x = new float[dims[0] * dims[1] * dims[2]];
            String out = net.outputs().get(0);
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                try (NDManager step = m.newSubManager()) {
                    e.forward(step.create(x, new Shape(shape)), List.of(out)).get(out).toFloatArray();
                }
                System.out.printf("forward pass %d (batch 1, CPU): %.1f ms%n", i + 1, (System.nanoTime() - t) / 1e6);
            }
        }
    }
}
