package io.convscope.model;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Network;
import io.convscope.keras.KerasImporter;
import io.convscope.keras.KerasWeights;
import io.convscope.onnx.OnnxImporter;
import io.convscope.cvs.NetworkFile;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.util.Names;
import io.convscope.util.Progress;
import io.convscope.zoo.Architectures;
import io.convscope.zoo.ImageNetLabels;
import io.convscope.zoo.OnnxZooModel;
import io.convscope.zoo.WeightsStore;
import io.convscope.zoo.ZooModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Turns what a user names — nothing (the embedded model), a zoo name, or a model file — into a
 * {@link Network}.
 */
public final class ModelLoader {
    /** The zoo names of the Keras models convscope builds itself. */
    public static final List<String> ZOO = List.of("vgg16", "vgg19", "resnet50v2");
    /** The zoo names of the ONNX Model Zoo files convscope fetches ({@link OnnxZooModel}). */
    public static final List<String> ONNX_ZOO = OnnxZooModel.ids();
    /** Names of the embedded model. */
    public static final List<String> EMBEDDED = List.of("fashion-mnist", "embedded");

    /**
     * What to load.
     *
     * @param model      null/blank for the embedded model, a zoo name, or a path
     * @param weights    for zoo models: "imagenet" (default), "none" (random, seeded), or a file
     * @param includeTop for zoo models: with the 1000-class classifier
     * @param height     input height for zoo models without top (-1: any)
     * @param width      input width for zoo models without top (-1: any)
     */
    public record Request(String model, String weights, boolean includeTop, int height, int width) {
        public static Request of(String model) {
            return new Request(model, "imagenet", true, 224, 224);
        }

        public boolean isEmbedded() {
            return model == null || model.isBlank() || EMBEDDED.contains(model.toLowerCase(Locale.ROOT));
        }

        public String zooName() {
            if (isEmbedded()) {
                return null;
            }
            String m = model.toLowerCase(Locale.ROOT);
            return ZOO.contains(m) ? m : null;
        }

        /** The ONNX Model Zoo model this request names, or null. */
        public OnnxZooModel onnxZoo() {
            return isEmbedded() || zooName() != null ? null : OnnxZooModel.find(model);
        }
    }

    private ModelLoader() {
    }

    /** The architecture of a zoo model without any weights (cheap: for summaries). */
    public static Network zooArchitecture(String zooName, boolean includeTop, int height, int width) {
        int h = includeTop ? 224 : height;
        int w = includeTop ? 224 : width;
        return switch (zooName) {
            case "vgg16" -> Architectures.vgg16(includeTop, h, w);
            case "vgg19" -> Architectures.vgg19(includeTop, h, w);
            case "resnet50v2" -> Architectures.resnet50v2(includeTop, h, w);
            default -> throw unknown(zooName);
        };
    }

    /**
     * Loads the model a request names, with weights. Zoo models with ImageNet weights fetch the
     * Keras file on first use (reported to {@code progress}); {@code --weights none} gives Keras-style
     * random weights from a fixed seed.
     */
    public static Network load(Request r, Progress progress) {
        check(r);
        if (r.isEmbedded()) {
            return EmbeddedModel.load();
        }
        String zoo = r.zooName();
        if (zoo == null && r.onnxZoo() != null) {
            return loadOnnxZoo(r, WeightsStore.defaultStore(), progress);
        }
        if (zoo == null) {
            Path file = Path.of(r.model());
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(NetworkFile.EXTENSION)) {
                return NetworkFile.load(file);
            }
            if (isOnnx(file)) {
                return OnnxImporter.load(file);
            }
            return KerasImporter.load(file);
        }
        Network arch = zooArchitecture(zoo, r.includeTop(), r.height(), r.width());
        if (r.includeTop()) {
            arch = arch.withLabels(ImageNetLabels.load());
        }
        String w = r.weights() == null ? "imagenet" : r.weights();
        return switch (w.toLowerCase(Locale.ROOT)) {
            case "none", "random" -> arch.withRandomParams(RANDOM_SEED).withName(arch.name() + Network.RANDOM_WEIGHTS);
            case "imagenet" -> KerasWeights.applyTo(arch,
                    WeightsStore.defaultStore().resolve(ZooModel.byName(zoo), r.includeTop(), Progress.orNone(progress)));
            default -> {
                Path file = Path.of(w);
                if (!Files.isRegularFile(file)) {
                    throw new ConvscopeException(Setting.WEIGHTS + ": no such file: " + w + " (use imagenet, none, or a Keras weights file)");
                }
                yield KerasWeights.applyTo(arch, file);
            }
        };
    }

    /**
     * An ONNX Model Zoo model ({@code squeezenet1.1}): the file from {@code store} (downloaded and
     * SHA-256 checked once), with its preprocessing and labels. Only its published weights exist, so
     * {@code --weights} must be {@code imagenet}; the input size is the network's own (any size works
     * for these fully convolutional models).
     */
    public static Network loadOnnxZoo(Request r, WeightsStore store, Progress progress) {
        OnnxZooModel m = r.onnxZoo();
        String w = r.weights() == null ? "imagenet" : r.weights();
        if (!w.equalsIgnoreCase("imagenet")) {
            throw new ConvscopeException(Setting.WEIGHTS + " " + w + ": " + m.id() + " comes from the ONNX Model Zoo with its "
                    + "ImageNet weights only (" + Setting.WEIGHTS + " none or FILE apply to " + String.join(", ", ZOO) + ")");
        }
        return m.load(store, Progress.orNone(progress));
    }

    /**
     * True for {@code .onnx} files, and for files that start as an ONNX ModelProto does (field 1,
     * ir_version, a small varint) rather than with the HDF5 or zip signature.
     */
    static boolean isOnnx(Path file) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(OnnxImporter.EXTENSION)) {
            return true;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras")) {
            return false;
        }
        byte[] head = new byte[2];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 2) < 2) {
                return false;
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return head[0] == 0x08 && head[1] > 0 && head[1] <= 0x7f;
    }

    /** The seed of {@code --weights none}: the same random model every time. */
    public static final long RANDOM_SEED = 20141112L;

    /** Checks that a model argument names something that exists, before any heavy work. */
    public static void check(Request r) {
        if (r.isEmbedded() || r.zooName() != null || r.onnxZoo() != null) {
            return;
        }
        Path p = Path.of(r.model());
        if (!Files.exists(p)) {
            String why = io.convscope.util.FileProblems.whyMissing(p);
            if (!why.equals("not found") && !why.equals("a broken link")) {
                throw new ConvscopeException("model file " + r.model() + ": " + why);
            }
            throw unknown(r.model());
        }
        if (Files.isDirectory(p)) {
            throw new ConvscopeException(r.model() + " is a folder, not a model file (.h5, .keras, .onnx)");
        }
    }

    static ConvscopeException unknown(String name) {
        boolean looksLikePath = name.contains("/") || name.contains(".");
        if (looksLikePath) {
            return new ConvscopeException("model file not found: " + name);
        }
        List<String> zoo = new java.util.ArrayList<>(ZOO);
        zoo.addAll(ONNX_ZOO);
        List<String> all = new java.util.ArrayList<>(zoo);
        all.addAll(EMBEDDED);
        return new ConvscopeException("unknown model '" + name + "': not a zoo name (" + String.join(", ", zoo)
                + ") nor a file" + Names.didYouMean(name, all));
    }
}
