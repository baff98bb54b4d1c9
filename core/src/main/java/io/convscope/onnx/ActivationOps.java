package io.convscope.onnx;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.List;
import java.util.Map;

import static io.convscope.onnx.Attrs.attrFloat;
import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** Element-wise activations (Relu … Ceil), Clip, PRelu, and Softmax/LogSoftmax over one axis. */
final class ActivationOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Relu", "X"), legacy("Sigmoid", "X"), legacy("Tanh", "X"), legacy("LeakyRelu", "X"),
                legacy("Elu", "X"), legacy("Selu", "X"), legacy("HardSigmoid", "X"), op("HardSwish", "X"),
                legacy("Abs", "X"), legacy("Neg", "X"), legacy("Exp", "X"), legacy("Log", "X"), legacy("Sqrt", "X"),
                legacy("Reciprocal", "X"), legacy("Softplus", "X"), legacy("Softsign", "X"), legacy("Floor", "X"),
                legacy("Ceil", "X"), legacy("Clip", "input", "min", "max"), op("PRelu", "X", "slope"),
                legacy("Softmax", "input"), legacy("LogSoftmax", "input"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        switch (n.opType()) {
            case "Relu" -> cx.add(n, new Layer.Act("Relu", Activation.RELU), cx.dyn(n, 0));
            case "Sigmoid" -> cx.add(n, new Layer.Act("Sigmoid", Activation.SIGMOID), cx.dyn(n, 0));
            case "Tanh" -> cx.add(n, new Layer.Act("Tanh", Activation.TANH), cx.dyn(n, 0));
            case "Clip" -> clip(n, cx);
            case "PRelu" -> {
                Const slope = cx.operand(cx.constant(n, 1), cx.shape(n, 0).rank(), "the slope");
                cx.add(n, new Layer.PRelu(slope.intDims()), List.of(cx.dyn(n, 0)), Map.of("slope", ImportContext.tensor(slope)));
            }
            case "Softmax", "LogSoftmax" -> softmax(n, cx);
            default -> unary(n, cx);
        }
    }

    private static void unary(OnnxProto.NodeP n, ImportContext cx) {
        Layer.Unary layer = switch (n.opType()) {
            case "LeakyRelu" -> new Layer.Unary(Layer.Unary.Fn.LEAKY_RELU, attrFloat(n, "alpha", 0.01f), 0f);
            case "Elu" -> new Layer.Unary(Layer.Unary.Fn.ELU, attrFloat(n, "alpha", 1f), 0f);
            case "Selu" -> new Layer.Unary(Layer.Unary.Fn.SELU, attrFloat(n, "alpha", 1.67326319217681884765625f),
                    attrFloat(n, "gamma", 1.05070102214813232421875f));
            case "HardSigmoid" -> new Layer.Unary(Layer.Unary.Fn.HARD_SIGMOID, attrFloat(n, "alpha", 0.2f),
                    attrFloat(n, "beta", 0.5f));
            case "HardSwish" -> new Layer.Unary(Layer.Unary.Fn.HARD_SWISH, 0f, 0f);
            case "Abs" -> new Layer.Unary(Layer.Unary.Fn.ABS, 0f, 0f);
            case "Neg" -> new Layer.Unary(Layer.Unary.Fn.NEG, 0f, 0f);
            case "Exp" -> new Layer.Unary(Layer.Unary.Fn.EXP, 0f, 0f);
            case "Log" -> new Layer.Unary(Layer.Unary.Fn.LOG, 0f, 0f);
            case "Sqrt" -> new Layer.Unary(Layer.Unary.Fn.SQRT, 0f, 0f);
            case "Reciprocal" -> new Layer.Unary(Layer.Unary.Fn.RECIPROCAL, 0f, 0f);
            case "Softplus" -> new Layer.Unary(Layer.Unary.Fn.SOFTPLUS, 0f, 0f);
            case "Softsign" -> new Layer.Unary(Layer.Unary.Fn.SOFTSIGN, 0f, 0f);
            case "Floor" -> new Layer.Unary(Layer.Unary.Fn.FLOOR, 0f, 0f);
            case "Ceil" -> new Layer.Unary(Layer.Unary.Fn.CEIL, 0f, 0f);
            default -> throw new IllegalStateException("ActivationOps does not handle " + n.opType());
        };
        cx.add(n, layer, cx.dyn(n, 0));
    }

    private static void clip(OnnxProto.NodeP n, ImportContext cx) {
        float lo = Float.NEGATIVE_INFINITY;
        float hi = Float.POSITIVE_INFINITY;
        if (cx.opset < 11) {
            lo = attrFloat(n, "min", lo);
            hi = attrFloat(n, "max", hi);
        } else {
            if (ImportContext.present(n, 1)) {
                lo = (float) PassThroughOps.first(cx.constant(n, 1), "min");
            }
            if (ImportContext.present(n, 2)) {
                hi = (float) PassThroughOps.first(cx.constant(n, 2), "max");
            }
        }
        cx.add(n, new Layer.Unary(Layer.Unary.Fn.CLIP, lo, hi), cx.dyn(n, 0));
    }

    private static void softmax(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape s = cx.shape(n, 0);
        int full = cx.rank(s);
        int a = cx.sampleAxis(attrInt(n, "axis", cx.opset < 13 ? 1 : -1), full, n.opType());
        boolean log = n.opType().equals("LogSoftmax");
        boolean flatten = cx.opset < 13 && a < s.rank() - 1;
        if (!log && s.rank() == 1 && cx.lead == 1) {
            cx.add(n, new Layer.Act("Softmax", Activation.SOFTMAX), cx.dyn(n, 0));
        } else {
            cx.add(n, new Layer.Softmax(a, log, flatten), cx.dyn(n, 0));
        }
    }
}
