package io.convscope.render;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColormapTest {

    @Test
    void viridisMatchesMatplotlibsPublishedFiveStops() {
        // matplotlib's viridis at 0, 0.25, 0.5, 0.75, 1 (the palette quoted in its docs and in viridisLite)
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(0f));
        assertEquals(0x3b528b, Colormap.VIRIDIS.rgb(0.25f));
        assertEquals(0x21918c, Colormap.VIRIDIS.rgb(0.5f));
        assertEquals(0x5ec962, Colormap.VIRIDIS.rgb(0.75f));
        assertEquals(0xfde725, Colormap.VIRIDIS.rgb(1f));
    }

    @Test
    void otherMapsEndWhereMatplotlibsDo() {
        assertEquals(0x000004, Colormap.MAGMA.rgb(0f));
        assertEquals(0xfcfdbf, Colormap.MAGMA.rgb(1f));
        assertEquals(0x000004, Colormap.INFERNO.rgb(0f));
        assertEquals(0xfcffa4, Colormap.INFERNO.rgb(1f));
        assertEquals(0x0d0887, Colormap.PLASMA.rgb(0f));
        assertEquals(0xf0f921, Colormap.PLASMA.rgb(1f));
        assertEquals(0x00224e, Colormap.CIVIDIS.rgb(0f));
        assertEquals(0xfee838, Colormap.CIVIDIS.rgb(1f));
        assertEquals(0x000000, Colormap.GRAY.rgb(0f));
        assertEquals(0x808080, Colormap.GRAY.rgb(0.5f));
        assertEquals(0xffffff, Colormap.GRAY.rgb(1f));
    }

    @Test
    void valuesOutsideTheUnitRangeAreClamped() {
        for (Colormap c : Colormap.values()) {
            assertEquals(c.rgb(0f), c.rgb(-3f), c.name());
            assertEquals(c.rgb(0f), c.rgb(Float.NaN), c.name());
            assertEquals(c.rgb(0f), c.rgb(Float.NEGATIVE_INFINITY), c.name());
            assertEquals(c.rgb(1f), c.rgb(7f), c.name());
            assertEquals(c.rgb(1f), c.rgb(Float.POSITIVE_INFINITY), c.name());
        }
    }

    @Test
    void byteOverTwoFiftyFivePicksThatEntry() {
        for (int b = 0; b < 256; b++) {
            assertEquals(b, Colormap.index(b / 255f));
            assertEquals(Colormap.VIRIDIS.table()[b], Colormap.VIRIDIS.rgb(b / 255f));
        }
        assertEquals(127, Colormap.index(0.4999f));
        assertEquals(128, Colormap.index(0.5f));
    }

    @Test
    void perceptualMapsGetLighterAlongTheTable() {
        for (Colormap c : List.of(Colormap.VIRIDIS, Colormap.MAGMA, Colormap.INFERNO, Colormap.PLASMA, Colormap.CIVIDIS)) {
            int[] t = c.table();
            assertEquals(256, t.length);
            assertTrue(luma(t[255]) > luma(t[128]) && luma(t[128]) > luma(t[0]), c.name());
        }
    }

    @Test
    void namesAndLookup() {
        assertEquals(List.of("viridis", "magma", "inferno", "plasma", "cividis", "gray"), Colormap.names());
        assertEquals(Colormap.MAGMA, Colormap.byName(" Magma "));
        assertEquals(Colormap.GRAY, Colormap.byName("grey"));
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> Colormap.byName("viridus"));
        assertEquals("unknown colormap 'viridus'; did you mean viridis or cividis?", e.getMessage());
        ConvscopeException none = assertThrows(ConvscopeException.class, () -> Colormap.byName("jet"));
        assertTrue(none.getMessage().contains("viridis, magma, inferno, plasma, cividis, gray"), none.getMessage());
    }

    private static int luma(int rgb) {
        return 299 * ((rgb >> 16) & 255) + 587 * ((rgb >> 8) & 255) + 114 * (rgb & 255);
    }

    /** SHA-256 of each table's 768 bytes (R, G, B per entry) as they were in the Java source before the tables became files. */
    @Test
    void theTableFilesHoldMatplotlibsTablesUnchanged() throws Exception {
        java.util.Map<Colormap, String> sums = java.util.Map.of(
                Colormap.VIRIDIS, "18545f7c72a02f02a54f2e3f6ff9dcf357e0190ab9117a1f8fae44c6eaf179e0",
                Colormap.MAGMA, "f95197e8391d18e2c1db50f2a1ab8650ab7c2a9acb781704a8156872615f002b",
                Colormap.INFERNO, "e24e8bd38b972989f64c42856b2b274df5ada3a62bc01bf8e83500a2ea938ad4",
                Colormap.PLASMA, "7463ac7565e754490c2c358e89b54a99da3e9b3c0be7734ed66b9fc78958b9a6",
                Colormap.CIVIDIS, "40881f40490dc08ae8b1442b52b01c7169d27124ccb4a501cd0ee290079cc1e1");
        for (var e : sums.entrySet()) {
            int[] t = e.getKey().table();
            byte[] b = new byte[3 * t.length];
            for (int i = 0; i < t.length; i++) {
                b[3 * i] = (byte) (t[i] >> 16);
                b[3 * i + 1] = (byte) (t[i] >> 8);
                b[3 * i + 2] = (byte) t[i];
            }
            String got = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
            assertEquals(e.getValue(), got, e.getKey().name());
        }
    }

    @Test
    void aTableFileNeedsExactly256HexEntries() {
        String ok = "# comment\n" + "000000 ffffff\n".repeat(128);
        int[] t = Colormap.parse(ok, "t.txt");
        assertEquals(0xffffff, t[255]);
        assertEquals(0, t[254]);
        for (String bad : List.of("000000\n".repeat(255), "000000\n".repeat(257), ok + "12345g", ok.replace("ffffff", "fffff"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Colormap.parse(bad, "t.txt"));
            assertTrue(e.getMessage().startsWith("t.txt: "), e.getMessage());
        }
    }
}
