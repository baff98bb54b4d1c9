package io.convscope.explain;

import io.convscope.util.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** NumPy {@code .npy} files (format 1.0) of little-endian float32 arrays, written atomically. */
public final class Npy {
    private Npy() {
    }

    /** The bytes of an .npy file holding {@code values} with {@code shape} (C order). */
    public static byte[] bytes(float[] values, int... shape) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(shape.length == 1 || i < shape.length - 1 ? "," : "");
            if (i < shape.length - 1) {
                dims.append(' ');
            }
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length).put(h);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Writes {@code values} as an .npy file of {@code shape}. */
    public static void write(Path file, float[] values, int... shape) {
        byte[] data = bytes(values, shape);
        AtomicFiles.write(file, (OutputStream out) -> out.write(data));
    }

    /** Reads an .npy file of float32 written by {@link #write} (for tests and tools). */
    public static float[] read(byte[] file) throws IOException {
        if ((file[0] & 0xff) != 0x93 || file[1] != 'N') {
            throw new IOException("not an .npy file");
        }
        int hl = (file[8] & 0xff) | (file[9] & 0xff) << 8;
        ByteBuffer b = ByteBuffer.wrap(file, 10 + hl, file.length - 10 - hl).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }
}
