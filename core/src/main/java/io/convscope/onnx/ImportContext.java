package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one import, as converters and folders see it: the network being built, the values
 * known at import ({@link Const}s), which layer computes each ONNX value, and the node being
 * converted. Its accessors turn every missing input into one line ("input W missing") and every
 * operation convscope does not run into an {@link OnnxUnsupportedException} naming the node.
 */
final class ImportContext {
    final String source;
    final Path baseDir;
    /** The default-domain opset of the model. */
    final long opset;
    /** 1: ONNX axis 0 is the batch; 0: whole-tensor mode (ONNX axis a is sample axis a). */
    final int lead;
    final Network.Builder b;
    final Map<String, Const> consts = new HashMap<>();
    final Map<String, String> nodeOf = new HashMap<>();
    /** Channels-last image inputs read only through a Transpose to channels-first (tf2onnx). */
    final Set<String> nhwc = new HashSet<>();
    /** Every value some node or the graph's outputs read. */
    final Set<String> consumed = new HashSet<>();
    private final Set<String> used = new HashSet<>();
    long declaredBatch = -1;
    private OnnxProto.NodeP current;
    private OpType currentType;

    ImportContext(String source, Path baseDir, long opset, int lead, Network.Builder b) {
        this.source = source;
        this.baseDir = baseDir;
        this.opset = opset;
        this.lead = lead;
        this.b = b;
    }

    /** Sets the node whose conversion follows (for messages). */
    void at(OnnxProto.NodeP n) {
        current = n;
        currentType = Operators.type(n.opType());
    }

    // ---- names and messages -----------------------------------------------------------------------

    String unique(String base) {
        String n = base.isEmpty() ? "node" : base;
        String c = n;
        for (int i = 2; used.contains(c); i++) {
            c = n + "_" + i;
        }
        used.add(c);
        return c;
    }

    static String label(OnnxProto.NodeP n) {
        return n.name().isEmpty() ? (n.outputs().isEmpty() ? "?" : n.outputs().get(0)) : n.name();
    }

    /** "source: node 'x' (Op, opset n)", the start of every message about the current node. */
    String where() {
        return source + ": node '" + label(current) + "' (" + current.opType() + ", opset " + opset + ")";
    }

    OnnxUnsupportedException unsupported(String why) {
        return new OnnxUnsupportedException(where() + ": " + why);
    }

    /** The specification's name of input i of the current node. */
    String inputName(int i) {
        return currentType == null ? Integer.toString(i) : currentType.inputName(i);
    }

    ConvscopeException missing(int i) {
        return new ConvscopeException("input " + inputName(i) + " missing");
    }

    // ---- inputs -------------------------------------------------------------------------------------

    static boolean present(OnnxProto.NodeP n, int i) {
        return i < n.inputs().size() && !n.inputs().get(i).isEmpty();
    }

    boolean isConst(OnnxProto.NodeP n, int i) {
        return present(n, i) && consts.containsKey(n.inputs().get(i));
    }

    /** Optional input i as a constant with no run-time size in it; null when absent. */
    Const c(OnnxProto.NodeP n, int i) {
        return present(n, i) ? constant(n, i) : null;
    }

    /** Input i as a constant with no run-time size in it; it must be present. */
    Const constant(OnnxProto.NodeP n, int i) {
        Const v = raw(n, i);
        if (v.containsBatch()) {
            throw unsupported("input " + i + " ('" + n.inputs().get(i) + "') depends on a tensor size known only at run time");
        }
        return v;
    }

    /** Input i as a shape: the batch size may appear in it, other run-time sizes may not; it must be present. */
    Const shapeC(OnnxProto.NodeP n, int i) {
        Const v = raw(n, i);
        if (v.contains(Const.UNKNOWN)) {
            throw unsupported("input " + i + " ('" + n.inputs().get(i) + "') depends on a tensor size known only at run time");
        }
        return v;
    }

    /** Input i as a constant as it is (folding); it must be present. */
    Const raw(OnnxProto.NodeP n, int i) {
        if (!present(n, i)) {
            throw missing(i);
        }
        Const v = consts.get(n.inputs().get(i));
        if (v == null) {
            throw unsupported("input " + i + " ('" + n.inputs().get(i) + "') must be a constant known at import");
        }
        return v;
    }

