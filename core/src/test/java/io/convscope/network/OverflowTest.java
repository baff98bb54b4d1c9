package io.convscope.network;

import io.convscope.ConvscopeException;
import io.convscope.activations.FilePlan;
import io.convscope.optimize.PixelParam;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizes beyond int range are one clear error, not an ArithmeticException (issue 13, item 3); long names fit a file name. */
class OverflowTest {
    @Test
    void flattenOfAHugeMapIsAClearError() {
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> new Layer.Flatten(true).outputShape(List.of(TensorShape.of(40000, 40000, 64))));
        assertTrue(e.getMessage().contains("more than 2^31"), e.getMessage());
        assertEquals(TensorShape.of(6 * 7 * 8), new Layer.Flatten(true).outputShape(List.of(TensorShape.of(6, 7, 8))));
    }

    @Test
    void imageParametersBeyondIntRangeAreAClearError() {
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> new PixelParam(64, 3, 4000, 4000, 0.01).size());
        assertTrue(io.convscope.Flagged.flags(e).contains("--size"), e.getMessage());
        assertEquals(2 * 3 * 5 * 7, new PixelParam(2, 3, 5, 7, 0.01).size());
    }

    @Test
    void aFiveThousandCharacterLayerNameMakesAShortFileName() {
        String a = "conv".repeat(1250);
        String b = "conv".repeat(1249) + "conx";
        String sa = FilePlan.safe(a);
        assertTrue(sa.length() <= 120, "" + sa.length());
        assertTrue(sa.startsWith("convconv"));
        assertNotEquals(sa, FilePlan.safe(b), "names that differ only at the end stay apart");
        assertEquals("block1_conv1", FilePlan.safe("block1_conv1"));
    }
}
