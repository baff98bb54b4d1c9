package io.convscope.render;

import java.awt.image.BufferedImage;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Map;

/**
 * convscope's own bitmap font, so that labels are the same pixels on every machine (AWT fonts differ
 * between systems and may be missing on a headless box). Glyphs are 5 × 7 pixels with one row of
 * descender below the baseline, in a cell {@value #ADVANCE} pixels wide; every size is an integer
 * {@code scale} of that. It covers printable ASCII and {@code · × … – — − ² ¹ ₀ ° µ ‖ ≤ ≥ →} and
 * {@code Φ α β γ ε λ σ} (what convscope's own titles and labels use); accented Latin
 * letters are drawn as their base letter ({@code é} as {@code e}); any other character is drawn as a
 * hollow box.
 */
public final class Text {
    private Text() {
    }

    /** Horizontal advance of one character at scale 1 (glyph 5 + 1 spacing). */
    public static final int ADVANCE = 6;
    /** Height of the glyph box at scale 1: 7 rows above the baseline and 1 descender row. */
    public static final int HEIGHT = 8;
    /** Distance between baselines of consecutive lines at scale 1. */
    public static final int LINE = 10;

    private static final Map<Character, Long> GLYPHS = new HashMap<>();
    private static final long BOX = bits("11111 10001 10001 10001 10001 10001 11111");
    private static final long[] ASCII = new long[128];

    /** Width in pixels of {@code s} drawn at {@code scale}: {@code (6n - 1) * scale}, 0 when empty. */
    public static int width(String s, int scale) {
        int n = s.length();
        return n == 0 ? 0 : (n * ADVANCE - 1) * scale;
    }

    /** Height in pixels of one line at {@code scale} ({@value #HEIGHT} {@code × scale}). */
    public static int height(int scale) {
        return HEIGHT * scale;
    }

    /**
     * Draws {@code s} with its top-left corner at {@code (x, y)} in colour {@code rgb} (0xRRGGBB) into
     * a {@code TYPE_INT_RGB} image ({@link Images#create}); pixels outside the image are skipped. Lines
     * are not wrapped; {@code '\n'} is drawn as a box.
     */
    public static void draw(BufferedImage image, int x, int y, String s, int rgb, int scale) {
        int[] px = Images.pixels(image);
        int w = image.getWidth();
        int h = image.getHeight();
        for (int i = 0; i < s.length(); i++) {
            long g = glyph(s.charAt(i));
            int gx = x + i * ADVANCE * scale;
            if (g == 0 || gx >= w || gx + 5 * scale <= 0) {
                continue;
            }
            for (int r = 0; r < HEIGHT; r++) {
                int bitsRow = (int) (g >>> (5 * (HEIGHT - 1 - r))) & 0x1f;
                if (bitsRow == 0) {
                    continue;
                }
                for (int c = 0; c < 5; c++) {
                    if ((bitsRow & (0x10 >>> c)) != 0) {
                        fill(px, w, h, gx + c * scale, y + r * scale, scale, rgb);
                    }
                }
            }
        }
    }

    /**
     * {@code s} shortened so that it fits in {@code maxWidth} pixels at {@code scale}: unchanged if it
     * fits, else cut and ended with {@code …}; empty if not even that fits.
     */
    public static String fit(String s, int maxWidth, int scale) {
        if (width(s, scale) <= maxWidth) {
            return s;
        }
        int n = (maxWidth / scale + 1) / ADVANCE; // characters that fit
        if (n <= 0) {
            return "";
        }
        return s.substring(0, n - 1) + "…";
    }

    /** Whether the font has a glyph of its own for {@code c} (else its base letter or a box is drawn). */
    public static boolean has(char c) {
        return c < 128 ? c >= 32 && c < 127 : GLYPHS.containsKey(c);
    }

