package io.convscope.onnx;

import io.convscope.ConvscopeException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tensors of the model file: decoded to {@link Const}s, external data read from beside the model. */
final class TensorData {
    private TensorData() {
    }

    /** Decodes a TensorProto; messages name {@code source}. */
    static Const decode(OnnxProto.TensorP t, Path baseDir, String source) {
        byte[] ext = null;
        if (t.isExternal()) {
            ext = external(t, baseDir, source);
        }
        try {
            return Const.decode(t, ext);
        } catch (UnsupportedOperationException e) {
            throw new OnnxUnsupportedException(source + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConvscopeException(source + " is corrupt: " + e.getMessage());
        }
    }

    /** The bytes of an external tensor: its file, offset and length from the tensor's external_data. */
    static byte[] external(OnnxProto.TensorP t, Path baseDir, String source) {
        String location = t.external().get("location");
        if (location == null) {
            throw new ConvscopeException(source + ": tensor '" + t.name() + "' is stored externally but names no file");
        }
        Path dir = baseDir == null ? Path.of(".") : baseDir;
        Path f;
        long offset;
        long length;
        try {
            f = dir.resolve(location).normalize();
            offset = Long.parseLong(t.external().getOrDefault("offset", "0"));
            length = t.external().containsKey("length") ? Long.parseLong(t.external().get("length")) : -1;
        } catch (IllegalArgumentException e) { // a bad path or number
            throw new ConvscopeException(source + ": tensor '" + t.name() + "' has unreadable external_data ("
                    + OnnxImporter.oneLine(e) + ")");
        }
        if (!Files.isRegularFile(f)) {
            throw new ConvscopeException(source + ": external data file '" + location + "' for tensor '" + t.name()
                    + "' not found (looked in " + dir + ")");
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long size = raf.length();
            if (length < 0) {
                length = size - offset;
            }
            if (offset < 0 || length < 0 || offset + length > size || length > Integer.MAX_VALUE) {
                throw new ConvscopeException(source + ": external data file '" + location + "' is too short for tensor '"
                        + t.name() + "' (needs bytes " + offset + "–" + (offset + length) + ", has " + size + ")");
            }
            byte[] out = new byte[(int) length];
            raf.seek(offset);
            raf.readFully(out);
            return out;
        } catch (IOException e) {
            throw new ConvscopeException(source + ": cannot read external data file '" + location + "': " + e.getMessage());
        }
    }
}
