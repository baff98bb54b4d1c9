package io.convscope.engine;

import ai.djl.Device;
import io.convscope.ConvscopeException;
import io.convscope.Setting;

import java.util.Locale;

/** Chooses where networks run: {@code cpu}, {@code gpu}, or {@code auto} (a GPU when one is usable). */
public final class Devices {
    private Devices() {
    }

    private static Thread preload;

    /**
     * Starts loading the PyTorch library (about half a second of one core: the native library, its
     * static initialisers, DJL's classes) on a daemon thread, so that it overlaps with whatever comes
     * before the first {@link #choose} (parsing the command line, reading a model file, decoding
     * images). Once per process; a failure is left for {@link #choose}, which meets it again and
     * reports it as before.
     */
    public static synchronized void preload() {
        if (preload != null) {
            return;
        }
        preload = new Thread(() -> {
            try {
                ai.djl.engine.Engine.getEngine("PyTorch");
            } catch (RuntimeException | Error e) {
                // choose() loads again on its own thread and says what went wrong
            }
        }, "convscope-engine-load");
        preload.setDaemon(true);
        preload.start();
    }

    /** Waits for a {@link #preload} to end: the process must not exit in the middle of loading a native library. */
    public static void awaitPreload() {
        Thread t;
        synchronized (Devices.class) {
            t = preload;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static Device choose(String choice) {
        String c = choice == null ? "auto" : choice.toLowerCase(Locale.ROOT);
        int gpus = ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount();
        // DJL switches autograd off (a thread-local setting) on the thread that loads the library; with
        // the library loaded by preload(), the thread that runs the work switches it off here, as before
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
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
