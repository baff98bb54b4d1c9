package io.convscope.spark;

import io.convscope.ConvscopeException;
import io.convscope.activations.LayerSelection;
import io.convscope.atlas.Atlas;
import io.convscope.atlas.AtlasJob;
import io.convscope.atlas.Dataset;
import io.convscope.atlas.Tally;
import io.convscope.data.FashionMnist;
import io.convscope.engine.Engine;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The atlas on Spark against the single machine: Spark in local mode inside this JVM, and a real
 * standalone cluster (a master and two workers started here as separate processes on 127.0.0.1, each
 * executor a JVM of its own). Both must give the single machine's tally byte for byte.
 */
class SparkAtlasTest {
    static final String NO_DATA = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
    static final int IMAGES = 2000; // four blocks of 512, the last one short

    static Network model;
    static AtlasJob job;
    static Network net;
    static byte[] single;

    @BeforeAll
    static void singleMachine() {
        assumeTrue(FashionMnist.available(), NO_DATA);
        model = ModelLoader.load(ModelLoader.Request.of(null), Progress.NONE);
        job = new AtlasJob("fashion-mnist", LayerSelection.blockEnds(model), 9, 32, 28, 28, Resize.CROP, IMAGES);
        net = Atlas.prepare(model, job);
        try (Engine e = Engine.create(net)) {
            single = Atlas.run(e, Dataset.open("fashion-mnist"), job, new Atlas.Options(1, null, false), Progress.NONE).toBytes();
        }
    }

