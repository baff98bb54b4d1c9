package io.convscope.keras;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.convscope.ConvscopeException;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras layer configs → Layer records, one class at a time. */
class KerasLayersTest {
    private static final TensorShape IMG = TensorShape.chw(3, 8, 8);
    private static final TensorShape FLAT = TensorShape.of(10);

    private static Layer k3(String cls, String json, TensorShape... in) {
        return KerasLayers.convert(cls, cfg(json), "x", List.of(in.length == 0 ? IMG : in[0]), true);
    }

    private static Layer tf2(String cls, String json, TensorShape... in) {
        return KerasLayers.convert(cls, cfg(json), "x", List.of(in.length == 0 ? IMG : in[0]), false);
    }

    private static JsonObject cfg(String json) {
        return JsonParser.parseString("{\"name\": \"x\", \"trainable\": true, \"dtype\": " + Cfgs.K3_DTYPE
                + (json.isEmpty() ? "" : ", " + json) + "}").getAsJsonObject();
    }

    private static String err(String cls, String json, TensorShape in) {
        return assertThrows(ConvscopeException.class, () -> k3(cls, json, in)).getMessage();
    }

    @Test
    void convolutions() {
        assertEquals(new Layer.Conv2D(8, 3, 5, 2, 1, 1, 1, Padding.SAME, 1, false, Activation.SWISH),
                k3("Conv2D", "\"filters\": 8, \"kernel_size\": [3, 5], \"strides\": [2, 1], \"padding\": \"same\","
                        + " \"dilation_rate\": 1, \"activation\": \"silu\", \"use_bias\": false"));
        assertEquals(new Layer.Conv2D(6, 3, 3, 1, 1, 2, 2, Padding.VALID, 3, true, Activation.LINEAR),
                k3("Conv2D", "\"filters\": 6, \"kernel_size\": 3, \"dilation_rate\": [2, 2], \"groups\": 3, \"activation\": null"));
        assertEquals(new Layer.DepthwiseConv2D(2, 3, 3, 1, 1, 1, 1, Padding.SAME, true, Activation.RELU6),
                k3("DepthwiseConv2D", "\"kernel_size\": [3, 3], \"padding\": \"same\", \"depth_multiplier\": 2,"
                        + " \"activation\": \"relu6\""));
        assertEquals(new Layer.SeparableConv2D(4, 1, 3, 3, 2, 2, 1, 1, Padding.VALID, true, Activation.RELU),
                k3("SeparableConv2D", "\"filters\": 4, \"kernel_size\": [3, 3], \"strides\": [2, 2], \"activation\":"
                        + " {\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\": \"relu\","
                        + " \"registered_name\": \"function\"}"));
    }

    @Test
    void poolingAndNormalization() {
        assertEquals(new Layer.Pool2D(true, 3, 3, 2, 2, Padding.SAME, false, false),
                k3("MaxPooling2D", "\"pool_size\": [3, 3], \"strides\": [2, 2], \"padding\": \"same\""));
        assertEquals(new Layer.Pool2D(false, 2, 2, 2, 2, Padding.VALID, false, false),
                k3("AveragePooling2D", "\"pool_size\": [2, 2], \"strides\": null, \"padding\": \"valid\""));
        assertEquals(new Layer.GlobalPool(false, false), k3("GlobalAveragePooling2D", "\"data_format\": \"channels_last\""));
        assertEquals(new Layer.GlobalPool(true, true), k3("GlobalMaxPooling2D", "\"keepdims\": true"));
        assertEquals(new Layer.BatchNorm(1.001e-5f, true, false), k3("BatchNormalization",
                "\"axis\": 3, \"epsilon\": 1.001e-05, \"center\": true, \"scale\": false"));
        assertEquals(new Layer.BatchNorm(1e-3f, true, true), k3("BatchNormalization", "\"axis\": [-1]"));
        assertEquals(new Layer.BatchNorm(1e-3f, true, true), k3("BatchNormalization", "\"axis\": 1", FLAT));
        assertTrue(err("BatchNormalization", "\"axis\": 1", IMG).contains("normalizes axis 1 of a (None, 8, 8, 3) tensor"));
    }

    @Test
    void identitiesAndActivations() {
        assertEquals(new Layer.Identity("Dropout", 0.4f), k3("Dropout", "\"rate\": 0.4"));
        assertEquals(new Layer.Identity("SpatialDropout2D", 0.2f), k3("SpatialDropout2D", "\"rate\": 0.2"));
        assertEquals(new Layer.Identity("GaussianNoise", 0f), k3("GaussianNoise", "\"stddev\": 0.1"));
        assertEquals(new Layer.Identity("GaussianDropout", 0.3f), k3("GaussianDropout", "\"rate\": 0.3"));
        assertEquals(new Layer.Identity("AlphaDropout", 0.1f), k3("AlphaDropout", "\"rate\": 0.1"));
        assertEquals(new Layer.Act("Activation", Activation.GELU), k3("Activation", "\"activation\": \"gelu\""));
        assertEquals(new Layer.Act("Activation", Activation.HARD_SIGMOID_TF2), tf2("Activation", "\"activation\": \"hard_sigmoid\""));
        assertEquals(new Layer.Act("Activation", Activation.HARD_SIGMOID), k3("Activation", "\"activation\": \"hard_sigmoid\""));
        assertEquals(new Layer.Act("Softmax", Activation.SOFTMAX), k3("Softmax", "\"axis\": -1"));
        assertEquals(new Layer.Act("Softmax", Activation.SOFTMAX), k3("Softmax", "\"axis\": 3"));
        assertEquals(new Layer.ReLU(Float.POSITIVE_INFINITY, 0f, 0f),
                k3("ReLU", "\"max_value\": null, \"negative_slope\": 0.0, \"threshold\": 0.0"));
        assertEquals(new Layer.ReLU(6f, 0.1f, 0.5f), k3("ReLU", "\"max_value\": 6.0, \"negative_slope\": 0.1, \"threshold\": 0.5"));
        assertEquals(new Layer.LeakyReLU(0.1f), tf2("LeakyReLU", "\"alpha\": 0.1"));
        assertEquals(new Layer.LeakyReLU(0.3f), tf2("LeakyReLU", ""));
        assertEquals(new Layer.LeakyReLU(0.2f), k3("LeakyReLU", "\"negative_slope\": 0.2"));
        assertTrue(err("Softmax", "\"axis\": 1", IMG).contains("only the last (channel) axis is supported"));
    }

