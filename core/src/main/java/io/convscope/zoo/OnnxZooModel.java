package io.convscope.zoo;

import io.convscope.ConvscopeException;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.onnx.OnnxImporter;
import io.convscope.util.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ImageNet models from the ONNX Model Zoo (github.com/onnx/models) that convscope fetches by name:
 * {@code --model squeezenet1.1}. Each entry is one published {@code .onnx} file (its path in the
 * repository, its SHA-256 and size as the repository's Git LFS pointer records them) plus what the
 * file itself does not say: how pixels become inputs and what the 1000 outputs are.
 *
 * <p>All three are MXNet GluonCV exports (opset 7): NCHW float inputs of 224×224, RGB scaled to 0–1,
 * minus the ImageNet mean and divided by its deviation ({@link Preprocessing#TORCH}), and 1000
 * logits (no softmax) in the standard ImageNet class order ({@link ImageNetLabels}).
 *
 * <p>ResNet-50 is called {@code resnet50v2-onnx} because {@code resnet50v2} is the Keras model
 * (another network: other layer names, other weights, "tf" preprocessing).
 */
public enum OnnxZooModel {
    SQUEEZENET1_1("squeezenet1.1", "SqueezeNet 1.1",
            new WeightsFile("squeezenet1.1-7.onnx",
                    "validated/vision/classification/squeezenet/model/squeezenet1.1-7.onnx",
                    "9456373b67f04e4a9cb0bb9be984f0db2d0ad141582d84d4b4ad9e84f7ec7785", 9_165_684L,
                    WeightsFile.Origin.ONNX_MODEL_ZOO)),
    RESNET50_V2("resnet50v2-onnx", "ResNet-50 v2",
            new WeightsFile("resnet50-v2-7.onnx",
                    "validated/vision/classification/resnet/model/resnet50-v2-7.onnx",
                    "1e80e8a7c8eec8e8b20c440d7dd7f2f8590779c7c2859dc4514870dc463845d3", 102_442_450L,
                    WeightsFile.Origin.ONNX_MODEL_ZOO)),
    MOBILENET_V2("mobilenetv2", "MobileNet V2",
            new WeightsFile("mobilenetv2-7.onnx",
                    "validated/vision/classification/mobilenet/model/mobilenetv2-7.onnx",
                    "c1c513582d56afceff8516c73804e484c81c6a830712ab6d682253f4a3cd042f", 14_246_826L,
                    WeightsFile.Origin.ONNX_MODEL_ZOO));

    /**
     * Where the ONNX Model Zoo's files are downloaded from: GitHub's raw-file address of the
     * repository's main branch, which redirects to the Git LFS object (media.githubusercontent.com).
     */
    public static final String ONNX_BASE_URL = "https://github.com/onnx/models/raw/main/";

    /** The input size the models were trained at (they take other sizes too). */
    public static final int INPUT_SIZE = 224;

    private final String id;
    private final String displayName;
    private final WeightsFile file;

    OnnxZooModel(String id, String displayName, WeightsFile file) {
        this.id = id;
        this.displayName = displayName;
        this.file = file;
    }

    /** The name used on the command line, e.g. {@code squeezenet1.1}. */
    public String id() {
        return id;
    }

    /** The name as its authors write it, e.g. {@code SqueezeNet 1.1}. */
    public String displayName() {
        return displayName;
    }

    /** The published {@code .onnx} file. */
    public WeightsFile file() {
        return file;
    }

    /** How 0–255 pixels become this model's inputs. */
    public Preprocessing preprocessing() {
        return Preprocessing.TORCH;
    }

    /**
     * The model, from the cache or downloaded (SHA-256 checked), with its preprocessing and the
     * ImageNet class names.
     */
    public Network load(WeightsStore store, Progress progress) {
        return load(store.resolve(file, progress));
    }

    /** This model read from a copy of its file, with its name, preprocessing and the ImageNet class names. */
    public Network load(Path onnxFile) {
        return OnnxImporter.load(onnxFile).withName(id).withPreprocessing(preprocessing())
                .withLabels(ImageNetLabels.load());
    }

    /**
     * The zoo model whose published file {@code file} is (same size, same SHA-256), or null: a
     * downloaded copy then gets the model's preprocessing and labels, which the file does not carry.
     * Only files of a zoo file's exact size are hashed.
     */
    public static OnnxZooModel recognise(Path file) {
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            return null;
        }
        for (OnnxZooModel m : values()) {
            if (m.file.approxBytes() == size) {
                try {
                    if (WeightsStore.sha256(file).equalsIgnoreCase(m.file.hash())) {
                        return m;
                    }
                } catch (java.io.IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The ids of all models, in declaration order. */
    public static List<String> ids() {
        List<String> out = new ArrayList<>();
        for (OnnxZooModel m : values()) {
            out.add(m.id);
        }
        return out;
    }

    /** The model called {@code name} (ignoring case; '_' for '-'), or null. */
    public static OnnxZooModel find(String name) {
        String n = normalize(name);
        for (OnnxZooModel m : values()) {
            if (normalize(m.id).equals(n)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The model called {@code name}.
     *
     * @throws ConvscopeException naming the known models
     */
    public static OnnxZooModel byName(String name) {
        OnnxZooModel m = find(name);
        if (m == null) {
            throw new ConvscopeException("unknown ONNX zoo model '" + name + "' (known: " + String.join(", ", ids()) + ")");
        }
        return m;
    }

    private static String normalize(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return id;
    }
}
