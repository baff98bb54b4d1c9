package io.convscope.engine;

import ai.djl.Device;
import io.convscope.ConvscopeException;
import io.convscope.Setting;

import java.util.Locale;

/** Chooses where networks run: {@code cpu}, {@code gpu}, or {@code auto} (a GPU when one is usable). */
public final class Devices {
    private Devices() {
    }

    public static Device choose(String choice) {
        String c = choice == null ? "auto" : choice.toLowerCase(Locale.ROOT);
        int gpus = ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount();
        return switch (c) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> {
                if (gpus == 0) {
                    throw new ConvscopeException(Setting.DEVICE + " gpu: no CUDA GPU is usable by the PyTorch library in use "
                            + "(this build ships the CPU library; see the README's GPU section)");
                }
                yield Device.gpu();
            }
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            default -> throw new ConvscopeException("unknown device '" + choice + "': use cpu, gpu or auto");
        };
    }
}
