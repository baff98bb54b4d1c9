package io.convscope.keras;

/**
 * Model-config JSON as TF-Keras 2 and Keras 3 write it, for tests. Layer entries carry the
 * realistic clutter (dtype policies, initializers, module/registered_name) that a reader must skip.
 */
final class Cfgs {
    private Cfgs() {
    }

    static final String K3_DTYPE = "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}";
    private static final String INIT = "\"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}},"
            + " \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}, \"kernel_regularizer\": null,"
            + " \"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null, \"bias_constraint\": null";

    static String conv(int filters, int k, String padding, String activation) {
        return "\"filters\": " + filters + ", \"kernel_size\": [" + k + ", " + k + "], \"strides\": [1, 1], \"padding\": \""
                + padding + "\", \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"groups\": 1, \"activation\": \""
                + activation + "\", \"use_bias\": true, " + INIT;
    }

    static String dense(int units, String activation) {
        return "\"units\": " + units + ", \"activation\": \"" + activation + "\", \"use_bias\": true, " + INIT;
    }

    static String bn() {
        return "\"axis\": [3], \"momentum\": 0.99, \"epsilon\": 0.001, \"center\": true, \"scale\": true,"
                + " \"beta_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}, \"gamma_initializer\": {\"class_name\": \"Ones\", \"config\": {}},"
                + " \"moving_mean_initializer\": {\"class_name\": \"Zeros\", \"config\": {}},"
                + " \"moving_variance_initializer\": {\"class_name\": \"Ones\", \"config\": {}}, \"beta_regularizer\": null,"
                + " \"gamma_regularizer\": null, \"beta_constraint\": null, \"gamma_constraint\": null";
    }

    static String pool(int k) {
        return "\"pool_size\": [" + k + ", " + k + "], \"padding\": \"valid\", \"strides\": [" + k + ", " + k
                + "], \"data_format\": \"channels_last\"";
    }

    // ---- TF-Keras 2 -------------------------------------------------------------------------------

    /** A TF-Keras 2 layer entry of a Sequential model. */
    static String tf2(String cls, String name, String extra) {
        return "{\"class_name\": \"" + cls + "\", \"config\": {\"name\": \"" + name + "\", \"trainable\": true, \"dtype\": \"float32\""
                + (extra.isEmpty() ? "" : ", " + extra) + "}}";
    }

    static String tf2Input(String name, String batchShape) {
        return "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": " + batchShape
                + ", \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"" + name + "\"}}";
    }

    /** A TF-Keras 2 Functional layer entry: inbound_nodes [[["a", 0, 0, {}], …]]. */
    static String tf2f(String cls, String name, String extra, String... inbound) {
        String entry = tf2(cls, name, extra);
        StringBuilder nodes = new StringBuilder("[[");
        for (int i = 0; i < inbound.length; i++) {
            nodes.append(i == 0 ? "" : ", ").append("[\"").append(inbound[i]).append("\", 0, 0, {}]");
        }
        nodes.append("]]");
        return entry.substring(0, entry.length() - 1) + ", \"name\": \"" + name + "\", \"inbound_nodes\": "
                + (inbound.length == 0 ? "[]" : nodes) + "}";
    }

    static String tf2FunctionalInput(String name, String batchShape) {
        String e = tf2Input(name, batchShape);
        return e.substring(0, e.length() - 1) + ", \"name\": \"" + name + "\", \"inbound_nodes\": []}";
    }

    // ---- Keras 3 --------------------------------------------------------------------------------

    /** A Keras 3 layer entry of a Sequential model. */
    static String k3(String cls, String name, String extra) {
        return "{\"module\": \"keras.layers\", \"class_name\": \"" + cls + "\", \"config\": {\"name\": \"" + name
                + "\", \"trainable\": true, \"dtype\": " + K3_DTYPE + (extra.isEmpty() ? "" : ", " + extra)
                + "}, \"registered_name\": null}";
    }

    static String k3Input(String name, String batchShape) {
        return "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": " + batchShape
                + ", \"dtype\": \"float32\", \"sparse\": false, \"name\": \"" + name + "\"}, \"registered_name\": null}";
    }

    static String tensor(String layer) {
        return "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null], \"dtype\": \"float32\", \"keras_history\": [\""
                + layer + "\", 0, 0]}}";
    }

    /** A Keras 3 Functional entry: one tensor as args[0], or a list of tensors for merge layers. */
    static String k3f(String cls, String name, String extra, String... inbound) {
        String entry = k3(cls, name, extra);
        String args;
        if (inbound.length == 1) {
            args = tensor(inbound[0]);
        } else {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < inbound.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(tensor(inbound[i]));
            }
            args = sb.append("]").toString();
        }
        return entry.substring(0, entry.length() - 1) + ", \"build_config\": {\"input_shape\": [null]}, \"name\": \"" + name
                + "\", \"inbound_nodes\": [{\"args\": [" + args + "], \"kwargs\": {}}]}";
    }

    static String k3FunctionalInput(String name, String batchShape) {
        String e = k3Input(name, batchShape);
        return e.substring(0, e.length() - 1) + ", \"name\": \"" + name + "\", \"inbound_nodes\": []}";
    }

    static String list(String... items) {
        return "[" + String.join(", ", items) + "]";
    }
}
