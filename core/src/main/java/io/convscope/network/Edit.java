package io.convscope.network;

import io.convscope.ConvscopeException;

import java.util.function.Function;

/**
 * The answer of a graph operation on a {@link Network} (cut at layers, another input size, a layer
 * swapped): the new network, or why it cannot be made. A refusal is an answer, not an exception, so
 * callers that probe ("does this layer work at 40×60?") need no try/catch; {@link #orThrow} turns it
 * into the one-line error when the caller cannot go on.
 *
 * @param network the result; null when refused
 * @param refusal why not; null when done
 */
public record Edit(Network network, Refusal refusal) {

    /**
     * The layer that does not fit, its type, the reason in words and, when the caller can do
     * something about it, advice (may be empty).
     */
    public record Refusal(String layer, String layerType, String reason, String advice) {
        /** {@code layer 'fc1' (Dense) needs the model's own 28×28 input, so 40×60 does not fit; advice}. */
        public String message() {
            String m = reason.startsWith("layer '") ? reason : "layer '" + layer + "' (" + layerType + ") " + reason;
            return advice.isEmpty() ? m : m + "; " + advice;
        }
    }

    static Edit done(Network network) {
        return new Edit(network, null);
    }

    static Edit refused(Refusal refusal) {
        return new Edit(null, refusal);
    }

    /** True when the operation succeeded. */
    public boolean ok() {
        return refusal == null;
    }

    /** The network, or a {@link ConvscopeException} with the refusal's message. */
    public Network orThrow() {
        return orThrow(r -> new ConvscopeException(r.message()));
    }

    /** The network, or the caller's exception for the refusal. */
    public <X extends RuntimeException> Network orThrow(Function<Refusal, X> error) {
        if (refusal != null) {
            throw error.apply(refusal);
        }
        return network;
    }

    /**
     * The network, or a {@link io.convscope.NeedsModelSizeException} naming the layer that refused: for edits that
     * change the input size to {@code width × height}, so a caller (the command line) can advise on the size.
     */
    public Network orNeedsModelSize(int width, int height) {
        return orThrow(r -> new io.convscope.NeedsModelSizeException(r.message(), r.layer(), width, height, null));
    }
}
