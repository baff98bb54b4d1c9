package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 * run with other semantics. The network has no preprocessing ({@link Preprocessing#RAW}) and no
 * labels; callers apply their own with {@link Network#withPreprocessing} / {@link Network#withLabels}.
 */
public final class OnnxImporter {
    /** The default-domain operators convscope imports. */
    public static final List<String> SUPPORTED = List.of("Abs", "Add", "AveragePool", "BatchNormalization", "Cast",
            "Ceil", "Clip", "Concat", "Constant", "Conv", "ConvTranspose", "Div", "Dropout", "Elu", "Exp", "Flatten",
            "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity",
            "InstanceNormalization", "LRN", "LeakyRelu", "Log", "LogSoftmax", "MatMul", "Max", "MaxPool", "Min", "Mul",
            "Neg", "PRelu", "Pad", "Pow", "Reciprocal", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceSum", "Relu",
            "Reshape", "Resize", "Selu", "Shape", "Sigmoid", "Slice", "Softmax", "Softplus", "Softsign", "Sqrt",
            "Squeeze", "Sub", "Sum", "Tanh", "Transpose", "Unsqueeze", "Upsample");

    /**
     * Operators whose meaning is the same in opsets 1–6 as in opset 7 for what convscope reads, so
     * that files of older opsets made only of these import too.
     */
    static final Set<String> LEGACY_SAFE = Set.of("Abs", "Add", "AveragePool", "Ceil", "Clip", "Constant", "Conv", "Div",
            "Elu", "Exp", "Flatten", "Floor", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "Identity",
            "InstanceNormalization", "LRN", "LeakyRelu", "Log", "LogSoftmax", "MatMul", "Max", "MaxPool", "Min", "Mul", "Neg",
            "Reciprocal", "Relu", "Selu", "Sigmoid", "Softmax", "Softplus", "Softsign", "Sqrt", "Sub", "Sum", "Tanh",
            "Transpose");

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
        return new Importer(model, baseDir, name, source, bound, wholeTensor ? 0 : 1).run();
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

    // -------------------------------------------------------------------------------------------------

    private static final class Importer {
        final OnnxProto.Model model;
        final Path baseDir;
        final String source;
        final long opset;
        final Network.Builder b;
        final Map<String, Const> consts = new HashMap<>();
        final Map<String, String> nodeOf = new HashMap<>();
        final Set<String> used = new HashSet<>();
        /** Channels-last image inputs read only through a Transpose to channels-first (tf2onnx). */
        final Set<String> nhwc = new HashSet<>();
        /** Every value some node or the graph's outputs read. */
        final Set<String> consumed = new HashSet<>();
        long declaredBatch = -1;
        OnnxProto.NodeP current;
        /** 1: ONNX axis 0 is the batch; 0: whole-tensor mode (ONNX axis a is sample axis a). */
        final int lead;

        Importer(OnnxProto.Model model, Path baseDir, String name, String source, Map<String, Const> bound, int lead) {
            this.lead = lead;
            this.model = model;
            this.baseDir = baseDir;
            this.source = source;
            Long v = model.opsets().get("");
            if (v == null) {
                v = model.opsets().get("ai.onnx");
            }
            this.opset = v == null ? 1 : v;
            this.b = new Network.Builder(name).preprocessing(Preprocessing.RAW);
            consts.putAll(bound);
        }

        Network run() {
            if (model.irVersion() < 3) {
                throw new OnnxUnsupportedException(source + ": IR version " + model.irVersion()
                        + " is older than convscope reads (IR 3–10, opsets 7–21)");
            }
            OnnxProto.Graph g = model.graph();
            for (OnnxProto.NodeP n : g.nodes()) {
                consumed.addAll(n.inputs());
            }
            for (OnnxProto.ValueInfo vi : g.outputs()) {
                consumed.add(vi.name());
            }
            for (OnnxProto.TensorP t : g.initializers()) {
                if (!consts.containsKey(t.name())) {
                    consts.put(t.name(), decode(t));
                }
            }
            for (OnnxProto.ValueInfo vi : g.inputs()) {
                if (consts.containsKey(vi.name())) {
                    continue; // an initializer listed as an input, or a bound input
                }
                if (vi.elemType() != OnnxProto.FLOAT) {
                    throw new OnnxUnsupportedException(source + ": input '" + vi.name() + "' has type "
                            + OnnxProto.typeName(vi.elemType()) + "; convscope feeds float32 inputs only");
                }
                if (vi.dims() == null || vi.dims().length < lead) {
                    throw new OnnxUnsupportedException(source + ": input '" + vi.name() + "' has "
                            + (vi.dims() == null ? "no declared shape" : "rank " + vi.dims().length)
                            + "; convscope needs a batch axis");
                }
                long[] d = vi.dims();
                if (declaredBatch < 0 && lead == 1) {
                    declaredBatch = d[0];
                }
                int[] sample = new int[d.length - lead];
                for (int i = lead; i < d.length; i++) {
                    sample[i - lead] = d[i] < 0 ? -1 : Math.toIntExact(d[i]);
                }
                if (lead == 1 && sample.length == 3 && onlyToChannelsFirst(g, vi.name())) {
                    nhwc.add(vi.name());
                    sample = new int[] {sample[2], sample[0], sample[1]};
                }
                String n = unique(vi.name());
                b.input(n, TensorShape.of(sample));
                nodeOf.put(vi.name(), n);
            }
            if (nodeOf.isEmpty()) {
                throw new OnnxUnsupportedException(source + ": the graph has no input that is not a constant");
            }
            for (OnnxProto.NodeP n : g.nodes()) {
                current = n;
                String domain = n.domain();
                if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
                    throw unsupported("operators of domain '" + domain + "' are not supported");
                }
                if (opset < 7 && !LEGACY_SAFE.contains(n.opType())) {
                    throw unsupported("before opset 7 this operator had other semantics (convscope reads opsets 7–21, and"
                            + " older files whose operators have not changed since)");
                }
                if (opset < 7 && n.attrs().containsKey("broadcast") && n.attrs().get("broadcast").i() != 0) {
                    throw unsupported("legacy broadcast=1 (before opset 7)");
                }
                try {
                    node(n);
                } catch (OnnxUnsupportedException e) {
                    throw e;
                } catch (ConvscopeException | IllegalArgumentException | ArithmeticException
                         | UnsupportedOperationException | IndexOutOfBoundsException e) {
                    throw new ConvscopeException(source + ": node '" + label(n) + "' (" + n.opType() + ", opset " + opset
                            + "): " + oneLine(e), e);
                }
            }
            List<String> outs = new ArrayList<>();
            for (OnnxProto.ValueInfo vi : g.outputs()) {
                String n = nodeOf.get(vi.name());
                if (n == null) {
                    throw new OnnxUnsupportedException(source + ": output '" + vi.name()
                            + "' is a constant or is not computed by the graph; convscope needs outputs that depend on the input");
                }
                outs.add(n);
            }
            return b.outputs(outs).build();
        }

        // ---- helpers ------------------------------------------------------------------------------

        /** True when every reader of {@code value} is a Transpose with perm (0, 3, 1, 2). */
        static boolean onlyToChannelsFirst(OnnxProto.Graph g, String value) {
            boolean any = false;
            for (OnnxProto.NodeP n : g.nodes()) {
                if (!n.inputs().contains(value)) {
                    continue;
                }
                long[] perm = attrInts(n, "perm");
                if (!n.opType().equals("Transpose") || !n.inputs().get(0).equals(value)
                        || perm == null || !Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
                    return false;
                }
                any = true;
            }
            return any;
        }

        Const decode(OnnxProto.TensorP t) {
            byte[] ext = null;
            if (t.isExternal()) {
                ext = external(t);
            }
            try {
                return Const.decode(t, ext);
            } catch (UnsupportedOperationException e) {
                throw new OnnxUnsupportedException(source + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ConvscopeException(source + " is corrupt: " + e.getMessage());
            }
        }

        byte[] external(OnnxProto.TensorP t) {
            String location = t.external().get("location");
            if (location == null) {
                throw new ConvscopeException(source + ": tensor '" + t.name() + "' is stored externally but names no file");
            }
            Path dir = baseDir == null ? Path.of(".") : baseDir;
            Path f = dir.resolve(location).normalize();
            long offset = Long.parseLong(t.external().getOrDefault("offset", "0"));
            long length = t.external().containsKey("length") ? Long.parseLong(t.external().get("length")) : -1;
            if (!Files.isRegularFile(f)) {
                throw new ConvscopeException(source + ": external data file '" + location + "' for tensor '" + t.name()
                        + "' not found (looked in " + dir + ")");
            }
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
                long size = raf.length();
                if (length < 0) {
                    length = size - offset;
                }
                if (offset < 0 || offset + length > size || length > Integer.MAX_VALUE) {
                    throw new ConvscopeException(source + ": external data file '" + location + "' is too short for tensor '"
                            + t.name() + "' (needs bytes " + offset + "–" + (offset + length) + ", has " + size + ")");
                }
                byte[] out = new byte[(int) length];
                raf.seek(offset);
                raf.readFully(out);
                return out;
            } catch (IOException e) {
                throw new ConvscopeException(source + ": cannot read external data file '" + location + "': " + e.getMessage());
            }
        }

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

        OnnxUnsupportedException unsupported(String why) {
            return new OnnxUnsupportedException(source + ": node '" + label(current) + "' (" + current.opType() + ", opset "
                    + opset + "): " + why);
        }

        boolean present(OnnxProto.NodeP n, int i) {
            return i < n.inputs().size() && !n.inputs().get(i).isEmpty();
        }

        boolean isConst(OnnxProto.NodeP n, int i) {
            return present(n, i) && consts.containsKey(n.inputs().get(i));
        }

        /** Input i as a constant with no run-time size in it; null when absent. */
        Const c(OnnxProto.NodeP n, int i) {
            Const v = raw(n, i);
            if (v != null && v.containsBatch()) {
                throw unsupported("input " + i + " ('" + n.inputs().get(i) + "') depends on a tensor size known only at run time");
            }
            return v;
        }

        /** Input i as a shape: the batch size may appear in it, other run-time sizes may not. */
        Const shapeC(OnnxProto.NodeP n, int i) {
            Const v = raw(n, i);
            if (v != null && v.contains(Const.UNKNOWN)) {
                throw unsupported("input " + i + " ('" + n.inputs().get(i) + "') depends on a tensor size known only at run time");
            }
            return v;
        }

        /** Input i as a constant as it is (folding); null when absent. */
        Const raw(OnnxProto.NodeP n, int i) {
            if (!present(n, i)) {
                return null;
            }
            Const v = consts.get(n.inputs().get(i));
            if (v == null) {
                throw unsupported("input " + i + " ('" + n.inputs().get(i) + "') must be a constant known at import");
            }
            return v;
        }

        String dyn(OnnxProto.NodeP n, int i) {
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

        static long attrInt(OnnxProto.NodeP n, String name, long def) {
            OnnxProto.Attr a = n.attrs().get(name);
            return a == null ? def : a.i();
        }

        static float attrFloat(OnnxProto.NodeP n, String name, float def) {
            OnnxProto.Attr a = n.attrs().get(name);
            return a == null ? def : a.f();
        }

        static long[] attrInts(OnnxProto.NodeP n, String name) {
            OnnxProto.Attr a = n.attrs().get(name);
            return a == null ? null : a.ints();
        }

        static String attrString(OnnxProto.NodeP n, String name, String def) {
            OnnxProto.Attr a = n.attrs().get(name);
            return a == null || a.s() == null ? def : a.string();
        }

        /** Adds the layer for output 0 of node n. */
        void add(OnnxProto.NodeP n, Layer layer, List<String> inputs, Map<String, Tensor> params) {
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

        /** A full-tensor axis (batch = 0) from a possibly negative ONNX axis. */
        int axis(long a, int fullRank) {
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

        boolean isBatch(long v) {
            return lead == 1 && (v == Const.BATCH || (declaredBatch > 0 && v == declaredBatch));
        }

        // ---- nodes --------------------------------------------------------------------------------

        void node(OnnxProto.NodeP n) {
            String op = n.opType();
            boolean allConst = true;
            boolean anyInput = false;
            for (int i = 0; i < n.inputs().size(); i++) {
                if (present(n, i)) {
                    anyInput = true;
                    allConst &= consts.containsKey(n.inputs().get(i));
                }
            }
            if (op.equals("Constant") || (anyInput && allConst) || (op.equals("Shape") && foldableShape(n))) {
                Const[] out = Fold.eval(this, n);
                if (out == null) {
                    if (!SUPPORTED.contains(op)) {
                        throw unsupportedOp(n);
                    }
                    throw unsupported("cannot be computed on constant inputs at import");
                }
                for (int i = 0; i < out.length && i < n.outputs().size(); i++) {
                    consts.put(n.outputs().get(i), out[i]);
                }
                return;
            }
            switch (op) {
                case "Identity" -> add(n, new Layer.Identity("Identity", 0f), dyn(n, 0));
                case "Dropout" -> dropout(n);
                case "Cast" -> {
                    long to = attrInt(n, "to", 0);
                    if (to != OnnxProto.FLOAT) {
                        throw unsupported("cast of the input to " + OnnxProto.typeName((int) to) + " (float32 only)");
                    }
                    add(n, new Layer.Identity("Cast", 0f), dyn(n, 0));
                }
                case "Relu" -> add(n, new Layer.Act("Relu", Activation.RELU), dyn(n, 0));
                case "Sigmoid" -> add(n, new Layer.Act("Sigmoid", Activation.SIGMOID), dyn(n, 0));
                case "Tanh" -> add(n, new Layer.Act("Tanh", Activation.TANH), dyn(n, 0));
                case "LeakyRelu" -> unary(n, Layer.Unary.Fn.LEAKY_RELU, attrFloat(n, "alpha", 0.01f), 0f);
                case "Elu" -> unary(n, Layer.Unary.Fn.ELU, attrFloat(n, "alpha", 1f), 0f);
                case "Selu" -> unary(n, Layer.Unary.Fn.SELU, attrFloat(n, "alpha", 1.67326319217681884765625f),
                        attrFloat(n, "gamma", 1.05070102214813232421875f));
                case "HardSigmoid" -> unary(n, Layer.Unary.Fn.HARD_SIGMOID, attrFloat(n, "alpha", 0.2f), attrFloat(n, "beta", 0.5f));
                case "HardSwish" -> unary(n, Layer.Unary.Fn.HARD_SWISH, 0f, 0f);
                case "Abs" -> unary(n, Layer.Unary.Fn.ABS, 0f, 0f);
                case "Neg" -> unary(n, Layer.Unary.Fn.NEG, 0f, 0f);
                case "Exp" -> unary(n, Layer.Unary.Fn.EXP, 0f, 0f);
                case "Log" -> unary(n, Layer.Unary.Fn.LOG, 0f, 0f);
                case "Sqrt" -> unary(n, Layer.Unary.Fn.SQRT, 0f, 0f);
                case "Reciprocal" -> unary(n, Layer.Unary.Fn.RECIPROCAL, 0f, 0f);
                case "Softplus" -> unary(n, Layer.Unary.Fn.SOFTPLUS, 0f, 0f);
                case "Softsign" -> unary(n, Layer.Unary.Fn.SOFTSIGN, 0f, 0f);
                case "Floor" -> unary(n, Layer.Unary.Fn.FLOOR, 0f, 0f);
                case "Ceil" -> unary(n, Layer.Unary.Fn.CEIL, 0f, 0f);
                case "Clip" -> clip(n);
                case "Softmax", "LogSoftmax" -> softmax(n);
                case "Conv" -> conv(n);
                case "ConvTranspose" -> convTranspose(n);
                case "MaxPool", "AveragePool" -> pool(n);
                case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(n);
                case "BatchNormalization" -> batchNorm(n);
                case "InstanceNormalization" -> add(batchMajor(n), new Layer.InstanceNorm(attrFloat(n, "epsilon", 1e-5f)), List.of(dyn(n, 0)),
                        Map.of("gamma", tensor(c(n, 1)), "beta", tensor(c(n, 2))));
                case "LRN" -> add(batchMajor(n), new Layer.LRN((int) attrInt(n, "size", 1), attrFloat(n, "alpha", 1e-4f),
                        attrFloat(n, "beta", 0.75f), attrFloat(n, "bias", 1f)), dyn(n, 0));
                case "PRelu" -> {
                    Const slope = operand(c(n, 1), shape(n, 0).rank(), "the slope");
                    add(n, new Layer.PRelu(slope.intDims()), List.of(dyn(n, 0)), Map.of("slope", tensor(slope)));
                }
                case "Gemm" -> gemm(n);
                case "MatMul" -> matmul(n);
                case "Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min" -> arith(n);
                case "Concat" -> concat(n);
                case "Flatten" -> {
                    TensorShape x = shape(n, 0);
                    int full = rank(x);
                    long ax = attrInt(n, "axis", 1);
                    long a = ax < 0 ? ax + full : ax;
                    if (lead == 1 && a != 1) {
                        throw unsupported("Flatten at axis " + a + " merges the batch axis with others (axis 1 only)");
                    }
                    if (lead == 1) {
                        add(n, new Layer.Flatten(false), dyn(n, 0));
                    } else {
                        long outer = 1;
                        long inner = 1;
                        for (int i = 0; i < x.rank(); i++) {
                            int d = x.dim(i);
                            if (i < a) {
                                outer = d < 0 || outer < 0 ? -1 : outer * d;
                            } else {
                                inner = d < 0 || inner < 0 ? -1 : inner * d;
                            }
                        }
                        view(n, List.of((int) outer, (int) inner));
                    }
                }
                case "Reshape" -> reshape(n);
                case "Transpose" -> transpose(n);
                case "Squeeze" -> squeeze(n);
                case "Unsqueeze" -> unsqueeze(n);
                case "Pad" -> pad(n);
                case "Resize", "Upsample" -> resize(n);
                case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin" -> reduce(n);
                case "Gather" -> gather(n);
                case "Slice" -> slice(n);
                case "Shape" -> throw unsupported("the shape of a tensor whose size is known only at run time");
                default -> throw unsupportedOp(n);
            }
        }

        OnnxUnsupportedException unsupportedOp(OnnxProto.NodeP n) {
            return unsupported("operator " + n.opType() + " is not supported; supported: " + String.join(", ", SUPPORTED));
        }

        boolean foldableShape(OnnxProto.NodeP n) {
            return nodeOf.get(n.inputs().get(0)) != null;
        }

        OnnxProto.NodeP batchMajor(OnnxProto.NodeP n) {
            batchMajor();
            return n;
        }

        void unary(OnnxProto.NodeP n, Layer.Unary.Fn fn, float a, float bb) {
            add(n, new Layer.Unary(fn, a, bb), dyn(n, 0));
        }

        void dropout(OnnxProto.NodeP n) {
            noExtraOutputs(n);
            float ratio = attrFloat(n, "ratio", 0.5f);
            if (isConst(n, 1)) {
                ratio = (float) c(n, 1).get(0);
            }
            if (isConst(n, 2) && c(n, 2).get(0) != 0) {
                throw unsupported("training_mode=true (inference only)");
            }
            add(n, new Layer.Identity("Dropout", ratio), dyn(n, 0));
        }

        void clip(OnnxProto.NodeP n) {
            float lo = Float.NEGATIVE_INFINITY;
            float hi = Float.POSITIVE_INFINITY;
            if (opset < 11) {
                lo = attrFloat(n, "min", lo);
                hi = attrFloat(n, "max", hi);
            } else {
                if (present(n, 1)) {
                    lo = (float) c(n, 1).get(0);
                }
                if (present(n, 2)) {
                    hi = (float) c(n, 2).get(0);
                }
            }
            add(n, new Layer.Unary(Layer.Unary.Fn.CLIP, lo, hi), dyn(n, 0));
        }

        void softmax(OnnxProto.NodeP n) {
            TensorShape s = shape(n, 0);
            int full = rank(s);
            int a = sampleAxis(attrInt(n, "axis", opset < 13 ? 1 : -1), full, n.opType());
            boolean log = n.opType().equals("LogSoftmax");
            boolean flatten = opset < 13 && a < s.rank() - 1;
            if (!log && s.rank() == 1 && lead == 1) {
                add(n, new Layer.Act("Softmax", Activation.SOFTMAX), dyn(n, 0));
            } else {
                add(n, new Layer.Softmax(a, log, flatten), dyn(n, 0));
            }
        }

        Padding padding(OnnxProto.NodeP n, int spatial) {
            String auto = attrString(n, "auto_pad", "NOTSET");
            switch (auto) {
                case "SAME_UPPER":
                    return Padding.SAME;
                case "SAME_LOWER":
                    return Padding.SAME_LOWER;
                case "VALID":
                    return Padding.VALID;
                case "NOTSET":
                case "":
                    break;
                default:
                    throw unsupported("auto_pad=" + auto);
            }
            long[] pads = attrInts(n, "pads");
            if (pads == null || pads.length == 0) {
                return Padding.VALID;
            }
            if (pads.length != 2 * spatial) {
                throw new IllegalArgumentException(pads.length + " pads for " + spatial + " spatial axes");
            }
            if (Arrays.stream(pads).allMatch(p -> p == 0)) {
                return Padding.VALID;
            }
            return Padding.explicit((int) pads[0], (int) pads[2], (int) pads[1], (int) pads[3]);
        }

        int[] pair(OnnxProto.NodeP n, String name, int def) {
            long[] v = attrInts(n, name);
            if (v == null || v.length == 0) {
                return new int[] {def, def};
            }
            if (v.length != 2) {
                throw unsupported(name + " " + Arrays.toString(v) + ": only 2-D windows are supported");
            }
            return new int[] {(int) v[0], (int) v[1]};
        }

        void conv(OnnxProto.NodeP n) {
            batchMajor();
            Const w = c(n, 1);
            TensorShape x = shape(n, 0);
            if (w.rank() != 4 || x.rank() != 3) {
                throw unsupported("only 2-D convolutions (4-D input and kernel) are supported; kernel " + Arrays.toString(w.dims()));
            }
            int[] st = pair(n, "strides", 1);
            int[] dl = pair(n, "dilations", 1);
            int group = (int) attrInt(n, "group", 1);
            Const bias = c(n, 2);
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put("kernel", tensor(w));
            if (bias != null) {
                p.put("bias", tensor(bias.floats(), (int) w.dims()[0]));
            }
            add(n, new Layer.Conv2D((int) w.dims()[0], (int) w.dims()[2], (int) w.dims()[3], st[0], st[1], dl[0], dl[1],
                    padding(n, 2), group, bias != null, Activation.LINEAR), List.of(dyn(n, 0)), p);
        }

        void convTranspose(OnnxProto.NodeP n) {
            batchMajor();
            Const w = c(n, 1);
            TensorShape x = shape(n, 0);
            if (w.rank() != 4 || x.rank() != 3) {
                throw unsupported("only 2-D transposed convolutions are supported; kernel " + Arrays.toString(w.dims()));
            }
            int[] st = pair(n, "strides", 1);
            int[] dl = pair(n, "dilations", 1);
            int[] op = pair(n, "output_padding", 0);
            int group = (int) attrInt(n, "group", 1);
            long[] os = attrInts(n, "output_shape");
            int[] outputSize = new int[0];
            if (os != null && os.length > 0) {
                outputSize = new int[] {(int) os[os.length - 2], (int) os[os.length - 1]};
            }
            Padding pad = padding(n, 2);
            if (pad.kind() == Padding.Kind.VALID && outputSize.length == 0) {
                pad = Padding.explicit(0, 0, 0, 0);
            }
            int filters = (int) w.dims()[1] * group;
            Const bias = c(n, 2);
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put("kernel", tensor(w));
            if (bias != null) {
                p.put("bias", tensor(bias.floats(), filters));
            }
            add(n, new Layer.ConvTranspose2D(filters, (int) w.dims()[2], (int) w.dims()[3], st[0], st[1], dl[0], dl[1], pad,
                    op[0], op[1], outputSize, group, bias != null), List.of(dyn(n, 0)), p);
        }

        void pool(OnnxProto.NodeP n) {
            batchMajor();
            noExtraOutputs(n);
            TensorShape x = shape(n, 0);
            if (x.rank() != 3) {
                throw unsupported("only 2-D pooling (4-D input) is supported, input " + x);
            }
            int[] k = pair(n, "kernel_shape", 1);
            int[] st = pair(n, "strides", 1);
            int[] dl = pair(n, "dilations", 1);
            if (dl[0] != 1 || dl[1] != 1) {
                throw unsupported("dilations " + Arrays.toString(dl) + " (1 only)");
            }
            if (attrInt(n, "storage_order", 0) != 0) {
                throw unsupported("storage_order=1");
            }
            boolean max = n.opType().equals("MaxPool");
            boolean ceil = attrInt(n, "ceil_mode", 0) != 0;
            boolean include = attrInt(n, "count_include_pad", 0) != 0;
            add(n, new Layer.Pool2D(max, k[0], k[1], st[0], st[1], padding(n, 2), ceil, include), dyn(n, 0));
        }

        void globalPool(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            boolean max = n.opType().equals("GlobalMaxPool");
            if (x.rank() == 3 && lead == 1) {
                add(n, new Layer.GlobalPool(max, true), dyn(n, 0));
                return;
            }
            int first = 2 - lead;
            int[] axes = new int[Math.max(0, x.rank() - first)];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i + first;
            }
            add(n, new Layer.Reduce(max ? Layer.Reduce.Op.MAX : Layer.Reduce.Op.MEAN, axes, true), dyn(n, 0));
        }

        void batchNorm(OnnxProto.NodeP n) {
            batchMajor();
            noExtraOutputs(n);
            if (attrInt(n, "training_mode", 0) != 0) {
                throw unsupported("training_mode=1 (inference only)");
            }
            if (opset < 9 && attrInt(n, "spatial", 1) == 0) {
                throw unsupported("spatial=0");
            }
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put("gamma", tensor(c(n, 1)));
            p.put("beta", tensor(c(n, 2)));
            p.put("moving_mean", tensor(c(n, 3)));
            p.put("moving_variance", tensor(c(n, 4)));
            add(n, new Layer.BatchNorm(attrFloat(n, "epsilon", 1e-5f), true, true), List.of(dyn(n, 0)), p);
        }

        void gemm(OnnxProto.NodeP n) {
            boolean transA = attrInt(n, "transA", 0) != 0;
            if (transA && lead == 1) {
                throw unsupported("transA=1 transposes the batch axis of the input");
            }
            TensorShape x = shape(n, 0);
            if (rank(x) != 2) {
                throw unsupported("Gemm input of shape " + x + " (needs a matrix)");
            }
            String input = dyn(n, 0);
            if (transA) {
                String t = unique(label(n) + "/transpose_a");
                b.add(t, new Layer.Permute(new int[] {1, 0}), input);
                input = t;
            }
            Const bm = c(n, 1);
            if (bm.rank() != 2) {
                throw new IllegalArgumentException("B has rank " + bm.rank());
            }
            float alpha = attrFloat(n, "alpha", 1f);
            float beta = attrFloat(n, "beta", 1f);
            boolean transB = attrInt(n, "transB", 0) != 0;
            int k = (int) (transB ? bm.dims()[1] : bm.dims()[0]);
            int units = (int) (transB ? bm.dims()[0] : bm.dims()[1]);
            float[] src = bm.floats();
            float[] kernel = new float[units * k];
            for (int u = 0; u < units; u++) {
                for (int i = 0; i < k; i++) {
                    kernel[u * k + i] = alpha * (transB ? src[u * k + i] : src[i * units + u]);
                }
            }
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put("kernel", tensor(kernel, units, k));
            Const cm = c(n, 2);
            if (cm != null) {
                long size = cm.size();
                boolean perUnit = (cm.rank() <= 1 && (size == units || size == 1))
                        || (cm.rank() == 2 && cm.dims()[0] == 1 && (cm.dims()[1] == units || cm.dims()[1] == 1));
                if (!perUnit && lead == 1) {
                    throw unsupported("bias C of shape " + Arrays.toString(cm.dims()) + " depends on the batch row");
                }
                if (!perUnit) {
                    String dense = unique(label(n) + "/matmul");
                    b.add(dense, new Layer.Dense(units, false, Activation.LINEAR), List.of(input), p);
                    float[] cv = cm.floats();
                    for (int i = 0; i < cv.length; i++) {
                        cv[i] *= beta;
                    }
                    add(n, new Layer.Arith(Layer.Arith.Op.ADD, 1, cm.intDims()), List.of(dense), Map.of("b", tensor(cv, cm.intDims())));
                    return;
                }
                float[] bias = new float[units];
                for (int u = 0; u < units; u++) {
                    bias[u] = beta * (float) cm.get(size == 1 ? 0 : u);
                }
                p.put("bias", tensor(bias, units));
            }
            add(n, new Layer.Dense(units, cm != null, Activation.LINEAR), List.of(input), p);
        }

        void matmul(OnnxProto.NodeP n) {
            if (isConst(n, 0)) {
                throw unsupported("a constant left operand (the input must come first)");
            }
            TensorShape a = shape(n, 0);
            if (isConst(n, 1)) {
                Const bm = c(n, 1);
                if (bm.rank() != 2 || a.rank() < 1) {
                    throw unsupported("constant right operand of shape " + Arrays.toString(bm.dims()) + " (2-D only)");
                }
                add(n, new Layer.MatMul(bm.intDims()), List.of(dyn(n, 0)), Map.of("b", tensor(bm)));
                return;
            }
            TensorShape bs = shape(n, 1);
            if (a.rank() < 2 || a.rank() != bs.rank()) {
                throw unsupported("MatMul of inputs shaped " + a + " and " + bs + " per sample (equal ranks ≥ 2 only)");
            }
            add(n, new Layer.MatMul(new int[0]), dyn(n, 0), dyn(n, 1));
        }

        void arith(OnnxProto.NodeP n) {
            String op = n.opType();
            Layer.Arith.Op o = switch (op) {
                case "Add", "Sum" -> Layer.Arith.Op.ADD;
                case "Sub" -> Layer.Arith.Op.SUB;
                case "Mul" -> Layer.Arith.Op.MUL;
                case "Div" -> Layer.Arith.Op.DIV;
                case "Pow" -> Layer.Arith.Op.POW;
                case "Max" -> Layer.Arith.Op.MAX;
                default -> Layer.Arith.Op.MIN;
            };
            List<String> inputs = new ArrayList<>();
            int rank = -1;
            int constIndex = -1;
            for (int i = 0; i < n.inputs().size(); i++) {
                if (!present(n, i)) {
                    continue;
                }
                if (isConst(n, i)) {
                    if (constIndex >= 0) {
                        throw unsupported("more than one constant operand");
                    }
                    constIndex = i;
                    continue;
                }
                TensorShape s = shape(n, i);
                if (rank >= 0 && s.rank() != rank && lead == 1) {
                    throw unsupported("inputs of different ranks broadcast across the batch axis");
                }
                rank = Math.max(rank, s.rank());
                inputs.add(dyn(n, i));
            }
            if (o == Layer.Arith.Op.POW && constIndex == 0) {
                throw unsupported("a constant base (the exponent must be the constant)");
            }
            if (constIndex < 0 && inputs.size() == 1) {
                add(n, new Layer.Identity(op, 0f), inputs.get(0));
                return;
            }
            if (constIndex < 0) {
                add(n, new Layer.Arith(o, -1, new int[0]), inputs, Map.of());
                return;
            }
            Const v = operand(c(n, constIndex), rank, "the constant operand");
            if (!v.isFloat()) {
                v = v.cast(OnnxProto.FLOAT);
            }
            add(n, new Layer.Arith(o, constIndex, v.intDims()), inputs, Map.of("b", tensor(v)));
        }

        void concat(OnnxProto.NodeP n) {
            List<String> inputs = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                if (!present(n, i)) {
                    continue;
                }
                if (isConst(n, i)) {
                    throw unsupported("a constant among inputs computed at run time");
                }
                inputs.add(dyn(n, i));
            }
            int full = rank(b.shape(inputs.get(0)));
            int a = sampleAxis(attrInt(n, "axis", 1), full, "Concat");
            if (inputs.size() == 1) {
                add(n, new Layer.Identity("Concat", 0f), inputs.get(0));
            } else {
                add(n, new Layer.Concatenate(a), inputs, Map.of());
            }
        }

        void reshape(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            long[] t;
            if (opset < 5 || !present(n, 1)) {
                t = attrInts(n, "shape");
            } else {
                t = shapeC(n, 1).longs();
            }
            if (t == null || (t.length == 0 && lead == 1)) {
                throw unsupported("a reshape to a scalar removes the batch axis");
            }
            boolean allowZero = attrInt(n, "allowzero", 0) != 0;
            int[] sample = x.dims();
            if (lead == 0) {
                int[] target = new int[t.length];
                for (int i = 0; i < t.length; i++) {
                    if (t[i] == 0 && allowZero) {
                        throw unsupported("allowzero=1 with a zero dimension");
                    }
                    target[i] = t[i] == 0 ? (i < sample.length && sample[i] >= 0 ? sample[i] : 0) : Math.toIntExact(t[i]);
                }
                add(n, new Layer.View(target), dyn(n, 0));
                return;
            }
            long first = t[0];
            boolean batchFirst = first == 0 && !allowZero || isBatch(first);
            if (!batchFirst && first == -1) {
                boolean restKnown = true;
                for (int i = 1; i < t.length; i++) {
                    restKnown &= t[i] >= 0 && t[i] != Const.BATCH;
                }
                batchFirst = restKnown && x.isFullyKnown() && product(t, 1, sample) == x.size();
            }
            if (!batchFirst) {
                throw unsupported("reshape to " + show(t) + " changes the batch axis (the target must keep the batch first)");
            }
            int[] target = new int[t.length - 1];
            for (int i = 1; i < t.length; i++) {
                long v = t[i];
                if (v == Const.BATCH) {
                    throw unsupported("reshape to " + show(t) + " moves the batch size to another axis");
                }
                if (v == 0 && allowZero) {
                    throw unsupported("allowzero=1 with a zero dimension");
                }
                if (v == 0) {
                    if (i - 1 >= sample.length) {
                        throw new IllegalArgumentException("target " + show(t) + " copies an axis the input lacks");
                    }
                    target[i - 1] = sample[i - 1] >= 0 ? sample[i - 1] : 0;
                } else {
                    target[i - 1] = Math.toIntExact(v);
                }
            }
            add(n, new Layer.View(target), dyn(n, 0));
        }

        static long product(long[] t, int from, int[] sample) {
            long p = 1;
            for (int i = from; i < t.length; i++) {
                p *= t[i] == 0 && i - 1 < sample.length ? sample[i - 1] : t[i];
            }
            return p;
        }

        static String show(long[] t) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < t.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(t[i] == Const.BATCH ? "batch" : Long.toString(t[i]));
            }
            return sb.append(']').toString();
        }

        void transpose(OnnxProto.NodeP n) {
            if (nhwc.contains(n.inputs().get(0))) {
                add(n, new Layer.Identity("Transpose", 0f), dyn(n, 0)); // the input is already channels-first
                return;
            }
            TensorShape x = shape(n, 0);
            int full = rank(x);
            long[] perm = attrInts(n, "perm");
            if (perm == null || perm.length == 0) {
                perm = new long[full];
                for (int i = 0; i < full; i++) {
                    perm[i] = full - 1 - i;
                }
            }
            if (perm.length != full || (lead == 1 && perm[0] != 0)) {
                throw unsupported("perm " + Arrays.toString(perm) + " moves the batch axis");
            }
            int[] p = new int[full - lead];
            for (int i = lead; i < full; i++) {
                p[i - lead] = (int) perm[i] - lead;
            }
            add(n, new Layer.Permute(p), dyn(n, 0));
        }

        long[] axesInputOrAttr(OnnxProto.NodeP n, int input) {
            if (present(n, input)) {
                return c(n, input).longs();
            }
            return attrInts(n, "axes");
        }

        /** A View to the given sample dims (at most one unknown). */
        void view(OnnxProto.NodeP n, List<Integer> dims) {
            int unknown = 0;
            int[] t = new int[dims.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = dims.get(i);
                if (t[i] < 0) {
                    unknown++;
                }
            }
            if (unknown > 1) {
                throw unsupported("needs the input's size, which is known only at run time");
            }
            add(n, new Layer.View(t), dyn(n, 0));
        }

        void squeeze(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            long[] axes = axesInputOrAttr(n, 1);
            if ((axes == null || axes.length == 0) && lead == 0) {
                List<Long> all = new ArrayList<>();
                for (int i = 0; i < x.rank(); i++) {
                    if (x.dim(i) == 1) {
                        all.add((long) i);
                    }
                }
                axes = all.stream().mapToLong(Long::longValue).toArray();
            }
            if (axes == null || axes.length == 0) {
                throw unsupported("Squeeze without axes would remove the batch axis when the batch has one sample");
            }
            Set<Integer> drop = new HashSet<>();
            for (long a : axes) {
                int s = sampleAxis(a, rank(x), "Squeeze");
                if (x.dim(s) > 1) {
                    throw new IllegalArgumentException("axis " + a + " has size " + x.dim(s));
                }
                drop.add(s);
            }
            List<Integer> d = new ArrayList<>();
            for (int i = 0; i < x.rank(); i++) {
                if (!drop.contains(i)) {
                    d.add(x.dim(i));
                }
            }
            view(n, d);
        }

        void unsqueeze(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            long[] axes = axesInputOrAttr(n, 1);
            if (axes == null || axes.length == 0) {
                throw new IllegalArgumentException("no axes");
            }
            int outFull = rank(x) + axes.length;
            Set<Integer> ins = new HashSet<>();
            for (long a : axes) {
                ins.add(sampleAxis(a, outFull, "Unsqueeze"));
            }
            List<Integer> d = new ArrayList<>();
            int k = 0;
            for (int i = 0; i < outFull - lead; i++) {
                d.add(ins.contains(i) ? 1 : x.dim(k++));
            }
            view(n, d);
        }

        void pad(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            int full = rank(x);
            String mode = attrString(n, "mode", "constant");
            long[] pads;
            float value;
            if (opset < 11) {
                pads = attrInts(n, "pads");
                value = attrFloat(n, "value", 0f);
            } else {
                pads = c(n, 1).longs();
                value = present(n, 2) ? (float) c(n, 2).get(0) : 0f;
                if (present(n, 3)) {
                    long[] axes = c(n, 3).longs();
                    long[] all = new long[2 * full];
                    for (int i = 0; i < axes.length; i++) {
                        int a = axis(axes[i], full);
                        all[a] = pads[i];
                        all[a + full] = pads[i + axes.length];
                    }
                    pads = all;
                }
            }
            if (pads == null || pads.length != 2 * full) {
                throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " for rank " + full);
            }
            if (lead == 1 && (pads[0] != 0 || pads[full] != 0)) {
                throw unsupported("padding the batch axis");
            }
            Layer.Pad.Mode m = switch (mode) {
                case "constant" -> Layer.Pad.Mode.CONSTANT;
                case "reflect" -> Layer.Pad.Mode.REFLECT;
                case "edge" -> Layer.Pad.Mode.EDGE;
                default -> throw unsupported("mode=" + mode + " (constant, reflect, edge)");
            };
            int r = full - lead;
            int[] p = new int[2 * r];
            for (int i = lead; i < full; i++) {
                p[i - lead] = (int) pads[i];
                p[i - lead + r] = (int) pads[i + full];
            }
            add(n, new Layer.Pad(p, m, value), dyn(n, 0));
        }

        void resize(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            int full = rank(x);
            String mode = attrString(n, "mode", "nearest");
            if (mode.equals("bilinear")) {
                mode = "linear";
            }
            if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("cubic")) {
                throw unsupported("mode=" + mode + " (nearest, linear, cubic)");
            }
            boolean legacy = n.opType().equals("Upsample") || opset < 11;
            String coord = legacy ? "asymmetric" : attrString(n, "coordinate_transformation_mode", "half_pixel");
            String nearest = legacy ? "floor" : attrString(n, "nearest_mode", "round_prefer_floor");
            if (!List.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn").contains(coord)) {
                throw unsupported("coordinate_transformation_mode=" + coord);
            }
            if (!List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(nearest)) {
                throw unsupported("nearest_mode=" + nearest);
            }
            if (attrInt(n, "antialias", 0) != 0) {
                throw unsupported("antialias=1");
            }
            if (!attrString(n, "keep_aspect_ratio_policy", "stretch").equals("stretch")) {
                throw unsupported("keep_aspect_ratio_policy=" + attrString(n, "keep_aspect_ratio_policy", ""));
            }
            Const scales;
            Const sizes = null;
            if (n.opType().equals("Upsample") && opset < 9) {
                OnnxProto.Attr a = n.attrs().get("scales");
                scales = Const.ofFloats(new long[] {a.floats().length}, a.floats());
            } else if (opset < 11) {
                scales = c(n, 1);
            } else {
                scales = present(n, 2) ? c(n, 2) : null;
                if (scales != null && scales.size() == 0) {
                    scales = null;
                }
                if (scales == null) {
                    sizes = shapeC(n, 3);
                }
            }
            long[] axes = attrInts(n, "axes");
            int count = sizes != null ? sizes.size() : scales.size();
            if (axes == null || axes.length == 0) {
                axes = new long[full];
                for (int i = 0; i < full; i++) {
                    axes[i] = i;
                }
            }
            if (count != axes.length) {
                throw new IllegalArgumentException(count + " scales/sizes for " + axes.length + " axes");
            }
            float[] sc = new float[full - lead];
            Arrays.fill(sc, 1f);
            int[] sz = sizes == null ? new int[0] : new int[full - lead];
            if (sizes != null) {
                System.arraycopy(x.dims(), 0, sz, 0, full - lead);
            }
            for (int i = 0; i < axes.length; i++) {
                int a = axis(axes[i], full);
                if (a < lead) {
                    boolean same = sizes != null ? isBatch(sizes.getLong(i)) : scales.get(i) == 1.0;
                    if (!same) {
                        throw unsupported("resizing the batch axis");
                    }
                    continue;
                }
                if (sizes != null) {
                    sz[a - lead] = (int) sizes.getLong(i);
                } else {
                    sc[a - lead] = (float) scales.get(i);
                }
            }
            add(n, new Layer.Resize(sc, sz, mode, coord, nearest, attrFloat(n, "cubic_coeff_a", -0.75f),
                    attrInt(n, "exclude_outside", 0) != 0), dyn(n, 0));
        }

        void reduce(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            int full = rank(x);
            boolean axesAsInput = n.opType().equals("ReduceSum") ? opset >= 13 : opset >= 18;
            long[] axes = axesAsInput ? (present(n, 1) ? c(n, 1).longs() : null) : attrInts(n, "axes");
            boolean keep = attrInt(n, "keepdims", 1) != 0;
            if (axes == null || axes.length == 0) {
                if (attrInt(n, "noop_with_empty_axes", 0) != 0) {
                    add(n, new Layer.Identity(n.opType(), 0f), dyn(n, 0));
                    return;
                }
                if (lead == 1) {
                    throw unsupported("a reduction over all axes includes the batch axis");
                }
                axes = new long[x.rank()];
                for (int i = 0; i < axes.length; i++) {
                    axes[i] = i;
                }
            }
            int[] a = new int[axes.length];
            for (int i = 0; i < axes.length; i++) {
                a[i] = sampleAxis(axes[i], full, n.opType());
            }
            Layer.Reduce.Op op = switch (n.opType()) {
                case "ReduceMean" -> Layer.Reduce.Op.MEAN;
                case "ReduceSum" -> Layer.Reduce.Op.SUM;
                case "ReduceMax" -> Layer.Reduce.Op.MAX;
                default -> Layer.Reduce.Op.MIN;
            };
            add(n, new Layer.Reduce(op, a, keep), dyn(n, 0));
        }

        void gather(OnnxProto.NodeP n) {
            if (isConst(n, 0)) {
                throw unsupported("indices computed at run time (embedding lookup)");
            }
            TensorShape x = shape(n, 0);
            Const idx = c(n, 1);
            int a = sampleAxis(attrInt(n, "axis", 0), rank(x), "Gather");
            add(n, new Layer.Gather(a, ints(idx.longs()), idx.intDims()), dyn(n, 0));
        }

        void slice(OnnxProto.NodeP n) {
            TensorShape x = shape(n, 0);
            int full = rank(x);
            long[] starts;
            long[] ends;
            long[] axes;
            long[] steps = null;
            if (opset < 10) {
                starts = attrInts(n, "starts");
                ends = attrInts(n, "ends");
                axes = attrInts(n, "axes");
            } else {
                starts = c(n, 1).longs();
                ends = shapeC(n, 2).longs();
                axes = present(n, 3) ? c(n, 3).longs() : null;
                steps = present(n, 4) ? c(n, 4).longs() : null;
            }
            if (axes == null) {
                axes = new long[starts.length];
                for (int i = 0; i < axes.length; i++) {
                    axes[i] = i;
                }
            }
            List<int[]> parts = new ArrayList<>();
            for (int i = 0; i < axes.length; i++) {
                int a = axis(axes[i], full);
                long step = steps == null ? 1 : steps[i];
                if (step == 0) {
                    throw new IllegalArgumentException("step 0");
                }
                if (a < lead) {
                    if (starts[i] == 0 && step == 1 && (ends[i] == Long.MAX_VALUE || ends[i] == Integer.MAX_VALUE
                            || isBatch(ends[i]))) {
                        continue;
                    }
                    throw unsupported("slicing the batch axis");
                }
                int dim = x.dim(a - lead);
                if (dim < 0) {
                    throw unsupported("slicing an axis whose size is known only at run time");
                }
                long s = starts[i] < 0 ? starts[i] + dim : starts[i];
                long e = ends[i] < 0 ? ends[i] + dim : ends[i];
                long count;
                if (step > 0) {
                    s = Math.max(0, Math.min(dim, s));
                    e = Math.max(0, Math.min(dim, e));
                    count = Math.max(0, (e - s + step - 1) / step);
                } else {
                    s = Math.max(-1, Math.min(dim - 1, s));
                    e = Math.max(-1, Math.min(dim - 1, e));
                    count = Math.max(0, (s - e + (-step) - 1) / (-step));
                }
                parts.add(new int[] {a - lead, (int) s, (int) step, (int) count});
            }
            int[] ax = new int[parts.size()];
            int[] st = new int[parts.size()];
            int[] sp = new int[parts.size()];
            int[] ct = new int[parts.size()];
            for (int i = 0; i < ax.length; i++) {
                ax[i] = parts.get(i)[0];
                st[i] = parts.get(i)[1];
                sp[i] = parts.get(i)[2];
                ct[i] = parts.get(i)[3];
            }
            add(n, new Layer.Slice(ax, st, sp, ct), dyn(n, 0));
        }
    }

    // ---- constant folding ------------------------------------------------------------------------------

    /** Evaluates nodes whose inputs are all known at import. */
    private static final class Fold {
        private Fold() {
        }

        /** The outputs, or null when the operator cannot be folded. */
        static Const[] eval(Importer im, OnnxProto.NodeP n) {
            String op = n.opType();
            switch (op) {
                case "Constant": {
                    for (OnnxProto.Attr a : n.attrs().values()) {
                        switch (a.name()) {
                            case "value":
                                return new Const[] {im.decode(a.t())};
                            case "value_float":
                                return new Const[] {Const.ofFloats(new long[0], a.f())};
                            case "value_floats":
                                return new Const[] {Const.ofFloats(new long[] {a.floats().length}, a.floats())};
                            case "value_int":
                                return new Const[] {Const.ofLongs(new long[0], a.i())};
                            case "value_ints":
                                return new Const[] {Const.ofLongs(new long[] {a.ints().length}, a.ints())};
                            default:
                                break;
                        }
                    }
                    throw im.unsupported("Constant without a dense value");
                }
                case "Identity", "Dropout":
                    return new Const[] {im.raw(n, 0)};
                case "Cast": {
                    int to = (int) Importer.attrInt(n, "to", OnnxProto.FLOAT);
                    if (im.raw(n, 0).containsBatch() && (to == OnnxProto.FLOAT || to == OnnxProto.DOUBLE || to == OnnxProto.FLOAT16)) {
                        throw im.unsupported("a tensor size known only at run time cast to " + OnnxProto.typeName(to));
                    }
                    return new Const[] {im.raw(n, 0).cast(to)};
                }
                case "Shape": {
                    long[] s;
                    if (im.isConst(n, 0)) {
                        s = im.raw(n, 0).dims().clone();
                    } else {
                        int[] d = im.shape(n, 0).dims();
                        s = new long[d.length + im.lead];
                        if (im.lead == 1) {
                            s[0] = Const.BATCH;
                        }
                        for (int i = 0; i < d.length; i++) {
                            s[i + im.lead] = d[i] < 0 ? Const.UNKNOWN : d[i];
                        }
                    }
                    int r = s.length;
                    long start = Importer.attrInt(n, "start", 0);
                    long end = Importer.attrInt(n, "end", r);
                    start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
                    end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
                    long[] v = Arrays.copyOfRange(s, (int) start, (int) Math.max(start, end));
                    return new Const[] {Const.ofLongs(new long[] {v.length}, v)};
                }
                case "Gather": {
                    Const data = im.raw(n, 0);
                    Const idx = im.raw(n, 1);
                    int a = im.axis(Importer.attrInt(n, "axis", 0), data.rank());
                    return new Const[] {gather(data, a, idx)};
                }
                case "Unsqueeze": {
                    Const data = im.raw(n, 0);
                    long[] axes = im.axesInputOrAttr(n, 1);
                    int outRank = data.rank() + axes.length;
                    Set<Integer> ins = new HashSet<>();
                    for (long a : axes) {
                        ins.add(im.axis(a, outRank));
                    }
                    long[] d = new long[outRank];
                    int k = 0;
                    for (int i = 0; i < outRank; i++) {
                        d[i] = ins.contains(i) ? 1 : data.dims()[k++];
                    }
                    return new Const[] {data.reshape(d)};
                }
                case "Squeeze": {
                    Const data = im.raw(n, 0);
                    long[] axes = im.axesInputOrAttr(n, 1);
                    Set<Integer> drop = new HashSet<>();
                    if (axes == null || axes.length == 0) {
                        for (int i = 0; i < data.rank(); i++) {
                            if (data.dims()[i] == 1) {
                                drop.add(i);
                            }
                        }
                    } else {
                        for (long a : axes) {
                            drop.add(im.axis(a, data.rank()));
                        }
                    }
                    List<Long> d = new ArrayList<>();
                    for (int i = 0; i < data.rank(); i++) {
                        if (!drop.contains(i)) {
                            d.add(data.dims()[i]);
                        }
                    }
                    return new Const[] {data.reshape(d.stream().mapToLong(Long::longValue).toArray())};
                }
                case "Concat": {
                    List<Const> parts = new ArrayList<>();
                    for (int i = 0; i < n.inputs().size(); i++) {
                        if (im.present(n, i)) {
                            parts.add(im.raw(n, i));
                        }
                    }
                    int a = im.axis(Importer.attrInt(n, "axis", 0), parts.get(0).rank());
                    return new Const[] {concat(parts, a)};
                }
                case "Reshape": {
                    Const data = im.raw(n, 0);
                    long[] t = im.opset < 5 ? Importer.attrInts(n, "shape") : im.raw(n, 1).longs();
                    long known = 1;
                    int unknown = -1;
                    for (int i = 0; i < t.length; i++) {
                        if (t[i] == 0 && Importer.attrInt(n, "allowzero", 0) == 0) {
                            t[i] = data.dims()[i];
                        }
                        if (t[i] == -1) {
                            unknown = i;
                        } else {
                            known *= t[i];
                        }
                    }
                    if (unknown >= 0) {
                        t[unknown] = data.size() / known;
                    }
                    return new Const[] {data.reshape(t)};
                }
                case "Flatten": {
                    Const data = im.raw(n, 0);
                    int a = (int) Importer.attrInt(n, "axis", 1);
                    a = a < 0 ? a + data.rank() : a;
                    long outer = 1;
                    for (int i = 0; i < a; i++) {
                        outer *= data.dims()[i];
                    }
                    return new Const[] {data.reshape(new long[] {outer, data.size() / Math.max(outer, 1)})};
                }
                case "Slice": {
                    Const data = im.raw(n, 0);
                    if (data.rank() != 1 || im.opset < 10) {
                        return null;
                    }
                    long[] starts = im.raw(n, 1).longs();
                    long[] ends = im.raw(n, 2).longs();
                    long step = im.present(n, 4) ? im.raw(n, 4).longs()[0] : 1;
                    long dim = data.size();
                    long s = starts[0] < 0 ? starts[0] + dim : starts[0];
                    long e = ends[0] < 0 ? ends[0] + dim : ends[0];
                    if (step <= 0) {
                        return null;
                    }
                    s = Math.max(0, Math.min(dim, s));
                    e = Math.max(0, Math.min(dim, e));
                    List<Long> idx = new ArrayList<>();
                    for (long i = s; i < e; i += step) {
                        idx.add(i);
                    }
                    long[] ii = idx.stream().mapToLong(Long::longValue).toArray();
                    return new Const[] {gather(data, 0, Const.ofLongs(new long[] {ii.length}, ii))};
                }
                case "Add", "Sub", "Mul", "Div", "Neg", "Sqrt", "Relu", "Floor", "Ceil", "Transpose":
                    return arith(im, n);
                case "ConstantOfShape": {
                    Const shape = im.raw(n, 0);
                    if (shape.containsBatch()) {
                        throw im.unsupported("a tensor whose shape is known only at run time");
                    }
                    OnnxProto.Attr a = n.attrs().get("value");
                    Const v = a == null ? Const.ofFloats(new long[] {1}, 0f) : im.decode(a.t());
                    long[] dims = shape.longs();
                    int size = 1;
                    for (long x : dims) {
                        size = Math.multiplyExact(size, Math.toIntExact(x));
                    }
                    if (v.isFloat()) {
                        float[] f = new float[size];
                        Arrays.fill(f, v.f()[0]);
                        return new Const[] {new Const(v.type(), dims, f, null)};
                    }
                    long[] l = new long[size];
                    Arrays.fill(l, v.l()[0]);
                    return new Const[] {new Const(v.type(), dims, null, l)};
                }
                default:
                    return null;
            }
        }

        static Const gather(Const data, int axis, Const idx) {
            long[] d = data.dims();
            long outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= d[i];
            }
            long inner = 1;
            for (int i = axis + 1; i < d.length; i++) {
                inner *= d[i];
            }
            long dim = d[axis];
            int count = idx.size();
            long[] outDims = new long[d.length - 1 + idx.rank()];
            int k = 0;
            for (int i = 0; i < axis; i++) {
                outDims[k++] = d[i];
            }
            for (long v : idx.dims()) {
                outDims[k++] = v;
            }
            for (int i = axis + 1; i < d.length; i++) {
                outDims[k++] = d[i];
            }
            int total = (int) (outer * count * inner);
            float[] f = data.isFloat() ? new float[total] : null;
            long[] l = data.isFloat() ? null : new long[total];
            int o = 0;
            for (long a = 0; a < outer; a++) {
                for (int j = 0; j < count; j++) {
                    long ix = idx.getLong(j);
                    ix = ix < 0 ? ix + dim : ix;
                    if (ix < 0 || ix >= dim) {
                        throw new IllegalArgumentException("Gather index " + idx.getLong(j) + " outside 0.." + (dim - 1));
                    }
                    for (long i = 0; i < inner; i++) {
                        int src = (int) ((a * dim + ix) * inner + i);
                        if (f != null) {
                            f[o++] = data.f()[src];
                        } else {
                            l[o++] = data.l()[src];
                        }
                    }
                }
            }
            return new Const(data.type(), outDims, f, l);
        }

        static Const concat(List<Const> parts, int axis) {
            Const first = parts.get(0);
            long[] d = first.dims().clone();
            long total = 0;
            for (Const p : parts) {
                total += p.dims()[axis];
            }
            d[axis] = total;
            long outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= d[i];
            }
            boolean isFloat = first.isFloat();
            int size = 1;
            for (long v : d) {
                size *= (int) v;
            }
            float[] f = isFloat ? new float[size] : null;
            long[] l = isFloat ? null : new long[size];
            int o = 0;
            for (long a = 0; a < outer; a++) {
                for (Const p : parts) {
                    int chunk = (int) (p.size() / outer);
                    for (int i = 0; i < chunk; i++) {
                        int src = (int) (a * chunk + i);
                        if (isFloat) {
                            f[o++] = (float) p.get(src);
                        } else {
                            l[o++] = p.getLong(src);
                        }
                    }
                }
            }
            return new Const(first.type(), d, f, l);
        }

        /** Element-wise arithmetic with numpy broadcasting, and Transpose, on constants. */
        static Const[] arith(Importer im, OnnxProto.NodeP n) {
            String op = n.opType();
            Const a = im.raw(n, 0);
            if (a.containsBatch() || (im.present(n, 1) && im.raw(n, 1).containsBatch())) {
                throw im.unsupported("arithmetic on a tensor size known only at run time (the batch size or a free axis)");
            }
            if (op.equals("Transpose")) {
                long[] perm = Importer.attrInts(n, "perm");
                int r = a.rank();
                if (perm == null || perm.length == 0) {
                    perm = new long[r];
                    for (int i = 0; i < r; i++) {
                        perm[i] = r - 1 - i;
                    }
                }
                Tensor t = Tensor.of(a.floats(), a.intDims()).permute(Importer.ints(perm));
                long[] d = new long[r];
                for (int i = 0; i < r; i++) {
                    d[i] = t.shape()[i];
                }
                Const out = Const.ofFloats(d, t.toArray());
                return new Const[] {a.isFloat() ? out : out.cast(a.type())};
            }
            if (op.equals("Neg") || op.equals("Sqrt") || op.equals("Relu") || op.equals("Floor") || op.equals("Ceil")) {
                float[] f = a.floats();
                for (int i = 0; i < f.length; i++) {
                    f[i] = switch (op) {
                        case "Neg" -> -f[i];
                        case "Sqrt" -> (float) Math.sqrt(f[i]);
                        case "Floor" -> (float) Math.floor(f[i]);
                        case "Ceil" -> (float) Math.ceil(f[i]);
                        default -> Math.max(0f, f[i]);
                    };
                }
                Const out = Const.ofFloats(a.dims(), f);
                return new Const[] {a.isFloat() ? out : out.cast(a.type())};
            }
            Const b = im.raw(n, 1);
            int rank = Math.max(a.rank(), b.rank());
            long[] d = new long[rank];
            for (int i = 0; i < rank; i++) {
                long da = i - (rank - a.rank()) >= 0 ? a.dims()[i - (rank - a.rank())] : 1;
                long db = i - (rank - b.rank()) >= 0 ? b.dims()[i - (rank - b.rank())] : 1;
                if (da != db && da != 1 && db != 1) {
                    throw new IllegalArgumentException("shapes " + Arrays.toString(a.dims()) + " and " + Arrays.toString(b.dims())
                            + " do not broadcast");
                }
                d[i] = Math.max(da, db);
            }
            int size = 1;
            for (long v : d) {
                size *= (int) v;
            }
            boolean isFloat = a.isFloat() || b.isFloat();
            float[] f = isFloat ? new float[size] : null;
            long[] l = isFloat ? null : new long[size];
            int[] idx = new int[rank];
            for (int o = 0; o < size; o++) {
                int ia = index(idx, a.dims(), rank);
                int ib = index(idx, b.dims(), rank);
                if (isFloat) {
                    double x = a.get(ia);
                    double y = b.get(ib);
                    f[o] = (float) switch (op) {
                        case "Add" -> x + y;
                        case "Sub" -> x - y;
                        case "Mul" -> x * y;
                        default -> x / y;
                    };
                } else {
                    long x = a.getLong(ia);
                    long y = b.getLong(ib);
                    l[o] = switch (op) {
                        case "Add" -> x + y;
                        case "Sub" -> x - y;
                        case "Mul" -> x * y;
                        default -> Math.floorDiv(x, y);
                    };
                }
                for (int k = rank - 1; k >= 0; k--) {
                    if (++idx[k] < d[k]) {
                        break;
                    }
                    idx[k] = 0;
                }
            }
            return new Const[] {new Const(isFloat ? OnnxProto.FLOAT : a.type(), d, f, l)};
        }

        private static int index(int[] idx, long[] dims, int rank) {
            int off = rank - dims.length;
            int flat = 0;
            for (int i = 0; i < dims.length; i++) {
                int v = dims[i] == 1 ? 0 : idx[i + off];
                flat = (int) (flat * dims[i] + v);
            }
            return flat;
        }
    }
}
