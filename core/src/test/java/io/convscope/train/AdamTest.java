package io.convscope.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamTest {

    /** Two steps on f(w) = (w − 3)², starting at w = 1, against the update rule worked out by hand. */
    @Test
    void stepsOnAQuadraticFollowTheKerasFormula() {
        System.setProperty("ai.djl.offline", "true");
        double lr = 0.1;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-7;
        try (NDManager root = NDManager.newBaseManager("PyTorch"); Adam adam = new Adam(root, (float) lr)) {
            NDArray w = root.create(new float[] {1f});
            w.setRequiresGradient(true);
            double want = 1;
            double m = 0;
            double v = 0;
            for (int t = 1; t <= 2; t++) {
                try (NDManager step = root.newSubManager()) {
                    try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray d = w.sub(3f);
                        d.attach(step);
                        NDArray loss = d.square().sum();
                        gc.backward(loss);
                    }
                    adam.step(Map.of("w", w), step);
                }
                double g = 2 * (want - 3);
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                want -= alpha * m / (Math.sqrt(v) + eps);
                assertEquals(want, w.getFloat(), 1e-6, "after step " + t);
                // the gradient was consumed: zero until the next backward pass
                assertEquals(0f, w.getGradient().getFloat(), 0f);
            }
            assertEquals(2, adam.iterations());
        }
    }
}
