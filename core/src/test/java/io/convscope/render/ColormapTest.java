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
}
