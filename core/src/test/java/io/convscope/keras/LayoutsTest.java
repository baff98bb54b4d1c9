package io.convscope.keras;

import io.convscope.network.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutsTest {
    @Test
    void reverse3EqualsAPermutation() {
        int[][] shapes = {{5, 1, 7}, {70, 3, 130}, {1, 4, 5}, {9, 2, 1}, {64, 1, 64}, {65, 2, 129}};
        for (int[] s : shapes) {
            float[] v = KerasFiles.random(s[0] * 31L + s[2], s);
            float[] want = Tensor.of(v, s).permute(2, 1, 0).toArray();
            FloatBuffer got = Layouts.reverse3(FloatBuffer.wrap(v), s[0], s[1], s[2]);
            float[] g = new float[got.capacity()];
            got.duplicate().rewind().get(g);
            assertArrayEquals(want, g, java.util.Arrays.toString(s));
            assertTrue(got.isDirect());
        }
    }

    @Test
    void bigEndianSourcesAreRead() {
        ByteBuffer bb = ByteBuffer.allocateDirect(4 * 6).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            bb.putFloat(i * 4, i + 0.5f);
        }
        FloatBuffer src = bb.asFloatBuffer();
        float[] copy = new float[6];
        Layouts.copy(src).get(copy);
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, copy);
        float[] t = new float[6];
        Layouts.reverse3(src, 2, 1, 3).get(t);
        assertArrayEquals(new float[] {0.5f, 3.5f, 1.5f, 4.5f, 2.5f, 5.5f}, t);
    }
}
