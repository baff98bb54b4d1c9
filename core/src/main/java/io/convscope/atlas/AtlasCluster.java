package io.convscope.atlas;

import io.convscope.network.Network;
import io.convscope.util.Progress;

/**
 * Runs an atlas job on a cluster. The {@code convscope-spark} module provides one for Apache Spark
 * (found with {@link java.util.ServiceLoader} when its jar is on the class path), so that neither the
 * core nor the command line carries Spark.
 *
 * <p>An implementation computes the job's blocks anywhere it likes and must merge the blocks' tallies
 * in block order ({@link Tally#merge}), which makes its result the single machine's, bit for bit, at the
 * same batch size.
 */
public interface AtlasCluster {
    /**
     * The merged tally of every block of the job.
     *
     * @param master the cluster's address (for Spark: {@code spark://host:7077}, {@code local[2]}, …)
     * @param net    the network, {@link Atlas#prepare}d
     * @throws io.convscope.ConvscopeException when the cluster cannot be reached (one line naming it)
     */
    Tally run(String master, Network net, AtlasJob job, Progress progress);
}
