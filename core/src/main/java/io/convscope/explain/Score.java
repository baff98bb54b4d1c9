package io.convscope.explain;

import io.convscope.ConvscopeException;

import java.util.Locale;

/** What an attribution explains: the class's pre-softmax score (default, as the papers define it) or its probability. */
public enum Score {
    /** The class logit, before the softmax. */
    LOGIT,
    /** The class probability, after the softmax. */
    PROB;

    /** The name used on the command line and in pictures. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses logit|prob (also "logits", "probability"). */
    public static Score byName(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "logit", "logits" -> LOGIT;
            case "prob", "probability", "probs" -> PROB;
            default -> throw new ConvscopeException("unknown score '" + s + "': use logit or prob");
        };
    }
}
