package io.convscope.serve;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.render.Png;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The explorer over HTTP with the embedded model: the gate, uploads, views, concurrency and jobs. */
class ExplorerServerTest {
    static Path work;
    static Path images;
    static Path atlas;
    static Explorer explorer;
    static ExplorerServer server;
    static final String SNEAKER = "samples/fashion-mnist/7_sneaker.png";

    @BeforeAll
    static void start() throws IOException {
        work = Files.createTempDirectory("serve-test-");
        images = Files.createDirectories(work.resolve("images"));
        Files.writeString(work.resolve("secret.txt"), "TOPSECRET-CONTENT");
        Files.createSymbolicLink(images.resolve("link.png"), work.resolve("secret.txt"));
        Path samples = Path.of("../samples");
        atlas = Files.createDirectories(work.resolve("atlas").resolve("block1_conv1").resolve("3"));
        Files.writeString(atlas.resolve("index.html"), "<p>atlas page of unit 3</p>");
        atlas = work.resolve("atlas");
        explorer = new Explorer(EmbeddedModel.load(), Device.cpu(), images, samples, Files.createDirectories(work.resolve("work")), atlas);
        server = new ExplorerServer(explorer, "127.0.0.1", 0, false);
    }

    @AfterAll
    static void stop() {
        server.close();
        explorer.close();
    }

    /** A response: status, headers (lower-case names) and body. */
    record Response(int status, String headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonObject json() {
            return JsonParser.parseString(text()).getAsJsonObject();
        }
    }

