package io.convscope.keras;

import ai.djl.ndarray.NDManager;
import io.convscope.data.FashionMnist;
import io.convscope.engine.Engine;
import io.convscope.network.Network;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real Keras 3 file through importer and Engine: Keras's probabilities for the first 100 test
 * images to 1e-4, and its published accuracy, 0.8921, on all 10,000.
 */
@Tag("slow")
class FmnistEngineConformanceTest {
    @Test
    void reachesThePublishedAccuracyAndProbabilities() throws IOException {
        Path model = Fixtures.fixture("models/fmnist-keras3/model.h5");
        assumeTrue(Files.isRegularFile(model), "skipped: fixture " + model + " is absent (../shared/fixtures)");
        assumeTrue(FashionMnist.available(), "skipped: Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Network net = KerasImporter.load(model);
        FashionMnist.Split test = FashionMnist.test();
        List<String> rows = Files.readAllLines(model.resolveSibling("test_probs_first100.csv")).stream()
                .filter(l -> !l.isBlank() && Character.isDigit(l.trim().charAt(0)) || l.trim().startsWith("-")).toList();
        int correct = 0;
        double worst = 0;
        int batch = 500;
        try (Engine engine = Engine.create(net)) {
            for (int start = 0; start < test.count(); start += batch) {
                int n = Math.min(batch, test.count() - start);
                float[] x = new float[n * 28 * 28];
                for (int i = 0; i < n; i++) {
                    float[] img = test.image(start + i);
                    for (int p = 0; p < img.length; p++) {
                        x[i * 784 + p] = net.preprocessing().apply(0, img[p]);
                    }
                }
                try (NDManager scope = engine.manager().newSubManager()) {
                    float[][] probs = engine.predict(engine.input(scope, x, n, 1, 28, 28));
                    for (int i = 0; i < n; i++) {
                        int arg = 0;
                        for (int c = 1; c < 10; c++) {
                            if (probs[i][c] > probs[i][arg]) {
                                arg = c;
                            }
                        }
                        if (arg == test.label(start + i)) {
                            correct++;
                        }
                        int idx = start + i;
                        if (idx < 100) {
                            String[] cells = rows.get(idx).split(",");
                            for (int c = 0; c < 10; c++) {
                                worst = Math.max(worst, Math.abs(Double.parseDouble(cells[c].trim()) - probs[i][c]));
                            }
                        }
                    }
                }
            }
        }
        assertEquals(100, Math.min(100, rows.size()));
        assertTrue(worst <= 1e-4, "max |p - Keras p| over the first 100 images: " + worst);
        assertEquals(0.8921, correct / (double) test.count(), 1e-9, "accuracy on the 10,000 test images");
    }
}
