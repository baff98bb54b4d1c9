package io.convscope.style;

import io.convscope.ConvscopeException;
import io.convscope.network.Network;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory estimate grows with the image, and a refusal names the largest --size that fits. */
class StyleMemoryTest {
    static final Network VGG19 = StyleLayersTest.VGG19;
    static final StyleLayers LAYERS = StyleLayers.choose(VGG19, null, null, 256, 256);

    static StyleMemory at(int side) {
        int[] hw = StyleTransfer.fit(300, 450, side);
        return StyleMemory.of(VGG19, LAYERS, hw[0], hw[1], 3, 0);
    }

    @Test
    void theEstimateGrowsWithTheSizeAndCountsTheOptimiserAndTheGif() {
        StyleMemory small = at(256);
        StyleMemory big = at(512);
        assertTrue(big.nativeBytes() > small.nativeBytes() * 2, small + " → " + big);
        // 256×171: the weights twice (VGG19 without top: 20 M; the layers up to block5_conv2: 16 M), activations, runtime
        assertTrue(small.nativeBytes() > 400L << 20 && small.nativeBytes() < 1L << 30, small.toString());
        long n = 3L * 171 * 256;
        assertEquals((2L * StyleTransfer.HISTORY + 6) * 8 * n, small.heapBytes());
        assertEquals(small.heapBytes() + 10L * 171 * 256 * 4, StyleMemory.of(VGG19, LAYERS, 171, 256, 3, 10).heapBytes());
        assertEquals(small.heapBytes() / 3, StyleMemory.of(VGG19, LAYERS, 171, 256, 1, 0).heapBytes(), "luminance: one channel");
    }

    @Test
    void aRunThatDoesNotFitIsRefusedWithASizeThatDoes() {
        long limit = 2L << 30;
        at(256).check(Long.MAX_VALUE, limit, Long.MAX_VALUE, "at 256×171", 256, StyleMemoryTest::at); // fits: no exception
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> at(2048).check(Long.MAX_VALUE, limit, Long.MAX_VALUE, "at 2048×1365 on vgg19", 2048, StyleMemoryTest::at));
        Matcher m = Pattern.compile("; --size (\\d+) fits$").matcher(e.message(s -> "--" + s.key()));
        assertTrue(m.find(), e.getMessage());
        assertTrue(e.getMessage().startsWith("style transfer at 2048×1365 on vgg19 needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("but this machine has 2.0 GB"), e.getMessage());
        int fits = Integer.parseInt(m.group(1));
        assertEquals(fits, ((io.convscope.TooLargeException) e).suggestedSize());
        assertEquals(0, fits % 16);
        StyleMemory ok = at(fits);
        StyleMemory over = at(fits + 16);
        assertTrue(ok.nativeBytes() + ok.heapBytes() <= limit && over.nativeBytes() + over.heapBytes() > limit, fits + "");
        // the heap and the GPU are checked too
        e = assertThrows(ConvscopeException.class, () -> at(512).check(1L << 20, Long.MAX_VALUE, Long.MAX_VALUE, "x", 512, StyleMemoryTest::at));
        assertTrue(e.getMessage().contains("the Java heap allows 1.0 MB") && e.getMessage().contains("CONVSCOPE_JAVA_OPTS"), e.getMessage());
        e = assertThrows(ConvscopeException.class, () -> at(512).check(Long.MAX_VALUE, Long.MAX_VALUE, 1L << 29, "x", 512, StyleMemoryTest::at));
        assertTrue(e.getMessage().contains("but the GPU has 512.0 MB"), e.getMessage());
    }
}
