package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One import of a parsed model: the graph's inputs become network inputs, initializers constants,
 * and each node is folded (all inputs known) or converted (through the {@link Operators} table); the
 * graph's outputs become the network's.
 */
final class GraphImport {
    private final OnnxProto.Model model;
    private final String source;
    private final ImportContext cx;

    GraphImport(OnnxProto.Model model, Path baseDir, String name, String source, Map<String, Const> bound, int lead) {
        this.model = model;
        this.source = source;
        Long v = model.opsets().get("");
        if (v == null) {
            v = model.opsets().get("ai.onnx");
        }
        long opset = v == null ? 1 : v;
        this.cx = new ImportContext(source, baseDir, opset, lead, new Network.Builder(name).preprocessing(Preprocessing.UNDECLARED));
        cx.consts.putAll(bound);
    }

    Network run() {
        if (model.irVersion() < 3) {
            throw new OnnxUnsupportedException(source + ": IR version " + model.irVersion()
                    + " is older than convscope reads (IR 3–10, opsets 7–21)");
        }
        OnnxProto.Graph g = model.graph();
        for (OnnxProto.NodeP n : g.nodes()) {
            cx.consumed.addAll(n.inputs());
        }
        for (OnnxProto.ValueInfo vi : g.outputs()) {
            cx.consumed.add(vi.name());
        }
        for (OnnxProto.TensorP t : g.initializers()) {
            if (!cx.consts.containsKey(t.name())) {
                cx.consts.put(t.name(), cx.decode(t));
            }
        }
        for (OnnxProto.ValueInfo vi : g.inputs()) {
            input(g, vi);
        }
        if (cx.nodeOf.isEmpty()) {
            throw new OnnxUnsupportedException(source + ": the graph has no input that is not a constant");
        }
        for (OnnxProto.NodeP n : g.nodes()) {
            cx.at(n);
            checkDomainAndOpset(n);
            try {
                node(n);
            } catch (OnnxUnsupportedException e) {
                throw e;
            } catch (ConvscopeException | IllegalArgumentException | ArithmeticException
                     | UnsupportedOperationException | IndexOutOfBoundsException e) {
                throw new ConvscopeException(cx.where() + ": " + OnnxImporter.oneLine(e), e);
            }
        }
        List<String> outs = new ArrayList<>();
        for (OnnxProto.ValueInfo vi : g.outputs()) {
            String n = cx.nodeOf.get(vi.name());
            if (n == null) {
                throw new OnnxUnsupportedException(source + ": output '" + vi.name()
                        + "' is a constant or is not computed by the graph; convscope needs outputs that depend on the input");
            }
            outs.add(n);
        }
        return cx.b.outputs(outs).build();
    }

    /** A graph input that is not a constant becomes a network input (per sample: the batch axis dropped). */
    private void input(OnnxProto.Graph g, OnnxProto.ValueInfo vi) {
        if (cx.consts.containsKey(vi.name())) {
            return; // an initializer listed as an input, or a bound input
        }
        if (vi.elemType() != OnnxProto.FLOAT) {
            throw new OnnxUnsupportedException(source + ": input '" + vi.name() + "' has type "
                    + OnnxProto.typeName(vi.elemType()) + "; convscope feeds float32 inputs only");
        }
        int lead = cx.lead;
        if (vi.dims() == null || vi.dims().length < lead) {
            throw new OnnxUnsupportedException(source + ": input '" + vi.name() + "' has "
                    + (vi.dims() == null ? "no declared shape" : "rank " + vi.dims().length)
                    + "; convscope needs a batch axis");
        }
        long[] d = vi.dims();
        if (cx.declaredBatch < 0 && lead == 1) {
            cx.declaredBatch = d[0];
        }
        int[] sample = new int[d.length - lead];
        for (int i = lead; i < d.length; i++) {
            if (d[i] > Integer.MAX_VALUE) {
                throw new ConvscopeException(source + ": input '" + vi.name() + "' has a dimension of " + d[i]);
            }
            sample[i - lead] = d[i] < 0 ? -1 : (int) d[i];
        }
        if (lead == 1 && sample.length == 3 && onlyToChannelsFirst(g, vi.name())) {
            cx.nhwc.add(vi.name());
            sample = new int[] {sample[2], sample[0], sample[1]};
        }
        String n = cx.unique(vi.name());
        try {
            cx.b.input(n, TensorShape.of(sample));
        } catch (IllegalArgumentException e) {
            throw new ConvscopeException(source + ": input '" + vi.name() + "': " + OnnxImporter.oneLine(e));
        }
        cx.nodeOf.put(vi.name(), n);
    }

    /** True when every reader of {@code value} is a Transpose with perm (0, 3, 1, 2). */
    static boolean onlyToChannelsFirst(OnnxProto.Graph g, String value) {
        boolean any = false;
        for (OnnxProto.NodeP n : g.nodes()) {
            if (!n.inputs().contains(value)) {
                continue;
            }
            long[] perm = Attrs.attrInts(n, "perm");
            if (!n.opType().equals("Transpose") || !n.inputs().get(0).equals(value)
                    || perm == null || !Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
                return false;
            }
            any = true;
        }
        return any;
    }

    private void checkDomainAndOpset(OnnxProto.NodeP n) {
        String domain = n.domain();
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            throw cx.unsupported("operators of domain '" + domain + "' are not supported");
        }
        if (cx.opset < OpType.CURRENT && !Operators.readsBefore(n.opType(), cx.opset)) {
            throw cx.unsupported("before opset 7 this operator had other semantics (convscope reads opsets 7–21, and"
                    + " older files whose operators have not changed since)");
        }
        if (cx.opset < OpType.CURRENT && n.attrs().containsKey("broadcast") && n.attrs().get("broadcast").i() != 0) {
            throw cx.unsupported("legacy broadcast=1 (before opset 7)");
        }
    }

    /** Folds the node when its inputs are known at import, else converts it to layers. */
    private void node(OnnxProto.NodeP n) {
        String op = n.opType();
        boolean allConst = true;
        boolean anyInput = false;
        for (int i = 0; i < n.inputs().size(); i++) {
            if (ImportContext.present(n, i)) {
                anyInput = true;
                allConst &= cx.consts.containsKey(n.inputs().get(i));
            }
        }
        OpConverter converter = Operators.converter(op);
        ConstFolder folder = Operators.folder(op);
        boolean foldOnly = folder != null && converter == null;
        if ((foldOnly && !anyInput) || (anyInput && allConst) || (op.equals("Shape") && foldableShape(n))) {
            Const[] out = folder == null ? null : folder.fold(n, cx);
            if (out == null) {
                throw folder == null && converter == null ? unsupportedOp(n)
                        : cx.unsupported("cannot be computed on constant inputs at import");
            }
            for (int i = 0; i < out.length && i < n.outputs().size(); i++) {
                cx.consts.put(n.outputs().get(i), out[i]);
            }
            return;
        }
        if (converter == null) {
            throw foldOnly ? cx.unsupported("needs inputs known at import (here they are computed at run time)") : unsupportedOp(n);
        }
        converter.convert(n, cx);
    }

    private OnnxUnsupportedException unsupportedOp(OnnxProto.NodeP n) {
        return cx.unsupported(Operators.unsupportedMessage(n.opType()));
    }

    private boolean foldableShape(OnnxProto.NodeP n) {
        return ImportContext.present(n, 0) && cx.nodeOf.get(n.inputs().get(0)) != null;
    }
}