    /** One HTTP/1.1 request over a socket, the path sent as it is (no normalization), Host as given. */
    static Response request(String method, String path, String host, String cookie, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            StringBuilder h = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
            if (cookie != null) {
                h.append("Cookie: ").append(cookie).append("\r\n");
            }
            if (body != null) {
                h.append("Content-Length: ").append(body.length).append("\r\n");
            }
            out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            String raw = new String(all, StandardCharsets.ISO_8859_1);
            int end = raw.indexOf("\r\n\r\n");
            assertTrue(end > 0, "no response to " + path);
            String head = raw.substring(0, end).toLowerCase(Locale.ROOT);
            int status = Integer.parseInt(raw.substring(9, 12));
            byte[] b = java.util.Arrays.copyOfRange(all, end + 4, all.length);
            return new Response(status, head, b);
        }
    }

    static String host() {
        return "127.0.0.1:" + server.port();
    }

    static Response get(String path) throws IOException {
        return request("GET", path + (path.contains("?") ? "&" : "?") + "token=" + server.token(), host(), null, null);
    }

    static Response post(String path, byte[] body) throws IOException {
        return request("POST", path + (path.contains("?") ? "&" : "?") + "token=" + server.token(), host(), null, body);
    }

    static String q(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void tokenIsRequiredAndSetsACookie() throws IOException {
        assertEquals(403, request("GET", "/api/model", host(), null, null).status());
        assertEquals(403, request("GET", "/api/model?token=wrong", host(), null, null).status());
        assertEquals(403, request("GET", "/", host(), "convscope_token=nope", null).status());
        Response ok = get("/");
        assertEquals(200, ok.status());
        assertTrue(ok.headers().contains("set-cookie: convscope_token=" + server.token()), ok.headers());
        assertTrue(ok.text().contains("<title>convscope explorer</title>"));
        assertEquals(200, request("GET", "/api/model", host(), "convscope_token=" + server.token(), null).status());
    }

    @Test
    void hostHeaderIsChecked() throws IOException {
        String t = "/api/model?token=" + server.token();
        assertEquals(403, request("GET", t, "evil.example:" + server.port(), null, null).status());
        assertEquals(403, request("GET", t, "127.0.0.1:1", null, null).status());
        assertEquals(200, request("GET", t, "localhost:" + server.port(), null, null).status());
    }

    @Test
    void noPathOutsideTheServedFolders() throws IOException {
        for (String p : List.of("/static/../pom.xml", "/static/%2e%2e/pom.xml", "/static/%2E%2E%2Fpom.xml", "/static/..%2fpom.xml",
                "/static/%5c..%5cpom.xml", "/m/x/../../etc/passwd")) {
            Response r = get(p);
            assertTrue(r.status() == 400 || r.status() == 404, p + " gave " + r.status());
            assertFalse(r.text().contains("<project"), p);
        }
        for (String id : List.of("samples/../../pom.xml", "samples/%2e%2e/%2e%2e/pom.xml", "dir/link.png", "dir/../secret.txt",
                "upload/../images/link.png", "/etc/passwd", "dir//etc/passwd")) {
            Response r = get("/api/image.png?image=" + (id.contains("%") ? id : q(id)));
            assertEquals(400, r.status(), id);
            assertTrue(r.text().contains("no such image"), id + ": " + r.text());
            assertFalse(r.text().contains("TOPSECRET"));
        }
    }

    @Test
    void viewsAnswerWithTheLibrarysNumbers() throws IOException {
        JsonObject m = get("/api/model").json();
        assertEquals(explorer.network().nodes().size(), m.getAsJsonArray("layers").size());
        JsonObject p = get("/api/predict?image=" + q(SNEAKER)).json();
        assertEquals(7, p.getAsJsonArray("top").get(0).getAsJsonObject().get("index").getAsInt());
        // the same probabilities as predict's full pass (the explorer restarts from the last conv block)
        var ref = new io.convscope.probe.PredictRequest(List.of("../" + SNEAKER), 5, io.convscope.image.Resize.CROP, 1)
                .run(List.of(Path.of("../" + SNEAKER)), explorer.network(), Device.cpu(), null).get(0).top();
        for (int k = 0; k < 5; k++) {
            JsonObject t = p.getAsJsonArray("top").get(k).getAsJsonObject();
            assertEquals(ref.get(k).index(), t.get("index").getAsInt());
            assertEquals(ref.get(k).probability(), t.get("probability").getAsFloat(), 1e-6f);
        }
        JsonObject l = get("/api/layer?image=" + q(SNEAKER) + "&layer=block1_conv1").json();
        double mean = explorer.withLayer(SNEAKER, "block1_conv1", a -> a.stats().get(0).layer().mean());
        assertEquals(mean, l.getAsJsonObject("stats").get("mean").getAsDouble(), 1e-12);
        Response grid = get("/api/grid.png?image=" + q(SNEAKER) + "&layer=block1_conv1&colormap=gray&norm=minmax");
        assertEquals(200, grid.status(), grid.text());
        BufferedImage g = ImageIO.read(new ByteArrayInputStream(grid.body()));
        JsonObject lay = l.getAsJsonObject("grid");
        assertEquals(g.getWidth() >= lay.get("width").getAsInt() + 16, true);
        Response unit = get("/api/unit.png?image=" + q(SNEAKER) + "&layer=block1_conv1&c=3");
        BufferedImage u = ImageIO.read(new ByteArrayInputStream(unit.body()));
        assertEquals(28, u.getWidth());
        Response bad = get("/api/unit?image=" + q(SNEAKER) + "&layer=block1_conv1&c=999");
        assertEquals(400, bad.status());
        assertTrue(bad.text().contains("channel 999 is out of range"), bad.text());
        assertEquals(400, get("/api/grid.png?image=" + q(SNEAKER) + "&layer=block1_conv1&colormap=nope").status());
        Response cam = get("/api/explain.png?image=" + q(SNEAKER) + "&method=gradcam&target=7");
        assertEquals(200, cam.status(), cam.text());
    }

    /**
     * The unit view's projection: Zeiler &amp; Fergus's deconvnet of the unit's largest activation in the
     * image, pixel for pixel the library's (a walk of its own, with its own copy of the weights, at the
     * position found here by brute force), drawn at the input's size; grey (zero) outside the unit's
     * receptive field and not grey inside it.
     */
    @Test
    void theProjectionIsTheLibrarysDeconvnetOfTheStrongestActivation() throws IOException {
        String layer = "block2_conv1";
        int c = 5;
        var net = explorer.network();
        float[] values = explorer.withLayer(SNEAKER, layer, l -> l.values().get(0));
        int[] hw = explorer.withLayer(SNEAKER, layer, l -> new int[] {l.height(), l.width()});
        int plane = hw[0] * hw[1];
        int best = 0;
        for (int i = 0; i < plane; i++) {
            if (values[c * plane + i] > values[c * plane + best]) {
                best = i;
            }
        }
        int y = best / hw[1];
        int x = best % hw[1];
        assertTrue(values[c * plane + best] > 0, "unit " + c + " is active on the sneaker");
        JsonObject at = get("/api/unit?image=" + q(SNEAKER) + "&layer=" + layer + "&c=" + c).json().getAsJsonObject("strongest");
        assertEquals(y, at.get("y").getAsInt());
        assertEquals(x, at.get("x").getAsInt());
        assertEquals(values[c * plane + best], at.get("value").getAsFloat());

        Response r = get("/api/projection.png?image=" + q(SNEAKER) + "&layer=" + layer + "&c=" + c);
        assertEquals(200, r.status(), r.text());
        BufferedImage got = ImageIO.read(new ByteArrayInputStream(r.body()));
        var t = explorer.forward(SNEAKER).tensor();
        float[] g;
        try (var walk = new io.convscope.explain.Backprop(net, Device.cpu())) {
            g = io.convscope.atlas.Projections.deconvnet(walk, net, layer,
                    List.of(new io.convscope.atlas.Projections.Request(t.data(), c, y, x)), t.c(), t.h(), t.w())[0];
        }
        BufferedImage want = io.convscope.atlas.Projections.picture(g, t.c(), t.h(), t.w());
        assertEquals(t.w(), got.getWidth());
        assertEquals(t.h(), got.getHeight());
        var box = io.convscope.atlas.ReceptiveField.of(net, layer, y, x);
        int inside = 0;
        for (int py = 0; py < t.h(); py++) {
            for (int px = 0; px < t.w(); px++) {
                int rgb = got.getRGB(px, py) & 0xffffff;
                assertEquals(want.getRGB(px, py) & 0xffffff, rgb, "pixel " + px + "," + py);
                boolean in = py >= box.top() && py <= box.bottom() && px >= box.left() && px <= box.right();
                if (!in) {
                    assertEquals(0x808080, rgb, "outside the receptive field at " + px + "," + py);
                } else if (rgb != 0x808080) {
                    inside++;
                }
            }
        }
        assertTrue(inside > 0, "the projection shows something inside " + box);
        // another unit, another picture; a bad unit, one line
        assertFalse(java.util.Arrays.equals(r.body(), get("/api/projection.png?image=" + q(SNEAKER) + "&layer=" + layer + "&c=6").body()));
        Response bad = get("/api/projection.png?image=" + q(SNEAKER) + "&layer=" + layer + "&c=-1");
        assertEquals(400, bad.status());
        assertTrue(bad.text().contains("channel -1 is out of range"), bad.text());
    }

    static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Png.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), out);
        return out.toByteArray();
    }

    @Test
    void uploadsAreLimitedAndCheckedAndTheServerKeepsServing() throws IOException {
        Response ok = post("/api/upload?name=a.png", png(40, 30));
        assertEquals(200, ok.status(), ok.text());
        String id = ok.json().get("image").getAsString();
        assertEquals(200, get("/api/predict?image=" + q(id)).status());

        Response notImage = post("/api/upload?name=x.png", "hello, not an image".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, notImage.status());
        assertTrue(notImage.text().contains("not a PNG, JPEG, BMP or GIF"), notImage.text());

        byte[] truncated = java.util.Arrays.copyOf(png(64, 64), 60);
        Response broken = post("/api/upload?name=t.png", truncated);
        assertEquals(400, broken.status(), broken.text());

        // a PNG header announcing 100 000 × 100 000 pixels: refused from the header, never decoded
        byte[] big = png(1, 1);
        java.nio.ByteBuffer.wrap(big, 16, 8).putInt(100_000).putInt(100_000);
        Response huge = post("/api/upload?name=big.png", big);
        assertEquals(400, huge.status());
        assertTrue(huge.text().contains("megapixels"), huge.text());

        Response tooLong = request("POST", "/api/upload?token=" + server.token(), host(), null, new byte[0]);
        assertEquals(400, tooLong.status());
        assertEquals(200, get("/api/model").status(), "still serving");
    }

    @Test
    void fiftyConcurrentQuickViews() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Integer>> all = new ArrayList<>();
            String[] layers = {"block1_conv1", "block1_conv2", "block2_conv1", "block2_pool"};
            for (int i = 0; i < 50; i++) {
                String img = "samples/fashion-mnist/" + List.of("0_t-shirt.png", "1_trouser.png", "7_sneaker.png").get(i % 3);
                String layer = layers[i % layers.length];
                String path = switch (i % 4) {
                    case 0 -> "/api/grid.png?image=" + q(img) + "&layer=" + layer;
                    case 1 -> "/api/layer?image=" + q(img) + "&layer=" + layer;
                    case 2 -> "/api/unit.png?image=" + q(img) + "&layer=" + layer + "&c=1";
                    default -> "/api/predict?image=" + q(img);
                };
                all.add(pool.submit(() -> get(path).status()));
            }
            for (Future<Integer> f : all) {
                assertEquals(200, f.get(120, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aJobStreamsProgressAndCancels() throws Exception {
        Response started = post("/api/jobs?kind=featurevis&layer=block2_conv1&c=0&steps=2000", null);
        assertEquals(200, started.status(), started.text());
        String id = started.json().get("id").getAsString();
        List<String> events = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET /api/jobs/" + id + "/events?token=" + server.token() + " HTTP/1.1\r\nHost: " + host()
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            boolean cancelled = false;
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                events.add(line);
                JsonObject j = JsonParser.parseString(line.substring(6)).getAsJsonObject();
                if (!cancelled && j.get("done").getAsLong() >= 3) {
                    assertEquals(200, post("/api/jobs/" + id + "/cancel", null).status());
                    cancelled = true;
                }
                String state = j.get("state").getAsString();
                if (state.equals("cancelled") || state.equals("done") || state.equals("failed")) {
                    assertEquals("cancelled", state, line);
                    assertTrue(j.get("done").getAsLong() < 2000, "stopped before the end");
                    break;
                }
            }
        }
        assertTrue(events.size() >= 2, "progress events: " + events);
        assertEquals(404, get("/api/jobs/" + id + "/result.png").status());
        assertEquals(0, get("/api/stats").json().get("jobsRunning").getAsInt());
        assertEquals(400, post("/api/jobs?kind=featurevis&layer=nope&c=0", null).status());
    }

    @Test
    void aFeatureVisualizationIsCachedForItsUnit() throws Exception {
        Response started = post("/api/jobs?kind=featurevis&layer=block1_conv1&c=2&steps=4", null);
        String id = started.json().get("id").getAsString();
        long end = System.nanoTime() + 60_000_000_000L;
        String state;
        do {
            Thread.sleep(100);
            state = get("/api/jobs/" + id).json().get("state").getAsString();
        } while (!state.equals("done") && !state.equals("failed") && System.nanoTime() < end);
        assertEquals("done", state);
        Response r = get("/api/featurevis.png?layer=block1_conv1&c=2&steps=4");
        assertEquals(200, r.status());
        assertNotNull(ImageIO.read(new ByteArrayInputStream(r.body())));
    }

    @Test
    void badServeOptionsGiveOneLine() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.convscope.cli.Main.run(new String[] {"serve", "--port", "70000"}, new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertEquals(1, code);
        assertEquals("convscope: error: --port must be between 0 and 65535", err.toString().strip());
        err.getBuffer().setLength(0);
        code = io.convscope.cli.Main.run(new String[] {"serve", "--images", work.resolve("none").toString()}, new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));
        assertEquals(1, code);
        assertTrue(err.toString().strip().endsWith("not a folder"), err.toString());
    }

    @Test
    void theAtlasPageOfAUnitIsLinkedAndServedAndNothingElse() throws IOException {
        JsonObject u = get("/api/unit?image=" + q(SNEAKER) + "&layer=block1_conv1&c=3").json();
        assertEquals("/atlas/block1_conv1/3/index.html", u.get("atlas").getAsString());
        assertFalse(get("/api/unit?image=" + q(SNEAKER) + "&layer=block1_conv1&c=4").json().has("atlas"));
        Response page = get("/atlas/block1_conv1/3/index.html");
        assertEquals(200, page.status());
        assertTrue(page.text().contains("atlas page of unit 3"));
        assertTrue(page.headers().contains("content-type: text/html"));
        for (String p : List.of("/atlas/../secret.txt", "/atlas/%2e%2e/secret.txt", "/atlas/block1_conv1/3/../../../secret.txt", "/atlas/")) {
            Response r = get(p);
            assertEquals(400, r.status(), p);
            assertFalse(r.text().contains("TOPSECRET"), p);
        }
    }
}