    @Test
    void localModeGivesTheSingleMachineBytes() {
        Dataset data = Dataset.open("fashion-mnist");
        SparkConf conf = SparkAtlas.conf("local[2]");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("ERROR");
            Tally t = SparkAtlas.run(sc, net, job, data, job.blocks(IMAGES), Progress.NONE);
            assertEquals(IMAGES, t.images());
            assertArrayEquals(single, t.toBytes());
        }
    }

    @Test
    void anUnreachableMasterIsOneLineWithTheUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String url = "spark://127.0.0.1:" + port;
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> new SparkAtlas().run(url, net, job, Progress.NONE));
        assertEquals("cannot reach the Spark master at " + url, e.getMessage());
    }

    /**
     * Through the command line with this module on the class path (found by the ServiceLoader): a master
     * that does not answer, and a master URL Spark does not take, are one line each, exit status 1, and
     * nothing is written.
     */
    @Test
    void theCommandLineSaysOneLineForABadMaster(@TempDir Path dir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String data = Path.of("..", "samples", "fashion-mnist").toString();
        Path out = dir.resolve("site");
        String url = "spark://127.0.0.1:" + port;
        String[] err = cli("atlas", data, "--out", out.toString(), "--spark", url);
        assertEquals("1", err[0]);
        assertEquals(List.of("convscope: error: cannot reach the Spark master at " + url), List.of(err[1].strip().split("\n")));
        err = cli("atlas", data, "--out", out.toString(), "--spark", "nowhere");
        assertEquals("1", err[0]);
        assertEquals(List.of("convscope: error: --spark nowhere is not a Spark master URL (spark://host:7077, local[N], yarn, k8s://…)"),
                List.of(err[1].strip().split("\n")));
        for (String good : new String[] {"local", "local[2]", "local[*]", "local[2,3]", "yarn", "k8s://https://h:6443"}) {
            SparkAtlas.checkReachable(good); // no exception: forms Spark takes (only spark:// ones are dialled)
        }
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "nothing written");
        }
    }

    /** Runs the command line in this JVM: its exit status and what it wrote to the error stream. */
    private static String[] cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = io.convscope.cli.Main.run(args, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    @Tag("slow")
    void standaloneClusterOfTwoWorkersGivesTheSingleMachineBytes(@TempDir Path dir) throws Exception {
        String cp = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> opts = List.of(System.getProperty("convscope.spark.javaOpts", "").split("\\s+"));
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars")); // Spark's launcher wants SPARK_HOME/jars; the classes come from the class path
        List<Process> started = new ArrayList<>();
        try {
            // a cluster whose workers have not registered in time is started once more, on fresh ports and in fresh
            // folders, before the test fails with both attempts' logs: one bad start of three daemons on a loaded
            // machine is not the atlas's failure, two in a row are reported
            String master = null;
            StringBuilder failures = new StringBuilder();
            for (int attempt = 1; attempt <= 2 && master == null; attempt++) {
                Path logs = Files.createDirectories(dir.resolve("attempt" + attempt));
                int[] ports = freePorts(4);
                started.add(start(java, opts, cp, home, logs.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                        "--host", "127.0.0.1", "--port", Integer.toString(ports[0]), "--webui-port", Integer.toString(ports[1])));
                waitForPort(ports[0], 120);
                for (int w = 1; w <= 2; w++) {
                    Path work = Files.createDirectories(logs.resolve("worker" + w));
                    started.add(start(java, opts, cp, home, logs.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
                            "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(ports[1 + w]),
                            "--work-dir", work.toString(), "spark://127.0.0.1:" + ports[0]));
                }
                if (workersAlive(ports[1], 2, 100)) {
                    master = "spark://127.0.0.1:" + ports[0];
                } else {
                    stop(started);
                    started.clear();
                    failures.append("\nattempt ").append(attempt).append(": the workers did not register within 100 s").append(logs(logs));
                }
            }
            assertTrue(master != null, failures::toString);
            SparkConf conf = SparkAtlas.conf(master)
                    .set("spark.executor.extraClassPath", cp)
                    .set("spark.executor.memory", "700m")
                    .set("spark.executor.cores", "1")
                    .set("spark.cores.max", "2")
                    .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true " + String.join(" ", opts));
            Dataset data = Dataset.open("fashion-mnist");
            try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                sc.setLogLevel("ERROR");
                Tally t = SparkAtlas.run(sc, net, job, data, job.blocks(IMAGES), Progress.NONE);
                assertEquals(IMAGES, t.images());
                assertArrayEquals(single, t.toBytes());
            }
        } finally {
            stop(started);
        }
    }

    private static void stop(List<Process> started) throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : started) {
            p.waitFor();
        }
    }

    private static Process start(String java, List<String> opts, String cp, Path home, Path log, String main, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx256m");
        // the class path holds two SLF4J providers (convscope's no-op one and Spark's log4j); the daemons log
        // through Spark's, at its default level, so that a failure here can be read in their log files
        cmd.add("-Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider");
        for (String o : opts) {
            if (!o.isBlank()) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("ONEDNN_MAX_CPU_ISA", "AVX2");
        return pb.start();
    }

    private static final java.util.Random PORTS = new java.util.Random();

    /**
     * A port that is free now, taken below Linux's ephemeral range (32768 and up): a port from there (what
     * binding port 0 gives) can be taken as the local end of any outgoing connection before the daemon binds it,
     * and a Spark daemon whose port is taken quietly moves to the next one, where this test would not look.
     */
    private static int[] freePorts(int n) {
        java.util.Set<Integer> found = new java.util.LinkedHashSet<>();
        for (int tries = 0; tries < 1000 && found.size() < n; tries++) {
            int p = 20000 + PORTS.nextInt(12000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", p));
                found.add(p);
            } catch (IOException busy) {
                // taken: try another
            }
        }
        assertEquals(n, found.size(), "free ports below 32768");
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void waitForPort(int port, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(300);
            }
        }
        throw new AssertionError("the Spark master did not start within " + seconds + " s");
    }

    /** Polls the master's status page (its JSON) until {@code n} workers are alive; false if they are not in time. */
    private static boolean workersAlive(int uiPort, int n, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        java.util.regex.Pattern alive = java.util.regex.Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
        while (System.nanoTime() < end) {
            java.net.URLConnection c = new java.net.URL("http://127.0.0.1:" + uiPort + "/json/").openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try (var in = c.getInputStream()) {
                java.util.regex.Matcher m = alive.matcher(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                if (m.find() && Integer.parseInt(m.group(1)) >= n) {
                    return true;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** The daemons' logs (the last 4,000 characters of each) for a failure message. */
    private static String logs(Path folder) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"master.log", "worker1.log", "worker2.log"}) {
            Path p = folder.resolve(f);
            String text = Files.exists(p) ? Files.readString(p) : "(none)";
            sb.append('\n').append(f).append(": ").append(text.length() > 4000 ? "…" + text.substring(text.length() - 4000) : text);
        }
        return sb.toString();
    }
}
