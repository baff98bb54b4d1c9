package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.keras.Fixtures;
import io.convscope.network.Network;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile ONNX files (issue 13): seeded mutations of the fixture models and of models built here —
 * flipped bytes, truncations, operator types swapped for other supported ones, dropped inputs and
 * attributes, extreme attribute values and declared tensor sizes — run through the importer in
 * process. Each must end in a Network or in one clean line ({@link ConvscopeException}): never
 * another exception, never an allocation out of proportion to the file.
 */
class OnnxFuzzTest {
    static final int PER_FIXTURE = 120;
    static final int PER_BUILT = 60;
    /** Operator types a swap picks from: every supported one, and a few that are not. */
    static final List<String> SWAP_TO = new ArrayList<>(OnnxImporter.SUPPORTED);

    static {
        SWAP_TO.addAll(List.of("Erf", "LSTM", "Loop", ""));
    }

    /** A model to mutate, with its numbers of nodes and initializers. */
    record Source(String name, byte[] bytes, int nodes, int inits) {
        Source(String name, byte[] bytes) {
            this(name, bytes, OnnxSurgery.nodes(bytes).size(), count(bytes));
        }

        static int count(byte[] model) {
            int[] n = {0};
            OnnxSurgery.editInitializers(model, (i, t) -> {
                n[0]++;
                return t;
            });
            return n[0];
        }
    }

    @Test
    void mutatedModelsEndInANetworkOrOneCleanLine() throws IOException {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source("built:mixed", OnnxImporterTest.mixedModel()));
        sources.add(new Source("built:any-size", OnnxImporterTest.anySizeModel(0)));
        sources.add(new Source("built:tiny-opset8", OnnxMissingInputsTest.tiny(8)));
        int fixtures = 0;
        for (String m : List.of("mnist-8", "squeezenet1.1")) {
            Path f = Fixtures.fixture("models/" + m + "/model.onnx");
            if (Files.isRegularFile(f)) {
                sources.add(new Source(m, Files.readAllBytes(f)));
                fixtures++;
            } else {
                System.out.println("ONNX fuzz: fixture absent, skipped: " + f);
            }
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> byMutation = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long maxAllocated = 0;
        int cases = 0;
        long start = System.nanoTime();
        for (Source s : sources) {
            int count = s.name().startsWith("built:") ? PER_BUILT : PER_FIXTURE;
            for (int seed = 0; seed < count; seed++) {
                SplittableRandom r = new SplittableRandom(seed * 1_000_003L + s.name().hashCode());
                String[] kind = new String[1];
                byte[] mutated = mutate(s, r, kind);
                byMutation.merge(kind[0], 1, Integer::sum);
                long before = allocated();
                String outcome;
                try {
                    Network net = OnnxImporter.load(mutated, null, "fuzz", s.name() + ".onnx", Map.of());
                    outcome = net.nodes().isEmpty() ? "empty network" : "imported";
                } catch (ConvscopeException e) {
                    String msg = e.getMessage();
                    if (msg == null || msg.isBlank() || msg.contains("\n")) {
                        failures.add(s.name() + " seed " + seed + " (" + kind[0] + "): not one line: " + msg);
                    }
                    outcome = kind(e);
                } catch (Throwable t) { // the point of the test: nothing else may escape, not even an Error
                    failures.add(s.name() + " seed " + seed + " (" + kind[0] + "): " + t);
                    outcome = "FAILED " + t.getClass().getSimpleName();
                }
                long used = allocated() - before;
                maxAllocated = Math.max(maxAllocated, used);
                long bound = 64L * s.bytes().length + (256L << 20);
                if (before >= 0 && used > bound) {
                    failures.add(s.name() + " seed " + seed + " (" + kind[0] + "): allocated " + (used >> 20) + " MiB for a "
                            + (s.bytes().length >> 10) + " KiB file");
                }
                outcomes.merge(outcome, 1, Integer::sum);
                cases++;
            }
        }
        System.out.printf("%n==== ONNX fuzz: %d mutated files (%d fixture models, %d built), %.1f s, most allocated by one import %d MiB ====%n",
                cases, fixtures, sources.size() - fixtures, (System.nanoTime() - start) / 1e9, maxAllocated >> 20);
        System.out.println("mutations: " + byMutation);
        outcomes.forEach((k, v) -> System.out.printf("  %-52s %5d%n", k, v));
        failures.stream().limit(30).forEach(f -> System.out.println("FAILED " + f));
        assertTrue(failures.isEmpty(), failures.size() + " mutated files did not end cleanly, first: "
                + failures.subList(0, Math.min(5, failures.size())));
        assertTrue(outcomes.getOrDefault("imported", 0) > 0, "no mutation imported: the mutations are too coarse");
    }

