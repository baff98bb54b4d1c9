package io.convscope.image;

import io.convscope.ConvscopeException;
import io.convscope.render.Images;

import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Reads PNG, JPEG, BMP and GIF files into 8-bit sRGB images, the way an image viewer would show them.
 *
 * <p>What comes back is always a {@link BufferedImage#TYPE_INT_RGB} image, converted by
 * {@link Images#toRgb} (the one conversion):
 * <ul>
 *   <li>grayscale images have R = G = B (the stored gray values, not linear-light converted as Java2D's
 *       gray colour space would do);</li>
 *   <li>transparency is <b>composited over white</b>, as a viewer or browser shows a transparent PNG
 *       on a white page (stored colours under fully transparent pixels are often black or junk);</li>
 *   <li>16-bit samples are rounded to 8 bits ({@code v * 255 / 65535});</li>
 *   <li>JPEG: EXIF orientation 1–8 is applied, so a portrait phone photo comes back portrait; CMYK and
 *       YCCK JPEGs are decoded from the raw raster and converted with the naive formula
 *       {@code R = (255 - C)(255 - K) / 255} (as PIL does; embedded ICC profiles are ignored), the
 *       values taken as inverted when an Adobe APP14 segment is present (Photoshop's convention);</li>
 *   <li>GIF: the first frame, placed on the logical screen.</li>
 * </ul>
 *
 * <p>Every failure is a {@link ConvscopeException} with one line that names the path and says why: no
 * such file, a directory, unreadable, empty, not an image, truncated or corrupt, or a header claiming a
 * size over {@link #MAX_SIDE} pixels per side or {@link #MAX_PIXELS} pixels (checked before decoding
 * anything, so a 40-byte file cannot make us allocate gigabytes).
 */
public final class ImageLoader {
    /** Largest width or height accepted. */
    public static final int MAX_SIDE = 20_000;
    /** Largest number of pixels accepted (200 megapixels). */
    public static final long MAX_PIXELS = 200_000_000L;
    /** The formats, as error messages list them. */
    public static final String FORMATS = "PNG, JPEG, BMP or GIF";

    private ImageLoader() {
    }

    private enum Format {
        PNG("png"), JPEG("jpeg"), GIF("gif"), BMP("bmp");

        final String imageIoName;

        Format(String imageIoName) {
            this.imageIoName = imageIoName;
        }
    }

    /** Reads an image file; see the class comment for what comes back and what fails. */
    public static BufferedImage load(Path path) {
        String name = path.toString();
        try {
            return loadChecked(path, name);
        } catch (ConvscopeException e) {
            throw e;
        } catch (NoSuchFileException | FileNotFoundException e) {
            if (!Files.exists(path)) {
                throw fail(name, "no such file", e);
            }
            String m = String.valueOf(e.getMessage());
            throw fail(name, m.contains("Permission denied") ? "cannot be read (permission denied)"
                    : "cannot be read (" + oneLine(m) + ")", e);
        } catch (AccessDeniedException e) {
            throw fail(name, "cannot be read (permission denied)", e);
        } catch (IOException | RuntimeException e) {
            throw fail(name, "cannot be read (" + describe(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw fail(name, "is too large to decode in the memory available to Java (raise -Xmx)", null);
        }
    }

    private static BufferedImage loadChecked(Path path, String name) throws IOException {
        if (!Files.exists(path)) {
            String why = io.convscope.util.FileProblems.whyMissing(path);
            throw fail(name, why.equals("a broken link") ? "no such file (a broken link)"
                    : why.equals("not found") ? "no such file" : why, null);
        }
        if (Files.isDirectory(path)) {
            throw fail(name, "is a directory, not an image file", null);
        }
        if (!Files.isRegularFile(path)) {
            throw fail(name, "is not a regular file", null);
        }
        if (!Files.isReadable(path)) {
            throw fail(name, "cannot be read (permission denied)", null);
        }
        long size = Files.size(path);
        if (size == 0) {
            throw fail(name, "is empty (0 bytes), not an image", null);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(16);
        }
        Format format = sniff(name, head);
        try {
            return switch (format) {
                case PNG -> decodePng(path, name);
                case JPEG -> decodeJpeg(path, name);
                case GIF -> decodeGif(path, name);
                case BMP -> decodePlain(path, name, format);
            };
        } catch (ConvscopeException | AccessDeniedException | NoSuchFileException | FileNotFoundException e) {
            throw e; // not about the content: reported by load()
        } catch (IOException | RuntimeException e) {
            throw corrupt(name, format, e);
        }
    }

    /** The format from the file's first bytes; the extension is not trusted. */
    private static Format sniff(String name, byte[] h) {
        if (starts(h, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Format.PNG;
        }
        if (starts(h, 0xFF, 0xD8, 0xFF)) {
            return Format.JPEG;
        }
        if (starts(h, 'G', 'I', 'F', '8')) {
            return Format.GIF;
        }
        if (starts(h, 'B', 'M') && h.length >= 14) {
            return Format.BMP;
        }
        String other = null;
        if (starts(h, 'R', 'I', 'F', 'F') && h.length >= 12 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B'
                && h[11] == 'P') {
            other = "a WebP image";
        } else if (starts(h, 'I', 'I', 42, 0) || starts(h, 'M', 'M', 0, 42)) {
            other = "a TIFF image";
        } else if (h.length >= 12 && h[4] == 'f' && h[5] == 't' && h[6] == 'y' && h[7] == 'p') {
            String brand = new String(h, 8, 4, java.nio.charset.StandardCharsets.US_ASCII);
            other = brand.startsWith("avi") ? "an AVIF image" : brand.startsWith("hei") || brand.startsWith("mif")
                    ? "a HEIF/HEIC image" : null;
        }
        if (other != null) {
            throw fail(name, "is " + other + ", which is not supported (use " + FORMATS + ")", null);
        }
        throw fail(name, "is not an image (" + FORMATS + ")", null);
    }

    private static boolean starts(byte[] h, int... sig) {
        if (h.length < sig.length) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            if ((h[i] & 0xFF) != sig[i]) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Formats

    private static BufferedImage decodePng(Path path, String name) throws IOException {
        // Walk the chunks first: ImageIO reports a truncated PNG with confusing messages ("Invalid chunk
        // length") or, cut at a chunk boundary, not at all. And the IHDR size is checked before the
        // reader allocates anything.
        long[] dims = walkPng(path, name);
        checkSize(name, dims[0], dims[1]);
        return decodePlain(path, name, Format.PNG);
    }

    /** Width and height from IHDR; fails unless the chunks run, complete, up to IEND. */
    private static long[] walkPng(Path path, String name) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(16);
            long pos = 8;
            long[] dims = null;
            while (true) {
                if (pos + 8 > size) {
                    throw fail(name, "is truncated (the PNG data ends before its IEND chunk)", null);
                }
                buf.clear().limit(dims == null ? 16 : 8);
                ch.position(pos);
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // fill
                }
                buf.flip();
                if (buf.remaining() < (dims == null ? 16 : 8)) {
                    throw fail(name, "is truncated (the PNG data ends before its IEND chunk)", null);
                }
                long length = buf.getInt() & 0xFFFFFFFFL;
                int type = buf.getInt();
                if (length > Integer.MAX_VALUE) {
                    throw fail(name, "is corrupt (a PNG chunk claims " + length + " bytes)", null);
                }
                if (dims == null) {
                    if (type != 0x49484452) { // "IHDR"
                        throw fail(name, "is corrupt (the PNG does not start with an IHDR chunk)", null);
                    }
                    dims = new long[] {buf.getInt() & 0xFFFFFFFFL, buf.getInt() & 0xFFFFFFFFL};
                    checkSize(name, dims[0], dims[1]); // an absurd claim is the clearer message, even if truncated
                }
                if (type == 0x49454E44) { // "IEND"
                    return dims;
                }
                pos += 12 + length;
            }
        }
    }

    private static BufferedImage decodeJpeg(Path path, String name) throws IOException {
        JpegHeader header;
        try {
            header = JpegHeader.read(path);
        } catch (EOFException e) {
            throw fail(name, "is truncated or corrupt (the JPEG file ends inside its header)", e);
        } catch (IOException e) {
            throw fail(name, "is not a valid JPEG image (" + oneLine(e.getMessage()) + ")", e);
        }
        if (header.width() > 0 && header.height() > 0) {
            checkSize(name, header.width(), header.height());
        }
        ImageReader reader = reader(Format.JPEG);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage rgb;
        try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
            reader.setInput(in, true, true);
            checkSize(name, reader.getWidth(0), reader.getHeight(0));
            if (header.components() == 4) {
                rgb = Cmyk.toRgb(reader.readRaster(0, null), header.adobeTransform());
            } else {
                rgb = Images.toRgb(reader.read(0));
            }
        } finally {
            reader.dispose();
        }
        for (String w : warnings) {
            String lw = w.toLowerCase(Locale.ROOT);
            if (lw.contains("truncated file") || lw.contains("missing eoi")) {
                throw fail(name, "is truncated (the JPEG data ends before its end-of-image marker)", null);
            }
        }
        for (String w : warnings) {
            if (w.toLowerCase(Locale.ROOT).contains("premature end")) {
                throw fail(name, "is truncated or corrupt (" + oneLine(w) + ")", null);
            }
        }
        return Orientation.apply(rgb, header.orientation());
    }

    private static BufferedImage decodeGif(Path path, String name) throws IOException {
        ImageReader reader = reader(Format.GIF);
        try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
            reader.setInput(in, true, false);
            checkSize(name, reader.getWidth(0), reader.getHeight(0));
            BufferedImage frame = Images.toRgb(reader.read(0));
            return onLogicalScreen(name, frame, reader);
        } catch (IOException | RuntimeException e) {
            if (lastByte(path) != 0x3B) { // no GIF trailer: the LZW decoder's complaint is about the cut
                throw fail(name, "is truncated (the GIF data ends early)", e);
            }
            throw e;
        } finally {
            reader.dispose();
        }
    }

    private static int lastByte(Path path) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            if (ch.size() == 0) {
                return -1;
            }
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.position(ch.size() - 1);
            return ch.read(b) == 1 ? b.get(0) & 0xFF : -1;
        }
    }

    /**
     * The first frame may be smaller than the GIF's logical screen and placed at an offset; a viewer
     * (and PIL) shows it on the screen, with the uncovered area transparent, here white.
     */
    private static BufferedImage onLogicalScreen(String name, BufferedImage frame, ImageReader reader)
            throws IOException {
        IIOMetadata stream = reader.getStreamMetadata();
        IIOMetadata image = reader.getImageMetadata(0);
        if (stream == null || image == null) {
            return frame;
        }
        Node screen = child(stream.getAsTree("javax_imageio_gif_stream_1.0"), "LogicalScreenDescriptor");
        Node descriptor = child(image.getAsTree("javax_imageio_gif_image_1.0"), "ImageDescriptor");
        int sw = intAttr(screen, "logicalScreenWidth");
        int sh = intAttr(screen, "logicalScreenHeight");
        int left = intAttr(descriptor, "imageLeftPosition");
        int top = intAttr(descriptor, "imageTopPosition");
        if (sw <= 0 || sh <= 0 || left < 0 || top < 0
                || (sw == frame.getWidth() && sh == frame.getHeight() && left == 0 && top == 0)) {
            return frame;
        }
        if (sw < frame.getWidth() + left || sh < frame.getHeight() + top) {
            // The frame sticks out of the screen: a broken writer; show the whole frame.
            return frame;
        }
        checkSize(name, sw, sh);
        BufferedImage out = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_RGB);
        int[] dst = Images.pixels(out);
        java.util.Arrays.fill(dst, 0xFFFFFF);
        int[] src = Images.pixels(frame);
        for (int y = 0; y < frame.getHeight(); y++) {
            System.arraycopy(src, y * frame.getWidth(), dst, (y + top) * sw + left, frame.getWidth());
        }
        return out;
    }

    private static Node child(Node parent, String name) {
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (name.equals(n.getNodeName())) {
                return n;
            }
        }
        return null;
    }

    private static int intAttr(Node node, String attr) {
        if (node == null) {
            return -1;
        }
        NamedNodeMap attrs = node.getAttributes();
        Node a = attrs == null ? null : attrs.getNamedItem(attr);
        try {
            return a == null ? -1 : Integer.parseInt(a.getNodeValue());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static BufferedImage decodePlain(Path path, String name, Format format) throws IOException {
        ImageReader reader = reader(format);
        try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
            reader.setInput(in, true, true);
            checkSize(name, reader.getWidth(0), reader.getHeight(0));
            return Images.toRgb(reader.read(0));
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader reader(Format format) {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.imageIoName);
        if (!it.hasNext()) {
            throw new IllegalStateException("this Java has no " + format + " reader");
        }
        return it.next();
    }

    private static void checkSize(String name, long w, long h) {
        if (w <= 0 || h <= 0) {
            throw fail(name, "is corrupt (its header claims a size of " + w + "×" + h + " pixels)", null);
        }
        if (w > MAX_SIDE || h > MAX_SIDE) {
            throw fail(name, "claims to be " + w + "×" + h + " pixels, more than the limit of " + MAX_SIDE
                    + " pixels per side", null);
        }
        if (w * h > MAX_PIXELS) {
            throw fail(name, "claims to be " + w + "×" + h + " pixels (" + (w * h + 500_000) / 1_000_000
                    + " megapixels), more than the limit of " + MAX_PIXELS / 1_000_000 + " megapixels", null);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Errors

    private static ConvscopeException corrupt(String name, Format format, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof EOFException || m.contains("unexpected end") || m.contains("premature end")
                    || m.contains("end of file") || m.contains("truncated")) {
                return fail(name, "is truncated (the " + format + " data ends early)", e);
            }
        }
        if (e instanceof AccessDeniedException) {
            return fail(name, "cannot be read (permission denied)", e);
        }
        if (e instanceof javax.imageio.IIOException && String.valueOf(e.getMessage()).contains("Unsupported Image")) {
            return fail(name, "uses a " + format + " colour format Java cannot decode", e);
        }
        return fail(name, "is truncated or corrupt (" + describe(e) + ")", e);
    }

    /** The innermost useful message of an exception chain, on one line. */
    private static String describe(Throwable e) {
        String best = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                best = t.getMessage();
            }
        }
        return best == null ? e.getClass().getSimpleName() : oneLine(best);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String line = s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private static ConvscopeException fail(String name, String why, Throwable cause) {
        return new ConvscopeException(name + ": " + why, cause);
    }
}
