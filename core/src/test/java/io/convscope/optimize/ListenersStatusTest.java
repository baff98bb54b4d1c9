package io.convscope.optimize;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The note beside the progress bar explains the sign of maximised terms. */
class ListenersStatusTest {
    @Test
    void maximisedTermsShowTheirOwnSignAndSaySo() {
        List<String> names = List.of("class predictions", "tv");
        // the loss holds −logit: a logit of 155 is the term −155
        String s = Listeners.status(-154.9, names, Listeners.kinds(names), new double[] {-155, 0.1});
        assertEquals("loss -155  class logit 155 (maximised)  tv 0.100", s);
    }

    @Test
    void aSingleMaximisedTermIsStillExplainedAndMinimisedOnesAreNot() {
        List<String> one = List.of("channel block1_conv1");
        assertEquals("loss -2.50  channel mean 2.50 (maximised)",
                Listeners.status(-2.5, one, Listeners.kinds(one), new double[] {-2.5}));
        List<String> content = List.of("content block1_pool");
        assertEquals("loss 0.350", Listeners.status(0.35, content, Listeners.kinds(content), new double[] {0.35}));
        List<String> style = List.of("content a", "style b", "style c");
        assertEquals("loss 3.00  content 1.00  style 2.00",
                Listeners.status(3, style, Listeners.kinds(style), new double[] {1, 1.5, 0.5}));
    }
}
