package io.convscope.image;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the JPEG decoder does not tell us, read from the marker segments before the first scan: the
 * frame size and number of components (SOFn), the Adobe APP14 colour transform (which says whether
 * 4-component data is CMYK or YCCK, and that it is stored inverted) and the EXIF orientation (APP1).
 */
record JpegHeader(int width, int height, int components, int adobeTransform, int orientation) {

    /** {@link #adobeTransform} when there is no Adobe APP14 segment. */
    static final int NO_ADOBE = -1;

    /**
     * Reads the segments up to the first SOS marker.
     *
     * @throws EOFException when the file ends before the first scan (a truncated file)
     * @throws IOException  when the marker structure is not JPEG
     */
    static JpegHeader read(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return read(in);
        }
    }

    static JpegHeader read(InputStream in) throws IOException {
        if (in.read() != 0xFF || in.read() != 0xD8) {
            throw new IOException("no JPEG start-of-image marker");
        }
        int width = 0;
        int height = 0;
        int components = 0;
        int adobe = NO_ADOBE;
        int orientation = 1;
        boolean sawExif = false;
        while (true) {
            int b = readByte(in);
            if (b != 0xFF) {
                // Garbage between segments: libjpeg skips it with a warning, so do we.
                continue;
            }
            int marker = readByte(in);
            while (marker == 0xFF) { // fill bytes
                marker = readByte(in);
            }
            if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // stand-alone markers without a length
            }
            if (marker == 0xD9) {
                throw new EOFException("end of image before any scan");
            }
            int length = (readByte(in) << 8) | readByte(in);
            if (length < 2) {
                throw new IOException("bad JPEG segment length " + length);
            }
            if (marker == 0xDA) { // start of scan: everything we need comes before it
                if (components == 0) {
                    throw new IOException("scan before the frame header");
                }
                return new JpegHeader(width, height, components, adobe, orientation);
            }
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            boolean wanted = sof || marker == 0xEE || (marker == 0xE1 && !sawExif);
            if (!wanted) {
                skipFully(in, length - 2);
                continue;
            }
            byte[] p = in.readNBytes(length - 2);
            if (p.length != length - 2) {
                throw new EOFException("segment cut short");
            }
            if (sof && p.length >= 6) {
                height = u16be(p, 1);
                width = u16be(p, 3);
                components = p[5] & 0xFF;
            } else if (marker == 0xEE && p.length >= 12 && startsWith(p, "Adobe")) {
                adobe = p[11] & 0xFF;
            } else if (marker == 0xE1 && p.length >= 6 && startsWith(p, "Exif") && p[4] == 0) {
                sawExif = true;
                orientation = exifOrientation(p, 6);
            }
        }
    }

    /**
     * The orientation tag (0x0112) of IFD0 in a TIFF structure starting at {@code tiff}, or 1 (upright)
     * when it is absent or anything about the structure is off: a bad EXIF block must not stop an
     * otherwise good photo from loading.
     */
    static int exifOrientation(byte[] p, int tiff) {
        if (p.length < tiff + 8) {
            return 1;
        }
        boolean le;
        if (p[tiff] == 'I' && p[tiff + 1] == 'I') {
            le = true;
        } else if (p[tiff] == 'M' && p[tiff + 1] == 'M') {
            le = false;
        } else {
            return 1;
        }
        if (u16(p, tiff + 2, le) != 42) {
            return 1;
        }
        long ifd = u32(p, tiff + 4, le);
        if (ifd < 8 || tiff + ifd + 2 > p.length) {
            return 1;
        }
        int pos = (int) (tiff + ifd);
        int count = u16(p, pos, le);
        for (int i = 0; i < count; i++) {
            int e = pos + 2 + 12 * i;
            if (e + 12 > p.length) {
                break;
            }
            if (u16(p, e, le) != 0x0112) {
                continue;
            }
            int type = u16(p, e + 2, le);
            long value = switch (type) {
                case 3 -> u16(p, e + 8, le); // SHORT, as the standard says
                case 4 -> u32(p, e + 8, le); // LONG, seen from sloppy writers
                case 1 -> p[e + 8] & 0xFF;   // BYTE, likewise
                default -> 1;
            };
            return value >= 1 && value <= 8 ? (int) value : 1;
        }
        return 1;
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("file ends inside the JPEG header");
        }
        return b;
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("segment cut short");
                }
                s = 1;
            }
            n -= s;
        }
    }

    private static boolean startsWith(byte[] p, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (p.length < b.length) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            if (p[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u16be(byte[] p, int i) {
        return ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
    }

    private static int u16(byte[] p, int i, boolean le) {
        return le ? (p[i] & 0xFF) | ((p[i + 1] & 0xFF) << 8) : u16be(p, i);
    }

    private static long u32(byte[] p, int i, boolean le) {
        long a = u16(p, i, le);
        long b = u16(p, i + 2, le);
        return le ? a | (b << 16) : (a << 16) | b;
    }
}
