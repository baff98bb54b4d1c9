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
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explorer's page in a real headless Firefox (Debian's {@code firefox-esr}), driven over WebDriver
 * BiDi, which Firefox speaks itself on a WebSocket ({@code --remote-debugging-port}): no geckodriver,
 * no Selenium, just JSON commands over the JDK's {@link WebSocket}. The same checks as the Chromium
 * test ({@link ExplorerBrowserTest}): load the page, pick a layer, click a unit in the grid (a real
 * pointer click), see its projection, start and cancel a job, open the stable URL, upload an image
 * through the file input ({@code input.setFiles}), a bad upload's message, the Grad-CAM view.
 * Screenshots go to {@code target/explorer/firefox-*.png}. Skips when firefox-esr (or firefox) is
 * absent ({@code .ci/run} installs it).
 *
 * <p>The profile keeps Firefox off the network: every proxy points at a closed local port, so nothing
 * but the explorer on 127.0.0.1 (never proxied) can be reached.
 */
@Tag("slow")
class ExplorerFirefoxTest {
    static Path work;
    static Explorer explorer;
    static ExplorerServer server;
    static Process firefox;
    static Bidi bidi;
    static String context;
    static final Gson GSON = new Gson();
    static final Path SHOTS = Path.of("target/explorer");

    /**
     * One WebDriver BiDi connection: a command is {@code {id, method, params}}; its answer carries the
     * same id with {@code type} "success" (and a {@code result}) or "error" (and {@code error}, {@code
     * message}); events (no id) are not needed here and are dropped.
     */
    static final class Bidi implements WebSocket.Listener, AutoCloseable {
        private final WebSocket socket;
        private final AtomicLong ids = new AtomicLong();
        private final Map<Long, CompletableFuture<JsonObject>> waiting = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();

        Bidi(URI uri) throws Exception {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, this).get(20, TimeUnit.SECONDS);
        }

