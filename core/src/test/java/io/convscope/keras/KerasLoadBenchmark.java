package io.convscope.keras;

import io.convscope.network.Network;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Load-time benchmark (not a unit test): writes a VGG16-sized TF-Keras HDF5 model file (138 M
 * float32 weights, 553 MB) with VGG16's real layer shapes, then times {@link KerasImporter#load}
 * against reading the same file with {@code Files.readAllBytes} and with a FileChannel into a
 * direct buffer. Usage: {@code java … KerasLoadBenchmark FILE.h5 [runs [read|load]]} (FILE is written
 * when absent; with read or load, one measurement of that alone, e.g. after evicting FILE from the
 * page cache with {@code dd if=FILE iflag=nocache count=0}).
 */
public final class KerasLoadBenchmark {
    private static final int[][] CONVS = {{3, 64}, {64, 64}, {64, 128}, {128, 128}, {128, 256}, {256, 256}, {256, 256},
            {256, 512}, {512, 512}, {512, 512}, {512, 512}, {512, 512}, {512, 512}};
    private static final String[] CONV_NAMES = {"block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2",
            "block3_conv1", "block3_conv2", "block3_conv3", "block4_conv1", "block4_conv2", "block4_conv3",
            "block5_conv1", "block5_conv2", "block5_conv3"};

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "vgg16-sized.h5");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (!Files.exists(file)) {
            long t = System.nanoTime();
            write(file);
            System.out.printf("wrote %s (%,d bytes) in %.1f s%n", file, Files.size(file), (System.nanoTime() - t) / 1e9);
        }
        long size = Files.size(file);
        if (args.length > 2) { // one measurement only, for a cold page cache: "read" or "load"
            long t0 = System.nanoTime();
            long n = args[2].equals("read") ? Files.readAllBytes(file).length : KerasImporter.load(file).paramCount();
            System.out.printf("%s once: %.3f s (%,d)%n", args[2], (System.nanoTime() - t0) / 1e9, n);
            return;
        }
        double[][] t = new double[4][runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            byte[] all = Files.readAllBytes(file);
            long t1 = System.nanoTime();
            ByteBuffer direct = ByteBuffer.allocateDirect((int) size);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (direct.hasRemaining() && ch.read(direct) >= 0) {
                    // read it all
                }
            }
            long t2 = System.nanoTime();
            long copied = copyAllDatasets(file);
            long t3 = System.nanoTime();
            Network net = KerasImporter.load(file);
            long t4 = System.nanoTime();
            t[0][r] = (t1 - t0) / 1e9;
            t[1][r] = (t2 - t1) / 1e9;
            t[2][r] = (t3 - t2) / 1e9;
            t[3][r] = (t4 - t3) / 1e9;
            System.out.printf("run %d: readAllBytes %.3f s | FileChannel→direct buffer %.3f s | every dataset copied to"
                            + " direct buffers (no conversion) %.3f s | KerasImporter.load %.3f s (%,d params)%n", r + 1,
                    t[0][r], t[1][r], t[2][r], t[3][r], net.paramCount());
            if (all.length != size || copied != net.paramCount()) {
                throw new IllegalStateException(copied + " values copied");
            }
            all = null;
            direct = null;
            net = null;
            System.gc(); // free the direct memory of this run before the next
        }
        String[] what = {"readAllBytes", "FileChannel→direct", "copy datasets", "KerasImporter.load"};
        for (int i = 0; i < 4; i++) {
            double[] v = t[i].clone();
            java.util.Arrays.sort(v);
            System.out.printf("%-20s min %.3f s, median %.3f s%n", what[i], v[0], v[v.length / 2]);
        }
    }

    /** The floor for any loader that hands out weights in fresh direct memory: jhdf reads + bulk copies. */
    private static long copyAllDatasets(Path file) {
        long n = 0;
        try (HdfFile f = new HdfFile(file)) {
            io.jhdf.api.Group mw = (io.jhdf.api.Group) f.getChild("model_weights");
            for (io.jhdf.api.Node layer : mw) {
                io.jhdf.api.Group inner = (io.jhdf.api.Group) ((io.jhdf.api.Group) layer).getChild(layer.getName());
                for (io.jhdf.api.Node d : inner) {
                    ByteBuffer src = ((io.jhdf.api.dataset.ContiguousDataset) d).getBuffer();
                    java.nio.FloatBuffer dst = io.convscope.network.Tensor.allocate(src.remaining() / 4);
                    dst.put(src.order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
                    n += dst.capacity();
                }
            }
        }
        return n;
    }

    /** VGG16 as TF-Keras 2 saves it with model.save("x.h5"); weights are cheap deterministic values. */
    static void write(Path file) {
        List<String> layers = new ArrayList<>();
        layers.add(Cfgs.tf2FunctionalInput("input_1", "[null, 224, 224, 3]"));
        String prev = "input_1";
        int c = 0;
        for (int block = 1; block <= 5; block++) {
            int convs = block <= 2 ? 2 : 3;
            for (int i = 1; i <= convs; i++, c++) {
                layers.add(Cfgs.tf2f("Conv2D", CONV_NAMES[c], Cfgs.conv(CONVS[c][1], 3, "same", "relu"), prev));
                prev = CONV_NAMES[c];
            }
            String pool = "block" + block + "_pool";
            layers.add(Cfgs.tf2f("MaxPooling2D", pool, Cfgs.pool(2), prev));
            prev = pool;
        }
        layers.add(Cfgs.tf2f("Flatten", "flatten", "\"data_format\": \"channels_last\"", prev));
        layers.add(Cfgs.tf2f("Dense", "fc1", Cfgs.dense(4096, "relu"), "flatten"));
        layers.add(Cfgs.tf2f("Dense", "fc2", Cfgs.dense(4096, "relu"), "fc1"));
        layers.add(Cfgs.tf2f("Dense", "predictions", Cfgs.dense(1000, "softmax"), "fc2"));
        String config = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"vgg16\", \"layers\": "
                + Cfgs.list(layers.toArray(new String[0]))
                + ", \"input_layers\": [[\"input_1\", 0, 0]], \"output_layers\": [[\"predictions\", 0, 0]]},"
                + " \"keras_version\": \"2.15.0\", \"backend\": \"tensorflow\"}";
        try (WritableHdfFile f = HdfFile.write(file)) {
            f.putAttribute("model_config", config);
            f.putAttribute("keras_version", "2.15.0");
            f.putAttribute("backend", "tensorflow");
            WritableGroup mw = f.putGroup("model_weights");
            List<String> names = new ArrayList<>(List.of(CONV_NAMES));
            names.addAll(List.of("fc1", "fc2", "predictions"));
            mw.putAttribute("layer_names", names.toArray(new String[0]));
            mw.putAttribute("keras_version", "2.15.0");
            mw.putAttribute("backend", "tensorflow");
            for (int i = 0; i < CONV_NAMES.length; i++) {
                layer(mw, CONV_NAMES[i], conv(CONVS[i][0], CONVS[i][1], i), CONVS[i][1]);
            }
            layer(mw, "fc1", matrix(25088, 4096), 4096);
            layer(mw, "fc2", matrix(4096, 4096), 4096);
            layer(mw, "predictions", matrix(4096, 1000), 1000);
        }
    }

    private static void layer(WritableGroup mw, String name, Object kernel, int units) {
        WritableGroup g = mw.putGroup(name);
        g.putAttribute("weight_names", new String[] {name + "/kernel:0", name + "/bias:0"});
        WritableGroup inner = g.putGroup(name);
        inner.putDataset("kernel:0", kernel);
        float[] bias = new float[units];
        for (int i = 0; i < units; i++) {
            bias[i] = i * 1e-3f;
        }
        inner.putDataset("bias:0", bias);
    }

    private static float[][][][] conv(int in, int out, int seed) {
        float[][][][] k = new float[3][3][in][out];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        k[y][x][i][o] = ((y * 3 + x + i * 7 + o * 13 + seed) % 97) * 1e-3f;
                    }
                }
            }
        }
        return k;
    }

    private static float[][] matrix(int rows, int cols) {
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = ((r * 31 + c) % 101) * 1e-4f;
            }
        }
        return m;
    }
}
