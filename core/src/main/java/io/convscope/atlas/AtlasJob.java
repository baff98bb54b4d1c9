package io.convscope.atlas;

import io.convscope.image.Resize;

import java.util.List;

/**
 * What one atlas run computes: which data set, which layers, how many top images per unit, at which
 * batch size and input size. Everything here is plain data so that another machine (a Spark executor)
 * can do the same work.
 *
 * <p>The data set is cut into blocks of {@link #blockSize()} images (a multiple of the batch, about
 * 512): a block's batches always start at the block's first image, so the same images meet in the
 * same batches on every machine, and blocks are merged in their order. That is what makes the result
 * the same bits whatever the number of threads or machines at one batch size.
 *
 * @param dataset the DATASET argument ({@link Dataset#open})
 * @param layers  the layers, in network order
 * @param top     images per unit (≥ 1)
 * @param batch   images per forward pass (≥ 1)
 * @param height  input height the images are fitted to
 * @param width   input width
 * @param resize  how images are fitted
 * @param limit   use only the first {@code limit} images (0: all)
 */
public record AtlasJob(String dataset, List<String> layers, int top, int batch, int height, int width, Resize resize,
                       int limit) implements java.io.Serializable {
    /** The block size's target. */
    public static final int BLOCK_TARGET = 512;

    public AtlasJob {
        layers = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(layers)); // serializable
        if (top < 1) {
            throw new IllegalArgumentException("top must be at least 1");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1");
        }
    }

    /** Images per block: the smallest multiple of the batch that is at least {@link #BLOCK_TARGET}. */
    public int blockSize() {
        return batch * Math.max(1, (BLOCK_TARGET + batch - 1) / batch);
    }

    /** How many images of a data set of {@code size} the job uses. */
    public int images(int size) {
        return limit > 0 ? Math.min(limit, size) : size;
    }

    /** How many blocks for {@code images} images. */
    public int blocks(int images) {
        return (int) ((images + (long) blockSize() - 1) / blockSize());
    }

    /** A line that changes whenever the result would: checkpoints from another job are refused. */
    public String fingerprint(String network, long weightsHash, int datasetSize) {
        return "atlas1|" + network + "|" + Long.toHexString(weightsHash) + "|" + dataset + "|" + datasetSize + "|"
                + String.join(",", layers) + "|" + top + "|" + batch + "|" + width + "x" + height + "|" + resize + "|" + limit;
    }
}
