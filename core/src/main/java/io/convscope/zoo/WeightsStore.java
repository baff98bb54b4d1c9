package io.convscope.zoo;

import io.convscope.ConvscopeException;
import io.convscope.util.Interrupts;
import io.convscope.util.Units;
import io.convscope.util.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Finds ImageNet weight files, downloading them when needed.
 *
 * <p>A file is looked for, in order:
 * <ol>
 *   <li>in Keras's own cache ({@code $KERAS_HOME/models}, else {@code ~/.keras/models}), so weights a
 *       Keras user already has are never downloaded again. This folder is only read;</li>
 *   <li>in convscope's cache ({@code $CONVSCOPE_HOME/weights}, else {@code $XDG_CACHE_HOME/convscope/weights},
 *       else {@code ~/.cache/convscope/weights});</li>
 *   <li>at the base URL (Keras's Google Cloud Storage bucket, or {@code $CONVSCOPE_WEIGHTS_URL} for a
 *       mirror), downloaded into convscope's cache.</li>
 * </ol>
 * Every file's digest is compared with the published one before it is used (the MD5 Keras publishes;
 * the SHA-256 Git LFS records for the ONNX Model Zoo's files, which are fetched from
 * {@link OnnxZooModel#ONNX_BASE_URL} or {@code $CONVSCOPE_ONNX_URL} and never looked for in Keras's cache). Hashing a 500 MB file
 * takes a second, so the result is remembered in {@code <cache>/.verified/} (keyed by size and
 * modification time) and a file is hashed again only when it changes.
 *
 * <p>A download goes to a uniquely named temporary file ({@code <name>.part-<pid>-<random>}) in the
 * cache folder and is renamed atomically to its final name only once its digest (MD5 or SHA-256) matches, so neither a
 * failed download nor two processes downloading at once can leave a corrupt file under the final
 * name; the temporary files of a process that is gone are removed by the next lookup of that file.
 * A download reads at most the file's expected size plus a margin ({@link #maxBytes}), and follows a
 * redirect only within the same host or to where the host is known to redirect ({@link #redirectAllowed}).
 *
 * <p>Thread-safe; the HTTP client is created on the first download.
 */
public final class WeightsStore {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    /** Temporary files of this name not modified for this long are left over from a killed process. */
    private static final long STALE_PART_MILLIS = TimeUnit.HOURS.toMillis(1);
    private static final long POLL_MILLIS = 100;
    private static final String VERIFIED_DIR = ".verified";
    private static final long PID = ProcessHandle.current().pid();
    private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("\\.part-(\\d+)-\\d+");

    private final Path cacheDir;
    private final Path kerasModelsDir;
    private final String baseUrl;
    private final String onnxBaseUrl;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Consumer<String> warnings;
    private volatile HttpClient client;

    /**
     * A store with the default timeouts that writes warnings to standard error.
     *
     * @param cacheDir       convscope's cache folder (created when first needed)
     * @param kerasModelsDir Keras's cache folder to look in first, or null to not look there
     * @param baseUrl        URL the weight files' paths are appended to
     */
    public WeightsStore(Path cacheDir, Path kerasModelsDir, String baseUrl) {
        this(cacheDir, kerasModelsDir, baseUrl, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
                msg -> System.err.println("warning: " + msg));
    }

    /**
     * @param cacheDir       convscope's cache folder (created when first needed)
     * @param kerasModelsDir Keras's cache folder to look in first, or null to not look there
     * @param baseUrl        URL the weight files' paths are appended to
     * @param connectTimeout how long to wait for a connection
     * @param readTimeout    how long to wait for the response headers, and for each piece of the body
     * @param warnings       receives one-line warnings (a cached file with a wrong MD5)
     */
    public WeightsStore(Path cacheDir, Path kerasModelsDir, String baseUrl, Duration connectTimeout,
                        Duration readTimeout, Consumer<String> warnings) {
        this(cacheDir, kerasModelsDir, baseUrl, OnnxZooModel.ONNX_BASE_URL, connectTimeout, readTimeout, warnings);
    }

    private WeightsStore(Path cacheDir, Path kerasModelsDir, String baseUrl, String onnxBaseUrl,
                         Duration connectTimeout, Duration readTimeout, Consumer<String> warnings) {
        this.onnxBaseUrl = Objects.requireNonNull(onnxBaseUrl, "onnxBaseUrl");
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath().normalize();
        this.kerasModelsDir = kerasModelsDir == null ? null : kerasModelsDir.toAbsolutePath().normalize();
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /**
     * This store, but fetching the ONNX Model Zoo's files from {@code url} (a mirror with the
     * repository's layout) instead of {@link OnnxZooModel#ONNX_BASE_URL}.
     */
    public WeightsStore withOnnxBaseUrl(String url) {
        return new WeightsStore(cacheDir, kerasModelsDir, baseUrl, url, connectTimeout, readTimeout, warnings);
    }

    /** The store configured from this process's environment and home folder; see {@link #fromEnvironment}. */
    public static WeightsStore defaultStore() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The store configured from environment variables:
     * <ul>
     *   <li>{@code CONVSCOPE_HOME}: the cache is {@code $CONVSCOPE_HOME/weights}; otherwise
     *       {@code $XDG_CACHE_HOME/convscope/weights} when {@code XDG_CACHE_HOME} is an absolute path;
     *       otherwise {@code <home>/.cache/convscope/weights};</li>
     *   <li>{@code KERAS_HOME}: Keras's cache is {@code $KERAS_HOME/models}, otherwise
     *       {@code <home>/.keras/models};</li>
     *   <li>{@code CONVSCOPE_WEIGHTS_URL}: a mirror of Keras's weight files with the same layout
     *       (default {@link ZooModel#KERAS_BASE_URL});</li>
     *   <li>{@code CONVSCOPE_ONNX_URL}: a mirror of the ONNX Model Zoo's files with the repository's
     *       layout (default {@link OnnxZooModel#ONNX_BASE_URL}).</li>
     * </ul>
     */
    public static WeightsStore fromEnvironment(Map<String, String> env, Path userHome) {
        String url = nonBlank(env.get("CONVSCOPE_WEIGHTS_URL"));
        String onnx = nonBlank(env.get("CONVSCOPE_ONNX_URL"));
        WeightsStore s = new WeightsStore(defaultCacheDir(env, userHome), defaultKerasModelsDir(env, userHome),
                url != null ? url : ZooModel.KERAS_BASE_URL);
        return onnx != null ? s.withOnnxBaseUrl(onnx) : s;
    }

    static Path defaultCacheDir(Map<String, String> env, Path userHome) {
        String home = nonBlank(env.get("CONVSCOPE_HOME"));
        if (home != null) {
            return Path.of(home).resolve("weights");
        }
        String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg).resolve("convscope").resolve("weights");
        }
        return userHome.resolve(".cache").resolve("convscope").resolve("weights");
    }

    static Path defaultKerasModelsDir(Map<String, String> env, Path userHome) {
        String keras = nonBlank(env.get("KERAS_HOME"));
        return keras != null ? Path.of(keras).resolve("models") : userHome.resolve(".keras").resolve("models");
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** convscope's cache folder. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Keras's cache folder, or null when it is not consulted. */
    public Path kerasModelsDir() {
        return kerasModelsDir;
    }

    /** The URL the weight files' paths are appended to. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The URL the ONNX Model Zoo's files' paths are appended to. */
    public String onnxBaseUrl() {
        return onnxBaseUrl;
    }

    /** The URL a weight file is downloaded from: its path below the base URL of its origin. */
    public String urlOf(WeightsFile f) {
        return f.url(f.origin() == WeightsFile.Origin.ONNX_MODEL_ZOO ? onnxBaseUrl : baseUrl);
    }

    /**
     * The ImageNet weights of {@code model}, from a cache or downloaded.
     *
     * @param includeTop whether the classifier head is wanted
     * @param progress   told about the download and about hashing a file not yet checked (may be null)
     * @return a file whose digest is the published one
     * @throws ConvscopeException when the file cannot be downloaded or its digest is wrong
     */
    public Path resolve(ZooModel model, boolean includeTop, Progress progress) {
        return resolve(model.weights(includeTop), progress);
    }

    /** As {@link #resolve(ZooModel, boolean, Progress)}, for any published file. */
    public Path resolve(WeightsFile file, Progress progress) {
        Progress p = Progress.orNone(progress);
        deleteStaleParts(file);
        Optional<Path> cached = findCached(file, p);
        return cached.orElseGet(() -> download(file, p));
    }

    /** The cached, verified copy of a file, if there is one; never touches the network. */
    public Optional<Path> findCached(WeightsFile file) {
        return findCached(file, Progress.NONE);
    }

    private Optional<Path> findCached(WeightsFile f, Progress p) {
        if (kerasModelsDir != null && f.origin() == WeightsFile.Origin.KERAS) {
            Path k = kerasModelsDir.resolve(f.fileName());
            if (Files.isRegularFile(k)) {
                String bad = verify(k, f, CachedWeights.Location.KERAS, p);
                if (bad == null) {
                    return Optional.of(k);
                }
                warnings.accept(k + " " + bad + "; not using it (Keras would not either)");
            }
        }
        Path ours = cacheDir.resolve(f.fileName());
        if (Files.isRegularFile(ours)) {
            String bad = verify(ours, f, CachedWeights.Location.CONVSCOPE, p);
            if (bad == null) {
                return Optional.of(ours);
            }
            warnings.accept(ours + " " + bad + "; downloading it again");
        }
        return Optional.empty();
    }

    /** What the caches hold for the zoo models; hashes are not computed, only remembered results reported. */
    public List<CachedWeights> listCached() {
        return listCached(false, Progress.NONE);
    }

    /**
     * What the caches hold for the zoo models, Keras's cache first.
     *
     * @param verify   compute the MD5 of files not checked since they last changed
     * @param progress told about hashing (may be null)
     */
    public List<CachedWeights> listCached(boolean verify, Progress progress) {
        Progress p = Progress.orNone(progress);
        List<CachedWeights> out = new ArrayList<>();
        for (CachedWeights.Location loc : CachedWeights.Location.values()) {
            Path dir = loc == CachedWeights.Location.KERAS ? kerasModelsDir : cacheDir;
            if (dir == null) {
                continue;
            }
            for (ZooModel m : ZooModel.values()) {
                for (boolean top : new boolean[] {true, false}) {
                    WeightsFile f = m.weights(top);
                    Path path = dir.resolve(f.fileName());
                    BasicFileAttributes a = attributes(path);
                    if (a == null || !a.isRegularFile()) {
                        continue;
                    }
                    CachedWeights.Check check;
                    if (remembered(path, a, f, loc)) {
                        check = CachedWeights.Check.VERIFIED;
                    } else if (verify) {
                        check = verify(path, f, loc, p) == null ? CachedWeights.Check.VERIFIED
                                : CachedWeights.Check.MISMATCH;
                    } else {
                        check = CachedWeights.Check.UNCHECKED;
                    }
                    out.add(new CachedWeights(m, top, path, a.size(), loc, check));
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- verification

    /** Null when {@code path} has the expected digest, else a description: "has MD5 x, expected y". */
    private String verify(Path path, WeightsFile f, CachedWeights.Location loc, Progress p) {
        BasicFileAttributes before = attributes(path);
        if (before == null) {
            return "cannot be read";
        }
        if (remembered(path, before, f, loc)) {
            return null;
        }
        String digest;
        try {
            digest = digest(path, f.algorithm(), p, "checking " + f.fileName());
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
        if (!digest.equals(f.hash())) {
            return "has " + f.algorithm() + " " + digest + ", expected " + f.hash();
        }
        remember(path, before, f, loc);
        return null;
    }

    private Path memoFile(WeightsFile f, CachedWeights.Location loc) {
        return cacheDir.resolve(VERIFIED_DIR).resolve(loc.name().toLowerCase(Locale.ROOT) + "-" + f.fileName() + ".md5");
    }

    private static String memoLine(WeightsFile f, BasicFileAttributes a) {
        return f.hash() + " " + a.size() + " " + a.lastModifiedTime().toMillis();
    }

    private boolean remembered(Path path, BasicFileAttributes a, WeightsFile f, CachedWeights.Location loc) {
        try {
            String line = Files.readString(memoFile(f, loc), StandardCharsets.UTF_8).strip();
            return line.equals(memoLine(f, a));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Records that {@code path}, as it was when {@code a} was read, has the right MD5. Best effort. */
    private void remember(Path path, BasicFileAttributes a, WeightsFile f, CachedWeights.Location loc) {
        Path memo = memoFile(f, loc);
        Path tmp = null;
        try {
            Files.createDirectories(memo.getParent());
            tmp = Files.createTempFile(memo.getParent(), memo.getFileName() + ".", ".tmp");
            Files.writeString(tmp, memoLine(f, a) + "\n", StandardCharsets.UTF_8);
            moveIntoPlace(tmp, memo);
            tmp = null;
        } catch (IOException | RuntimeException e) {
            // a read-only cache only costs hashing the file again next time
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** The MD5 of a file as 32 lower-case hex digits. */
    public static String md5(Path path) throws IOException {
        return digest(path, "MD5", Progress.NONE, "");
    }

    /** The SHA-256 of a file as 64 lower-case hex digits. */
    public static String sha256(Path path) throws IOException {
        return digest(path, "SHA-256", Progress.NONE, "");
    }

    private static String digest(Path path, String algorithm, Progress p, String what) throws IOException {
        MessageDigest md = newDigest(algorithm);
        long size = Files.size(path);
        boolean report = size > (64L << 20);
        if (report) {
            p.start(what, size, Progress.Unit.BYTES);
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buf = new byte[1 << 20];
            long done = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                done += n;
                if (report) {
                    p.advance(done);
                }
            }
        } finally {
            if (report) {
                p.finish();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no " + algorithm, e);
        }
    }

    // ---------------------------------------------------------------- download

    private Path download(WeightsFile f, Progress p) {
        String url = urlOf(f);
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new ConvscopeException("cannot create the weights cache folder " + cacheDir + " (" + describe(e)
                    + "); set CONVSCOPE_HOME to a writable folder, or download " + url
                    + " yourself and pass " + io.convscope.Setting.WEIGHTS + " FILE");
        }
        Path tmp;
        try {
            tmp = Files.createTempFile(cacheDir, f.fileName() + ".part-" + PID + "-", "");
        } catch (IOException e) {
            throw new ConvscopeException("cannot write to the weights cache folder " + cacheDir + " ("
                    + describe(e) + "); set CONVSCOPE_HOME to a writable folder, or download " + url
                    + " yourself and pass " + io.convscope.Setting.WEIGHTS + " FILE");
        }
        Path target = cacheDir.resolve(f.fileName());
        try {
            String digest = fetch(url, tmp, f, p);
            if (!digest.equals(f.hash())) {
                throw new ConvscopeException("downloaded " + url + " but its " + f.algorithm() + " is " + digest
                        + ", expected " + f.hash() + "; the download was damaged or the server sent a different file: try again,"
                        + " or download it yourself and pass " + io.convscope.Setting.WEIGHTS + " FILE");
            }
            BasicFileAttributes a;
            try {
                moveIntoPlace(tmp, target);
                a = Files.readAttributes(target, BasicFileAttributes.class);
            } catch (IOException e) {
                // e.g. Windows refusing to replace a file another process has open: use that one if it is good
                if (Files.isRegularFile(target)
                        && verify(target, f, CachedWeights.Location.CONVSCOPE, Progress.NONE) == null) {
                    return target;
                }
                throw new ConvscopeException("downloaded " + url + " but could not move it to " + target + " ("
                        + describe(e) + ")");
            }
            remember(target, a, f, CachedWeights.Location.CONVSCOPE);
            return target;
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Downloads {@code url} into {@code tmp}, returning the digest (the file's algorithm) of what was received. */
    private String fetch(String url, Path tmp, WeightsFile f, Progress p) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw failure(f, url, "not a valid URL");
        }
        for (int hop = 0; ; hop++) {
            Object r = fetchOnce(url, uri, tmp, f, p);
            if (r instanceof String md5) {
                return md5;
            }
            URI next = (URI) r;
            if (hop >= MAX_REDIRECTS) {
                throw failure(f, url, "more than " + MAX_REDIRECTS + " redirects");
            }
            if (!redirectAllowed(uri, next)) {
                throw failure(f, url, "the server redirects to " + next.getScheme() + "://" + next.getAuthority()
                        + ", which is not where this file is known to be served from");
            }
            uri = next;
        }
    }

    /** At most this many redirects are followed. */
    private static final int MAX_REDIRECTS = 5;

    /**
     * Hosts whose files are known to be served by a redirect to another host, and those hosts. The
     * Keras bucket (storage.googleapis.com) serves its files itself; GitHub release files (a mirror
     * may be one) redirect to GitHub's content hosts.
     */
    private static final Map<String, List<String>> KNOWN_REDIRECTS = Map.of(
            "github.com", List.of("objects.githubusercontent.com", "release-assets.githubusercontent.com"));

    /**
     * Whether a redirect from {@code from} to {@code to} is followed: within the same host (and port,
     * or from http to https), or to a host {@code from}'s host is known to redirect to, over https.
     */
    static boolean redirectAllowed(URI from, URI to) {
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || to.getHost() == null || from.getHost() == null) {
            return false;
        }
        String fromHost = from.getHost().toLowerCase(Locale.ROOT);
        String toHost = to.getHost().toLowerCase(Locale.ROOT);
        boolean downgrade = scheme.equals("http") && "https".equalsIgnoreCase(from.getScheme());
        if (fromHost.equals(toHost)) {
            return !downgrade && (to.getPort() == from.getPort() || scheme.equals("https") && to.getPort() < 0);
        }
        return scheme.equals("https") && KNOWN_REDIRECTS.getOrDefault(fromHost, List.of()).contains(toHost);
    }

    /**
     * The most bytes a download may bring: the file's expected size plus an eighth and 64 KiB, so a
     * server sending something else stops early rather than filling the disk before the MD5 check.
     */
    static long maxBytes(WeightsFile f) {
        return f.approxBytes() + f.approxBytes() / 8 + (64 << 10);
    }

    /** One exchange: the MD5 of the body received into {@code tmp} (a String), or the redirect's target (a URI). */
    private Object fetchOnce(String url, URI uri, Path tmp, WeightsFile f, Progress p) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw failure(f, url, "only http and https URLs can be downloaded");
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(readTimeout)
                .header("User-Agent", "convscope")
                .GET()
                .build();
        FileSink sink;
        try {
            sink = new FileSink(f.algorithm(), FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                    maxBytes(f));
        } catch (IOException e) {
            throw new ConvscopeException("cannot write " + tmp + " (" + describe(e) + ")");
        }
        HttpResponse.BodyHandler<Void> handler = info -> {
            sink.status = info.statusCode();
            sink.contentLength = contentLength(info.headers());
            sink.location = info.headers().firstValue("Location").orElse(null);
            sink.headersSeen = true;
            // a body not wanted (an error page, a redirect, a file announced too large) is not read at all
            return info.statusCode() == 200 && (sink.contentLength < 0 || sink.contentLength <= sink.limit)
                    ? sink : new Unread();
        };
        CompletableFuture<HttpResponse<Void>> response;
        try {
            response = client().sendAsync(request, handler);
        } catch (IllegalArgumentException e) {
            sink.abort(null);
            throw failure(f, url, "not a valid URL");
        }
        boolean started = false;
        long reported = -1;
        long lastBytes = -1;
        long lastChange = System.nanoTime();
        try {
            while (true) {
                try {
                    response.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException ignored) {
                    // poll: report progress, watch for a stalled body
                }
                if (Interrupts.received() != 0) {
                    sink.abort(null);
                    response.cancel(true);
                    Interrupts.check(); // the temporary file is deleted on the way out
                }
                if (!started && sink.headersSeen && sink.status == 200) {
                    p.start("downloading " + f.fileName(), total(sink, f), Progress.Unit.BYTES);
                    started = true;
                }
                long bytes = sink.bytes.get();
                if (started && bytes != reported) {
                    p.advance(bytes);
                    reported = bytes;
                }
                long now = System.nanoTime();
                if (bytes != lastBytes) {
                    lastBytes = bytes;
                    lastChange = now;
                } else if (sink.headersSeen && sink.status == 200 && now - lastChange > readTimeout.toNanos()) {
                    sink.abort(null);
                    response.cancel(true);
                    throw failure(f, url, "no data for " + seconds(readTimeout) + " after "
                            + Units.bytes(bytes) + (sink.contentLength > 0
                            ? " of " + Units.bytes(sink.contentLength) : ""));
                }
            }
            HttpResponse<Void> r = response.get();
            if (isRedirect(r.statusCode()) && sink.location != null) {
                try {
                    return uri.resolve(sink.location.strip());
                } catch (IllegalArgumentException e) {
                    throw failure(f, url, "the server redirects to an invalid URL");
                }
            }
            if (r.statusCode() == 200 && sink.contentLength > sink.limit) {
                throw failure(f, url, "the server announces " + sink.contentLength + " bytes, but the file has about "
                        + f.approxBytes());
            }
            if (r.statusCode() != 200) {
                throw failure(f, url, "HTTP " + r.statusCode() + statusText(r.statusCode()));
            }
            if (sink.writeError != null) {
                throw new ConvscopeException("cannot write " + tmp + " (" + describe(sink.writeError) + ")");
            }
            long bytes = sink.bytes.get();
            if (!started) {
                p.start("downloading " + f.fileName(), total(sink, f), Progress.Unit.BYTES);
                started = true;
            }
            if (bytes != reported) {
                p.advance(bytes);
            }
            if (sink.contentLength >= 0 && bytes != sink.contentLength) {
                throw failure(f, url, "connection closed after " + bytes + " of " + sink.contentLength + " bytes");
            }
            sink.close();
            return sink.digest();
        } catch (InterruptedException e) {
            sink.abort(null);
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw failure(f, url, "interrupted");
        } catch (ExecutionException e) {
            sink.abort(null);
            if (sink.writeError != null) {
                throw new ConvscopeException("cannot write " + tmp + " (" + describe(sink.writeError) + ")");
            }
            if (sink.tooLarge) {
                throw failure(f, url, "the server sent more than " + sink.limit + " bytes; the file has about "
                        + f.approxBytes());
            }
            throw failure(f, url, reason(e.getCause(), uri, sink));
        } catch (IOException e) {
            throw new ConvscopeException("cannot write " + tmp + " (" + describe(e) + ")");
        } finally {
            sink.abort(null);
            if (started) {
                p.finish();
            }
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static long total(FileSink sink, WeightsFile f) {
        return sink.contentLength > 0 ? sink.contentLength : f.approxBytes();
    }

    private static long contentLength(java.net.http.HttpHeaders headers) {
        try {
            return headers.firstValueAsLong("Content-Length").orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER) // redirects are checked by fetch
                            .connectTimeout(connectTimeout)
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    private ConvscopeException failure(WeightsFile f, String url, String reason) {
        if (f.origin() == WeightsFile.Origin.ONNX_MODEL_ZOO) {
            return new ConvscopeException("could not download " + url + " (" + reason + "); download it yourself"
                    + " and put it in " + cacheDir + java.io.File.separatorChar + " (it is checked there), or pass"
                    + " the file as " + io.convscope.Setting.MODEL + " FILE.onnx " + io.convscope.Setting.PREPROCESS + " torch");
        }
        StringBuilder where = new StringBuilder();
        if (kerasModelsDir != null) {
            where.append(kerasModelsDir).append(java.io.File.separatorChar).append(" or ");
        }
        where.append(cacheDir).append(java.io.File.separatorChar);
        return new ConvscopeException("could not download " + url + " (" + reason
                + "); download it yourself and pass " + io.convscope.Setting.WEIGHTS + " FILE, or put it in " + where);
    }

    /** A short reason for a failed exchange. */
    private String reason(Throwable t, URI uri, FileSink sink) {
        String host = uri.getHost() == null ? "?" : uri.getHost();
        String hostPort = uri.getPort() >= 0 ? host + ":" + uri.getPort() : host;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
                return "unknown host " + host + ": no network, or the name does not resolve";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HttpConnectTimeoutException) {
                return "no connection to " + hostPort + " within " + seconds(connectTimeout);
            }
            if (c instanceof HttpTimeoutException) {
                return "no response from " + hostPort + " within " + seconds(readTimeout);
            }
            if (c instanceof ConnectException) {
                String m = c.getMessage();
                return "cannot connect to " + hostPort + (m == null || m.isBlank()
                        ? ": connection refused, or no network" : ": " + lowerFirst(m));
            }
            if (c instanceof SSLException) {
                return "secure connection to " + hostPort + " failed: " + describe(c);
            }
        }
        long bytes = sink.bytes.get();
        if (sink.headersSeen && sink.contentLength > 0 && bytes < sink.contentLength) {
            return "connection closed after " + bytes + " of " + sink.contentLength + " bytes";
        }
        if (sink.headersSeen && sink.status == 200) {
            return "connection failed after " + bytes + " bytes: " + describe(t);
        }
        return describe(t);
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return m.replace('\n', ' ').replace('\r', ' ');
    }

    private static String lowerFirst(String s) {
        return s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))
                ? Character.toLowerCase(s.charAt(0)) + s.substring(1) : s;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String statusText(int code) {
        switch (code) {
            case 401: return " Unauthorized";
            case 403: return " Forbidden";
            case 404: return " Not Found";
            case 410: return " Gone";
            case 429: return " Too Many Requests";
            case 500: return " Internal Server Error";
            case 502: return " Bad Gateway";
            case 503: return " Service Unavailable";
            case 504: return " Gateway Timeout";
            default: return "";
        }
    }

    // ---------------------------------------------------------------- files

    /** Renames atomically where the file system can, else replaces. */
    private static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes temporary files of {@code f} that a killed process left behind: those named after a
     * process that is gone ({@code NAME.part-PID-RANDOM}), and older unnamed ones not modified for an hour.
     */
    private void deleteStaleParts(WeightsFile f) {
        long cutoff = System.currentTimeMillis() - STALE_PART_MILLIS;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir, f.fileName() + ".part-*")) {
            for (Path part : ds) {
                try {
                    java.util.regex.Matcher m = PART.matcher(part.getFileName().toString().substring(f.fileName().length()));
                    boolean stale;
                    if (m.matches()) {
                        long pid = Long.parseLong(m.group(1));
                        stale = pid != PID && ProcessHandle.of(pid).isEmpty();
                    } else {
                        stale = Files.getLastModifiedTime(part).toMillis() < cutoff;
                    }
                    if (stale) {
                        Files.deleteIfExists(part);
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // another process may be deleting it too
                }
            }
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // left for deleteStaleParts
        }
    }

    /** A body subscriber that reads nothing: it cancels at once and completes. */
    private static final class Unread implements HttpResponse.BodySubscriber<Void> {
        @Override
        public CompletionStage<Void> getBody() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.cancel();
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }

    /**
     * Receives the response body: writes it to the temporary file and feeds the digest as it arrives,
     * requesting one piece at a time so that a slow disk slows the download instead of filling memory.
     */
    private static final class FileSink implements HttpResponse.BodySubscriber<Void> {
        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private final MessageDigest md;
        final AtomicLong bytes = new AtomicLong();
        private final FileChannel channel;
        private Flow.Subscription subscription;
        private boolean closed;
        volatile int status = -1;
        volatile long contentLength = -1;
        volatile boolean headersSeen;
        volatile IOException writeError;
        volatile String location;
        volatile boolean tooLarge;
        final long limit;

        FileSink(String algorithm, FileChannel channel, long limit) {
            this.md = newDigest(algorithm);
            this.channel = channel;
            this.limit = limit;
        }

        @Override
        public CompletionStage<Void> getBody() {
            return body;
        }

        @Override
        public synchronized void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (closed) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            Flow.Subscription s;
            synchronized (this) {
                if (closed) {
                    return;
                }
                long incoming = 0;
                for (ByteBuffer b : items) {
                    incoming += b.remaining();
                }
                if (bytes.get() + incoming > limit) {
                    tooLarge = true;
                    abort(new IOException("more than " + limit + " bytes"));
                    return;
                }
                try {
                    for (ByteBuffer b : items) {
                        md.update(b.duplicate());
                        int n = b.remaining();
                        while (b.hasRemaining()) {
                            channel.write(b);
                        }
                        bytes.addAndGet(n);
                    }
                } catch (IOException e) {
                    writeError = e;
                    abort(e);
                    return;
                }
                s = subscription;
            }
            s.request(1);
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(null);
        }

        /** Closes the file after a complete body. */
        synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                channel.close();
            }
        }

        /** Stops receiving and closes the file; idempotent. */
        synchronized void abort(Throwable why) {
            if (closed) {
                return;
            }
            closed = true;
            if (subscription != null) {
                subscription.cancel();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
            body.completeExceptionally(why != null ? why : new IOException("download cancelled"));
        }

        synchronized String digest() {
            return HexFormat.of().formatHex(md.digest());
        }
    }
}
