package io.convscope.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.convscope.ConvscopeException;
import io.convscope.activations.LayerStats;
import io.convscope.render.Colormap;
import io.convscope.render.Normalization;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The explorer's HTTP side, on the JDK's {@link HttpServer}: a local server for one user needs no
 * more (no new dependency, no TLS, no HTTP/2), and a fixed pool of threads with a bounded queue keeps
 * it from taking more than a few cores and a little heap however many tabs ask at once.
 *
 * <p>Every request passes the same gate: the Host header must name this server (against DNS
 * rebinding) unless another host was asked for; the path may not hold "..", encoded dots or
 * backslashes; the run's token must come as {@code ?token=} (which sets a cookie) or that cookie;
 * POSTs with an Origin must come from this server. Files are never served by name: the page's three
 * resources come from the jar by a fixed table and images by id through {@link ServedFiles#inside}.
 * A bad input answers 400 with {"error": one line}; the server keeps serving.
 */
public final class ExplorerServer implements AutoCloseable {
    private static final String COOKIE = "convscope_token";
    private static final Map<String, String[]> RESOURCES = Map.of(
            "/static/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/static/app.css", new String[] {"app.css", "text/css; charset=utf-8"});
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final Explorer explorer;
    private final Jobs jobs = new Jobs(1);
    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final String token;
    private final boolean anyHost;
    private final AtomicLong requests = new AtomicLong();

    /**
     * Starts serving {@code explorer} on {@code host}:{@code port} (0: any free port).
     *
     * @param anyHost whether any Host header is accepted (the user chose {@code --host})
     */
    public ExplorerServer(Explorer explorer, String host, int port, boolean anyHost) throws IOException {
        this.explorer = explorer;
        this.anyHost = anyHost;
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.pool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(512), r -> {
            Thread th = new Thread(r, "convscope-http");
            th.setDaemon(true);
            return th;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The port served. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The run's token. */
    public String token() {
        return token;
    }

    /** The URL to open, with the token. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/?token=" + token;
    }

    // ---- the gate ----------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) {
        requests.incrementAndGet();
        try { // not try-with-resources: the exchange must stay open for the error answers below
            String refusal = gate(ex);
            if (refusal != null) {
                String[] r = refusal.split(" ", 2);
                error(ex, Integer.parseInt(r[0]), r[1]);
                return;
            }
            route(ex);
        } catch (ConvscopeException e) {
            quietly(() -> error(ex, 400, e.getMessage()));
        } catch (UncheckedIOException e) {
            // the browser went away
        } catch (RuntimeException | Error e) {
            System.err.println("convscope serve: " + e);
            if (System.getenv("CONVSCOPE_DEBUG") != null) {
                e.printStackTrace();
            }
            quietly(() -> error(ex, 500, "internal error: " + (e instanceof OutOfMemoryError ? "out of memory" : e.toString())));
        } finally {
            ex.close();
        }
    }

    /** "STATUS message" when the request may not pass, else null. */
    private String gate(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        int p = port();
        Set<String> allowed = Set.of("127.0.0.1:" + p, "localhost:" + p, "[::1]:" + p);
        if (!anyHost && (host == null || !allowed.contains(host.toLowerCase(Locale.ROOT)))) {
            return "403 this server answers only to 127.0.0.1:" + p + " or localhost:" + p;
        }
        String raw = ex.getRequestURI().getRawPath();
        String lower = raw == null ? "" : raw.toLowerCase(Locale.ROOT);
        if (raw == null || lower.contains("..") || lower.contains("%2e") || lower.contains("\\") || lower.contains("%5c")
                || lower.contains("%00") || lower.contains("//")) {
            return "400 bad path";
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (!ex.getRequestMethod().equals("GET") && origin != null && !anyHost
                && !Set.of("http://127.0.0.1:" + p, "http://localhost:" + p).contains(origin)) {
            return "403 requests from other sites are refused";
        }
        String given = query(ex).get("token");
        if (given != null && same(given, token)) {
            ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
            return null;
        }
        String cookies = String.join(";", ex.getRequestHeaders().getOrDefault("Cookie", List.of()));
        for (String c : cookies.split(";")) {
            String s = c.strip();
            if (s.startsWith(COOKIE + "=") && same(s.substring(COOKIE.length() + 1), token)) {
                return null;
            }
        }
        return "403 open the address convscope serve printed (it holds the token)";
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    // ---- routes ---------------------------------------------------------------------------------------------

    private void route(HttpExchange ex) throws ConvscopeException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        Map<String, String> q = query(ex);
        if (method.equals("GET") && (path.equals("/") || path.equals("/index.html") || path.startsWith("/m/"))) {
            send(ex, 200, "text/html; charset=utf-8", resource("index.html"));
            return;
        }
        if (method.equals("GET") && RESOURCES.containsKey(path)) {
            String[] r = RESOURCES.get(path);
            send(ex, 200, r[1], resource(r[0]));
            return;
        }
        if (method.equals("GET") && path.startsWith("/atlas/")) {
            atlas(ex, path.substring(7));
            return;
        }
        if (!path.startsWith("/api/")) {
            error(ex, 404, "not found");
            return;
        }
        String api = path.substring(5);
        if (method.equals("POST")) {
            post(ex, api, q);
            return;
        }
        if (!method.equals("GET")) {
            error(ex, 405, "method not allowed");
            return;
        }
        switch (api) {
            case "model" -> json(ex, explorer.modelInfo());
            case "images" -> json(ex, Map.of("images", explorer.imageIds()));
            case "image.png" -> png(ex, explorer.inputPng(need(q, "image")));
            case "predict" -> json(ex, explorer.predictions(need(q, "image")));
            case "layer" -> json(ex, explorer.layerInfo(need(q, "image"), need(q, "layer"),
                    q.containsKey("rank") ? LayerStats.Rank.byName(q.get("rank")) : LayerStats.Rank.SUM));
            case "grid.png" -> png(ex, explorer.gridPng(need(q, "image"), need(q, "layer"), colormap(q), norm(q)));
            case "unit" -> json(ex, explorer.unitInfo(need(q, "image"), need(q, "layer"), integer(q, "c")));
            case "unit.png" -> png(ex, explorer.unitPng(need(q, "image"), need(q, "layer"), integer(q, "c"), colormap(q), norm(q),
                    !"0".equals(q.get("overlay"))));
            case "projection.png" -> png(ex, explorer.projectionPng(need(q, "image"), need(q, "layer"), integer(q, "c")));
            case "explain.png" -> png(ex, explorer.explainPng(need(q, "image"), q.getOrDefault("method", "gradcam"), integer(q, "target")));
            case "featurevis.png" -> {
                byte[] b = explorer.featureVis(need(q, "layer"), integer(q, "c"), steps(q));
                if (b == null) {
                    error(ex, 404, "not computed yet");
                } else {
                    png(ex, b);
                }
            }
            case "stats" -> {
                Runtime rt = Runtime.getRuntime();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("heapUsed", rt.totalMemory() - rt.freeMemory());
                m.put("requests", requests.get());
                m.put("jobsRunning", jobs.running());
                json(ex, m);
            }
            default -> {
                if (api.startsWith("jobs/")) {
                    job(ex, api.substring(5));
                } else {
                    error(ex, 404, "not found");
                }
            }
        }
    }

    private void post(HttpExchange ex, String api, Map<String, String> q) {
        switch (api) {
            case "upload" -> {
                byte[] body = readLimited(ex, Explorer.MAX_UPLOAD_BYTES);
                json(ex, Map.of("image", explorer.upload(body, q.get("name"))));
            }
            case "jobs" -> {
                String kind = need(q, "kind");
                Jobs.Job j;
                if (kind.equals("featurevis")) {
                    String layer = need(q, "layer");
                    int c = integer(q, "c");
                    int steps = steps(q);
                    if (!explorer.network().has(layer)) {
                        throw new ConvscopeException("no layer named '" + layer + "'");
                    }
                    j = jobs.submit("feature visualization of " + layer + " channel " + c,
                            p -> explorer.computeFeatureVis(layer, c, steps, p));
                } else if (kind.equals("explain")) {
                    String image = need(q, "image");
                    String m = q.getOrDefault("method", "occlusion");
                    int target = integer(q, "target");
                    explorer.checkTarget(target);
                    io.convscope.explain.Methods.parse(List.of(m));
                    explorer.file(image);
                    j = jobs.submit(m + " of class " + target, p -> {
                        p.start(m, 0, io.convscope.util.Progress.Unit.STEPS);
                        return Explorer.png(explorer.attribution(explorer.forward(image), m, target));
                    });
                } else {
                    throw new ConvscopeException("unknown job kind '" + kind + "': featurevis or explain");
                }
                json(ex, j.json());
            }
            default -> {
                if (api.startsWith("jobs/") && api.endsWith("/cancel")) {
                    json(ex, jobs.cancel(api.substring(5, api.length() - 7)).json());
                } else {
                    error(ex, 404, "not found");
                }
            }
        }
    }

    private void job(HttpExchange ex, String rest) {
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String what = slash < 0 ? "" : rest.substring(slash + 1);
        Jobs.Job j = jobs.get(id);
        switch (what) {
            case "" -> json(ex, j.json());
            case "result.png" -> {
                if (j.result == null) {
                    error(ex, 404, "job " + id + " has no result (" + j.state.name().toLowerCase(Locale.ROOT) + ")");
                } else {
                    png(ex, j.result);
                }
            }
            case "events" -> events(ex, j);
            default -> error(ex, 404, "not found");
        }
    }

    /** A page or picture of the {@code --atlas} folder (its own pages carry inline styles and scripts). */
    private void atlas(HttpExchange ex, String relative) {
        java.nio.file.Path f = explorer.atlasFile(relative);
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".png") ? "image/png"
                : name.endsWith(".json") ? "application/json" : name.endsWith(".csv") ? "text/csv; charset=utf-8"
                : name.endsWith(".css") ? "text/css" : name.endsWith(".js") ? "text/javascript" : "application/octet-stream";
        byte[] body;
        try {
            body = java.nio.file.Files.readAllBytes(f);
        } catch (IOException e) {
            throw new ConvscopeException("atlas file " + relative + " cannot be read");
        }
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
        send(ex, 200, type, body);
    }

    /** Server-sent events: the job's state every 200 ms until it ends (at most an hour). */
    private void events(HttpExchange ex, Jobs.Job j) {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        try {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            long end = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
            while (true) {
                boolean last = j.finished();
                out.write(("data: " + GSON.toJson(j.json()) + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (last || System.nanoTime() > end) {
                    return;
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> m = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                m.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                throw new ConvscopeException("bad query string");
            }
        }
        return m;
    }

    private static String need(Map<String, String> q, String key) {
        String v = q.get(key);
        if (v == null || v.isEmpty()) {
            throw new ConvscopeException("missing parameter '" + key + "'");
        }
        return v;
    }

    private static int integer(Map<String, String> q, String key) {
        String v = need(q, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConvscopeException("parameter '" + key + "' must be a whole number, not '" + v + "'");
        }
    }

    private static int steps(Map<String, String> q) {
        return q.containsKey("steps") ? integer(q, "steps") : 128;
    }

    private static Colormap colormap(Map<String, String> q) {
        return q.containsKey("colormap") ? Colormap.byName(q.get("colormap")) : Colormap.DEFAULT;
    }

    private static Normalization norm(Map<String, String> q) {
        return q.containsKey("norm") ? Normalization.byName(q.get("norm")) : Normalization.DEFAULT;
    }

    private static byte[] readLimited(HttpExchange ex, long max) {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.strip()) > max) {
                    throw new ConvscopeException("the upload is larger than " + (max >> 20) + " MB");
                }
            } catch (NumberFormatException e) {
                throw new ConvscopeException("bad Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes((int) max + 1);
            if (b.length > max) {
                throw new ConvscopeException("the upload is larger than " + (max >> 20) + " MB");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ExplorerServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void json(HttpExchange ex, Object o) {
        send(ex, 200, "application/json; charset=utf-8", GSON.toJson(o).getBytes(StandardCharsets.UTF_8));
    }

    private static void png(HttpExchange ex, byte[] b) {
        send(ex, 200, "image/png", b);
    }

    private static void error(HttpExchange ex, int status, String message) {
        send(ex, status, "application/json; charset=utf-8", GSON.toJson(Map.of("error", message)).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) {
        try {
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (!ex.getResponseHeaders().containsKey("Content-Security-Policy")) {
                ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; style-src 'self'");
            }
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // headers already sent or the client gone
        }
    }

    @Override
    public void close() {
        server.stop(0);
        jobs.close();
        pool.shutdownNow();
    }
}
