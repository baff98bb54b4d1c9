package io.convscope.spark;

import io.convscope.ConvscopeException;
import io.convscope.atlas.Atlas;
import io.convscope.atlas.AtlasCluster;
import io.convscope.atlas.AtlasJob;
import io.convscope.atlas.Dataset;
import io.convscope.atlas.Tally;
import io.convscope.engine.Engine;
import io.convscope.cvs.NetworkFile;
import io.convscope.network.Network;
import io.convscope.util.Progress;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The atlas on Apache Spark. The job's blocks ({@link AtlasJob#blockSize()} images each) are spread over
 * the executors in contiguous ranges; every executor builds an engine from the broadcast network, opens
 * the data set at the same path (storage every executor sees) and computes its blocks' tallies; the
 * driver collects them and merges them in block order, as the single machine does, so the result is the
 * same bits at the same batch size.
 */
public final class SparkAtlas implements AtlasCluster, Serializable {
    private static final long serialVersionUID = 1L;

    /** Spark settings for every run: small, quiet, no web UI. */
    static SparkConf conf(String master) {
        SparkConf c = new SparkConf().setAppName("convscope atlas").set("spark.ui.enabled", "false")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1")
                .setIfMissing("spark.executor.memory", "1g")
                .set("spark.executorEnv.ONEDNN_MAX_CPU_ISA", "AVX2");
        if (master != null && !master.isBlank()) {
            c.setMaster(master);
        }
        String opts = c.get("spark.executor.extraJavaOptions", "");
        if (!opts.contains("ai.djl.offline")) {
            c.set("spark.executor.extraJavaOptions", (opts + " -Dai.djl.offline=true").strip());
        }
        return c;
    }

    @Override
    public Tally run(String master, Network net, AtlasJob job, Progress progress) {
        checkReachable(master);
        Dataset data = Dataset.open(job.dataset());
        int images = job.images(data.size());
        if (images == 0) {
            throw new ConvscopeException(data.spec() + ": the dataset is empty");
        }
        int blocks = job.blocks(images);
        Progress p = Progress.orNone(progress);
        try (JavaSparkContext sc = start(master)) {
            sc.setLogLevel("ERROR");
            p.start("atlas of " + data.spec() + " on Spark " + master, images, Progress.Unit.STEPS);
            try {
                return run(sc, net, job, data, blocks, p);
            } finally {
                p.finish();
            }
        }
    }

    /** A Spark context for {@code master}; a master Spark does not take (a bad URL) is one line naming it. */
    static JavaSparkContext start(String master) {
        try {
            return new JavaSparkContext(conf(master));
        } catch (Exception e) { // SparkException is checked in Scala's eyes only
            String why = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse(e.getClass().getSimpleName());
            throw new ConvscopeException("cannot start Spark with the master " + master + ": " + why, e);
        }
    }

    /** The job on a running Spark context (tests share one). */
    public static Tally run(JavaSparkContext sc, Network net, AtlasJob job, Dataset data, int blocks, Progress p) {
        Broadcast<byte[]> model = sc.broadcast(bytes(net));
        List<Integer> ids = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            ids.add(b);
        }
        int slices = Math.max(1, Math.min(blocks, sc.defaultParallelism() * 2));
        JavaRDD<Integer> rdd = sc.parallelize(ids, slices);
        List<Tuple2<Integer, byte[]>> parts = rdd.mapPartitions(new BlockTask(model, job)).collect();
        List<Tuple2<Integer, byte[]>> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        if (sorted.size() != blocks) {
            throw new IllegalStateException("Spark returned " + sorted.size() + " of " + blocks + " blocks");
        }
        Tally total = Atlas.emptyTally(net, job, data);
        long done = 0;
        for (Tuple2<Integer, byte[]> t : sorted) {
            Tally b = Tally.fromBytes(t._2());
            total.merge(b);
            done += b.images() + b.failed();
            p.advance(done);
        }
        if (total.images() == 0) {
            throw new ConvscopeException("none of the " + job.images(data.size()) + " images of " + data.spec()
                    + " could be read; the first: " + (total.failures().isEmpty() ? "?" : total.failures().get(0)));
        }
        return total;
    }

    /** One partition: its blocks (contiguous, ascending) computed on an engine of its own. */
    static final class BlockTask implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<Integer>, Tuple2<Integer, byte[]>> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[]> model;
        private final AtlasJob job;

        BlockTask(Broadcast<byte[]> model, AtlasJob job) {
            this.model = model;
            this.job = job;
        }

        @Override
        public Iterator<Tuple2<Integer, byte[]>> call(Iterator<Integer> blocks) {
            List<Integer> mine = new ArrayList<>();
            blocks.forEachRemaining(mine::add);
            List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
            if (mine.isEmpty()) {
                return out.iterator();
            }
            Network net = NetworkFile.load(new ByteArrayInputStream(model.value()));
            Dataset data = Dataset.open(job.dataset());
            try (Engine engine = Engine.create(net)) {
                int i = 0;
                while (i < mine.size()) {
                    int from = mine.get(i);
                    int j = i;
                    while (j + 1 < mine.size() && mine.get(j + 1) == mine.get(j) + 1) {
                        j++;
                    }
                    Atlas.computeBlocks(engine, data, job, from, mine.get(j) + 1, 1,
                            (b, t) -> out.add(new Tuple2<>(b, t.toBytes())), Progress.NONE);
                    i = j + 1;
                }
            }
            return out.iterator();
        }
    }

    static byte[] bytes(Network net) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            NetworkFile.write(net, b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** The forms of master URL Spark takes (its SparkContext and SparkSubmit). */
    private static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
            "local(\\[(\\*|\\d+)(,\\d+)?])?|local-cluster\\[\\d+,\\d+,\\d+]|spark://.+|yarn|k8s://.+|mesos://.+");

    /**
     * A master URL that is none of Spark's forms, or a {@code spark://host:port} master that does not
     * answer, is one line naming it (before Spark starts, which takes a while).
     */
    static void checkReachable(String master) {
        if (master == null || !MASTER.matcher(master).matches()) {
            throw new ConvscopeException("--spark " + master + " is not a Spark master URL (spark://host:7077, local[N], yarn, k8s://…)");
        }
        if (!master.startsWith("spark://")) {
            return;
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI u;
            try {
                u = new URI("spark://" + hostPort);
            } catch (java.net.URISyntaxException e) {
                throw new ConvscopeException("--spark " + master + " is not a Spark master URL (spark://host:7077)");
            }
            if (u.getHost() == null) {
                throw new ConvscopeException("--spark " + master + " is not a Spark master URL (spark://host:7077)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 7077 : u.getPort()), 3000);
                return;
            } catch (IOException e) {
                // try the next one
            }
        }
        throw new ConvscopeException("cannot reach the Spark master at " + master);
    }
}
