package io.convscope.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.convscope.ConvscopeException;
import io.convscope.util.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from servers on 127.0.0.1 only: a well-behaved one and raw sockets that misbehave. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WeightsStoreTest {
    private static final int SIZE = 300 * 1024;
    private static final String NAME = "test_weights.h5";

    @TempDir
    Path root;

    private Path cache;
    private Path keras;
    private byte[] data;
    private String md5;
    private HttpServer server;
    private ExecutorService serverThreads;
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong hugeBytesSent = new java.util.concurrent.atomic.AtomicLong();
    /** Path on the server -> body served with 200; anything else is 404. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cache = root.resolve("convscope-home").resolve("weights");
        keras = root.resolve("keras-home").resolve("models");
        data = new byte[SIZE];
        new Random(42).nextBytes(data);
        md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        files.put("/files/" + NAME, data);

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            try (ex) {
                String path = ex.getRequestURI().getPath();
                if (path.startsWith("/elsewhere/")) {
                    // another host name for the same server: a redirect that must not be followed
                    ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort()
                            + "/files/" + path.substring("/elsewhere/".length()));
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                if (path.startsWith("/huge/") || path.startsWith("/hugechunked/")) {
                    long total = 64L * SIZE;
                    ex.sendResponseHeaders(200, path.startsWith("/huge/") ? total : 0);
                    OutputStream out = ex.getResponseBody();
                    byte[] junk = new byte[64 * 1024];
                    for (long off = 0; off < total; off += junk.length) {
                        out.write(junk);
                        hugeBytesSent.addAndGet(junk.length);
                    }
                    return;
                }
                if (path.startsWith("/moved/")) {
                    ex.getResponseHeaders().add("Location", "/files/" + path.substring("/moved/".length()));
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                byte[] body = files.get(path);
                if (body == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.sendResponseHeaders(200, body.length);
                OutputStream out = ex.getResponseBody();
                // in pieces with pauses, so the progress listener sees the download advance
                for (int off = 0; off < body.length; off += 32 * 1024) {
                    out.write(body, off, Math.min(32 * 1024, body.length - off));
                    out.flush();
                    sleep(40);
                }
            }
        });
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.stop(0);
        serverThreads.shutdownNow();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private WeightsStore store(String baseUrl) {
        return new WeightsStore(cache, keras, baseUrl, Duration.ofSeconds(5), Duration.ofSeconds(5), warnings::add);
    }

    private WeightsFile testFile(String expectedMd5) {
        return new WeightsFile(NAME, "files/" + NAME, expectedMd5, SIZE);
    }

    /** Regular files anywhere below the cache folder (the remembered-hash notes included). */
    private List<Path> filesInCache() throws IOException {
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private List<Path> partFiles() throws IOException {
        return filesInCache().stream().filter(p -> p.getFileName().toString().contains(".part-")).toList();
    }

    @Test
    void downloadsOnceVerifiesReportsProgressAndCaches() throws Exception {
        WeightsStore store = store(baseUrl());
        Recorder rec = new Recorder();

        Path p = store.resolve(testFile(md5), rec);

        assertEquals(cache.resolve(NAME), p);
        assertArrayEquals(data, Files.readAllBytes(p));
        assertEquals(1, requests.get());
        assertEquals(List.of("start downloading " + NAME + " " + SIZE + " BYTES"), rec.starts);
        assertEquals(1, rec.finishes);
        assertFalse(rec.advances.isEmpty());
        for (int i = 1; i < rec.advances.size(); i++) {
            assertTrue(rec.advances.get(i) >= rec.advances.get(i - 1), "progress must not go back: " + rec.advances);
        }
        assertEquals(SIZE, rec.advances.get(rec.advances.size() - 1));
        assertTrue(rec.advances.size() >= 2, "expected intermediate progress, got " + rec.advances);
        assertEquals(List.of(), partFiles());
        assertEquals(List.of(), warnings);

        Recorder again = new Recorder();
        assertEquals(p, store.resolve(testFile(md5), again));
        assertEquals(1, requests.get(), "a cached file must not be downloaded again");
        assertEquals(List.of(), again.starts);
        assertEquals(p, store.findCached(testFile(md5)).orElseThrow());

        // a fresh store (another process) trusts the remembered hash and does not download either
        assertEquals(p, store(baseUrl()).resolve(testFile(md5), Progress.NONE));
        assertEquals(1, requests.get());
    }

    @Test
    void followsRedirects() throws Exception {
        WeightsFile moved = new WeightsFile(NAME, "moved/" + NAME, md5, SIZE);

        Path p = store(baseUrl()).resolve(moved, null);

        assertArrayEquals(data, Files.readAllBytes(p));
        assertEquals(2, requests.get());
    }

    @Test
    void aRedirectToAnotherHostIsNotFollowed() throws Exception {
        WeightsFile moved = new WeightsFile(NAME, "elsewhere/" + NAME, md5, SIZE);

        ConvscopeException e = assertThrows(ConvscopeException.class, () -> store(baseUrl()).resolve(moved, null));

        assertTrue(e.getMessage().contains("redirects to http://localhost:" + server.getAddress().getPort()), e.getMessage());
        assertEquals(1, requests.get(), "the redirect is not followed");
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void redirectsAreFollowedOnlyWithinAHostOrWhereKnown() {
        URI gh = URI.create("https://github.com/o/r/releases/download/v1/w.h5");
        assertTrue(WeightsStore.redirectAllowed(gh, URI.create("https://objects.githubusercontent.com/x")));
        assertFalse(WeightsStore.redirectAllowed(gh, URI.create("http://objects.githubusercontent.com/x")), "no downgrade");
        assertFalse(WeightsStore.redirectAllowed(gh, URI.create("https://evil.example/x")));
        URI gcs = URI.create(ZooModel.KERAS_BASE_URL + "vgg16/w.h5");
        assertFalse(WeightsStore.redirectAllowed(gcs, URI.create("https://objects.githubusercontent.com/x")),
                "the Keras bucket serves its files itself");
        assertTrue(WeightsStore.redirectAllowed(gcs, URI.create(ZooModel.KERAS_BASE_URL + "other/w.h5")));
        assertFalse(WeightsStore.redirectAllowed(gcs, URI.create("http://storage.googleapis.com/x")), "no downgrade");
        assertFalse(WeightsStore.redirectAllowed(gcs, URI.create("file:///etc/passwd")));
    }

    @Test
    void aBodyFarLargerThanTheFileIsCutOff() throws Exception {
        for (String dirName : List.of("huge", "hugechunked")) {
            hugeBytesSent.set(0);
            WeightsFile big = new WeightsFile(NAME, dirName + "/" + NAME, md5, SIZE);

            ConvscopeException e = assertThrows(ConvscopeException.class, () -> store(baseUrl()).resolve(big, null));

            assertTrue(e.getMessage().contains(dirName.equals("huge") ? "the server announces " + 64L * SIZE + " bytes"
                    : "the server sent more than " + WeightsStore.maxBytes(big) + " bytes"), e.getMessage());
            assertEquals(List.of(), partFiles());
            sleep(300);
            assertTrue(hugeBytesSent.get() < 32L * SIZE, dirName + ": the server could send " + hugeBytesSent.get()
                    + " bytes of " + 64L * SIZE);
        }
    }

    @Test
    void partFilesOfDeadProcessesAreRemovedByTheNextRunEvenWhenNothingIsDownloaded() throws Exception {
        store(baseUrl()).resolve(testFile(md5), null);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path dead = Files.write(cache.resolve(NAME + ".part-" + p.pid() + "-4242"), new byte[10]);
        Path live = Files.write(cache.resolve(NAME + ".part-" + ProcessHandle.current().pid() + "-4243"), new byte[10]);

        store(baseUrl()).resolve(testFile(md5), null);

        assertFalse(Files.exists(dead), "its process is gone");
        assertTrue(Files.exists(live), "a download in progress is left alone");
        assertEquals(1, requests.get(), "the cached file was used");
    }

    @Test
    void wrongHashIsRefusedAndNothingIsLeft() throws Exception {
        String expected = "0123456789abcdef0123456789abcdef";
        WeightsStore store = store(baseUrl());
        Recorder rec = new Recorder();

        ConvscopeException e = assertThrows(ConvscopeException.class, () -> store.resolve(testFile(expected), rec));

        String url = baseUrl() + "files/" + NAME;
        assertTrue(e.getMessage().contains("downloaded " + url + " but its MD5 is " + md5 + ", expected " + expected),
                e.getMessage());
        assertTrue(io.convscope.Flagged.flags(e).contains("--weights FILE"), io.convscope.Flagged.flags(e));
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(List.of(), filesInCache());
        assertEquals(1, rec.finishes, "the bar must be ended before the error is printed");
    }

    @Test
    void zooModelsUseTheirKerasPathsAndPublishedHashes() throws Exception {
        WeightsFile notop = ZooModel.VGG16.weights(false);
        files.put("/" + notop.path(), data);
        WeightsStore store = store(baseUrl());

        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> store.resolve(ZooModel.VGG16, false, Progress.NONE));

        assertTrue(e.getMessage().contains(
                "downloaded " + baseUrl() + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 but its MD5 is "
                        + md5 + ", expected 6d6bbae143d832006294945121d1f1fc"), e.getMessage());
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void connectionDroppedHalfWay() throws Exception {
        ServerSocket ss = rawServer(s -> {
            readRequest(s);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE
                    + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, 0, SIZE / 2);
            out.flush();
            s.close();
        });
        String base = "http://127.0.0.1:" + ss.getLocalPort() + "/";
        Recorder rec = new Recorder();

        ConvscopeException e = assertThrows(ConvscopeException.class, () -> store(base).resolve(testFile(md5), rec));

        String m = io.convscope.Flagged.flags(e);
        assertTrue(m.startsWith("could not download " + base + "files/" + NAME + " ("), m);
        assertTrue(m.contains("of " + SIZE + " bytes"), m);
        assertHowToPassByHand(m);
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void stalledDownloadTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ServerSocket ss = rawServer(s -> {
            readRequest(s);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, 0, 1000);
            out.flush();
            release.await(30, TimeUnit.SECONDS);
            s.close();
        });
        toClose.add(release::countDown);
        String base = "http://127.0.0.1:" + ss.getLocalPort() + "/";
        WeightsStore store = new WeightsStore(cache, keras, base, Duration.ofSeconds(5), Duration.ofMillis(500),
                warnings::add);

        ConvscopeException e = assertThrows(ConvscopeException.class, () -> store.resolve(testFile(md5), null));

        assertTrue(e.getMessage().contains("no data for 0.5 s"), e.getMessage());
        assertHowToPassByHand(io.convscope.Flagged.flags(e));
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void http404() throws Exception {
        WeightsFile missing = new WeightsFile("missing.h5", "files/missing.h5", md5, SIZE);

        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> store(baseUrl()).resolve(missing, new Recorder()));

        String m = io.convscope.Flagged.flags(e);
        assertTrue(m.startsWith("could not download " + baseUrl() + "files/missing.h5 (HTTP 404"), m);
        assertHowToPassByHand(m);
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void connectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port + "/";

        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> store(base).resolve(testFile(md5), new Recorder()));

        String m = io.convscope.Flagged.flags(e);
        assertTrue(m.startsWith("could not download " + base + "files/" + NAME + " (cannot connect to 127.0.0.1:"
                + port), m);
        assertHowToPassByHand(m);
        assertEquals(List.of(), filesInCache());
    }

    private void assertHowToPassByHand(String m) {
        char sep = java.io.File.separatorChar;
        assertTrue(m.contains("download it yourself and pass --weights FILE, or put it in " + keras + sep + " or "
                + cache + sep), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void fileInKerasCacheIsUsedWithoutContactingTheServer() throws Exception {
        Files.createDirectories(keras);
        Files.write(keras.resolve(NAME), data);
        server.stop(0);
        Recorder rec = new Recorder();

        Path p = store(baseUrl()).resolve(testFile(md5), rec);

        assertEquals(keras.resolve(NAME), p);
        assertEquals(0, requests.get());
        assertEquals(List.of(), rec.starts);
        assertFalse(Files.exists(cache.resolve(NAME)));
        assertEquals(List.of(), warnings);
    }

    @Test
    void corruptFileInKerasCacheIsReportedAndDownloadedToOurCache() throws Exception {
        Files.createDirectories(keras);
        byte[] bad = data.clone();
        bad[1234] ^= 1;
        Files.write(keras.resolve(NAME), bad);

        Path p = store(baseUrl()).resolve(testFile(md5), new Recorder());

        assertEquals(cache.resolve(NAME), p);
        assertArrayEquals(data, Files.readAllBytes(p));
        assertArrayEquals(bad, Files.readAllBytes(keras.resolve(NAME)), "Keras's cache must never be written");
        assertEquals(1, requests.get());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith(keras.resolve(NAME) + " has MD5 "), warnings.get(0));
        assertTrue(warnings.get(0).contains("expected " + md5), warnings.get(0));
    }

    @Test
    void corruptFileInOurCacheIsDownloadedAgain() throws Exception {
        Files.createDirectories(cache);
        Files.write(cache.resolve(NAME), new byte[] {1, 2, 3});

        Path p = store(baseUrl()).resolve(testFile(md5), null);

        assertArrayEquals(data, Files.readAllBytes(p));
        assertEquals(1, requests.get());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("downloading it again"), warnings.get(0));
    }

    @Test
    void twoDownloadsAtOnceLeaveOneGoodFile() throws Exception {
        int n = 3;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // separate stores, as separate processes would have
                WeightsStore store = store(baseUrl());
                Callable<Path> task = () -> {
                    go.await();
                    return store.resolve(testFile(md5), null);
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            for (Future<Path> f : results) {
                assertEquals(cache.resolve(NAME), f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(data, Files.readAllBytes(cache.resolve(NAME)));
        assertTrue(requests.get() >= 1 && requests.get() <= n);
        assertEquals(List.of(), partFiles());
    }

    @Test
    void staleTemporaryFilesAreCleanedButFreshOnesKept() throws Exception {
        Files.createDirectories(cache);
        Path stale = cache.resolve(NAME + ".part-111");
        Path fresh = cache.resolve(NAME + ".part-222");
        Files.write(stale, new byte[10]);
        Files.write(fresh, new byte[10]);
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.DAYS.toMillis(2)));

        store(baseUrl()).resolve(testFile(md5), null);

        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh), "a part file still being written by another process must be left alone");
    }

    @Test
    void listCachedReportsBothFolders() throws Exception {
        WeightsFile vggNotop = ZooModel.VGG16.weights(false);
        WeightsFile resTop = ZooModel.RESNET50V2.weights(true);
        Files.createDirectories(keras);
        Files.createDirectories(cache);
        Files.write(keras.resolve(vggNotop.fileName()), new byte[100]);
        Files.write(cache.resolve(resTop.fileName()), new byte[200]);
        Files.write(cache.resolve("unrelated.h5"), new byte[5]);
        WeightsStore store = store(baseUrl());

        List<CachedWeights> list = store.listCached();

        assertEquals(List.of(
                new CachedWeights(ZooModel.VGG16, false, keras.resolve(vggNotop.fileName()), 100,
                        CachedWeights.Location.KERAS, CachedWeights.Check.UNCHECKED),
                new CachedWeights(ZooModel.RESNET50V2, true, cache.resolve(resTop.fileName()), 200,
                        CachedWeights.Location.CONVSCOPE, CachedWeights.Check.UNCHECKED)), list);
        assertFalse(list.get(0).hashChecked());

        List<CachedWeights> checked = store.listCached(true, null);
        assertEquals(CachedWeights.Check.MISMATCH, checked.get(0).check());
        assertEquals(CachedWeights.Check.MISMATCH, checked.get(1).check());
        assertEquals(0, requests.get());
    }

    @Test
    void environmentChoosesFolders() {
        Path home = Path.of("/home/u").toAbsolutePath();
        Path abs = root.toAbsolutePath();

        WeightsStore plain = WeightsStore.fromEnvironment(Map.of(), home);
        assertEquals(home.resolve(".cache/convscope/weights"), plain.cacheDir());
        assertEquals(home.resolve(".keras/models"), plain.kerasModelsDir());
        assertEquals(ZooModel.KERAS_BASE_URL, plain.baseUrl());

        WeightsStore xdg = WeightsStore.fromEnvironment(Map.of("XDG_CACHE_HOME", abs.resolve("xdg").toString(),
                "KERAS_HOME", abs.resolve("k").toString()), home);
        assertEquals(abs.resolve("xdg/convscope/weights"), xdg.cacheDir());
        assertEquals(abs.resolve("k/models"), xdg.kerasModelsDir());

        WeightsStore relativeXdg = WeightsStore.fromEnvironment(Map.of("XDG_CACHE_HOME", "relative"), home);
        assertEquals(home.resolve(".cache/convscope/weights"), relativeXdg.cacheDir(), "XDG says ignore relative paths");

        WeightsStore own = WeightsStore.fromEnvironment(Map.of("CONVSCOPE_HOME", abs.resolve("cs").toString(),
                "XDG_CACHE_HOME", abs.resolve("xdg").toString(), "CONVSCOPE_WEIGHTS_URL", "http://mirror/k/"), home);
        assertEquals(abs.resolve("cs/weights"), own.cacheDir());
        assertEquals("http://mirror/k/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5",
                own.urlOf(ZooModel.VGG19.weights(true)));
    }

    // ---------------------------------------------------------------- helpers

    interface SocketScript {
        void run(Socket s) throws Exception;
    }

    /** A one-connection server on 127.0.0.1 that follows {@code script}. */
    private ServerSocket rawServer(SocketScript script) throws IOException {
        ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        toClose.add(ss);
        Thread t = new Thread(() -> {
            try (Socket s = ss.accept()) {
                script.run(s);
            } catch (Exception ignored) {
                // the test sees what the client saw
            }
        }, "raw-http");
        t.setDaemon(true);
        t.start();
        return ss;
    }

    /** Reads a request up to the blank line after its headers. */
    private static void readRequest(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records what a download reports. */
    static final class Recorder implements Progress {
        final List<String> starts = new ArrayList<>();
        final List<Long> advances = new ArrayList<>();
        int finishes;

        @Override
        public void start(String what, long total, Unit unit) {
            starts.add("start " + what + " " + total + " " + unit);
        }

        @Override
        public void advance(long done) {
            advances.add(done);
        }

        @Override
        public void finish() {
            finishes++;
        }
    }
}
