package io.convscope.probe;

import ai.djl.Device;
import io.convscope.activations.ActivationViews;
import io.convscope.activations.Activations;
import io.convscope.activations.LayerSelection;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Where one {@code convscope activations --model vgg16 --weights none --views grid,topk,gif --out OUT IMAGE…}
 * spends its time, phase by phase, in a fresh JVM (run it once per measurement: the first run of each
 * phase is what a user waits for): JVM start to main, the random weights, the plan (images decoded,
 * network cut), the engine (weights to native memory) and forward passes with statistics, the drawing,
 * and the process's peak resident memory after each phase. Not a unit test:
 *
 * <pre>
 * mvn -o -q -pl core test-compile
 * ONEDNN_MAX_CPU_ISA=AVX2 java -Dai.djl.offline=true -Xmx6g -cp "core/target/classes:core/target/test-classes:cli/target/lib/*" \
 *     io.convscope.probe.ActivationsRunBenchmark OUT IMAGE_OR_FOLDER…
 * </pre>
 */
public final class ActivationsRunBenchmark {
    private ActivationsRunBenchmark() {
    }

    static long kb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long last;
    private static long lastCpu;

    /** CPU time of the whole process (all threads, PyTorch's included), in nanoseconds. */
    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void phase(String name) {
        long now = System.nanoTime();
        long c = cpu();
        long sinceStart = ManagementFactory.getRuntimeMXBean().getUptime();
        System.out.printf(Locale.ROOT, "PHASE %-10s %6.2f s, CPU %6.2f s (at %6.2f s since JVM start)  peak RSS %5d MiB%n", name,
                last == 0 ? sinceStart / 1e3 : (now - last) / 1e9, (c - lastCpu) / 1e9, sinceStart / 1e3, kb("VmHWM") / 1024);
        last = now;
        lastCpu = c;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        phase("jvm");
        Path out = Path.of(args[0]);
        List<String> images = new ArrayList<>(List.of(args).subList(1, args.length));
        Network net = ModelLoader.load(new ModelLoader.Request("vgg16", "none", true, 224, 224), Progress.NONE);
        phase("weights");
        ActivationViews.Options opt = ActivationViews.Options.defaults()
                .withViews(EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.TOPK, ActivationViews.View.GIF));
        ActivationsRequest request = new ActivationsRequest(images, new LayerSelection(List.of(), false, false, false), opt,
                0, 0, false, Resize.CROP, out);
        List<Path> files = request.inputs();
        ActivationsPlan plan = request.plan(files, net, MemoryLimits.current(null));
        phase("plan");
        Activations acts = plan.compute(Device.cpu(), Progress.NONE);
        phase("compute");
        List<String> written = plan.render(acts, Progress.NONE);
        phase("render");
        System.out.println(written.size() + " files in " + out);
    }
}
