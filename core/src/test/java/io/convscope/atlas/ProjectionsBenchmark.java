package io.convscope.atlas;

import io.convscope.activations.LayerSelection;
import io.convscope.engine.Engine;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.util.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Projections per second when the atlas site is written: a tally over the first {@code -Dimages=N}
 * (2,000) images of {@code -Ddataset} (fashion-mnist), then the site with every top entry's projection
 * ({@code -Dkinds=deconvnet,gradient}); the time is the site's projection phase alone (from its
 * progress), so it covers decoding, the walks, the pictures and their PNG files. {@code -Dmodel=FILE}
 * with {@code -Dpreprocess=torch} for another model, {@code -Dlayers=a,b} for other layers (default:
 * the command's, one per block). Only the API that the atlas has had from the start is used, so the same
 * file measures an older checkout too. Not a test (no Test suffix): run with
 * {@code mvn -o test -pl core -Dtest=ProjectionsBenchmark -Dsurefire.failIfNoSpecifiedTests=false}, or as a
 * program on the test class path.
 */
public final class ProjectionsBenchmark {
    /** The same as a program (for a profiler): the settings are system properties. */
    public static void main(String[] args) throws Exception {
        new ProjectionsBenchmark().projectionsPerSecond();
    }

    @org.junit.jupiter.api.Test
    void projectionsPerSecond() throws Exception {
        String model = System.getProperty("model");
        String dataset = System.getProperty("dataset", "fashion-mnist");
        int images = Integer.getInteger("images", 2000);
        int batch = Integer.getInteger("batch", 32);
        int threads = Integer.getInteger("threads", Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        List<String> kinds = Arrays.asList(System.getProperty("kinds", "deconvnet").split(","));
        Network full = ModelLoader.load(ModelLoader.Request.of(model), Progress.NONE);
        if (System.getProperty("preprocess") != null) {
            full = full.withPreprocessing(Preprocessing.byName(System.getProperty("preprocess")));
        }
        int h = full.inputShape().height() > 0 ? full.inputShape().height() : 224;
        int w = full.inputShape().width() > 0 ? full.inputShape().width() : 224;
        List<String> layers = System.getProperty("layers") != null ? Arrays.asList(System.getProperty("layers").split(","))
                : new LayerSelection(List.of(), false, true, false).resolve(full);
        Dataset data = Dataset.open(dataset);
        AtlasJob job = new AtlasJob(data.spec(), layers, 9, batch, h, w, Resize.CROP, images);
        Network net = Atlas.prepare(full, job);
        Path dir = Files.createTempDirectory("projections-benchmark");
        try (Engine e = Engine.create(net)) {
            long t0 = System.nanoTime();
            Tally t = Atlas.run(e, data, job, new Atlas.Options(threads, null, false), Progress.NONE);
            System.out.printf(Locale.ROOT, "projections benchmark: %s, %d images of %s, layers %s: tally in %.1f s%n", net.name(),
                    t.images(), data.spec(), layers, (System.nanoTime() - t0) / 1e9);
            try { // newer checkouts: the walk size per layer (looked up so that the file compiles against older ones)
                var per = Projections.class.getMethod("perWalk", Network.class, String.class);
                StringBuilder sb = new StringBuilder("  entries per walk:");
                for (String l : layers) {
                    sb.append(' ').append(l).append(' ').append(per.invoke(null, net, l));
                }
                System.out.println(sb);
            } catch (NoSuchMethodException none) {
                System.out.println("  entries per walk: 32 (fixed)");
            }
            for (String kind : kinds) {
                Phase phase = new Phase("projecting");
                AtlasSite.write(net, job, data, t, new AtlasSite.Options(net.name(), null, threads, e,
                        Projections.Kind.CHOICES.parse(kind)), dir.resolve(kind), phase);
                System.out.printf(Locale.ROOT, "  %-9s %6d projections in %6.1f s: %6.1f projections/s (load %s)%n", kind,
                        phase.total, phase.seconds(), phase.total / phase.seconds(), load());
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** Times the phase of a progress whose title starts with a given word. */
    static final class Phase implements Progress {
        private final String prefix;
        long start;
        long end;
        long total;
        private boolean in;

        Phase(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void start(String what, long total, Unit unit) {
            in = what.startsWith(prefix);
            if (in) {
                this.total = total;
                start = System.nanoTime();
            }
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish() {
            if (in) {
                end = System.nanoTime();
                in = false;
            }
        }

        double seconds() {
            return (end - start) / 1e9;
        }
    }
}
