package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Imports an ONNX model ({@code .onnx}: IR versions 3–10, default-domain opsets 7–21) into a
 * {@link Network}. Layers are named by the ONNX node names, or by their first output where a node
 * has no name. Initializers (also when old exporters list them as graph inputs), Constant nodes and
 * tensors stored in external data files become parameters; any subgraph whose inputs are all known
 * at import (constants, and the shapes of tensors, e.g. PyTorch's Shape → Gather → Unsqueeze →
 * Concat → Reshape chains) is folded to constants.
 *
 * <p>ONNX tensors carry the batch as axis 0; the Network's shapes are per sample, so every operator
 * is mapped onto the sample axes. Operations that would mix samples (reshaping, transposing,
 * reducing, slicing or concatenating over the batch axis) are reported as unsupported rather than
 * run with other semantics. The network's preprocessing is what the file's metadata says
 * ({@link #declaredPreprocessing}), else {@link Preprocessing#UNDECLARED} (raw pixels); it has no
 * labels; callers apply their own with {@link Network#withPreprocessing} / {@link Network#withLabels}.
 *
 * <p>The operators it reads are registered in {@link Operators}: one {@link OpConverter} per
 * operator family, {@link ConstFolder}s for what is evaluated at import. This class reads the file
 * and hands the parsed model to {@link GraphImport}.
 */
public final class OnnxImporter {
    /** The default-domain operators convscope imports (from the {@link Operators} table), sorted. */
    public static final List<String> SUPPORTED = Operators.SUPPORTED;

    /** File extension of ONNX models. */
    public static final String EXTENSION = ".onnx";

    private OnnxImporter() {
    }

    /** Loads an ONNX file; external data files are read relative to its folder. */
    public static Network load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConvscopeException("model file not found: " + file);
        } catch (IOException e) {
            throw new ConvscopeException("cannot read " + file + ": " + e.getMessage());
        }
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(EXTENSION)) {
            name = name.substring(0, name.length() - EXTENSION.length());
        }
        if (name.equals("model") && file.toAbsolutePath().getParent() != null
                && file.toAbsolutePath().getParent().getFileName() != null) {
            name = file.toAbsolutePath().getParent().getFileName().toString();
        }
        return load(bytes, file.toAbsolutePath().getParent(), name, file.toString(), Map.of());
    }

    /**
     * Loads a model from bytes.
     *
     * @param baseDir folder of external data files (may be null when there are none)
     * @param name    the network's name
     * @param source  what to call the model in messages (a file name)
     * @param bound   graph inputs to treat as constants with these values (the rest stay inputs)
     */
    public static Network load(byte[] bytes, Path baseDir, String name, String source, Map<String, Const> bound) {
        return load(bytes, baseDir, name, source, bound, false);
    }

    /**
     * As {@link #load(byte[], Path, String, String, Map)}; with {@code wholeTensor} the ONNX tensors
     * are not batch-major: each is one sample of the network (per-sample shape = the whole ONNX shape,
     * run with a batch of 1), so operators over ONNX axis 0 (reductions, transposes, reshapes,
     * concatenations) are exact. Convolution, pooling and normalization layers need batch-major
     * tensors and are unsupported in this mode.
     */
    public static Network load(byte[] bytes, Path baseDir, String name, String source, Map<String, Const> bound,
                               boolean wholeTensor) {
        OnnxProto.Model model;
        try {
            model = OnnxProto.parseModel(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ConvscopeException(source + " is not a readable ONNX model (truncated or corrupt: " + oneLine(e) + ")");
        }
        Network net = new GraphImport(model, baseDir, name, source, bound, wholeTensor ? 0 : 1).run();
        Preprocessing declared = declaredPreprocessing(model.metadata());
        return declared == null ? net : net.withPreprocessing(declared);
    }

    /** The metadata key convscope reads for a file's preprocessing: a mode name, as {@code --preprocess} takes. */
    public static final String PREPROCESS_KEY = "convscope.preprocess";

    /**
     * The preprocessing an ONNX file's {@code metadata_props} declare, or null when they say nothing
     * convscope knows: {@value #PREPROCESS_KEY} (caffe, tf, torch, unit, raw), or Windows ML's image
     * metadata, {@code Image.NominalPixelRange} (NominalRange_0_255: raw; Normalized_0_1: unit;
     * Normalized_1_1: tf) with {@code Image.BitmapPixelFormat} (Bgr8/Bgra8: BGR channel order).
     */
    public static Preprocessing declaredPreprocessing(Map<String, String> metadata) {
        String mode = metadata.get(PREPROCESS_KEY);
        if (mode != null && Preprocessing.byName(mode.strip()) != null) {
            return Preprocessing.byName(mode.strip());
        }
        String range = metadata.get("Image.NominalPixelRange");
        if (range == null) {
            return null;
        }
        Preprocessing base = switch (range.strip()) {
            case "NominalRange_0_255" -> Preprocessing.RAW;
            case "Normalized_0_1" -> Preprocessing.UNIT;
            case "Normalized_1_1" -> Preprocessing.TF;
            default -> null;
        };
        if (base == null) {
            return null;
        }
        String format = metadata.getOrDefault("Image.BitmapPixelFormat", "").strip();
        boolean bgr = format.equalsIgnoreCase("Bgr8") || format.equalsIgnoreCase("Bgra8");
        return bgr ? new Preprocessing(base.name() + ", bgr", true, base.scale(), base.mean(), base.std()) : base;
    }

    /** Reads one serialized TensorProto (the {@code .pb} files of ONNX test data). */
    public static Const readTensor(Path file) throws IOException {
        OnnxProto.TensorP t = OnnxProto.parseTensor(Files.readAllBytes(file));
        return Const.decode(t, null);
    }

    /** The names of a serialized TensorProto. */
    public static String tensorName(Path file) throws IOException {
        return OnnxProto.parseTensor(Files.readAllBytes(file)).name();
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int i = m.indexOf('\n');
        return i < 0 ? m : m.substring(0, i);
    }
}