    @Test
    void shapesAndMerges() {
        assertEquals(new Layer.Flatten(true), k3("Flatten", "\"data_format\": \"channels_last\""));
        assertEquals(new Layer.Dense(7, true, Activation.TANH), k3("Dense", "\"units\": 7, \"activation\": \"tanh\"", FLAT));
        assertEquals(new Layer.Merge(Layer.Merge.Op.SUBTRACT), k3("Subtract", ""));
        assertEquals(new Layer.Merge(Layer.Merge.Op.MULTIPLY), k3("Multiply", ""));
        assertEquals(new Layer.Merge(Layer.Merge.Op.AVERAGE), k3("Average", ""));
        assertEquals(new Layer.Merge(Layer.Merge.Op.MAXIMUM), k3("Maximum", ""));
        assertEquals(new Layer.Merge(Layer.Merge.Op.MINIMUM), k3("Minimum", ""));
        // Keras channels-last axes → convscope channels-first sample axes
        assertEquals(new Layer.Concatenate(0), k3("Concatenate", "\"axis\": -1"));
        assertEquals(new Layer.Concatenate(0), k3("Concatenate", "\"axis\": 3"));
        assertEquals(new Layer.Concatenate(1), k3("Concatenate", "\"axis\": 1"));
        assertEquals(new Layer.Concatenate(2), k3("Concatenate", "\"axis\": 2"));
        assertEquals(new Layer.Concatenate(2), k3("Concatenate", "\"axis\": -2"));
        assertEquals(new Layer.Concatenate(0), k3("Concatenate", "\"axis\": -1", FLAT));
        assertEquals(new Layer.Concatenate(0), k3("Concatenate", "\"axis\": 1", FLAT));
        assertTrue(err("Concatenate", "\"axis\": 0", IMG).contains("the batch axis cannot be concatenated"));
        assertEquals(new Layer.ZeroPadding2D(2, 2, 2, 2), k3("ZeroPadding2D", "\"padding\": 2"));
        assertEquals(new Layer.ZeroPadding2D(1, 1, 3, 3), k3("ZeroPadding2D", "\"padding\": [1, 3]"));
        assertEquals(new Layer.ZeroPadding2D(0, 1, 2, 3), k3("ZeroPadding2D", "\"padding\": [[0, 1], [2, 3]]"));
        assertEquals(new Layer.Cropping2D(1, 2, 0, 3), k3("Cropping2D", "\"cropping\": [[1, 2], [0, 3]]"));
        assertEquals(new Layer.Cropping2D(1, 1, 1, 1), k3("Cropping2D", "\"cropping\": 1"));
        assertEquals(new Layer.UpSampling2D(2, 3, true), k3("UpSampling2D", "\"size\": [2, 3], \"interpolation\": \"bilinear\""));
        assertEquals(new Layer.UpSampling2D(2, 2, false), k3("UpSampling2D", "\"size\": 2"));
        assertTrue(err("UpSampling2D", "\"interpolation\": \"bicubic\"", IMG).contains("only nearest and bilinear"));
        assertEquals(new Layer.Rescaling(1 / 255f, 0f), k3("Rescaling", "\"scale\": 0.00392156862745098, \"offset\": 0.0"));
        assertEquals(new Layer.Rescaling(1 / 127.5f, -1f), k3("Rescaling", "\"scale\": [0.00784313725490196], \"offset\": -1"));
        assertTrue(err("Rescaling", "\"scale\": [1, 2, 3]", IMG).contains("per-channel 'scale'"));
        Layer r = k3("Reshape", "\"target_shape\": [16, 12]");
        assertArrayEquals(new int[] {16, 12}, ((Layer.Reshape) r).target());
    }

    @Test
    void snakeCaseKeysAsKerasWritesThem() {
        assertEquals("conv2d", KerasGraph.snakeCase("Conv2D"));
        assertEquals("batch_normalization", KerasGraph.snakeCase("BatchNormalization"));
        assertEquals("re_lu", KerasGraph.snakeCase("ReLU"));
        assertEquals("leaky_re_lu", KerasGraph.snakeCase("LeakyReLU"));
        assertEquals("global_average_pooling2d", KerasGraph.snakeCase("GlobalAveragePooling2D"));
        assertEquals("depthwise_conv2d", KerasGraph.snakeCase("DepthwiseConv2D"));
        assertEquals("input_layer", KerasGraph.snakeCase("InputLayer"));
        assertEquals("functional", KerasGraph.snakeCase("Functional"));
    }
}
