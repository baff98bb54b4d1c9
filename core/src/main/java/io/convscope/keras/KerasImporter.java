package io.convscope.keras;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.jhdf.api.Group;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a Keras model file into a {@link Network}:
 * <ul>
 *   <li>HDF5 files written by {@code model.save("model.h5")} in TF-Keras 2.x or Keras 3 (root
 *       attribute {@code model_config}, weights under {@code model_weights});</li>
 *   <li>{@code .keras} archives (a zip with {@code config.json}, {@code metadata.json} and
 *       {@code model.weights.h5}) written by Keras 3 or TF-Keras 2.13+.</li>
 * </ul>
 * The format is found from the file's first bytes, not its name. Sequential and Functional models
 * are supported, including models nested as layers (transfer learning): the inner layers keep their
 * names behind the outer one's, e.g. {@code vgg16/block3_conv1}. Weights are converted to
 * convscope's layout (OIHW kernels, (units, in) Dense kernels, see {@link Assembler} for Flatten).
 *
 * <p>The network is named after the Keras model. A Keras file does not say how images were
 * preprocessed, so the network's preprocessing is {@link Preprocessing#UNIT} (pixel / 255, the most
 * common choice for models trained from scratch); callers override it with
 * {@link Network#withPreprocessing} (the CLI's {@code --preprocess}).
 *
 * <p>Every problem with the input — not a Keras file, a truncated file, a weights-only file, an
 * unsupported layer, missing weights — is reported as a one-line {@link ConvscopeException}.
 */
public final class KerasImporter {
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private KerasImporter() {
    }

    /** What a file's first bytes say it is. */
    enum Format { HDF5, ZIP, OTHER }

    /** Loads a Keras model file (.h5/.hdf5 or .keras). */
    public static Network load(Path path) {
        Format f = detect(path);
        return switch (f) {
            case HDF5 -> loadHdf5(path);
            case ZIP -> loadKeras(path);
            case OTHER -> throw new ConvscopeException(path + " is not a Keras model file (not HDF5 or .keras zip)");
        };
    }

    static Format detect(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.exists(path.resolve("saved_model.pb"))) {
                throw new ConvscopeException(path + " is a TensorFlow SavedModel, which is not supported: load it in Python"
                        + " and re-save it with model.save('model.keras') or model.save('model.h5'), or export it to ONNX");
            }
            throw new ConvscopeException(path + " is a directory, not a Keras model file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4);
            ch.read(head, 0);
            if (head.position() == 4 && java.util.Arrays.equals(head.array(), ZIP_MAGIC)) {
                return Format.ZIP;
            }
            return H5.findSignature(ch) >= 0 ? Format.HDF5 : Format.OTHER;
        } catch (NoSuchFileException e) {
            throw new ConvscopeException(path + " does not exist");
        } catch (IOException e) {
            throw new ConvscopeException("cannot read " + path + ": " + io.convscope.util.FileProblems.reason(e), e);
        }
    }

    // ---- HDF5 model files ----------------------------------------------------------------------

    private static Network loadHdf5(Path path) {
        String display = path.toString();
        try (H5 h5 = H5.open(path)) {
            Group root = h5.root();
            String config = H5.string(root, "model_config");
            if (config == null) {
                if (H5.hasAttribute(root, "layer_names") || H5.group(root, "layers") != null
                        || H5.group(root, "_layer_checkpoint_dependencies") != null) {
                    throw new ConvscopeException(display + " holds only weights (no model_config): pass it as " + Setting.WEIGHTS + " FILE"
                            + " with " + Setting.MODEL + " vgg16|vgg19|resnet50v2 or the matching architecture");
                }
                throw new ConvscopeException(display + " is an HDF5 file but not a Keras model (it has no model_config)");
            }
            String version = H5.string(root, "keras_version");
            Group weights = H5.group(root, "model_weights");
            if (version == null && weights != null) {
                version = H5.string(weights, "keras_version");
            }
            JsonObject model = parse(config, display + ": model_config");
            boolean keras3 = isKeras3(version, model);
            KerasGraph g = KerasGraph.build(model, keras3);
            if (weights == null) {
                throw new ConvscopeException(display + " has a model_config but no model_weights (saved without weights?)");
            }
            LegacyWeights src = new LegacyWeights(h5, weights, g.refs().values());
            return Assembler.assemble(g.architecture().withPreprocessing(Preprocessing.UNIT),
                    n -> src.arrays(n.name(), g.refs().get(n.name())), display, src.layerNames());
        } catch (ConvscopeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw H5.truncated(display, describe(e), e);
        }
    }

    // ---- .keras archives -----------------------------------------------------------------------

    private static Network loadKeras(Path path) {
        String display = path.toString();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            ZipEntry configEntry = zip.getEntry("config.json");
            if (configEntry == null) {
                throw new ConvscopeException(display + " is a zip file but not a Keras archive (it has no config.json)");
            }
            JsonObject model = parse(text(zip, configEntry), display + ": config.json");
            String version = null;
            ZipEntry meta = zip.getEntry("metadata.json");
            if (meta != null) {
                JsonObject m = parse(text(zip, meta), display + ": metadata.json");
                if (m.has("keras_version") && m.get("keras_version").isJsonPrimitive()) {
                    version = m.get("keras_version").getAsString();
                }
            }
            boolean keras3 = isKeras3(version, model);
            KerasGraph g = KerasGraph.build(model, keras3);
            try (H5 h5 = openWeights(zip, display)) {
                V3Weights src = new V3Weights(h5);
                return Assembler.assemble(g.architecture().withPreprocessing(Preprocessing.UNIT),
                        n -> src.arrays(n.name(), g.refs().get(n.name())), display, src.layerNames());
            }
        } catch (ConvscopeException e) {
            throw e;
        } catch (ZipException e) {
            throw new ConvscopeException(display + " looks truncated or corrupt (a damaged zip archive: " + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw H5.truncated(display, describe(e), e);
        }
    }

    /** The archive's {@code model.weights.h5}, read into memory (or a temporary file when over 2 GB). */
    static H5 openWeights(ZipFile zip, String display) throws IOException {
        ZipEntry w = zip.getEntry("model.weights.h5");
        if (w == null) {
            if (zip.getEntry("model.weights.npz") != null) {
                throw new ConvscopeException(display + " stores its weights as model.weights.npz, which is not supported;"
                        + " re-save the model with the default weights format");
            }
            throw new ConvscopeException(display + " has no model.weights.h5 (saved without weights?)");
        }
        String inner = display + "!model.weights.h5";
        long size = w.getSize();
        if (size >= 0 && size < Integer.MAX_VALUE - 64) {
            byte[] bytes;
            try (InputStream in = zip.getInputStream(w)) {
                // the zip's header gives the size; an entry that inflates to more is damaged (or a zip bomb)
                bytes = readAtMost(in, (int) size);
            }
            if (bytes == null) {
                throw new ConvscopeException(inner + " inflates to more than the " + size + " bytes its zip header says;"
                        + " the archive is damaged");
            }
            return H5.open(bytes, inner);
        }
        // deleted when the H5 closes (the process may end by C's _exit, which runs no deleteOnExit)
        Path tmp = Files.createTempFile("convscope-", ".weights.h5");
        try {
            try (InputStream in = zip.getInputStream(w)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return H5.openTemporary(tmp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Keras 3 wrote the file: its version says so, or (without one) its config looks like Keras 3's. */
    static boolean isKeras3(String version, JsonObject model) {
        if (version != null && !version.isBlank()) {
            return !version.startsWith("1.") && !version.startsWith("2.");
        }
        String json = model.toString();
        return json.contains("\"batch_shape\"") || json.contains("\"DTypePolicy\"") || json.contains("__keras_tensor__");
    }

    static JsonObject parse(String json, String what) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new ConvscopeException(what + " is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (com.google.gson.JsonParseException e) {
            throw new ConvscopeException(what + " is not valid JSON (" + jsonReason(e) + ")", e);
        } catch (StackOverflowError e) {
            throw new ConvscopeException(what + " is not a Keras config (JSON nested too deeply)");
        }
    }

    /** Gson's message on one line, without its "See https://…Troubleshooting…" line. */
    static String jsonReason(com.google.gson.JsonParseException e) {
        Throwable t = e.getCause() != null && e.getMessage() != null && e.getMessage().startsWith(e.getCause().getClass().getName())
                ? e.getCause() : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int see = m.indexOf("\nSee ");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        see = m.indexOf(" See https://");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        return m.replace('\n', ' ').replace('\r', ' ').strip();
    }

    /** The most a {@code config.json} or {@code metadata.json} may inflate to (the largest real configs are a few MB). */
    static final int MAX_JSON_BYTES = 64 << 20;

    private static String text(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = readAtMost(in, MAX_JSON_BYTES);
            if (b == null) {
                throw new ConvscopeException(zip.getName() + ": " + e.getName() + " inflates to more than "
                        + (MAX_JSON_BYTES >> 20) + " MB; that is not a Keras config");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** All of {@code in} when it has at most {@code limit} bytes, else null (having read only limit + 1). */
    static byte[] readAtMost(InputStream in, int limit) throws IOException {
        byte[] b = in.readNBytes(limit);
        if (b.length == limit && in.read() >= 0) {
            return null;
        }
        return b;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName();
        return m == null || m.isBlank() ? s : s + ": " + m.lines().findFirst().orElse(m);
    }
}
