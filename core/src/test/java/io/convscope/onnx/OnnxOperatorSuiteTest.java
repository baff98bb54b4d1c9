package io.convscope.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.engine.Engine;
import io.convscope.network.Network;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX node-level conformance suite (Debian {@code libonnx-testdata}, ONNX 1.12): every case is
 * imported and run through the Engine, and its outputs are compared with the published ones with
 * the tolerance of ONNX's own backend test runner ({@code onnx/backend/test/runner}: rtol 1e-3,
 * atol 1e-7, i.e. |got − want| ≤ 1e-7 + 1e-3·|want|).
 *
 * <p>A case runs first with all its inputs as network inputs (when they share a batch size);
 * when that needs an operand to be a constant (kernels, shapes, indices), inputs after the first
 * are bound as constants to their test values, as a real model stores its weights. When the graph
 * works over ONNX axis 0 (reductions, transposes, reshapes over it), the same two ways are tried in
 * the importer's whole-tensor mode, where each ONNX tensor is one sample of a batch of 1. Cases the
 * importer reports as unsupported, and cases with inputs or outputs other than float32, are
 * listed with the reason; every other case must pass.
 *
 * <p>Each case is its own dynamic test (unsupported ones are skipped with the reason); a last test
 * prints the summary table. The expectations come from the importer's operator table
 * ({@link Operators}): a case may be unsupported for naming an operator only when the table lacks
 * it, a passing case uses only operators in the table, and every operator in the table runs in
 * some passing case (except {@link #NOT_CHECKABLE}).
 */
@Tag("slow")
class OnnxOperatorSuiteTest {
    static final Path SUITE = Path.of("/usr/share/libonnx-testdata/data/node");
    static final double RTOL = 1e-3;
    static final double ATOL = 1e-7;

    record Result(String testCase, String group, String status, String detail, List<String> ops) { }

    /**
     * Registered operators that no case of the suite can check: their cases have no float32 input
     * or output (Cast, Shape and ConstantOfShape take or give integers), so the importer only ever
     * folds them. The summary checks that every other registered operator runs
     * in at least one passing case.
     */
    static final Set<String> NOT_CHECKABLE = Set.of("Cast", "ConstantOfShape", "Shape");

    /** One test per case (unsupported cases are skipped with the reason), then the summary table. */
    @TestFactory
    Stream<DynamicTest> operatorSuite() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SUITE), "ONNX operator suite not installed (Debian libonnx-testdata): " + SUITE);
        List<Path> cases;
        try (Stream<Path> s = Files.list(SUITE)) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
        List<Result> results = new ArrayList<>();
        Stream<DynamicTest> perCase = cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Result r = run(dir);
            results.add(r);
            check(r);
        }));
        DynamicTest summary = DynamicTest.dynamicTest("summary", () -> summary(results, cases.size()));
        return Stream.concat(perCase, Stream.of(summary));
    }

    /** A case's expectation, derived from the operator table: supported operators import, the others are named. */
    static void check(Result r) {
        List<String> unknown = r.ops().stream().filter(op -> !Operators.supports(op)).toList();
        if (r.status().equals("unsupported")) {
            String reason = r.detail() == null ? "" : r.detail();
            int at = reason.indexOf("operator ");
            if (at >= 0 && reason.indexOf(" is not supported", at) > 0) {
                String op = reason.substring(at + "operator ".length(), reason.indexOf(" is not supported", at));
                assertTrue(!Operators.supports(op), r.testCase() + ": reported as unsupported, but " + op + " is in the table");
            }
            Assumptions.abort(reason.isEmpty() ? "unsupported" : reason);
        }
        assertEquals("passed", r.status(), r.testCase() + ": " + r.detail());
        assertTrue(unknown.isEmpty(), r.testCase() + " passed with operators outside the table: " + unknown);
    }

    static void summary(List<Result> results, int cases) {
        report(results);
        assertEquals(cases, results.size(), "every case ran before the summary");
        long passed = results.stream().filter(r -> r.status().equals("passed")).count();
        assertTrue(passed > 200, "too few cases pass: the suite did not run properly");
        Set<String> covered = new TreeSet<>();
        results.stream().filter(r -> r.status().equals("passed")).forEach(r -> covered.addAll(r.ops()));
        Set<String> unchecked = new TreeSet<>(Operators.SUPPORTED);
        unchecked.removeAll(covered);
        assertEquals(new TreeSet<>(NOT_CHECKABLE), unchecked,
                "registered operators that no passing case runs (a stale table entry, or update NOT_CHECKABLE)");
        List<Result> failed = results.stream().filter(r -> r.status().equals("failed")).toList();
        assertTrue(failed.isEmpty(), failed.size() + " supported cases failed: " + failed);
    }

    static Result run(Path dir) {
        String name = dir.getFileName().toString();
        OnnxProto.Model model;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve("model.onnx"));
            model = OnnxProto.parseModel(bytes);
        } catch (IOException e) {
            return new Result(name, "?", "failed", "cannot parse: " + e.getMessage(), List.of());
        }
        String group = group(name, model);
        List<String> ops = model.graph().nodes().stream().map(OnnxProto.NodeP::opType).distinct().toList();
        Path data = dir.resolve("test_data_set_0");
        // graph inputs that are not initializers, in order
        List<OnnxProto.ValueInfo> inputs = new ArrayList<>();
        for (OnnxProto.ValueInfo vi : model.graph().inputs()) {
            if (model.graph().initializers().stream().noneMatch(t -> t.name().equals(vi.name()))) {
                inputs.add(vi);
            }
        }
        for (OnnxProto.ValueInfo vi : inputs) {
            if (vi.elemType() != OnnxProto.FLOAT && inputs.indexOf(vi) == 0) {
                return new Result(name, group, "unsupported", "input type " + OnnxProto.typeName(vi.elemType()), ops);
            }
        }
        for (OnnxProto.ValueInfo vi : model.graph().outputs()) {
            if (vi.elemType() != OnnxProto.FLOAT) {
                return new Result(name, group, "unsupported", "output type " + OnnxProto.typeName(vi.elemType()), ops);
            }
        }
        List<Const> in = new ArrayList<>();
        List<Const> want = new ArrayList<>();
        try {
            for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
                in.add(OnnxImporter.readTensor(data.resolve("input_" + i + ".pb")));
            }
            for (int i = 0; Files.exists(data.resolve("output_" + i + ".pb")); i++) {
                want.add(OnnxImporter.readTensor(data.resolve("output_" + i + ".pb")));
            }
        } catch (IOException | RuntimeException e) {
            return new Result(name, group, "unsupported", "test data: " + e.getMessage(), ops);
        }
        if (in.size() != inputs.size()) {
            // optional inputs left out of the test data
            return new Result(name, group, "unsupported", inputs.size() + " graph inputs, " + in.size() + " test inputs", ops);
        }
        if (in.isEmpty()) {
            return new Result(name, group, "unsupported", "no inputs", ops);
        }
        boolean sameBatch = true;
        for (int i = 0; i < in.size(); i++) {
            Const c = in.get(i);
            sameBatch &= c.isFloat() && c.rank() == in.get(0).rank() && c.rank() > 0 && c.dims()[0] == in.get(0).dims()[0]
                    && inputs.get(i).elemType() == OnnxProto.FLOAT;
        }
        boolean allFloat = in.stream().allMatch(Const::isFloat)
                && inputs.stream().allMatch(v -> v.elemType() == OnnxProto.FLOAT);
        String unsupported = null;
        // 0: every input fed, batch-major; 1: inputs after the first bound as constants, batch-major;
        // 2, 3: the same in whole-tensor mode (ONNX axis 0 is a sample axis, batch of 1)
        for (int mode = 0; mode < 4; mode++) {
            boolean feedAll = mode == 0 || mode == 2;
            boolean whole = mode >= 2;
            if (feedAll && (in.size() < 2 || !allFloat || (!whole && !sameBatch))) {
                continue;
            }
            if (!whole && in.get(0).rank() < 1) {
                continue;
            }
            Map<String, Const> bound = new HashMap<>();
            if (!feedAll) {
                for (int i = 1; i < in.size(); i++) {
                    bound.put(inputs.get(i).name(), in.get(i));
                }
            }
            Network net;
            try {
                net = OnnxImporter.load(bytes, dir, name, name, bound, whole);
            } catch (OnnxUnsupportedException e) {
                if (unsupported == null || mode == 1) {
                    unsupported = e.getMessage().replace(name + ": ", "");
                }
                continue;
            } catch (RuntimeException e) {
                return new Result(name, group, "failed", "import: " + e, ops);
            }
            return compare(name, group, ops, net, in, want, feedAll ? in.size() : 1, whole);
        }
        return new Result(name, group, "unsupported", shorten(unsupported), ops);
    }

    static String shorten(String s) {
        int i = s.indexOf("; supported:");
        return i < 0 ? s : s.substring(0, i);
    }

    static Result compare(String name, String group, List<String> ops, Network net, List<Const> in, List<Const> want,
                          int fed, boolean whole) {
        try (Engine engine = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> feed = new LinkedHashMap<>();
            for (int i = 0; i < fed; i++) {
                Const c = in.get(i);
                long[] dims = c.dims();
                if (whole) {
                    dims = new long[c.rank() + 1];
                    dims[0] = 1;
                    System.arraycopy(c.dims(), 0, dims, 1, c.rank());
                }
                feed.put(net.inputs().get(i), m.create(c.floats(), new Shape(dims)));
            }
            Map<String, NDArray> out = engine.forward(feed, net.outputs(), false);
            if (want.size() != net.outputs().size()) {
                return new Result(name, group, "failed", want.size() + " expected outputs, network has " + net.outputs().size(), ops);
            }
            for (int k = 0; k < want.size(); k++) {
                NDArray got = out.get(net.outputs().get(k));
                if (whole) {
                    got = got.reshape(new Shape(Arrays.copyOfRange(got.getShape().getShape(), 1, got.getShape().dimension())));
                }
                Const w = want.get(k);
                if (!Arrays.equals(got.getShape().getShape(), w.dims())) {
                    return new Result(name, group, "failed", "output " + k + " shape " + got.getShape() + ", expected "
                            + Arrays.toString(w.dims()), ops);
                }
                float[] g = got.toFloatArray();
                float[] e = w.floats();
                for (int i = 0; i < e.length; i++) {
                    boolean ok = Float.isNaN(e[i]) ? Float.isNaN(g[i])
                            : e[i] == g[i] || Math.abs(g[i] - e[i]) <= ATOL + RTOL * Math.abs(e[i]);
                    if (!ok) {
                        return new Result(name, group, "failed", "output " + k + "[" + i + "] = " + g[i] + ", expected " + e[i], ops);
                    }
                }
            }
            return new Result(name, group, "passed", "", ops);
        } catch (RuntimeException ex) {
            return new Result(name, group, "failed", "run: " + ex, ops);
        }
    }

    /** The operator a case tests: its only node's op, else the op named by the case. */
    static String group(String name, OnnxProto.Model model) {
        List<OnnxProto.NodeP> nodes = model.graph().nodes();
        if (nodes.size() == 1) {
            return nodes.get(0).opType();
        }
        String stem = name.substring("test_".length()).replace("_", "").toLowerCase();
        String best = null;
        for (OnnxProto.NodeP n : nodes) {
            String op = n.opType().toLowerCase();
            if (stem.startsWith(op) && (best == null || op.length() > best.length())) {
                best = n.opType();
            }
        }
        if (best != null) {
            return best;
        }
        return name.endsWith("_expanded") ? "(expanded function bodies)" : "(multi-node graphs)";
    }

    static void report(List<Result> results) {
        Map<String, int[]> byOp = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Result r : results) {
            int[] c = byOp.computeIfAbsent(r.group(), k -> new int[3]);
            c[r.status().equals("passed") ? 0 : r.status().equals("failed") ? 1 : 2]++;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("\n==== ONNX operator suite (").append(SUITE).append("), rtol ").append(RTOL).append(", atol ").append(ATOL).append(" ====\n");
        sb.append(String.format("%-32s %7s %7s %12s%n", "operator", "passed", "failed", "unsupported"));
        int[] total = new int[3];
        for (Map.Entry<String, int[]> e : byOp.entrySet()) {
            int[] c = e.getValue();
            sb.append(String.format("%-32s %7d %7d %12d%n", e.getKey(), c[0], c[1], c[2]));
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        }
        sb.append(String.format("%-32s %7d %7d %12d   (%d cases)%n", "TOTAL", total[0], total[1], total[2], results.size()));
        sb.append("---- failed cases ----\n");
        for (Result r : results) {
            if (r.status().equals("failed")) {
                sb.append("FAILED ").append(r.testCase()).append(": ").append(r.detail()).append('\n');
            }
        }
        sb.append("---- unsupported cases ----\n");
        for (Result r : results) {
            if (r.status().equals("unsupported")) {
                sb.append(r.testCase()).append(": ").append(r.detail()).append('\n');
            }
        }
        System.out.println(sb);
    }
}
