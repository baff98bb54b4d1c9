package io.convscope.serve;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.convscope.embedded.EmbeddedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explorer's page in a real headless Chromium, driven through chromedriver's W3C WebDriver
 * protocol (a few JSON calls over HTTP, so no Selenium jars are needed): load the page, pick a
 * layer, click a unit in the grid, start and cancel a job, upload an image, and check what the page
 * shows against the library's numbers. Screenshots of each view go to {@code target/explorer/}.
 * Skips when chromium or chromedriver is absent (CI's {@code .ci/run} installs both).
 */
@Tag("slow")
class ExplorerBrowserTest {
    static Path work;
    static Explorer explorer;
    static ExplorerServer server;
    static Process driver;
    static String base;
    static String session;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Gson GSON = new Gson();
    static final Path SHOTS = Path.of("target/explorer");

    static Path which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @BeforeAll
    static void start() throws Exception {
        Path chromium = which("chromium");
        Path chromedriver = which("chromedriver");
        Assumptions.assumeTrue(chromium != null && chromedriver != null,
                "browser tests skipped: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        work = Files.createTempDirectory("serve-browser-");
        explorer = new Explorer(EmbeddedModel.load(), Device.cpu(), null, Path.of("../samples"), Files.createDirectories(work.resolve("w")), null);
        server = new ExplorerServer(explorer, "127.0.0.1", 0, false);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port).redirectErrorStream(true)
                .redirectOutput(work.resolve("chromedriver.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        waitFor(() -> {
            try {
                return call("GET", "/status", null).getAsJsonObject("value").get("ready").getAsBoolean();
            } catch (Exception e) {
                return false;
            }
        }, 20_000, "chromedriver did not start");
        Map<String, Object> caps = Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", chromium.toString(), "args", List.of("--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--window-size=1400,1000", "--user-data-dir=" + Files.createDirectories(work.resolve("profile")))))));
        session = call("POST", "/session", caps).getAsJsonObject("value").get("sessionId").getAsString();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (session != null) {
            try {
                call("DELETE", "/session/" + session, null);
            } catch (Exception ignored) {
                // the process goes below
            }
        }
        if (driver != null) {
            driver.destroy();
            driver.waitFor();
        }
        if (server != null) {
            server.close();
            explorer.close();
        }
    }

    static JsonObject call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        b = switch (method) {
            case "POST" -> b.POST(HttpRequest.BodyPublishers.ofString(GSON.toJson(body == null ? Map.of() : body)));
            case "DELETE" -> b.DELETE();
            default -> b.GET();
        };
        HttpResponse<String> r = HTTP.send(b.header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + ": " + r.body());
        }
        return o;
    }

    static JsonElement js(String script, Object... args) throws Exception {
        return call("POST", "/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of(args))).get("value");
    }

    static String element(String css) throws Exception {
        JsonObject v = call("POST", "/session/" + session + "/element", Map.of("using", "css selector", "value", css)).getAsJsonObject("value");
        return v.entrySet().iterator().next().getValue().getAsString();
    }

    static void click(String css) throws Exception {
        call("POST", "/session/" + session + "/element/" + element(css) + "/click", Map.of());
    }

    static void waitFor(BooleanSupplier ok, long ms, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError(what);
            }
            Thread.sleep(100);
        }
    }

    static void waitJs(String condition, String what) throws InterruptedException {
        try {
            waitJs0(condition, what);
        } catch (AssertionError e) {
            throw new AssertionError(what + " (page: " + pageState() + ")");
        }
    }

    static void waitJs0(String condition, String what) throws InterruptedException {
        waitFor(() -> {
            try {
                return js("return !!(" + condition + ");").getAsBoolean();
            } catch (Exception e) {
                return false;
            }
        }, 60_000, what);
    }

    /** What the page shows when a wait fails: its message, image, path (and a screenshot failure.png). */
    static String pageState() {
        try {
            screenshot("failure");
            return js("return location.pathname + ' · image ' + document.querySelector('#image-select').value + ' · message '"
                    + " + document.querySelector('#message').textContent;").getAsString();
        } catch (Exception e) {
            return "unknown: " + e;
        }
    }

    static BufferedImage screenshot(String name) throws Exception {
        String b64 = call("GET", "/session/" + session + "/screenshot", null).get("value").getAsString();
        byte[] png = Base64.getDecoder().decode(b64);
        Files.write(SHOTS.resolve(name + ".png"), png);
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    static String text(String css) throws Exception {
        return js("return document.querySelector(arguments[0]).textContent;", css).getAsString();
    }

    @Test
    void theExplorerInChromium() throws Exception {
        call("POST", "/session/" + session + "/url", Map.of("url", server.url()));
        waitJs("document.body.dataset.ready && document.querySelector('#grid').naturalWidth > 0 "
                + "&& document.querySelectorAll('#predictions li').length == 5", "the page did not show a grid and predictions");
        // model table: every node, in order
        assertEquals(explorer.network().nodes().size(), js("return document.querySelectorAll('#layers tbody tr').length;").getAsInt());
        // predictions as the library computes them
        String first = explorer.imageIds().get(0);
        var top = explorer.predictions(first);
        @SuppressWarnings("unchecked")
        var best = (Map<String, Object>) ((List<?>) top.get("top")).get(0);
        assertTrue(text("#predictions li").startsWith((String) best.get("label")), text("#predictions li"));
        // the input decoded at the model's size
        assertEquals(28, js("return document.querySelector('#input-img').naturalWidth;").getAsInt());
        screenshot("1-model-image-layer");

        // pick another layer: the grid and statistics change to it
        click("#layers tr[data-layer='block2_conv1']");
        waitJs("document.querySelector('#layer-name').textContent.startsWith('block2_conv1')", "layer not shown");
        int channels = explorer.withLayer(first, "block2_conv1", l -> l.channels());
        assertTrue(text("#layer-name").contains(channels + " channels"), text("#layer-name"));
        double mean = explorer.withLayer(first, "block2_conv1", l -> l.stats().get(0).layer().mean());
        assertTrue(text("#layer-stats").contains(String.format(java.util.Locale.ROOT, "mean %.3f", mean)), text("#layer-stats"));
        screenshot("2-layer");

        // click the third tile of the grid: unit 2, with its stable URL
        js("const g = document.querySelector('#grid'); const L = S.grid;"
                + "const x = (L.left + 2 * (L.cellWidth + L.gap) + L.cellWidth / 2) * g.clientWidth / g.naturalWidth;"
                + "const y = (g.naturalHeight - L.bottom - L.height + L.cellHeight / 2) * g.clientHeight / g.naturalHeight;"
                + "g.dispatchEvent(new MouseEvent('click', {bubbles: true}));"
                + "gridClick({offsetX: x, offsetY: y});");
        waitJs("location.pathname.endsWith('/layer/block2_conv1/unit/2') && document.querySelector('#unit-overlay').naturalWidth > 0",
                "unit view not shown");
        assertEquals(28, js("return document.querySelector('#unit-overlay').naturalWidth;").getAsInt());
        // the deconvnet projection beside the map, decoded at the input's size, labelled with its position
        waitJs("document.querySelector('#unit-proj').naturalWidth > 0", "no projection shown");
        assertEquals(List.of(28, 28), List.of(js("return document.querySelector('#unit-proj').naturalWidth;").getAsInt(),
                js("return document.querySelector('#unit-proj').naturalHeight;").getAsInt()));
        assertTrue(text("#unit-proj-fig figcaption").startsWith("deconvnet projection"), text("#unit-proj-fig figcaption"));
        screenshot("3-unit");

        // a feature visualization job: progress, then cancel
        js("document.querySelector('#fv-steps').value = '2000';");
        click("#fv-start");
        waitJs("document.querySelector('#fv-progress').value >= 2", "no progress shown");
        click("#fv-cancel");
        waitJs("document.querySelector('#fv-state').textContent.startsWith('cancelled')", "job not cancelled");
        screenshot("4-job-cancelled");

        // the stable URL opens the same unit in a fresh load
        call("POST", "/session/" + session + "/url", Map.of("url", "http://127.0.0.1:" + server.port() + "/m/" + explorer.modelName()
                + "/layer/block1_conv2/unit/5"));
        waitJs("document.body.dataset.ready && document.querySelector('#unit-name').textContent == 'block1_conv2 channel 5' "
                + "&& document.querySelector('#unit-overlay').naturalWidth > 0", "stable URL did not open the unit");

        // upload through the file input; then a file that is no image gives a message and the page keeps working
        Path up = work.resolve("upload.png");
        io.convscope.render.Png.write(up, new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB));
        call("POST", "/session/" + session + "/element/" + element("#file") + "/value", Map.of("text", up.toString()));
        // the page clears the file input once the upload's views have loaded (before that, they may still clear the message)
        waitJs("document.querySelector('#image-select').value.startsWith('upload/') && document.querySelector('#file').value === ''",
                "upload not selected");
        Path bad = work.resolve("bad.png");
        Files.writeString(bad, "not an image");
        call("POST", "/session/" + session + "/element/" + element("#file") + "/value", Map.of("text", bad.toString()));
        waitJs("!document.querySelector('#message').hidden && document.querySelector('#message').textContent.includes('not a PNG')",
                "no message for a bad upload");
        screenshot("5-upload-message");

        // explain: Grad-CAM overlay of the top class
        click("#tabs button[data-tab='explain-view']");
        waitJs("document.querySelector('#ex-img').naturalWidth > 0", "no attribution shown");
        assertEquals("gradcam", js("return document.querySelector('#ex-method').value;").getAsString());
        assertTrue(js("return document.querySelector('#message').hidden;").getAsBoolean(), "the message goes once a view answers");
        assertEquals(28, js("return document.querySelector('#ex-img').naturalWidth;").getAsInt());
        screenshot("6-explain");
    }
}
