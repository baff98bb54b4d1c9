package io.convscope.render;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The bytes of a GIF89a file: header, one global 256-colour table, the NETSCAPE2.0 loop extension,
 * then per frame a graphic control extension (delay), an image descriptor and LZW-compressed indices
 * (variable code size 9–12 bits, a clear code when the 4096-entry table is full). Pure Java, so the
 * same frames give the same bytes on every machine.
 */
final class GifEncoder {
    private final OutputStream out;
    private final int width;
    private final int height;

    /** Writes the header, screen descriptor, colour table and loop extension. */
    GifEncoder(OutputStream out, int width, int height, int[] palette, int backgroundIndex, int loops)
            throws IOException {
        if (width > 65535 || height > 65535) {
            throw new IllegalArgumentException("GIF canvas " + width + "x" + height + " exceeds 65535");
        }
        this.out = out;
        this.width = width;
        this.height = height;
        out.write(new byte[] {'G', 'I', 'F', '8', '9', 'a'});
        short16(width);
        short16(height);
        out.write(0xF7);            // global colour table, 8-bit colour resolution, 256 entries
        out.write(backgroundIndex);
        out.write(0);               // no aspect ratio
        byte[] table = new byte[256 * 3];
        for (int i = 0; i < palette.length; i++) {
            table[3 * i] = (byte) (palette[i] >> 16);
            table[3 * i + 1] = (byte) (palette[i] >> 8);
            table[3 * i + 2] = (byte) palette[i];
        }
        out.write(table);
        out.write(new byte[] {0x21, (byte) 0xFF, 11, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0', 3, 1});
        short16(loops);
        out.write(0);
    }

    /** One full-canvas frame of palette indices ({@code width * height}, row-major), shown {@code delayCs}/100 s. */
    void frame(byte[] indices, int delayCs) throws IOException {
        frameHeader(delayCs);
        lzw(out, indices);
    }

    /**
     * One full-canvas frame whose image data is {@link #imageData}{@code (indices)}, made beforehand
     * (frames are coded independently of each other, so they can be made in parallel).
     */
    void frameData(byte[] imageData, int delayCs) throws IOException {
        frameHeader(delayCs);
        out.write(imageData);
    }

    /** A frame's image data: the LZW code size, the codes in sub-blocks and the terminator. */
    static byte[] imageData(byte[] indices) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(indices.length / 2 + 64);
        try {
            new Lzw().lzw(b, indices);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // not thrown by a byte array stream
        }
        return b.toByteArray();
    }

    private void frameHeader(int delayCs) throws IOException {
        out.write(new byte[] {0x21, (byte) 0xF9, 4, 0x04}); // graphic control: disposal 1 (leave in place)
        short16(delayCs);
        out.write(0);   // transparent index (unused)
        out.write(0);   // block terminator
        out.write(0x2C);
        short16(0);
        short16(0);
        short16(width);
        short16(height);
        out.write(0);   // no local table, not interlaced
    }

    private void lzw(OutputStream to, byte[] indices) throws IOException {
        new Lzw().lzw(to, indices);
    }

    /** The trailer. */
    void finish() throws IOException {
        out.write(0x3B);
    }

    private void short16(int v) throws IOException {
        out.write(v & 255);
        out.write((v >>> 8) & 255);
    }

    /** LZW (GIF flavour): codes written least significant bit first, in sub-blocks of up to 255 bytes. */
    private static final class Lzw {
        private static final int MIN_CODE_SIZE = 8;
        private static final int CLEAR = 1 << MIN_CODE_SIZE;
        private static final int END = CLEAR + 1;
        private static final int MAX_CODES = 4096;
        private static final int HASH_BITS = 13;
        private static final int HASH_SIZE = 1 << HASH_BITS;

        private OutputStream out;
        private final int[] hashKeys = new int[HASH_SIZE];
        private final short[] hashCodes = new short[HASH_SIZE];
        private final byte[] block = new byte[256];
        private int blockLength;
        private int bits;
        private int bitCount;
        private int codeSize;
        private int maxCode;
        private int nextCode;
        private boolean clearing;

        void lzw(OutputStream out, byte[] px) throws IOException {
            this.out = out;
            out.write(MIN_CODE_SIZE);
            blockLength = 0;
            bits = 0;
            bitCount = 0;
            codeSize = MIN_CODE_SIZE + 1;
            maxCode = (1 << codeSize) - 1;
            clearTable();
            clearing = false;
            emit(CLEAR);
            if (px.length > 0) {
                int prefix = px[0] & 255;
                outer:
                for (int i = 1; i < px.length; i++) {
                    int c = px[i] & 255;
                    int key = (c << 12) | prefix; // prefix < 4096
                    int h = (key * 0x9E3779B1) >>> (32 - HASH_BITS);
                    while (hashKeys[h] != -1) {
                        if (hashKeys[h] == key) {
                            prefix = hashCodes[h];
                            continue outer;
                        }
                        h = (h + 1) & (HASH_SIZE - 1);
                    }
                    emit(prefix);
                    prefix = c;
                    if (nextCode < MAX_CODES) {
                        hashKeys[h] = key;
                        hashCodes[h] = (short) nextCode++;
                    } else {
                        clearTable();
                        clearing = true;
                        emit(CLEAR);
                    }
                }
                emit(prefix);
            }
            emit(END);
            if (bitCount > 0) {
                put(bits & 255);
            }
            if (blockLength > 0) {
                out.write(blockLength);
                out.write(block, 0, blockLength);
            }
            out.write(0); // end of image data
        }

        private void clearTable() {
            Arrays.fill(hashKeys, -1);
            nextCode = END + 1;
        }

        /** Writes {@code code} at the current size, then grows (or after a clear, resets) the size as a decoder will. */
        private void emit(int code) throws IOException {
            bits |= code << bitCount;
            bitCount += codeSize;
            while (bitCount >= 8) {
                put(bits & 255);
                bits >>>= 8;
                bitCount -= 8;
            }
            if (clearing) {
                codeSize = MIN_CODE_SIZE + 1;
                maxCode = (1 << codeSize) - 1;
                clearing = false;
            } else if (nextCode > maxCode && codeSize < 12) {
                codeSize++;
                maxCode = (1 << codeSize) - 1;
            }
        }

        private void put(int b) throws IOException {
            block[blockLength++] = (byte) b;
            if (blockLength == 255) {
                out.write(255);
                out.write(block, 0, 255);
                blockLength = 0;
            }
        }
    }
}
