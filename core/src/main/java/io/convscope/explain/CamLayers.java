package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.TensorShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The layer a class activation map is computed at.
 *
 * <p>Default rule: among the layers the class scores depend on, those with spatial maps (C, H, W)
 * larger than 1 × 1, stopping at a convolutional classifier (a layer with as many channels as there
 * are classes after which no layer has weights, as SqueezeNet's conv10); the last of them in network order. On VGG16 that is
 * block5_pool, on ResNet50V2 post_relu, on SqueezeNet 1.1 the last fire module's concatenation, on the
 * embedded model block2_pool.
 */
public final class CamLayers {
    private CamLayers() {
    }

    /** The default CAM layer of a network whose class scores are {@code scoreLayer}. */
    public static String defaultLayer(Network net, String scoreLayer) {
        Set<String> up = net.ancestors(List.of(scoreLayer));
        int classes = (int) net.node(scoreLayer).outputShape().size();
        String best = null;
        List<Node> nodes = net.nodes();
        int lastWeighted = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (up.contains(nodes.get(i).name()) && !nodes.get(i).params().isEmpty()) {
                lastWeighted = i;
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (!up.contains(n.name()) || n.layer() instanceof Layer.Input) {
                continue;
            }
            TensorShape s = n.outputShape();
            if (i == lastWeighted && s.isSpatial() && s.channels() == classes && classes > 1) {
                break;
            }
            if (hasMaps(n)) {
                best = n.name();
            }
        }
        if (best == null) {
            throw new ConvscopeException(net.name() + " has no layer with spatial maps before its class scores; CAM methods need one");
        }
        return best;
    }

    /** The CAM layer: {@code wanted} checked, or the default. */
    public static String choose(Network net, String scoreLayer, String wanted) {
        if (wanted == null || wanted.isBlank()) {
            return defaultLayer(net, scoreLayer);
        }
        if (!net.has(wanted)) {
            List<String> names = new ArrayList<>();
            for (Node n : net.nodes()) {
                names.add(n.name());
            }
            throw new ConvscopeException("no layer named '" + wanted + "'" + io.convscope.util.Names.didYouMean(wanted, names));
        }
        TensorShape s = net.node(wanted).outputShape();
        if (!hasMaps(net.node(wanted))) {
            throw new ConvscopeException("layer '" + wanted + "' has no spatial maps (output " + s.toKerasString()
                    + "); give a layer with (H, W, C) output, e.g. " + defaultLayer(net, scoreLayer));
        }
        if (!net.ancestors(List.of(scoreLayer)).contains(wanted)) {
            throw new ConvscopeException("the class scores do not depend on layer '" + wanted + "'");
        }
        return wanted;
    }

    static boolean hasMaps(Node n) {
        TensorShape s = n.outputShape();
        return n.layer().hasFeatureMaps(s) && (s.height() != 1 || s.width() != 1);
    }
}
