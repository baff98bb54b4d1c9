package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.FloatingPoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few HDF5 operations the Keras readers need, on top of jhdf: opening (with a truncation
 * check), string attributes as Keras writes them, groups by path, and float datasets read without
 * extra copies (a contiguous float32 dataset is a view of the memory-mapped file).
 */
final class H5 implements AutoCloseable {
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private static final long PRELOAD_MIN = 1 << 20; // values

    private final HdfFile file;
    private final String display;
    /** A temporary copy that {@link #close} deletes, or null. */
    private Path temporary;

    private H5(HdfFile file, String display) {
        this.file = file;
        this.display = display;
    }

    /** {@link #open(Path)} of a temporary copy, which {@link #close} deletes. */
    static H5 openTemporary(Path path) throws IOException {
        H5 h = open(path);
        h.temporary = path;
        return h;
    }

    /** Opens an HDF5 file; a file shorter than its superblock says is reported as truncated. */
    static H5 open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long sb = findSignature(ch);
            if (sb < 0) {
                throw new ConvscopeException(path + " is not an HDF5 file");
            }
            ByteBuffer head = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(head, sb);
            head.flip();
            checkLength(head, ch.size(), path.toString());
        }
        return new H5(new HdfFile(path), path.toString());
    }

    /** Opens HDF5 data held in memory (e.g. {@code model.weights.h5} inside a .keras zip). */
    static H5 open(byte[] bytes, String display) {
        ByteBuffer all = ByteBuffer.wrap(bytes);
        long sb = findSignature(all);
        if (sb < 0) {
            throw new ConvscopeException(display + " is not an HDF5 file");
        }
        ByteBuffer head = all.duplicate().position((int) sb).slice().order(ByteOrder.LITTLE_ENDIAN);
        checkLength(head, bytes.length, display);
        return new H5(HdfFile.fromBytes(bytes), display);
    }

    String display() {
        return display;
    }

    Group root() {
        return file;
    }

    @Override
    public void close() {
        file.close();
        if (temporary != null) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // a temporary file left in the temp folder; nothing the run can do about it
            }
        }
    }

    // ---- format detection ----------------------------------------------------------------------

    /** Offset of the HDF5 signature (0, 512, 1024, 2048, …) or -1. */
    static long findSignature(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer b = ByteBuffer.allocate(8);
        for (long off = 0; off + 8 <= size; off = off == 0 ? 512 : off * 2) {
            b.clear();
            ch.read(b, off);
            if (b.position() == 8 && Arrays.equals(b.array(), SIGNATURE)) {
                return off;
            }
        }
        return -1;
    }

    static long findSignature(ByteBuffer all) {
        byte[] sig = new byte[8];
        for (long off = 0; off + 8 <= all.limit(); off = off == 0 ? 512 : off * 2) {
            all.get((int) off, sig);
            if (Arrays.equals(sig, SIGNATURE)) {
                return off;
            }
        }
        return -1;
    }

    /**
     * Reads the end-of-file address from the superblock and compares it with the real size. This
     * is the check libhdf5 makes; jhdf itself would fail later with a less helpful error.
     */
    private static void checkLength(ByteBuffer sb, long actualSize, String display) {
        if (sb.remaining() < 16) {
            throw truncated(display, "the superblock is cut off", null);
        }
        int version = sb.get(8) & 0xff;
        int offsetSize;
        int baseAt;
        if (version == 0 || version == 1) {
            offsetSize = sb.get(13) & 0xff;
            baseAt = version == 0 ? 24 : 28;
        } else if (version == 2 || version == 3) {
            offsetSize = sb.get(9) & 0xff;
            baseAt = 12;
        } else {
            return; // a future superblock: leave it to jhdf
        }
        if (offsetSize != 2 && offsetSize != 4 && offsetSize != 8) {
            throw truncated(display, "the superblock is damaged", null);
        }
        int eofAt = baseAt + 2 * offsetSize; // after the base address and one more address
        if (sb.remaining() < eofAt + offsetSize) {
            throw truncated(display, "the superblock is cut off", null);
        }
        long base = readOffset(sb, baseAt, offsetSize);
        long eof = readOffset(sb, eofAt, offsetSize);
        if (eof == -1 || base == -1) {
            return; // undefined address
        }
        if (base + eof > actualSize) {
            throw truncated(display, "it has " + actualSize + " bytes but its header says " + (base + eof), null);
        }
    }

    private static long readOffset(ByteBuffer b, int at, int size) {
        long v = 0;
        boolean allOnes = true;
        for (int i = size - 1; i >= 0; i--) {
            int x = b.get(at + i) & 0xff;
            allOnes &= x == 0xff;
            v = (v << 8) | x;
        }
        return allOnes ? -1 : v;
    }

    static ConvscopeException truncated(String display, String why, Throwable cause) {
        return new ConvscopeException(display + " looks truncated or corrupt (" + why
                + "); copy or download it again", cause);
    }

    // ---- groups and attributes -----------------------------------------------------------------

    /** The group at {@code path} below {@code parent}, or null. */
    static Group group(Group parent, String path) {
        Node n = child(parent, path);
        return n instanceof Group g ? g : null;
    }

    /** The node at a relative path, or null when any step is missing. */
    static Node child(Group parent, String path) {
        Node cur = parent;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(cur instanceof Group g)) {
                return null;
            }
            Node next = g.getChildren().get(part);
            if (next == null) {
                return null;
            }
            cur = next;
        }
        return cur;
    }

    static boolean hasAttribute(Node node, String name) {
        return node.getAttributes().containsKey(name) || node.getAttributes().containsKey(name + "0");
    }

    /** A scalar string attribute (a one-element array is accepted), or null. */
    static String string(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        if (a == null) {
            return null;
        }
        Object d = a.getData();
        if (d instanceof String s) {
            return s;
        }
        if (d instanceof String[] arr && arr.length == 1) {
            return arr[0];
        }
        if (d instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    /**
     * A string-list attribute such as {@code weight_names} or {@code layer_names}; empty when absent
     * or empty (Keras writes an empty float64 array for layers without weights). Keras splits lists
     * longer than 64 KB into {@code name0}, {@code name1}, …; those are joined.
     */
    static List<String> strings(Node node, String name) {
        var attrs = node.getAttributes();
        List<String> out = new ArrayList<>();
        if (attrs.containsKey(name)) {
            addStrings(attrs.get(name), out);
            return out;
        }
        for (int i = 0; attrs.containsKey(name + i); i++) {
            addStrings(attrs.get(name + i), out);
        }
        return out;
    }

    private static void addStrings(Attribute a, List<String> out) {
        if (a.isEmpty()) {
            return;
        }
        Object d = a.getData();
        if (d instanceof String s) {
            out.add(s);
        } else if (d instanceof String[] arr) {
            out.addAll(Arrays.asList(arr));
        } else if (d instanceof Object[] arr) {
            for (Object o : arr) {
                out.add(String.valueOf(o));
            }
        }
    }

    // ---- datasets ------------------------------------------------------------------------------

    /** Reads a float dataset. A contiguous float32 dataset is returned as a view, without copying. */
    RawArray read(Group group, String relPath) {
        Node n = child(group, relPath);
        if (!(n instanceof Dataset d)) {
            return null;
        }
        return read(d, group.getPath() + relPath);
    }

    RawArray read(Dataset d, String name) {
        int[] dims = d.getDimensions();
        long n = 1;
        for (int x : dims) {
            n *= x;
        }
        if (n > Integer.MAX_VALUE) {
            throw new ConvscopeException(display + ": weight " + name + " has " + n + " values, more than convscope can hold in one array");
        }
        if (n == 0) {
            return new RawArray(name, dims, FloatBuffer.allocate(0));
        }
        if (d instanceof ContiguousDataset c && d.getDataType() instanceof FloatingPoint fp && fp.getSize() == 4) {
            ByteBuffer raw = c.getBuffer();
            if (raw instanceof MappedByteBuffer mapped && n >= PRELOAD_MIN) {
                // fault the file in sequentially: the layout conversion reads large kernels out of order,
                // which defeats the OS's read-ahead when the file is not cached yet
                mapped.load();
            }
            if (raw != null && raw.remaining() == n * 4) {
                FloatBuffer fb = raw.slice().order(fp.getByteOrder()).asFloatBuffer();
                return new RawArray(name, dims, fb);
            }
        }
        Object flat = d.getDataFlat();
        FloatBuffer fb;
        if (flat instanceof float[] f) {
            fb = FloatBuffer.wrap(f);
        } else if (flat instanceof double[] a) {
            fb = FloatBuffer.allocate(a.length);
            for (double v : a) {
                fb.put((float) v);
            }
            fb.flip();
        } else if (flat != null && flat.getClass().isArray() && flat.getClass().getComponentType().isPrimitive()
                && flat.getClass().getComponentType() != boolean.class && flat.getClass().getComponentType() != char.class) {
            int len = java.lang.reflect.Array.getLength(flat);
            fb = FloatBuffer.allocate(len);
            for (int i = 0; i < len; i++) {
                fb.put(((Number) java.lang.reflect.Array.get(flat, i)).floatValue());
            }
            fb.flip();
        } else {
            throw new ConvscopeException(display + ": weight " + name + " is not a numeric array ("
                    + d.getJavaType().getSimpleName() + ")");
        }
        if (fb.remaining() != n) {
            throw truncated(display, "weight " + name + " has " + fb.remaining() + " values, its shape needs " + n, null);
        }
        return new RawArray(name, dims, fb);
    }
}
