package io.convscope.serve;

import ai.djl.Device;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.render.Png;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The explorer's latencies on VGG16 with random weights at 224 px, over HTTP on this machine: upload
 * to the first layer grid, a layer switch (forward cached, grid drawn), a Grad-CAM overlay; p50 and
 * p95 over 20 requests each; then the heap and resident memory after 20 and after 200 mixed requests; then
 * 10 deconvnet projections of the unit view (units of layers from the first to the last) and the memory after them.
 * Prints figures; not a unit test.
 *
 * <pre>
 * ONEDNN_MAX_CPU_ISA=AVX2 java -Dai.djl.offline=true -cp "cli/target/classes:cli/target/test-classes:core/target/classes:cli/target/lib/*" \
 *     io.convscope.serve.ExplorerBenchmark
 * </pre>
 */
public final class ExplorerBenchmark {
    private ExplorerBenchmark() {
    }

    static HttpClient http = HttpClient.newHttpClient();
    static ExplorerServer server;

    static byte[] get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path
                + (path.contains("?") ? "&" : "?") + "token=" + server.token())).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    static String upload(byte[] png) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/upload?name=b.png&token=" + server.token())).POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                HttpResponse.BodyHandlers.ofString());
        return com.google.gson.JsonParser.parseString(r.body()).getAsJsonObject().get("image").getAsString();
    }

    static byte[] noise(long seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Png.write(img, out);
        return out.toByteArray();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String figures(List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        return String.format(Locale.ROOT, "p50 %7.1f ms   p95 %7.1f ms   (n=%d, min %.1f, max %.1f)", s.get((s.size() - 1) / 2),
                s.get((int) Math.ceil(0.95 * s.size()) - 1), s.size(), s.get(0), s.get(s.size() - 1));
    }

    static String memory() throws IOException {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
        String rss = status.stream().filter(l -> l.startsWith("VmRSS")).findFirst().orElse("VmRSS: ?");
        String peak = status.stream().filter(l -> l.startsWith("VmHWM")).findFirst().orElse("VmHWM: ?");
        return String.format(Locale.ROOT, "heap used %.1f MB, %s, %s", heap / 1e6, rss.replaceAll("\\s+", " "), peak.replaceAll("\\s+", " "));
    }

    public static void main(String[] args) throws Exception {
        String load0 = Files.readString(Path.of("/proc/loadavg")).strip();
        Network net = ModelLoader.load(new ModelLoader.Request("vgg16", "none", true, 224, 224), Progress.NONE);
        Path work = Files.createTempDirectory("serve-bench-");
        try (Explorer explorer = new Explorer(net, Device.cpu(), null, null, work, null)) {
            server = new ExplorerServer(explorer, "127.0.0.1", 0, false);
            List<String> layers = explorer.drawableLayers();
            String[] maps = {"viridis", "magma", "inferno", "plasma", "cividis", "gray"};
            get("/api/model");
            String warm = upload(noise(-1));
            get("/api/grid.png?image=" + q(warm) + "&layer=" + layers.get(0));
            get("/api/explain.png?image=" + q(warm) + "&method=gradcam&target=0");

            List<Double> first = new ArrayList<>();
            List<Double> switched = new ArrayList<>();
            List<Double> cam = new ArrayList<>();
            String last = null;
            for (int i = 0; i < 20; i++) {
                byte[] png = noise(i);
                long t0 = System.nanoTime();
                String id = upload(png);
                get("/api/predict?image=" + q(id));
                get("/api/layer?image=" + q(id) + "&layer=" + layers.get(0));
                get("/api/grid.png?image=" + q(id) + "&layer=" + layers.get(0));
                first.add((System.nanoTime() - t0) / 1e6);
                last = id;
            }
            for (int i = 0; i < 20; i++) {
                String layer = layers.get(1 + i % (layers.size() - 1));
                String cmap = maps[(i / (layers.size() - 1)) % maps.length];
                long t0 = System.nanoTime();
                get("/api/layer?image=" + q(last) + "&layer=" + q(layer));
                get("/api/grid.png?image=" + q(last) + "&layer=" + q(layer) + "&colormap=" + cmap);
                switched.add((System.nanoTime() - t0) / 1e6);
            }
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                get("/api/explain.png?image=" + q(last) + "&method=gradcam&target=" + (i + 1));
                cam.add((System.nanoTime() - t0) / 1e6);
            }
            System.out.println("VGG16 (--weights none) at 224 px, " + Runtime.getRuntime().availableProcessors() + " cores, over HTTP"
                    + " (load average at the start " + load0 + "):");
            System.out.println("  upload → first grid (upload, top-5, layer, grid): " + figures(first));
            System.out.println("  layer switch (forward cached, grid drawn):        " + figures(switched));
            System.out.println("  Grad-CAM overlay (another class each time):       " + figures(cam));

            int done = 0;
            String[] mix = new String[200];
            for (int i = 0; i < 200; i++) {
                String layer = layers.get(i % layers.size());
                mix[i] = switch (i % 5) {
                    case 0 -> "/api/grid.png?image=" + q(last) + "&layer=" + q(layer) + "&colormap=" + maps[(i / 5) % maps.length];
                    case 1 -> "/api/unit.png?image=" + q(last) + "&layer=" + q(layer) + "&c=" + (i % 64);
                    case 2 -> "/api/layer?image=" + q(last) + "&layer=" + q(layer);
                    case 3 -> "/api/explain.png?image=" + q(last) + "&method=gradcam&target=" + (100 + i);
                    default -> "/api/predict?image=" + q(last);
                };
            }
            for (; done < 20; done++) {
                get(mix[done]);
            }
            String after20 = memory();
            for (; done < 200; done++) {
                get(mix[done]);
            }
            String after200 = memory();
            System.out.println("  memory after  20 mixed requests: " + after20);
            System.out.println("  memory after 200 mixed requests: " + after200);

            List<Double> proj = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String layer = layers.get(i * (layers.size() - 1) / 9);
                long t0 = System.nanoTime();
                get("/api/projection.png?image=" + q(last) + "&layer=" + q(layer) + "&c=" + i);
                proj.add((System.nanoTime() - t0) / 1e6);
            }
            System.out.println("  deconvnet projection (10 units, " + layers.get(0) + " to " + layers.get(layers.size() - 1) + "): "
                    + figures(proj));
            System.out.println("  memory after the projections:    " + memory());
            System.out.println("  load average at the end: " + Files.readString(Path.of("/proc/loadavg")).strip());
            server.close();
        }
    }
}
