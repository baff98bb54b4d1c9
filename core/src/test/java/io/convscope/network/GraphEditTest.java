package io.convscope.network;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graph operations on a Network answer with an {@link Edit}: the network, or the layer that refuses and why. */
class GraphEditTest {
    /** input 28×28 → conv → pool → flatten → dense (whose kernel fixes the size) → softmax. */
    static Network classifier() {
        return new Network.Builder("c").input("input", TensorShape.chw(1, 28, 28))
                .add("conv", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU), "input")
                .add("pool", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "conv")
                .add("flat", new Layer.Flatten(false), "pool")
                .add("fc", new Layer.Dense(3, true, Activation.LINEAR), "flat")
                .add("probs", new Layer.Act("Softmax", Activation.SOFTMAX), "fc")
                .buildWithoutParams().withRandomParams(1);
    }

    @Test
    void cutAtLayersKeepsTheirAncestors() {
        Network net = classifier();
        Network cut = net.cut(List.of("pool"));
        assertEquals(List.of("input", "conv", "pool"), cut.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("pool"), cut.outputs());
        assertSame(net.node("conv").params().get("kernel"), cut.node("conv").params().get("kernel"));
        assertSame(net, net.cut(List.of("probs")));
    }

    @Test
    void anotherInputSizeIsRefusedByTheLayerThatNeedsTheOwnSize() {
        Network net = classifier();
        Edit e = net.cut(List.of("pool"), 40, 60);
        assertTrue(e.ok());
        assertNull(e.refusal());
        assertEquals(TensorShape.chw(4, 19, 29), e.network().node("pool").outputShape());
        Edit refused = net.withInputSize(40, 60);
        assertFalse(refused.ok());
        assertNull(refused.network());
        assertEquals("fc", refused.refusal().layer());
        assertEquals("Dense", refused.refusal().layerType());
        ConvscopeException thrown = assertThrows(ConvscopeException.class, refused::orThrow);
        // core names settings, the command line spells them as flags
        assertEquals("layer 'fc' (Dense) needs the model's own 28×28 input, so 60×40 does not fit; choose only layers "
                + "before it or leave out --size/--keep-size", io.convscope.Flagged.flags(thrown));
        assertTrue(refused.refusal().message().startsWith("layer 'fc' (Dense) needs the model's own 28×28 input"));
        assertSame(net, net.withInputSize(28, 28).orThrow());
    }

    @Test
    void theFittingPrefixStopsBeforeTheFirstLayerThatNeedsTheOwnSize() {
        Network p = classifier().fittingPrefix(40, 60);
        assertEquals(List.of("input", "conv", "pool", "flat"), p.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("flat"), p.outputs());
    }

    @Test
    void swappingALayerThatDoesNotFitItsParametersIsRefused() {
        Network net = classifier();
        Edit ok = net.replace(Map.of("conv", ((Layer.Conv2D) net.node("conv").layer()).withActivation(Activation.TANH)));
        assertEquals(Activation.TANH, ok.orThrow().node("conv").layer().activation());
        Edit bad = net.replace(Map.of("conv", new Layer.Conv2D(5, 3, 3, 1, 1, 1, 1, Padding.VALID, 1, true, null)));
        assertFalse(bad.ok());
        assertEquals("conv", bad.refusal().layer());
        assertTrue(bad.refusal().message().contains("weight 'kernel' has shape [4, 1, 3, 3]"), bad.refusal().message());
        assertThrows(ConvscopeException.class, () -> net.withLayers(Map.of("conv",
                new Layer.Conv2D(5, 3, 3, 1, 1, 1, 1, Padding.VALID, 1, true, null))));
    }

    @Test
    void ancestorsStopAtGivenValues() {
        Network net = classifier();
        assertEquals(java.util.Set.of("pool", "flat", "fc"), net.ancestors(List.of("fc"), java.util.Set.of("pool")));
    }
}
