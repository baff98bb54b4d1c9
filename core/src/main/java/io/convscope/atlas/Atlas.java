package io.convscope.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.convscope.ConvscopeException;
import io.convscope.activations.Activations;
import io.convscope.activations.LayerSelection;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import io.convscope.util.AtomicFiles;
import io.convscope.util.Futures;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The atlas computation: streams a {@link Dataset} through a network and keeps, per unit of the chosen
 * layers, its top images and statistics ({@link Tally}).
 *
 * <p>Images are decoded and preprocessed on worker threads, a bounded number ahead of the engine, which
 * computes one batch at a time; each block of {@link AtlasJob#blockSize()} images becomes a tally of
 * its own, and the blocks are merged in dataset order. Memory is the tallies, the decoding window and
 * one batch's feature maps, whatever the size of the data set. A checkpoint (the merged tally and the
 * number of blocks done) is written every few seconds, so {@link #run} can resume without redoing or
 * double-counting images.
 */
public final class Atlas {
    /** Seconds between checkpoints. */
    public static final double CHECKPOINT_SECONDS = 10;

    private Atlas() {
    }

    /** Receives each block's tally, in block order. */
    @FunctionalInterface
    public interface BlockSink {
        void accept(int block, Tally tally);
    }

    /** How a run is carried out (none of it changes the result). */
    public record Options(int threads, Path checkpoint, boolean resume) {
        public static Options defaults() {
            return new Options(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), null, false);
        }
    }

    /**
     * The part of {@code net} the job needs, at the job's input size, with every layer checked: it must
     * exist and have spatial feature maps.
     */
    public static Network prepare(Network net, AtlasJob job) {
        for (String l : job.layers()) {
            if (!net.has(l)) {
                throw new ConvscopeException("no layer '" + l + "' in " + net.name()
                        + io.convscope.util.Names.didYouMean(l, LayerSelection.drawableNames(net)));
            }
            Node n = net.node(l);
            if (!LayerSelection.drawable(net, n)) {
                throw new ConvscopeException("layer '" + l + "' (" + n.layer().type() + ") has output "
                        + n.outputShape().toKerasString() + ", no spatial feature maps: the atlas needs (H, W, C) layers");
            }
        }
        return net.cut(job.layers(), job.height(), job.width()).orThrow();
    }

    /** An empty tally for the job's layers on {@code net} (from {@link #prepare}). */
    public static Tally emptyTally(Network net, AtlasJob job, Dataset data) {
        List<int[]> shapes = new ArrayList<>();
        for (String l : job.layers()) {
            TensorShape s = net.node(l).outputShape();
            shapes.add(new int[] {s.channels(), s.height(), s.width()});
        }
        return new Tally(job.layers(), shapes, job.top(), data.classes().size());
    }

    /** The network's input for image {@code i}: decoded, fitted and preprocessed (C × H × W floats). */
    public static float[] input(Network net, AtlasJob job, Dataset data, int i) {
        BufferedImage img = data.read(i);
        TensorShape in = TensorShape.chw(net.inputShape().channels(), job.height(), job.width());
        return ImageTensor.of(img, data.name(i), in, net.preprocessing(), job.resize()).data();
    }

    /** A short hash of the network's names, shapes and weights (for checkpoint fingerprints). */
    public static long weightsHash(Network net) {
        long h = 1125899906842597L;
        for (Node n : net.nodes()) {
            h = 31 * h + n.name().hashCode();
            h = 31 * h + n.layer().toString().hashCode();
            for (Map.Entry<String, Tensor> e : new java.util.TreeMap<>(n.params()).entrySet()) {
                FloatBuffer b = e.getValue().data();
                long size = e.getValue().size();
                h = 31 * h + size;
                long step = Math.max(1, size / 4096);
                for (long i = 0; i < size; i += step) {
                    h = 31 * h + Float.floatToIntBits(b.get((int) i));
                }
            }
        }
        return h;
    }

    /**
     * Computes blocks {@code from} (inclusive) to {@code to} (exclusive) of the job on {@code engine}
     * (whose network is {@link #prepare}d) and hands each block's tally to {@code sink} in order.
     * {@code progress.advance} is called with the images done since {@code from} (absolute count).
     */
    public static void computeBlocks(Engine engine, Dataset data, AtlasJob job, int from, int to, int threads,
                                     BlockSink sink, Progress progress) {
        Network net = engine.network();
        int images = job.images(data.size());
        int bs = job.blockSize();
        int first = Math.min(images, from * bs);
        int last = Math.min(images, to * bs);
        Tally template = emptyTally(net, job, data);
        int c = net.inputShape().channels();
        int sample = c * job.height() * job.width();
        Progress p = Progress.orNone(progress);
        long done = 0;
        try (Feed feed = new Feed(data, i -> input(net, job, data, i), first, last, threads, Math.max(2 * job.batch(), 4 * threads))) {
            for (int b = from; b < to; b++) {
                int start = b * bs;
                int end = Math.min(images, start + bs);
                Tally t = template.emptyCopy();
                for (int s = start; s < end; s += job.batch()) {
                    int n = Math.min(job.batch(), end - s);
                    List<Feed.Item> ok = new ArrayList<>(n);
                    for (int j = 0; j < n; j++) {
                        Feed.Item it = feed.next();
                        if (it.error() != null) {
                            t.fail(data.name(it.index()), it.error());
                        } else {
                            ok.add(it);
                        }
                    }
                    if (!ok.isEmpty()) {
                        forward(engine, job, data, ok, sample, t);
                    }
                    done += n;
                    p.advance(done);
                }
                sink.accept(b, t);
            }
        }
    }

    private static void forward(Engine engine, AtlasJob job, Dataset data, List<Feed.Item> batch, int sample, Tally t) {
        int n = batch.size();
        float[] x = new float[n * sample];
        for (int j = 0; j < n; j++) {
            System.arraycopy(batch.get(j).x(), 0, x, j * sample, sample);
        }
        int c = sample / (job.height() * job.width());
        try (NDManager scope = engine.manager().newSubManager()) {
            NDArray in = engine.input(scope, x, n, c, job.height(), job.width());
            Map<String, NDArray> out = engine.forward(in, job.layers());
            for (int l = 0; l < job.layers().size(); l++) {
                NDArray a = out.get(job.layers().get(l));
                float[] host = (a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false)).toFloatArray();
                a.close();
                int per = host.length / n;
                for (int j = 0; j < n; j++) {
                    int idx = batch.get(j).index();
                    t.add(l, idx, data.label(idx), host, j * per);
                }
            }
        }
        for (Feed.Item it : batch) {
            t.countImage(data.label(it.index()));
        }
    }

    /**
     * The whole job on one machine: every block, merged in order, with checkpoints when
     * {@code options.checkpoint()} is set (and resumed from it when {@code options.resume()}).
     */
    public static Tally run(Engine engine, Dataset data, AtlasJob job, Options options, Progress progress) {
        Network net = engine.network();
        int images = job.images(data.size());
        if (images == 0) {
            throw new ConvscopeException(data.spec() + ": the dataset is empty");
        }
        int blocks = job.blocks(images);
        String fingerprint = job.fingerprint(net.name(), weightsHash(net), data.size());
        Tally total = emptyTally(net, job, data);
        int startBlock = 0;
        if (options.resume() && options.checkpoint() != null) {
            Checkpoint cp = Checkpoint.read(options.checkpoint());
            if (cp != null) {
                if (!cp.fingerprint().equals(fingerprint)) {
                    throw new ConvscopeException("the checkpoint " + options.checkpoint() + " is of another run (its model, dataset, "
                            + "layers, top count, batch size or input size differ); start again without resuming");
                }
                total = cp.tally();
                startBlock = cp.blocks();
            }
        }
        int bs = job.blockSize();
        long already = Math.min(images, (long) startBlock * bs);
        Progress p = Progress.orNone(progress);
        // a resumed run counts what is left, so that images/s and the time left are this run's
        p.start("atlas of " + data.spec() + (already > 0 ? " (resumed after " + already + ")" : ""), images - already,
                Progress.Unit.STEPS);
        Tally[] acc = {total};
        int[] doneBlocks = {startBlock};
        long[] lastSave = {System.nanoTime()};
        try {
            computeBlocks(engine, data, job, startBlock, blocks, options.threads(), (b, t) -> {
                acc[0].merge(t);
                doneBlocks[0] = b + 1;
                if (options.checkpoint() != null && (System.nanoTime() - lastSave[0]) / 1e9 >= CHECKPOINT_SECONDS) {
                    Checkpoint.write(options.checkpoint(), fingerprint, doneBlocks[0], acc[0]);
                    lastSave[0] = System.nanoTime();
                }
            }, new Progress() {
                @Override
                public void start(String what, long total1, Unit unit) {
                }

                @Override
                public void advance(long done) {
                    p.advance(done);
                }

                @Override
                public void finish() {
                }
            });
        } finally {
            if (options.checkpoint() != null && doneBlocks[0] > startBlock) {
                Checkpoint.write(options.checkpoint(), fingerprint, doneBlocks[0], acc[0]);
            }
            p.finish();
        }
        if (acc[0].images() == 0) {
            if (options.checkpoint() != null && startBlock == 0) {
                try {
                    Files.deleteIfExists(options.checkpoint()); // nothing to resume: leave nothing behind
                } catch (IOException e) {
                    // it is only a checkpoint
                }
            }
            throw new ConvscopeException("none of the " + images + " images of " + data.spec() + " could be read; the first: "
                    + (acc[0].failures().isEmpty() ? "?" : acc[0].failures().get(0)));
        }
        return acc[0];
    }

    /** A checkpoint: the tally of the first {@code blocks} blocks and the job's fingerprint. */
    public record Checkpoint(String fingerprint, int blocks, Tally tally) {
        private static final int MAGIC = 0x41544350; // "ATCP"

        /** The checkpoint in {@code file}, or null when there is none. */
        public static Checkpoint read(Path file) {
            try (InputStream raw = Files.newInputStream(file);
                 DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
                if (in.readInt() != MAGIC) {
                    throw new ConvscopeException(file + " is not an atlas checkpoint");
                }
                String fp = in.readUTF();
                int blocks = in.readInt();
                return new Checkpoint(fp, blocks, Tally.read(in));
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new ConvscopeException("cannot read the checkpoint " + file + ": " + e.getMessage());
            }
        }

        /** Writes the checkpoint atomically (also when the run is being stopped: that is when it matters). */
        public static void write(Path file, String fingerprint, int blocks, Tally tally) {
            AtomicFiles.writeAnyway(file, out -> {
                DataOutputStream d = new DataOutputStream(out);
                d.writeInt(MAGIC);
                d.writeUTF(fingerprint);
                d.writeInt(blocks);
                tally.write(d);
                d.flush();
            });
        }
    }

    /** Decodes images in index order on worker threads, a bounded window ahead of the reader. */
    static final class Feed implements AutoCloseable {
        /** Image {@code index}: its input floats, or why it could not be read. */
        record Item(int index, float[] x, String error) { }

        /** Makes the input of one image. */
        interface Loader {
            float[] load(int index);
        }

        private final ExecutorService pool;
        private final ArrayDeque<Future<Item>> pending = new ArrayDeque<>();
        private final Loader loader;
        private final int to;
        private final int window;
        private int nextSubmit;

        Feed(Dataset data, Loader loader, int from, int to, int threads, int window) {
            AtomicInteger count = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "atlas-decode-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(Math.max(1, threads), tf);
            this.loader = loader;
            this.to = to;
            this.window = Math.max(1, window);
            this.nextSubmit = from;
            fill();
        }

        private void fill() {
            while (pending.size() < window && nextSubmit < to) {
                int i = nextSubmit++;
                pending.add(pool.submit(() -> {
                    try {
                        return new Item(i, loader.load(i), null);
                    } catch (ConvscopeException e) {
                        return new Item(i, null, e.getMessage());
                    } catch (RuntimeException e) {
                        return new Item(i, null, String.valueOf(e));
                    }
                }));
            }
        }

        Item next() {
            Future<Item> f = pending.poll();
            if (f == null) {
                throw new IllegalStateException("no more images");
            }
            fill();
            return Futures.get(f);
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }
}
