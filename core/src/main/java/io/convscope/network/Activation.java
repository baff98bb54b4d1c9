package io.convscope.network;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Element-wise activation functions, by their Keras names. */
public enum Activation {
    LINEAR("linear"),
    RELU("relu"),
    RELU6("relu6"),
    SIGMOID("sigmoid"),
    TANH("tanh"),
    /** Softmax over the channel (Keras: last) axis. */
    SOFTMAX("softmax"),
    ELU("elu"),
    SELU("selu"),
    SWISH("swish"),
    GELU("gelu"),
    SOFTPLUS("softplus"),
    SOFTSIGN("softsign"),
    /** Keras 3 / TF ≥ 2.? definition: relu6(x + 3) / 6. */
    HARD_SIGMOID("hard_sigmoid"),
    /** TF-Keras 2 definition: clip(0.2 x + 0.5, 0, 1). */
    HARD_SIGMOID_TF2("hard_sigmoid_tf2"),
    EXPONENTIAL("exponential");

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    public String kerasName() {
        return kerasName;
    }

    /** Looks up a Keras activation string ("relu", "silu", …); null when unknown. */
    public static Activation fromKeras(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("silu")) {
            return SWISH;
        }
        for (Activation a : values()) {
            if (a.kerasName.equals(n)) {
                return a;
            }
        }
        return null;
    }

    public static String supportedNames() {
        return Arrays.stream(values()).filter(a -> a != HARD_SIGMOID_TF2).map(Activation::kerasName)
                .collect(Collectors.joining(", ")) + ", silu";
    }
}