        JsonObject send(String method, Object params) throws Exception {
            long id = ids.incrementAndGet();
            CompletableFuture<JsonObject> answer = new CompletableFuture<>();
            waiting.put(id, answer);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("method", method);
            m.put("params", params);
            socket.sendText(GSON.toJson(m), true).get(20, TimeUnit.SECONDS);
            JsonObject r = answer.get(120, TimeUnit.SECONDS);
            if (!"success".equals(r.get("type").getAsString())) {
                throw new IllegalStateException(method + ": " + r.get("error") + ": " + r.get("message"));
            }
            return r.getAsJsonObject("result");
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject m = JsonParser.parseString(partial.toString()).getAsJsonObject();
                partial.setLength(0);
                JsonElement id = m.get("id");
                if (id != null && !id.isJsonNull()) {
                    CompletableFuture<JsonObject> f = waiting.remove(id.getAsLong());
                    if (f != null) {
                        f.complete(m);
                    }
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            fail(new IllegalStateException("Firefox closed the connection: " + status + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            fail(error);
        }

        private void fail(Throwable t) {
            waiting.values().forEach(f -> f.completeExceptionally(t));
            waiting.clear();
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path ff = ExplorerBrowserTest.which("firefox-esr");
        if (ff == null) {
            ff = ExplorerBrowserTest.which("firefox");
        }
        Assumptions.assumeTrue(ff != null, "Firefox test skipped: firefox-esr is not installed (apt-get install firefox-esr)");
        work = Files.createTempDirectory("serve-firefox-");
        explorer = new Explorer(EmbeddedModel.load(), Device.cpu(), null, Path.of("../samples"), Files.createDirectories(work.resolve("w")), null);
        server = new ExplorerServer(explorer, "127.0.0.1", 0, false);
        Path profile = Files.createDirectories(work.resolve("profile"));
        Files.writeString(profile.resolve("user.js"), String.join("\n",
                "user_pref(\"network.proxy.type\", 1);",
                "user_pref(\"network.proxy.http\", \"127.0.0.1\");",
                "user_pref(\"network.proxy.http_port\", 9);",
                "user_pref(\"network.proxy.ssl\", \"127.0.0.1\");",
                "user_pref(\"network.proxy.ssl_port\", 9);",
                "user_pref(\"network.proxy.socks_remote_dns\", false);",
                "user_pref(\"network.dns.disablePrefetch\", true);",
                "user_pref(\"network.prefetch-next\", false);",
                "user_pref(\"network.captive-portal-service.enabled\", false);",
                "user_pref(\"network.connectivity-service.enabled\", false);",
                "user_pref(\"app.update.disabledForTesting\", true);",
                "user_pref(\"browser.safebrowsing.update.enabled\", false);",
                "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
                "user_pref(\"toolkit.telemetry.enabled\", false);",
                "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
                "user_pref(\"browser.startup.page\", 0);",
                "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");",
                "") + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = work.resolve("firefox.log");
        ProcessBuilder pb = new ProcessBuilder(ff.toString(), "--headless", "--no-remote", "--profile", profile.toString(),
                "--remote-debugging-port", Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HOME", work.toString());
        firefox = pb.start();
        ExplorerBrowserTest.waitFor(() -> {
            try {
                return Files.readString(log).contains("WebDriver BiDi listening on") || !firefox.isAlive();
            } catch (java.io.IOException e) {
                return false;
            }
        }, 90_000, "Firefox did not open its WebDriver BiDi port");
        assertTrue(firefox.isAlive(), "Firefox ended: " + Files.readString(log));
        bidi = new Bidi(URI.create("ws://127.0.0.1:" + port + "/session"));
        bidi.send("session.new", Map.of("capabilities", Map.of()));
        var contexts = bidi.send("browsingContext.getTree", Map.of("maxDepth", 0)).getAsJsonArray("contexts");
        context = contexts.isEmpty()
                ? bidi.send("browsingContext.create", Map.of("type", "tab")).get("context").getAsString()
                : contexts.get(0).getAsJsonObject().get("context").getAsString();
        bidi.send("browsingContext.setViewport", Map.of("context", context, "viewport", Map.of("width", 1400, "height", 1000)));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bidi != null) {
            try {
                bidi.send("session.end", Map.of());
            } catch (Exception ignored) {
                // the process goes below
            }
            bidi.close();
        }
        if (firefox != null) {
            List<ProcessHandle> children = firefox.descendants().toList();
            firefox.destroy();
            if (!firefox.waitFor(20, TimeUnit.SECONDS)) {
                firefox.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroy);
        }
        if (server != null) {
            server.close();
            explorer.close();
        }
    }

    static void navigate(String url) throws Exception {
        bidi.send("browsingContext.navigate", Map.of("context", context, "url", url, "wait", "complete"));
    }

    /** The value of a JavaScript expression in the page, through JSON (null for undefined). */
    static JsonElement js(String expression) throws Exception {
        JsonObject r = bidi.send("script.evaluate", Map.of("expression", "JSON.stringify(" + expression + ")",
                "target", Map.of("context", context), "awaitPromise", false));
        if ("exception".equals(r.get("type").getAsString())) {
            throw new IllegalStateException(expression + ": " + r.getAsJsonObject("exceptionDetails").get("text"));
        }
        JsonObject v = r.getAsJsonObject("result");
        return v.has("value") ? JsonParser.parseString(v.get("value").getAsString()) : null;
    }

    static String text(String css) throws Exception {
        return js("document.querySelector(" + GSON.toJson(css) + ").textContent").getAsString();
    }

    /** The BiDi reference of an element (its sharedId). */
    static String element(String css) throws Exception {
        JsonObject r = bidi.send("script.evaluate", Map.of("expression", "document.querySelector(" + GSON.toJson(css) + ")",
                "target", Map.of("context", context), "awaitPromise", false, "serializationOptions", Map.of("maxDomDepth", 0)));
        JsonObject v = r.getAsJsonObject("result");
        assertEquals("node", v.get("type").getAsString(), css);
        return v.get("sharedId").getAsString();
    }

    /** A real mouse click at ({@code dx}, {@code dy}) in the element's box (its centre when negative), scrolled into view. */
    static void click(String css, double dx, double dy) throws Exception {
        JsonElement at = js("(() => { const e = document.querySelector(" + GSON.toJson(css) + "); e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect(); return [r.left + (" + dx + " < 0 ? r.width / 2 : " + dx + "),"
                + " r.top + (" + dy + " < 0 ? r.height / 2 : " + dy + ")]; })()");
        int x = (int) Math.floor(at.getAsJsonArray().get(0).getAsDouble());
        int y = (int) Math.floor(at.getAsJsonArray().get(1).getAsDouble());
        bidi.send("input.performActions", Map.of("context", context, "actions", List.of(Map.of("type", "pointer", "id", "mouse",
                "parameters", Map.of("pointerType", "mouse"), "actions", List.of(
                        Map.of("type", "pointerMove", "x", x, "y", y, "origin", "viewport"),
                        Map.of("type", "pointerDown", "button", 0),
                        Map.of("type", "pointerUp", "button", 0))))));
    }

    static void click(String css) throws Exception {
        click(css, -1, -1);
    }

    static void waitJs(String condition, String what) throws Exception {
        try {
            ExplorerBrowserTest.waitFor(() -> {
                try {
                    JsonElement v = js("!!(" + condition + ")");
                    return v != null && v.getAsBoolean();
                } catch (Exception e) {
                    return false;
                }
            }, 60_000, what);
        } catch (AssertionError e) {
            String state;
            try {
                screenshot("failure");
                state = js("location.pathname + ' · image ' + document.querySelector('#image-select').value + ' · message '"
                        + " + document.querySelector('#message').textContent").getAsString();
            } catch (Exception x) {
                state = "unknown: " + x;
            }
            throw new AssertionError(what + " (page: " + state + ")");
        }
    }

    static BufferedImage screenshot(String name) throws Exception {
        String b64 = bidi.send("browsingContext.captureScreenshot", Map.of("context", context)).get("data").getAsString();
        byte[] png = Base64.getDecoder().decode(b64);
        Files.write(SHOTS.resolve("firefox-" + name + ".png"), png);
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    /** Chooses a file in the page's file input as a user would (the browser reads it from disk). */
    static void chooseFile(Path file) throws Exception {
        bidi.send("input.setFiles", Map.of("context", context, "element", Map.of("sharedId", element("#file")),
                "files", List.of(file.toAbsolutePath().toString())));
    }

    @Test
    void theExplorerInFirefox() throws Exception {
        navigate(server.url());
        String ua = js("navigator.userAgent").getAsString();
        assertTrue(ua.contains("Firefox/"), ua);
        waitJs("document.body.dataset.ready && document.querySelector('#grid').naturalWidth > 0 "
                + "&& document.querySelectorAll('#predictions li').length == 5", "the page did not show a grid and predictions");
        assertEquals(explorer.network().nodes().size(), js("document.querySelectorAll('#layers tbody tr').length").getAsInt());
        String first = explorer.imageIds().get(0);
        @SuppressWarnings("unchecked")
        var best = (Map<String, Object>) ((List<?>) explorer.predictions(first).get("top")).get(0);
        assertTrue(text("#predictions li").startsWith((String) best.get("label")), text("#predictions li"));
        assertEquals(28, js("document.querySelector('#input-img').naturalWidth").getAsInt());
        BufferedImage shot = screenshot("1-model-image-layer");
        assertEquals(1400, shot.getWidth());

        // pick another layer by clicking its row
        click("#layers tr[data-layer='block2_conv1']");
        waitJs("document.querySelector('#layer-name').textContent.startsWith('block2_conv1')", "layer not shown");
        int channels = explorer.withLayer(first, "block2_conv1", l -> l.channels());
        assertTrue(text("#layer-name").contains(channels + " channels"), text("#layer-name"));
        double mean = explorer.withLayer(first, "block2_conv1", l -> l.stats().get(0).layer().mean());
        assertTrue(text("#layer-stats").contains(String.format(Locale.ROOT, "mean %.3f", mean)), text("#layer-stats"));
        waitJs("document.querySelector('#grid').naturalWidth > 0 && S.grid", "grid not shown");
        screenshot("2-layer");

        // a real click in the middle of the third tile of the grid: unit 2, with its stable URL
        JsonElement xy = js("(() => { const g = document.querySelector('#grid'); const L = S.grid;"
                + " return [(L.left + 2 * (L.cellWidth + L.gap) + L.cellWidth / 2) * g.clientWidth / g.naturalWidth,"
                + " (g.naturalHeight - L.bottom - L.height + L.cellHeight / 2) * g.clientHeight / g.naturalHeight]; })()");
        click("#grid", xy.getAsJsonArray().get(0).getAsDouble(), xy.getAsJsonArray().get(1).getAsDouble());
        waitJs("location.pathname.endsWith('/layer/block2_conv1/unit/2') && document.querySelector('#unit-overlay').naturalWidth > 0",
                "unit view not shown");
        assertEquals(28, js("document.querySelector('#unit-overlay').naturalWidth").getAsInt());
        waitJs("document.querySelector('#unit-proj').naturalWidth > 0", "no projection shown");
        assertEquals(List.of(28, 28), List.of(js("document.querySelector('#unit-proj').naturalWidth").getAsInt(),
                js("document.querySelector('#unit-proj').naturalHeight").getAsInt()));
        assertTrue(text("#unit-proj-fig figcaption").startsWith("deconvnet projection"), text("#unit-proj-fig figcaption"));
        screenshot("3-unit");

        // a feature visualization job: progress, then cancel
        js("document.querySelector('#fv-steps').value = '2000'");
        click("#fv-start");
        waitJs("document.querySelector('#fv-progress').value >= 2", "no progress shown");
        click("#fv-cancel");
        waitJs("document.querySelector('#fv-state').textContent.startsWith('cancelled')", "job not cancelled");
        screenshot("4-job-cancelled");

        // the stable URL opens the same unit in a fresh load (the cookie carries the token)
        navigate("http://127.0.0.1:" + server.port() + "/m/" + explorer.modelName() + "/layer/block1_conv2/unit/5");
        waitJs("document.body.dataset.ready && document.querySelector('#unit-name').textContent == 'block1_conv2 channel 5' "
                + "&& document.querySelector('#unit-overlay').naturalWidth > 0", "stable URL did not open the unit");

        // upload through the file input; then a file that is no image gives a message and the page keeps working
        Path up = work.resolve("upload.png");
        io.convscope.render.Png.write(up, new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB));
        chooseFile(up);
        // the page clears the file input once the upload's views have loaded (before that, they may still clear the message)
        waitJs("document.querySelector('#image-select').value.startsWith('upload/') && document.querySelector('#file').value === ''",
                "upload not selected");
        Path bad = work.resolve("bad.png");
        Files.writeString(bad, "not an image", StandardCharsets.UTF_8);
        chooseFile(bad);
        waitJs("!document.querySelector('#message').hidden && document.querySelector('#message').textContent.includes('not a PNG')",
                "no message for a bad upload");
        screenshot("5-upload-message");

        // explain: Grad-CAM overlay of the top class
        click("#tabs button[data-tab='explain-view']");
        waitJs("document.querySelector('#ex-img').naturalWidth > 0", "no attribution shown");
        assertEquals("gradcam", js("document.querySelector('#ex-method').value").getAsString());
        assertTrue(js("document.querySelector('#message').hidden").getAsBoolean(), "the message goes once a view answers");
        assertEquals(28, js("document.querySelector('#ex-img').naturalWidth").getAsInt());
        screenshot("6-explain");
    }
}
