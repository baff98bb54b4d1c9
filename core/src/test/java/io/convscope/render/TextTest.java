package io.convscope.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTest {

    @Test
    void widthAndHeight() {
        assertEquals(0, Text.width("", 1));
        assertEquals(5, Text.width("x", 1));
        assertEquals(17, Text.width("abc", 1));
        assertEquals(33, Text.width("ab", 3));
        assertEquals(8, Text.height(1));
        assertEquals(16, Text.height(2));
    }

    @Test
    void drawsTheGlyphBitsAtTheGivenPlace() {
        BufferedImage img = Images.create(8, 10, 0xffffff);
        Text.draw(img, 1, 1, "L", 0x000000, 1);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 8; x++) {
                boolean ink = (x == 1 && y >= 1 && y <= 7) || (y == 7 && x >= 1 && x <= 5);
                assertEquals(ink ? 0 : 0xffffff, img.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void scaleMakesEachPixelABlock() {
        BufferedImage one = Images.create(60, 10, 0xffffff);
        BufferedImage three = Images.create(180, 30, 0xffffff);
        Text.draw(one, 0, 0, "Ag_7", 0x123456, 1);
        Text.draw(three, 0, 0, "Ag_7", 0x123456, 3);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 180; x++) {
                assertEquals(one.getRGB(x / 3, y / 3), three.getRGB(x, y), x + "," + y);
            }
        }
    }

    @Test
    void inkStaysInsideWidthAndHeight() {
        String s = "gjpqy_|[]{}()AWMQ@#$%&";
        BufferedImage img = Images.create(300, 20, 0xffffff);
        Text.draw(img, 10, 5, s, 0, 1);
        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        int minY = Integer.MAX_VALUE;
        int maxY = -1;
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 300; x++) {
                if ((img.getRGB(x, y) & 0xffffff) == 0) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        assertTrue(minX >= 10 && maxX < 10 + Text.width(s, 1), minX + ".." + maxX);
        assertTrue(minY >= 5 && maxY < 5 + Text.height(1), minY + ".." + maxY);
        assertEquals(5 + Text.HEIGHT - 1, maxY); // descenders reach the last row
    }

    @Test
    void everyPrintableCharacterHasItsOwnGlyph() {
        Map<String, Character> seen = new HashMap<>();
        for (char c = 33; c < 127; c++) {
            assertTrue(Text.has(c));
            String key = pixels(c);
            assertFalse(key.replace("0", "").isEmpty(), "glyph for '" + c + "' is empty");
            Character other = seen.put(key, c);
            assertNull(other, "'" + c + "' looks like '" + other + "'");
        }
        for (char c : "·×…²°µ".toCharArray()) {
            assertTrue(Text.has(c));
        }
        assertFalse(Text.has('é'));
        assertEquals(pixels('e'), pixels('é')); // accented letters: their base letter
        assertEquals(pixels('O'), pixels('Ö'));
        assertEquals(pixels('\u0001'), pixels('中')); // unknown characters: the same box
        assertEquals(pixels('\u0001'), pixels('\n'));
    }

    @Test
    void fitShortensWithAnEllipsis() {
        assertEquals("channel 12", Text.fit("channel 12", Text.width("channel 12", 1), 1));
        assertEquals("chan…", Text.fit("channel 12", Text.width("chan…", 1), 1));
        assertEquals("chan…", Text.fit("channel 12", Text.width("chan…", 1) + 5, 1));
        assertEquals("", Text.fit("channel 12", 3, 1));
        assertEquals("ch…", Text.fit("channel 12", Text.width("ch…", 2), 2));
    }

    @Test
    void clipsAtTheImageEdges() {
        BufferedImage img = Images.create(4, 4, 0xffffff);
        Text.draw(img, -3, -3, "WW", 0, 2); // must not throw
        Text.draw(img, 3, 3, "WW", 0, 2);
        assertEquals(0, img.getRGB(3, 3) & 0xffffff);
    }

    private static String pixels(char c) {
        BufferedImage img = Images.create(6, 8, 0xffffff);
        Text.draw(img, 0, 0, String.valueOf(c), 0, 1);
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 6; x++) {
                sb.append((img.getRGB(x, y) & 0xffffff) == 0 ? '1' : '0');
            }
        }
        return sb.toString();
    }
}