    /** Bytes allocated on the heap by this thread so far (-1 where the JVM does not say). */
    static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
            return t.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }

    /** The kind of a clean error, for the report. */
    static String kind(ConvscopeException e) {
        String m = e.getMessage();
        if (m.contains("is not a readable ONNX model")) {
            return "error: not readable (truncated/corrupt protobuf)";
        }
        if (m.contains(" is not supported; supported: ")) {
            return "unsupported: operator";
        }
        if (m.contains(" missing")) {
            return "error: input/attribute missing";
        }
        if (e instanceof OnnxUnsupportedException) {
            return "unsupported: other (attribute, axis, type, IR)";
        }
        if (m.contains("is corrupt") || m.contains("external data") || m.contains("stored externally")) {
            return "error: tensor data corrupt";
        }
        if (m.contains("larger than convscope computes")) {
            return "error: constant too large";
        }
        if (m.contains("weight '") || m.contains("has no weight") || m.contains("weights, the architecture")) {
            return "error: weight shape";
        }
        return "error: other (shape, value, graph)";
    }

    static byte[] mutate(Source s, SplittableRandom r, String[] kind) {
        byte[] model = s.bytes();
        int nodes = s.nodes();
        switch (r.nextInt(8)) {
            case 0 -> {
                kind[0] = "byte flips";
                byte[] b = model.clone();
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                }
                return b;
            }
            case 1 -> {
                kind[0] = "truncation";
                return java.util.Arrays.copyOf(model, r.nextInt(model.length));
            }
            case 2 -> {
                kind[0] = "swapped op type";
                int target = r.nextInt(nodes);
                String to = SWAP_TO.get(r.nextInt(SWAP_TO.size()));
                return OnnxSurgery.editNodes(model, (i, n) -> i == target ? n.withOpType(to) : n);
            }
            case 3 -> {
                kind[0] = "dropped input";
                int target = r.nextInt(nodes);
                int pick = r.nextInt(8);
                return OnnxSurgery.editNodes(model, (i, n) -> i == target && n.inputCount() > 0
                        ? n.without(1, pick % n.inputCount()) : n);
            }
            case 4 -> {
                kind[0] = "dropped attribute";
                int target = r.nextInt(nodes);
                int pick = r.nextInt(8);
                return OnnxSurgery.editNodes(model, (i, n) -> i == target && !n.attributeNames().isEmpty()
                        ? n.without(5, pick % n.attributeNames().size()) : n);
            }
            case 5 -> {
                kind[0] = "extreme attribute value";
                int target = r.nextInt(nodes);
                long value = extreme(r);
                int pick = r.nextInt(8);
                return OnnxSurgery.editNodes(model, (i, n) -> i == target ? extremeAttribute(n, pick, value) : n);
            }
            case 6 -> {
                kind[0] = "extreme tensor dims";
                long value = extreme(r);
                int target = r.nextInt(Math.max(1, s.inits()));
                int dim = r.nextInt(4);
                return OnnxSurgery.editInitializers(model, (i, t) -> i == target ? t.withVarint(1, dim, value) : t);
            }
            default -> {
                kind[0] = "swap and drop";
                int target = r.nextInt(nodes);
                String to = SWAP_TO.get(r.nextInt(SWAP_TO.size()));
                return OnnxSurgery.editNodes(model, (i, n) -> i == target && n.inputCount() > 0
                        ? n.withOpType(to).without(1, n.inputCount() - 1) : n);
            }
        }
    }

    static long extreme(SplittableRandom r) {
        long[] values = {0, -1, -2, 1L << 31, (1L << 31) - 1, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, 65_536, 3};
        return values[r.nextInt(values.length)];
    }

    /** The node with one of its attributes' int value (i: field 3, or the first of ints: field 8) set to {@code value}. */
    static OnnxSurgery.Fields extremeAttribute(OnnxSurgery.Fields node, int pick, long value) {
        List<String> names = node.attributeNames();
        if (names.isEmpty()) {
            return node;
        }
        int which = pick % names.size();
        List<OnnxSurgery.Field> out = new ArrayList<>();
        int seen = 0;
        for (OnnxSurgery.Field f : node.list) {
            if (f.number() == 5 && seen++ == which) {
                OnnxSurgery.Fields a = OnnxSurgery.Fields.parse(f.bytes());
                a = a.withVarint(3, 0, value).withVarint(8, 0, value);
                out.add(new OnnxSurgery.Field(f.tag(), 0, a.write()));
            } else {
                out.add(f);
            }
        }
        return new OnnxSurgery.Fields(out);
    }

    /** The mutation is deterministic: the same seed gives the same bytes. */
    @Test
    void mutationsAreReproducible() {
        Source m = new Source("mixed", OnnxImporterTest.mixedModel());
        for (int seed = 0; seed < 20; seed++) {
            byte[] a = mutate(m, new SplittableRandom(seed), new String[1]);
            byte[] b = mutate(m, new SplittableRandom(seed), new String[1]);
            assertTrue(java.util.Arrays.equals(a, b), "seed " + seed);
        }
    }
}
