package io.convscope.embedded;

import io.convscope.data.FashionMnist;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Preprocessing;
import io.convscope.train.Evaluation;
import io.convscope.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EmbeddedModelTest {
    static final String NO_DATA = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set "
            + "CONVSCOPE_FASHION_MNIST): skipping";

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** The acceptance test: the shipped weights classify the 10,000 test images at least 92% right. */
    @Test
    @Tag("slow")
    void theShippedModelReaches92PercentOnTheTestSet() {
        assumeTrue(FashionMnist.available(), NO_DATA);
        Evaluation e = Trainer.accuracy(EmbeddedModel.load(), FashionMnist.test(), 500);
        assertEquals(10_000, e.count());
        assertTrue(e.accuracy() >= 0.92, e.format(FashionMnist.CLASSES));
    }

    @Test
    void theShippedModelHasTheDeclaredArchitecture() {
        Network net = EmbeddedModel.load();
        Network arch = EmbeddedModel.architecture();
        assertSame(net, EmbeddedModel.load(), "read once");
        assertEquals(EmbeddedModel.NAME, net.name());
        assertEquals(FashionMnist.CLASSES, net.labels());
        assertEquals(Preprocessing.UNIT, net.preprocessing());
        assertEquals(List.of("predictions"), net.outputs());
        assertEquals(arch.nodes().stream().map(Node::name).toList(), net.nodes().stream().map(Node::name).toList());
        for (Node n : arch.nodes()) {
            assertEquals(n.layer(), net.node(n.name()).layer(), n.name());
            assertEquals(n.outputShape(), net.node(n.name()).outputShape(), n.name());
        }
        assertEquals(arch.trainableParamCount(), net.paramCount());
        // pre-softmax logits stay addressable for class visualization
        assertTrue(net.node("predictions").layer() instanceof Layer.Act);
        assertEquals(List.of("logits"), net.node("predictions").inputs());
    }

    @Test
    void theModelFileIsSmall() throws IOException {
        try (InputStream in = EmbeddedModel.class.getResourceAsStream(EmbeddedModel.RESOURCE)) {
            assertNotNull(in);
            long size = in.readAllBytes().length;
            assertTrue(size < 4 << 20, size + " bytes");
        }
    }

    @Test
    void sampleNamesFollowTheLabels() {
        assertEquals("0_t-shirt.png", EmbeddedModel.sampleFileName(0));
        assertEquals("7_sneaker.png", EmbeddedModel.sampleFileName(7));
        assertEquals("9_ankle-boot.png", EmbeddedModel.sampleFileName(9));
    }

    @Test
    void samplesAreTheFirstTestImageOfEachClass() throws IOException {
        FashionMnist.Split test = FashionMnist.available() ? FashionMnist.test() : null;
        Path repoSamples = Path.of("..", "samples", "fashion-mnist");
        for (int c = 0; c < FashionMnist.CLASSES.size(); c++) {
            byte[] png;
            try (InputStream in = EmbeddedModel.openSample(c)) {
                png = in.readAllBytes();
            }
            BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(png));
            assertEquals(28, img.getWidth());
            assertEquals(28, img.getHeight());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
            if (Files.isDirectory(repoSamples)) {
                assertArrayEquals(Files.readAllBytes(repoSamples.resolve(EmbeddedModel.sampleFileName(c))), png,
                        "samples/fashion-mnist and the bundled resource are the same file");
            }
            if (test != null) {
                int first = 0;
                while (test.label(first) != c) {
                    first++;
                }
                float[] want = test.image(first);
                for (int p = 0; p < want.length; p++) {
                    assertEquals((int) want[p], img.getRaster().getSample(p % 28, p / 28, 0), "class " + c + " pixel " + p);
                }
            }
        }
    }
}
