package io.convscope.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Every 2-d convolution the engine runs goes through here.
 *
 * <p>On the CPU, PyTorch hands float convolutions to oneDNN, whose blocked kernels work on groups of
 * 16 channels. On some x86 machines (measured here: an AMD Zen 5 virtual machine whose cpuid reports
 * no cache topology, PyTorch 2.7.1 with oneDNN 3.7.1) those kernels compute wrong values — sometimes
 * NaN — when a channel count has to be padded to the block: the forward pass when a plain
 * convolution has more than 16 input channels that are not a multiple of 16 (24, say) and a kernel of
 * 5×5 or more, the input gradient when the output channels are not a multiple of 16 (8, 24, …).
 * The engine therefore pads such channel counts with zeros to the next multiple of the block and
 * slices the result: exact (the extra channels are zero), differentiable, and free for the usual
 * 64/128/256/512-channel layers. Capped at AVX2 the kernels work on blocks of 8 and the same holds
 * for 8: unpadded, an input gradient with 2 output channels came out wrong there; padded to 8, none.
 * So the block is 8 when {@code ONEDNN_MAX_CPU_ISA} caps oneDNN below AVX-512, which spares
 * SqueezeNet's 1000-class convolution (a multiple of 8, not of 16) a padded copy of its kernel and a
 * slice at every pass. {@code ConvolutionTest} checks the forward values against
 * PyTorch's float64 convolution (which does not use oneDNN) and the input gradient against it,
 * over the channel counts that broke.
 *
 * <p>Padding is not enough at oneDNN's AVX-512 level on such a machine (a 48-channel stride-2
 * convolution still gets a wrong input gradient there); capped at AVX2 with
 * {@code ONEDNN_MAX_CPU_ISA=AVX2}, as the {@code convscope} launcher and the test runner do, every
 * configuration tested is exact. The variable is read when PyTorch starts, so a library user must
 * set it before starting Java; {@link #checkCpuKernels} warns once per process when the kernels in
 * use get a known-bad case wrong.
 */
final class Convolution {
    /** oneDNN's channel block for the instruction set in use: 8 below AVX-512, else 16. */
    static final int BLOCK = block(System.getenv("ONEDNN_MAX_CPU_ISA") != null ? System.getenv("ONEDNN_MAX_CPU_ISA")
            : System.getenv("DNNL_MAX_CPU_ISA"));
    private static volatile Boolean cpuKernelsSound;

    private Convolution() { }

    /**
     * Runs one convolution that oneDNN's AVX-512 kernels get wrong on affected machines (24 input
     * channels, 5×5) against PyTorch's float64 convolution, once per process, and prints a warning
     * naming the fix when they disagree. Returns whether the kernels were right. Not run (true) when
     * the environment caps oneDNN below AVX-512 ({@link #checked}), as the launcher does: the kernels
     * it tests cannot run then, and the check took 12-16 ms of every process's first engine.
     */
    static boolean checkCpuKernels(NDManager parent) {
        Boolean sound = cpuKernelsSound;
        if (sound != null) {
            return sound;
        }
        if (!checked(BLOCK)) {
            cpuKernelsSound = true;
            return true;
        }
        synchronized (Convolution.class) {
            if (cpuKernelsSound == null) {
                try (NDManager m = parent.newSubManager(Device.cpu())) {
                    NDArray x = m.arange(2 * 24 * 12 * 12).toType(DataType.FLOAT32, false).mul(0.618034f).sin().reshape(2, 24, 12, 12);
                    NDArray w = m.arange(16 * 24 * 5 * 5).toType(DataType.FLOAT32, false).mul(0.414214f).cos().reshape(16, 24, 5, 5);
                    Shape one = new Shape(1, 1);
                    Shape two = new Shape(2, 2);
                    NDArray y = Conv2d.conv2d(x, w, null, one, two, one, 1).singletonOrThrow().toType(DataType.FLOAT64, false);
                    NDArray ref = Conv2d.conv2d(x.toType(DataType.FLOAT64, false), w.toType(DataType.FLOAT64, false), null, one, two,
                            one, 1).singletonOrThrow();
                    double scale = ref.abs().max().toDoubleArray()[0];
                    double err = y.sub(ref).abs().max().toDoubleArray()[0];
                    cpuKernelsSound = err <= 1e-4 * scale;
                }
                if (!cpuKernelsSound) {
                    System.err.println("convscope: warning: this CPU's oneDNN convolution kernels compute wrong values; "
                            + "set ONEDNN_MAX_CPU_ISA=AVX2 in the environment before starting Java (the convscope launcher does)");
                }
            }
            return cpuKernelsSound;
        }
    }

    /** conv2d(x, w) + b with symmetric padding; {@code b} may be null. */
    static NDArray conv2d(NDArray x, NDArray w, NDArray b, Shape stride, Shape pad, Shape dilation, int groups) {
        if (!x.getDevice().getDeviceType().equals(Device.Type.CPU) || groups != 1) {
            return Conv2d.conv2d(x, w, b, stride, pad, dilation, groups).singletonOrThrow();
        }
        long out = w.getShape().get(0);
        long in = w.getShape().get(1);
        long outPadded = roundUp(out);
        long inPadded = in > BLOCK ? roundUp(in) : in;
        if (out == outPadded && in == inPadded) {
            return Conv2d.conv2d(x, w, b, stride, pad, dilation, groups).singletonOrThrow();
        }
        // temporaries live in the input's scope and are closed here; autograd keeps what it needs
        var m = x.getManager();
        NDArray kernel = w;
        NDArray bias = b;
        NDArray src = x;
        NDList temporaries = new NDList();
        if (inPadded != in) {
            Shape ws = w.getShape();
            Shape xs = x.getShape();
            NDArray kz = keep(temporaries, m.zeros(new Shape(ws.get(0), inPadded - in, ws.get(2), ws.get(3)), w.getDataType(), x.getDevice()));
            NDArray xz = keep(temporaries, m.zeros(new Shape(xs.get(0), inPadded - in, xs.get(2), xs.get(3)), x.getDataType(), x.getDevice()));
            kernel = keep(temporaries, NDArrays.concat(new NDList(kernel, kz), 1));
            src = keep(temporaries, NDArrays.concat(new NDList(x, xz), 1));
        }
        if (outPadded != out) {
            Shape ks = kernel.getShape();
            NDArray kz = keep(temporaries, m.zeros(new Shape(outPadded - out, ks.get(1), ks.get(2), ks.get(3)), w.getDataType(), x.getDevice()));
            kernel = keep(temporaries, NDArrays.concat(new NDList(kernel, kz), 0));
            if (bias != null) {
                NDArray bz = keep(temporaries, m.zeros(new Shape(outPadded - out), bias.getDataType(), x.getDevice()));
                bias = keep(temporaries, NDArrays.concat(new NDList(bias, bz), 0));
            }
        }
        for (NDArray t : temporaries) {
            t.attach(m);
        }
        NDArray y = Conv2d.conv2d(src, kernel, bias, stride, pad, dilation, groups).singletonOrThrow();
        if (outPadded != out) {
            keep(temporaries, y);
            y = Tensors.slice(y, 1, 0, out);
        }
        temporaries.close();
        return y;
    }

    private static NDArray keep(NDList temporaries, NDArray a) {
        temporaries.add(a);
        return a;
    }

    /**
     * The block for a {@code ONEDNN_MAX_CPU_ISA} value: 8 for the AVX2 level and below (SSE41, AVX,
     * AVX2 and its VNNI variants), 16 when unset or AVX-512 and above (AVX512_*, AVX10_*, AMX).
     */
    static int block(String maxIsa) {
        if (maxIsa == null || maxIsa.isBlank()) {
            return 16;
        }
        String v = maxIsa.trim().toUpperCase(java.util.Locale.ROOT);
        return v.startsWith("SSE") || v.equals("AVX") || v.startsWith("AVX2") ? 8 : 16;
    }

    /** Whether {@link #checkCpuKernels} runs its test convolution for a channel block: only where AVX-512 kernels may run (16). */
    static boolean checked(int block) {
        return block == 16;
    }

    private static long roundUp(long c) {
        return (c + BLOCK - 1) / BLOCK * BLOCK;
    }
}