    /** The layer that computes input i; it must be present. */
    String dyn(OnnxProto.NodeP n, int i) {
        if (!present(n, i)) {
            throw missing(i);
        }
        String v = n.inputs().get(i);
        String node = nodeOf.get(v);
        if (node == null) {
            throw new ConvscopeException("input '" + v + "' is used before it is defined");
        }
        return node;
    }

    TensorShape shape(OnnxProto.NodeP n, int i) {
        return b.shape(dyn(n, i));
    }

    /** Axes from input {@code input} (newer opsets) or else the attribute "axes"; null when neither. */
    long[] axesInputOrAttr(OnnxProto.NodeP n, int input) {
        if (present(n, input)) {
            return constant(n, input).longs();
        }
        return Attrs.attrInts(n, "axes");
    }

    // ---- layers -------------------------------------------------------------------------------------

    /** Adds the layer for output 0 of node n. */
    void add(OnnxProto.NodeP n, Layer layer, List<String> inputs, Map<String, Tensor> params) {
        if (n.outputs().isEmpty() || n.outputs().get(0).isEmpty()) {
            throw new ConvscopeException("output missing");
        }
        String name = unique(label(n));
        b.add(name, layer, inputs, params);
        nodeOf.put(n.outputs().get(0), name);
    }

    void add(OnnxProto.NodeP n, Layer layer, String... inputs) {
        add(n, layer, List.of(inputs), Map.of());
    }

    void noExtraOutputs(OnnxProto.NodeP n) {
        for (int i = 1; i < n.outputs().size(); i++) {
            if (!n.outputs().get(i).isEmpty() && consumed.contains(n.outputs().get(i))) {
                throw unsupported("output " + (i + 1) + " ('" + n.outputs().get(i) + "') is not supported (inference only)");
            }
        }
    }

    // ---- axes and the batch -------------------------------------------------------------------------

    /** A full-tensor axis (batch = 0) from a possibly negative ONNX axis. */
    static int axis(long a, int fullRank) {
        long r = a < 0 ? a + fullRank : a;
        if (r < 0 || r >= fullRank) {
            throw new IllegalArgumentException("axis " + a + " is out of range for rank " + fullRank);
        }
        return (int) r;
    }

    /** A sample axis from an ONNX axis; the batch axis is unsupported. */
    int sampleAxis(long a, int fullRank, String what) {
        int r = axis(a, fullRank);
        if (r < lead) {
            throw unsupported(what + " over the batch axis (axis 0) is not supported");
        }
        return r - lead;
    }

    /** ONNX rank of a tensor with this sample shape. */
    int rank(TensorShape s) {
        return s.rank() + lead;
    }

    void batchMajor() {
        if (lead == 0) {
            throw unsupported("needs batch-major tensors (not available in whole-tensor mode)");
        }
    }

    boolean isBatch(long v) {
        return lead == 1 && (v == Const.BATCH || (declaredBatch > 0 && v == declaredBatch));
    }

    /** A constant operand broadcast against samples of rank {@code sampleRank}: a leading batch axis of 1 dropped. */
    Const operand(Const v, int sampleRank, String what) {
        if (v.rank() == sampleRank + 1 && lead == 1) {
            if (v.dims()[0] != 1) {
                throw unsupported(what + " of shape " + Arrays.toString(v.dims()) + " spans the batch axis");
            }
            return v.reshape(Arrays.copyOfRange(v.dims(), 1, v.rank()));
        }
        if (v.rank() > sampleRank + lead) {
            throw unsupported(what + " of shape " + Arrays.toString(v.dims()) + " has a higher rank than the input");
        }
        return v;
    }

    // ---- values -------------------------------------------------------------------------------------

    static Tensor tensor(Const v) {
        return Tensor.of(v.floats(), v.intDims());
    }

    static Tensor tensor(float[] data, int... shape) {
        return Tensor.of(data, shape);
    }

    static int[] ints(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.toIntExact(v[i]);
        }
        return r;
    }

    /** Decodes an initializer or attribute tensor, reading external data relative to the model's folder. */
    Const decode(OnnxProto.TensorP t) {
        return TensorData.decode(t, baseDir, source);
    }
}
