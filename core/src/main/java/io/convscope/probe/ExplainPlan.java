package io.convscope.probe;

import ai.djl.Device;
import io.convscope.explain.ExplainRun;
import io.convscope.memory.MemoryNeed;
import io.convscope.network.Network;
import io.convscope.util.Progress;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * An {@code explain} run, checked and estimated by {@link ExplainRequest#plan}: the images, the methods,
 * the memory a batch needs. {@link #run} computes and writes everything ({@link ExplainRun}).
 */
public record ExplainPlan(ExplainRequest request, Network network, List<Path> files, List<String> methods, MemoryNeed estimate) {

    /** The page that shows the run. */
    public Path index() {
        return request.out().resolve("index.html");
    }

    /** Runs on {@code device}; {@code warn} gets one line per warning (integrated gradients' completeness). */
    public ExplainRun.Result run(Device device, Progress progress, Consumer<String> warn) {
        ExplainRequest q = request;
        return ExplainRun.run(new ExplainRun.Request(network, files, methods, q.targets(), q.settings(), q.score(), q.batch(), q.colormap(),
                q.opacity(), q.metrics(), q.metricSteps(), q.resize(), q.tolerance(), q.out(), device == null ? Device.cpu() : device),
                Progress.orNone(progress), warn);
    }
}
