package io.convscope.render;

import io.convscope.ConvscopeException;
import io.convscope.util.Names;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps unit values {@code t} in [0, 1] to colours through a 256-entry table. As in matplotlib,
 * {@code t} picks entry {@code min(255, floor(t * 256))}, so {@code t = i / 255} gives entry {@code i}
 * exactly.
 *
 * <p>The perceptual maps are matplotlib's tables, each in its own text file beside this class
 * ({@code colormaps/NAME.txt}: 256 hex {@code RRGGBB} entries, {@code #} comments); {@code GRAY} is
 * computed. A new colormap is its table file and one constant here; the command line's names and help
 * follow from the constants.
 */
public enum Colormap {
    /** matplotlib's viridis (dark blue → green → yellow); the default. */
    VIRIDIS(table("viridis")),
    /** matplotlib's magma (black → purple → light yellow). */
    MAGMA(table("magma")),
    /** matplotlib's inferno (black → red → yellow). */
    INFERNO(table("inferno")),
    /** matplotlib's plasma (blue → magenta → yellow). */
    PLASMA(table("plasma")),
    /** matplotlib's cividis (blue → yellow, readable with colour-vision deficiency). */
    CIVIDIS(table("cividis")),
    /** Grayscale, entry {@code i} = (i, i, i). */
    GRAY(grayTable());

    /** The colormap used when none is chosen. */
    public static final Colormap DEFAULT = VIRIDIS;

    private final int[] lut;

    Colormap(int[] lut) {
        this.lut = lut;
    }

    /**
     * The colour of {@code t} as 0xRRGGBB. Values below 0 (and NaN) give entry 0, values above 1
     * give entry 255.
     */
    public int rgb(float t) {
        return lut[index(t)];
    }

    /** The table entry {@code t} picks: {@code min(255, floor(t * 256))}, clamped; NaN gives 0. */
    public static int index(float t) {
        if (!(t > 0f)) {
            return 0;
        }
        int i = (int) (t * 256f);
        return i > 255 ? 255 : i;
    }

    /** A copy of the 256 colours (0xRRGGBB), entry {@code i} for {@code t = i / 255}. */
    public int[] table() {
        return lut.clone();
    }

    /** The table itself, for renderers in this package (not to be modified). */
    int[] lut() {
        return lut;
    }

    /** The name used on the command line: the constant in lower case ({@code viridis}). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The colormap called {@code name} (case-insensitive; {@code grey} is accepted for {@code gray}).
     *
     * @throws ConvscopeException for an unknown name, listing the nearest names and all names
     */
    /** The one parser of the names ({@code viridis, …, gray}; also "grey"). */
    public static final io.convscope.util.Choices<Colormap> CHOICES = io.convscope.util.Choices.of(Colormap.class, Colormap::cliName)
            .alias("grey", GRAY);

    public static Colormap byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("grey")) {
            n = "gray";
        }
        for (Colormap c : values()) {
            if (c.cliName().equals(n)) {
                return c;
            }
        }
        String hint = Names.didYouMean(n, names());
        throw new ConvscopeException("unknown colormap '" + name + "'"
                + (hint.isEmpty() ? "; known colormaps: " + String.join(", ", names()) : hint));
    }

    /** The names {@link #byName} knows, in declaration order ({@code viridis, magma, …, gray}). */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (Colormap c : values()) {
            out.add(c.cliName());
        }
        return out;
    }

    /**
     * The table in {@code colormaps/NAME.txt}: exactly 256 entries, six hex digits each, separated by
     * white space; lines starting with {@code #} are comments.
     */
    static int[] table(String name) {
        String file = "colormaps/" + name + ".txt";
        try (InputStream in = Colormap.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("colormap table " + file + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read colormap table " + file, e);
        }
    }

    /** The entries of a table file's text ({@code where} names it in errors). */
    static int[] parse(String text, String where) {
        int[] t = new int[256];
        int n = 0;
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            for (String hex : l.split("\\s+")) {
                if (!hex.matches("[0-9a-fA-F]{6}") || n == 256) {
                    throw new IllegalStateException(where + ": '" + hex + "' is not one of 256 RRGGBB entries");
                }
                t[n++] = Integer.parseInt(hex, 16);
            }
        }
        if (n != 256) {
            throw new IllegalStateException(where + ": " + n + " entries, not 256");
        }
        return t;
    }

    private static int[] grayTable() {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = i * 0x010101;
        }
        return t;
    }
}