    private static long glyph(char c) {
        if (c < 128) {
            return c >= 32 && c < 127 ? ASCII[c] : BOX;
        }
        Long g = GLYPHS.get(c);
        if (g != null) {
            return g;
        }
        // an accented letter is drawn as its base letter (é as e, Ö as O)
        String base = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD);
        char b = base.charAt(0);
        return base.length() > 1 && b >= 32 && b < 127 ? ASCII[b] : BOX;
    }

    private static void fill(int[] px, int w, int h, int x, int y, int s, int rgb) {
        int x0 = Math.max(0, x);
        int x1 = Math.min(w, x + s);
        int y0 = Math.max(0, y);
        int y1 = Math.min(h, y + s);
        for (int yy = y0; yy < y1; yy++) {
            for (int xx = x0, o = yy * w; xx < x1; xx++) {
                px[o + xx] = rgb;
            }
        }
    }

    /** Rows top to bottom, 5 characters each ('1' = ink), up to 8 rows (row 8 is the descender). */
    private static long bits(String rows) {
        String[] r = rows.trim().split(" +");
        if (r.length > HEIGHT) {
            throw new IllegalStateException(rows);
        }
        long g = 0;
        for (int i = 0; i < HEIGHT; i++) {
            int v = 0;
            if (i < r.length && !r[i].equals("0")) {
                if (r[i].length() != 5) {
                    throw new IllegalStateException(rows);
                }
                v = Integer.parseInt(r[i], 2);
            }
            g = (g << 5) | v;
        }
        return g;
    }

    private static void def(char c, String rows) {
        if (c < 128) {
            ASCII[c] = bits(rows);
        } else {
            GLYPHS.put(c, bits(rows));
        }
    }

    static {
        // "0" stands for an empty row
        def(' ', "0 0 0 0 0 0 0");
        def('!', "00100 00100 00100 00100 00100 0 00100");
        def('"', "01010 01010 01010 0 0 0 0");
        def('#', "01010 01010 11111 01010 11111 01010 01010");
        def('$', "00100 01111 10100 01110 00101 11110 00100");
        def('%', "11000 11001 00010 00100 01000 10011 00011");
        def('&', "01100 10010 10100 01000 10101 10010 01101");
        def('\'', "00100 00100 01000 0 0 0 0");
        def('(', "00010 00100 01000 01000 01000 00100 00010");
        def(')', "01000 00100 00010 00010 00010 00100 01000");
        def('*', "0 00100 10101 01110 10101 00100 0");
        def('+', "0 00100 00100 11111 00100 00100 0");
        def(',', "0 0 0 0 0 01100 00100 01000");
        def('-', "0 0 0 11111 0 0 0");
        def('.', "0 0 0 0 0 01100 01100");
        def('/', "0 00001 00010 00100 01000 10000 0");
        def('0', "01110 10001 10011 10101 11001 10001 01110");
        def('1', "00100 01100 00100 00100 00100 00100 01110");
        def('2', "01110 10001 00001 00010 00100 01000 11111");
        def('3', "11111 00010 00100 00010 00001 10001 01110");
        def('4', "00010 00110 01010 10010 11111 00010 00010");
        def('5', "11111 10000 11110 00001 00001 10001 01110");
        def('6', "00110 01000 10000 11110 10001 10001 01110");
        def('7', "11111 00001 00010 00100 01000 01000 01000");
        def('8', "01110 10001 10001 01110 10001 10001 01110");
        def('9', "01110 10001 10001 01111 00001 00010 01100");
        def(':', "0 01100 01100 0 01100 01100 0");
        def(';', "0 01100 01100 0 01100 00100 01000");
        def('<', "00010 00100 01000 10000 01000 00100 00010");
        def('=', "0 0 11111 0 11111 0 0");
        def('>', "01000 00100 00010 00001 00010 00100 01000");
        def('?', "01110 10001 00001 00010 00100 0 00100");
        def('@', "01110 10001 00001 01101 10101 10101 01110");
        def('A', "01110 10001 10001 11111 10001 10001 10001");
        def('B', "11110 10001 10001 11110 10001 10001 11110");
        def('C', "01110 10001 10000 10000 10000 10001 01110");
        def('D', "11100 10010 10001 10001 10001 10010 11100");
        def('E', "11111 10000 10000 11110 10000 10000 11111");
        def('F', "11111 10000 10000 11110 10000 10000 10000");
        def('G', "01110 10001 10000 10111 10001 10001 01111");
        def('H', "10001 10001 10001 11111 10001 10001 10001");
        def('I', "01110 00100 00100 00100 00100 00100 01110");
        def('J', "00111 00010 00010 00010 00010 10010 01100");
        def('K', "10001 10010 10100 11000 10100 10010 10001");
        def('L', "10000 10000 10000 10000 10000 10000 11111");
        def('M', "10001 11011 10101 10101 10001 10001 10001");
        def('N', "10001 10001 11001 10101 10011 10001 10001");
        def('O', "01110 10001 10001 10001 10001 10001 01110");
        def('P', "11110 10001 10001 11110 10000 10000 10000");
        def('Q', "01110 10001 10001 10001 10101 10010 01101");
        def('R', "11110 10001 10001 11110 10100 10010 10001");
        def('S', "01111 10000 10000 01110 00001 00001 11110");
        def('T', "11111 00100 00100 00100 00100 00100 00100");
        def('U', "10001 10001 10001 10001 10001 10001 01110");
        def('V', "10001 10001 10001 10001 10001 01010 00100");
        def('W', "10001 10001 10001 10101 10101 10101 01010");
        def('X', "10001 10001 01010 00100 01010 10001 10001");
        def('Y', "10001 10001 10001 01010 00100 00100 00100");
        def('Z', "11111 00001 00010 00100 01000 10000 11111");
        def('[', "01110 01000 01000 01000 01000 01000 01110");
        def('\\', "0 10000 01000 00100 00010 00001 0");
        def(']', "01110 00010 00010 00010 00010 00010 01110");
        def('^', "00100 01010 10001 0 0 0 0");
        def('_', "0 0 0 0 0 0 0 11111");
        def('`', "01000 00100 00010 0 0 0 0");
        def('a', "0 0 01110 00001 01111 10001 01111");
        def('b', "10000 10000 10110 11001 10001 10001 11110");
        def('c', "0 0 01110 10000 10000 10001 01110");
        def('d', "00001 00001 01101 10011 10001 10001 01111");
        def('e', "0 0 01110 10001 11111 10000 01110");
        def('f', "00110 01001 01000 11100 01000 01000 01000");
        def('g', "0 0 01111 10001 10001 01111 00001 01110");
        def('h', "10000 10000 10110 11001 10001 10001 10001");
        def('i', "00100 0 01100 00100 00100 00100 01110");
        def('j', "00010 0 00110 00010 00010 00010 10010 01100");
        def('k', "10000 10000 10010 10100 11000 10100 10010");
        def('l', "01100 00100 00100 00100 00100 00100 01110");
        def('m', "0 0 11010 10101 10101 10001 10001");
        def('n', "0 0 10110 11001 10001 10001 10001");
        def('o', "0 0 01110 10001 10001 10001 01110");
        def('p', "0 0 11110 10001 10001 11110 10000 10000");
        def('q', "0 0 01111 10001 10001 01111 00001 00001");
        def('r', "0 0 10110 11001 10000 10000 10000");
        def('s', "0 0 01111 10000 01110 00001 11110");
        def('t', "01000 01000 11100 01000 01000 01001 00110");
        def('u', "0 0 10001 10001 10001 10011 01101");
        def('v', "0 0 10001 10001 10001 01010 00100");
        def('w', "0 0 10001 10001 10101 10101 01010");
        def('x', "0 0 10001 01010 00100 01010 10001");
        def('y', "0 0 10001 10001 10001 01111 00001 01110");
        def('z', "0 0 11111 00010 00100 01000 11111");
        def('{', "00010 00100 00100 01000 00100 00100 00010");
        def('|', "00100 00100 00100 00100 00100 00100 00100");
        def('}', "01000 00100 00100 00010 00100 00100 01000");
        def('~', "0 0 01000 10101 00010 0 0");
        def('\u00b7', "0 0 0 01100 01100 0 0");              // · middle dot
        def('\u00d7', "0 0 10001 01010 00100 01010 10001");  // × multiplication sign
        def('\u2026', "0 0 0 0 0 0 10101");                  // … ellipsis
        def('\u2013', "0 0 0 11111 0 0 0");                  // – en dash
        def('\u2014', "0 0 0 11111 0 0 0");                  // — em dash
        def('\u00b2', "01100 00010 00100 01110 0 0 0");      // ² superscript two
        def('\u00b0', "01100 10010 10010 01100 0 0 0");      // ° degree
        def('\u00b5', "0 0 10001 10001 10001 11110 10000 10000"); // µ micro
        def('\u2212', "0 0 0 11111 0 0 0");                  // − minus sign
        def('\u2016', "01010 01010 01010 01010 01010 01010 01010"); // ‖ double vertical line (norm)
        def('\u2080', "0 0 0 0 01100 10010 10010 01100");    // ₀ subscript zero
        def('\u00b9', "00100 01100 00100 01110 0 0 0");      // ¹ superscript one
        def('\u03a6', "00100 01110 10101 10101 10101 01110 00100"); // Φ capital phi
        def('\u03b1', "0 0 01001 10101 10010 10010 01101");  // α alpha
        def('\u03b2', "01100 10010 10010 11100 10010 10010 11100 10000"); // β beta
        def('\u03b3', "0 0 10001 01010 00100 00100 00100 00100"); // γ gamma
        def('\u03b5', "0 0 01111 10000 01110 10000 01111");  // ε epsilon
        def('\u03bb', "01000 00100 00100 01010 01010 10001 10001"); // λ lambda
        def('\u03c3', "0 0 01111 10010 10001 10001 01110");  // σ sigma
        def('\u2264', "00010 00100 01000 00100 00010 0 11111"); // ≤
        def('\u2265', "01000 00100 00010 00100 01000 0 11111"); // ≥
        def('\u2192', "0 00100 00010 11111 00010 00100 0");  // → rightwards arrow
    }
}
